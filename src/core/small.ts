// Exact decimal arithmetic on safe integers, the fast path beside decimal.ts's BigInt arithmetic.
// Every integer up to 2^53 − 1 is a double exactly, and +, − and × of such integers are exact while the result stays
// up to 2^53 − 1: each function here checks that before it relies on it, and the callers fall back to BigInt when
// a value leaves the safe range. The daemon's event builder and the forensic validator both run on this.

export const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/** 10^0 … 10^15: every one is exact, and a decimal of at most 15 characters has a scale of at most 13. */
export const POW10 = Array.from({ length: 16 }, (_, i) => 10 ** i);

export interface SmallDecimal {
  readonly m: number;
  readonly scale: number;
}

/**
 * Fast exact decimal for short texts (at most 15 characters, so the mantissa is a safe integer): mantissa and
 * scale as numbers, or undefined (then BigInt is used). Same grammar as parseDecimal: digits, optionally one point
 * with digits on both sides. One pass over the characters.
 */
export function smallDecimal(text: string): SmallDecimal | undefined {
  const n = text.length;
  if (n === 0 || n > 15) return undefined;
  let m = 0;
  let dot = -1;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    // one point, with digits on both sides
    if (c === 46 && dot < 0 && i > 0 && i < n - 1) dot = i;
    else if (c >= 48 && c <= 57) m = m * 10 + (c - 48);
    else return undefined;
  }
  return { m, scale: dot < 0 ? 0 : n - dot - 1 };
}

/** round_half_up(n ÷ d) for safe non-negative integers whose sum is safe, exactly. */
export function divHalfUpSafe(n: number, d: number): number {
  let q = Math.floor(n / d);
  let r = n - q * d;
  // the float quotient can be off by one either way: the remainder, exact here, says which
  if (r < 0) {
    q--;
    r += d;
  } else if (r >= d) {
    q++;
    r -= d;
  }
  return r * 2 >= d ? q + 1 : q;
}

/** round_half_up(m ÷ 10^k) for a safe m and 0 ≤ k ≤ 15, exactly. */
function roundShift(m: number, k: number): number {
  return divHalfUpSafe(m, POW10[k]);
}

/**
 * m × 10^(digits − scale) rounded half-up to an integer (toScaled of decimal.ts on a safe mantissa), or −1 when the
 * result or a step on the way would leave the safe range.
 */
export function scaleSafe(m: number, scale: number, digits: number): number {
  if (scale <= digits) {
    const k = digits - scale;
    if (k > 15) return -1;
    const v = m * POW10[k];
    return v <= MAX_SAFE ? v : -1;
  }
  const k = scale - digits;
  return k <= 15 ? roundShift(m, k) : -1;
}

/**
 * round_half_up((um ÷ 10^us) ÷ (pm ÷ 10^ps) × 10^8): an inverse instrument's base quantity in 1e-8 units from its USD
 * value and price (divToScaled of decimal.ts on safe mantissas), or −1 when a step would leave the safe range or the
 * price is 0.
 */
export function usdOverPriceE8(um: number, us: number, pm: number, ps: number): number {
  if (pm === 0) return -1;
  // usd ÷ price × 10^8 = um × 10^(ps + 8 − us) ÷ pm
  const k = ps + 8 - us;
  if (k > 15 || k < -15) return -1;
  const n = k >= 0 ? um * POW10[k] : um;
  const d = k >= 0 ? pm : pm * POW10[-k];
  if (n + d > MAX_SAFE) return -1;
  return divHalfUpSafe(n, d);
}

/** Exact decimal string of m ÷ 10^scale (m a safe integer ≥ 0), trailing fractional zeros removed: as formatScaled. */
export function formatSmall(m: number, scale: number): string {
  while (scale > 0 && m % 10 === 0) {
    m /= 10; // exact: m is a multiple of 10
    scale--;
  }
  const digits = String(m); // a safe integer prints in plain digits
  if (scale === 0) return digits;
  const cut = digits.length - scale;
  if (cut > 0) return `${digits.slice(0, cut)}.${digits.slice(cut)}`;
  return `0.${'0'.repeat(-cut)}${digits}`;
}

const PAD6 = ['', '0', '00', '000', '0000', '00000'];

/**
 * String(n) for a safe integer n ≥ 0, several times faster for millisecond timestamps: V8 prints a number above
 * 2^31 through its general double-to-string path (~140 ns), but two small integers through its fast one.
 */
export function intText(n: number): string {
  if (n < 1e9) return String(n);
  const hi = Math.floor(n / 1e6);
  const lo = String(n - hi * 1e6);
  return `${hi}${PAD6[6 - lo.length]}${lo}`;
}
