// Exact non-negative integers as `number` while they are safe integers and as `bigint` beyond: every sum is exact
// (a sum is redone in BigInt as soon as it would leave the safe range), and the common case allocates nothing.
export type Num = number | bigint;

const MAX = Number.MAX_SAFE_INTEGER;

export function add(a: Num, b: Num): Num {
  if (typeof a === 'number' && typeof b === 'number') {
    const s = a + b;
    // non-negative addends: a sum at or below MAX was exact; above, redo it exactly
    if (s <= MAX) return s;
  }
  return BigInt(a) + BigInt(b);
}

export function eq(a: Num, b: Num): boolean {
  if (typeof a === 'number' && typeof b === 'number') return a === b;
  return BigInt(a) === BigInt(b);
}

export function isZero(a: Num): boolean {
  return a === 0 || a === 0n;
}

export function toStr(a: Num | undefined): string {
  return a === undefined ? '(absent)' : a.toString();
}

/**
 * A stored integer field as the RESP client decoded it (digits-only strings of ≤ 15 digits arrive as numbers):
 * the exact value, or undefined when it is not a string of digits.
 */
export function intField(v: unknown): Num | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && /^\d+$/.test(v)) {
    const n = Number(v);
    return Number.isSafeInteger(n) ? n : BigInt(v);
  }
  return undefined;
}
