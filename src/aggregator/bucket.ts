// One minute's bucket hash → typed totals, and merging buckets into window totals. Integer cents, checked:
// a sum that would leave the exact range of a double throws instead of rounding silently.

export type Side = 'long' | 'short';
export const SIDES: readonly Side[] = ['long', 'short'];

export interface SideTotals {
  count: number;
  valueCents: number;
}

export interface Totals {
  count: number;
  valueCents: number;
  long: SideTotals;
  short: SideTotals;
}

export interface ExchangeTotals extends Totals {
  readonly exchange: string;
}

export interface Bucket extends Totals {
  readonly start: number;
  /** Per exchange, as found in the fields. */
  readonly exchanges: Map<string, ExchangeTotals>;
}

export function addExact(a: number, b: number): number {
  const r = a + b;
  if (!Number.isSafeInteger(r)) throw new RangeError(`integer sum out of exact range (${a} + ${b})`);
  return r;
}

/** Identifies the state of a minute's bucket: the engine's Lua script writes the bucket, liq:top and liq:big of a
 * minute atomically, and every counted event increments `count`, so equal versions mean equal top and big sets. */
export function bucketVersion(b: Totals): string {
  return `${b.count}:${b.valueCents}`;
}

export function emptyTotals(): Totals {
  return { count: 0, valueCents: 0, long: { count: 0, valueCents: 0 }, short: { count: 0, valueCents: 0 } };
}

/** A field's value: a safe integer, else 0 (a hash edited by hand must not break the sums). */
function int(raw: string): number {
  const n = Number(raw);
  return Number.isSafeInteger(n) ? n : 0;
}

/** Where a field adds (count, value, per side), by its name without the exchange prefix; -1: not a total. */
const SLOT: ReadonlyMap<string, number> = new Map([
  ['count', 0],
  ['value_cents', 1],
  ['long_count', 2],
  ['long_value_cents', 3],
  ['short_count', 4],
  ['short_value_cents', 5],
]);
const EXCHANGE_RE = /^[a-z0-9]+$/;

function setSlot(t: Totals, slot: number, v: number): void {
  if (slot === 0) t.count = v;
  else if (slot === 1) t.valueCents = v;
  else if (slot === 2) t.long.count = v;
  else if (slot === 3) t.long.valueCents = v;
  else if (slot === 4) t.short.count = v;
  else t.short.valueCents = v;
}

/**
 * An empty or missing hash gives an empty bucket. Takes HGETALL's reply as an object or as a flat array. One pass
 * over the fields (a 24h window parses 1,440 buckets of ~60 fields): the totals are the six unprefixed fields, an
 * exchange is one with a `{exchange}_count` field (exchange: [a-z0-9]+), its totals its six `{exchange}_…` fields.
 */
export function parseBucket(start: number, hash: Record<string, string> | string[] | null | undefined): Bucket {
  const flat = Array.isArray(hash) ? hash : hash ? Object.entries(hash).flat() : [];
  const total = emptyTotals();
  let per: Map<string, ExchangeTotals> | undefined;
  let counted: Set<string> | undefined;
  for (let i = 0; i + 1 < flat.length; i += 2) {
    const f = flat[i];
    const slot = SLOT.get(f);
    if (slot !== undefined) {
      setSlot(total, slot, int(flat[i + 1]));
      continue;
    }
    const cut = f.indexOf('_');
    if (cut <= 0) continue;
    const rest = SLOT.get(f.slice(cut + 1));
    if (rest === undefined) continue;
    const ex = f.slice(0, cut);
    if (!EXCHANGE_RE.test(ex)) continue;
    per ??= new Map();
    let t = per.get(ex);
    if (t === undefined) per.set(ex, (t = { exchange: ex, ...emptyTotals() }));
    setSlot(t, rest, int(flat[i + 1]));
    if (rest === 0) (counted ??= new Set()).add(ex);
  }
  const exchanges = new Map<string, ExchangeTotals>();
  if (per !== undefined && counted !== undefined) for (const ex of [...counted].sort()) exchanges.set(ex, per.get(ex)!);
  return { start, ...total, exchanges };
}

export function addInto(target: Totals, t: Totals): void {
  target.count = addExact(target.count, t.count);
  target.valueCents = addExact(target.valueCents, t.valueCents);
  for (const side of SIDES) {
    target[side].count = addExact(target[side].count, t[side].count);
    target[side].valueCents = addExact(target[side].valueCents, t[side].valueCents);
  }
}

export interface Merged extends Totals {
  /** Sorted by total USD descending, then name. */
  readonly exchanges: ExchangeTotals[];
}

export function sortExchanges(list: Iterable<ExchangeTotals>): ExchangeTotals[] {
  return [...list].sort((a, b) => b.valueCents - a.valueCents || b.count - a.count || (a.exchange < b.exchange ? -1 : 1));
}

export function mergeBuckets(buckets: Iterable<Bucket>): Merged {
  const total = emptyTotals();
  const per = new Map<string, ExchangeTotals>();
  for (const b of buckets) {
    addInto(total, b);
    for (const [ex, t] of b.exchanges) {
      let acc = per.get(ex);
      if (!acc) per.set(ex, (acc = { exchange: ex, ...emptyTotals() }));
      addInto(acc, t);
    }
  }
  return { ...total, exchanges: sortExchanges(per.values()) };
}
