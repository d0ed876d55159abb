// Exact decimal arithmetic on the exchanges' decimal strings.
// Money never passes through binary floating point: a decimal is a BigInt mantissa and a scale
// (value = m / 10^scale), and results are rounded half-up only at the end (to cents, to 1e-8).
import { smallDecimal } from './small.js';

export interface Decimal {
  readonly m: bigint; // mantissa, >= 0 for everything the exchanges send us
  readonly scale: number; // digits after the point
}

// Plain decimal notation only: no sign, no exponent, no spaces. Exchanges send "0.014", "43511.70", "100".
const DECIMAL_RE = /^(\d+)(?:\.(\d+))?$/;
const POW10: bigint[] = [];
for (let i = 0; i <= 60; i++) POW10.push(10n ** BigInt(i));

export function pow10(n: number): bigint {
  return n <= 60 ? POW10[n] : 10n ** BigInt(n);
}

/** Parses a non-negative decimal string exactly; undefined when it is not one (so callers can reject). */
export function parseDecimal(text: string): Decimal | undefined {
  // Short texts (nearly every price and size) are scanned once into a safe integer: no regex, no digit string.
  const small = smallDecimal(text);
  if (small !== undefined) return { m: BigInt(small.m), scale: small.scale };
  if (text.length === 0 || text.length > 64) return undefined;
  const match = DECIMAL_RE.exec(text);
  if (match === null) return undefined;
  const frac = match[2] ?? '';
  return { m: BigInt(match[1] + frac), scale: frac.length };
}

export function isZero(d: Decimal): boolean {
  return d.m === 0n;
}

export function mul(a: Decimal, b: Decimal): Decimal {
  return { m: a.m * b.m, scale: a.scale + b.scale };
}

/** Divides n by d, rounding half-up (both non-negative, d > 0). */
export function divHalfUp(n: bigint, d: bigint): bigint {
  const q = n / d;
  const r = n - q * d;
  return r * 2n >= d ? q + 1n : q;
}

/** The value × 10^digits rounded half-up to an integer: toScaled(x, 2) is cents, toScaled(x, 8) is 1e-8 units. */
export function toScaled(a: Decimal, digits: number): bigint {
  if (a.scale <= digits) return a.m * pow10(digits - a.scale);
  return divHalfUp(a.m, pow10(a.scale - digits));
}

/** (a ÷ b) × 10^digits rounded half-up, exactly. b must be non-zero. */
export function divToScaled(a: Decimal, b: Decimal, digits: number): bigint {
  // a/b × 10^digits = (a.m × 10^(b.scale + digits)) / (b.m × 10^a.scale)
  const num = a.m * pow10(b.scale + digits);
  const den = b.m * pow10(a.scale);
  return divHalfUp(num, den);
}

/** Exact decimal string of a Decimal, with trailing zeros of the fraction removed ("1.500" → "1.5"). */
export function formatDecimal(a: Decimal): string {
  return formatScaled(a.m, a.scale);
}

/** Exact decimal string of an integer scaled by 10^-scale: formatScaled(123n, 2) → "1.23". */
export function formatScaled(value: bigint, scale: number): string {
  const negative = value < 0n;
  let digits = (negative ? -value : value).toString();
  if (scale > 0) {
    if (digits.length <= scale) digits = '0'.repeat(scale - digits.length + 1) + digits;
    let int = digits.slice(0, digits.length - scale);
    let frac = digits.slice(digits.length - scale).replace(/0+$/, '');
    if (int === '') int = '0';
    digits = frac.length > 0 ? `${int}.${frac}` : int;
  }
  return negative ? `-${digits}` : digits;
}

/** Drops trailing fractional zeros so equal values share one representation. */
export function normalize(a: Decimal): Decimal {
  let { m, scale } = a;
  while (scale > 0 && m % 10n === 0n) {
    m /= 10n;
    scale--;
  }
  return { m, scale };
}
