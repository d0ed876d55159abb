// Formatting from integers: USD from integer cents to the dollar ($1,234,567), shares, ages and times.
// No locale, no floating point for money.

function groupThousands(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** Integer cents → "$1,234,567" (rounded half-up to the dollar). */
export function formatUsd(cents: number | bigint): string {
  let c = BigInt(cents);
  const neg = c < 0n;
  if (neg) c = -c;
  const dollars = (c + 50n) / 100n;
  return `${neg ? '-' : ''}$${groupThousands(dollars.toString())}`;
}

const UNITS: readonly (readonly [bigint, string])[] = [
  [1_000n, 'k'],
  [1_000_000n, 'M'],
  [1_000_000_000n, 'B'],
  [1_000_000_000_000n, 'T'],
];

/** n / d rounded half-up, on non-negative integers. */
function divHalfUp(n: bigint, d: bigint): bigint {
  return (2n * n + d) / (2n * d);
}

/**
 * Integer cents → the one money format of the screens: dollars below $10k ("$1,234"), then three significant
 * digits with k, M, B or T ("$12.3k", "$912k", "$9.50M", "$1.20B"), rounded half-up on integers.
 */
export function formatMoney(cents: number | bigint): string {
  let c = BigInt(cents);
  const sign = c < 0n ? '-' : '';
  if (c < 0n) c = -c;
  const dollars = divHalfUp(c, 100n);
  if (dollars < 10_000n) return `${sign}$${groupThousands(dollars.toString())}`;
  for (const [unit, suffix] of UNITS) {
    // The first unit and number of decimals whose rounded figure has exactly three digits.
    for (const decimals of [2, 1, 0]) {
      const scaled = divHalfUp(c * 10n ** BigInt(decimals), 100n * unit);
      if (scaled < 100n || scaled >= 1000n) continue;
      const digits = scaled.toString();
      const whole = digits.slice(0, digits.length - decimals);
      return `${sign}$${whole}${decimals ? `.${digits.slice(digits.length - decimals)}` : ''}${suffix}`;
    }
  }
  return `${sign}$${groupThousands(divHalfUp(c, 100n * 1_000_000_000_000n).toString())}T`;
}

/**
 * Long/short split of a total as whole percentages that add up to 100: "84% / 16%"; "-" when both are 0. A side
 * that is not 0 never shows as 0% (99.6% long with some short reads 99% / 1%, not 100% / 0%).
 */
export function formatLongShort(longCents: number, shortCents: number, compact = false): string {
  const total = BigInt(longCents) + BigInt(shortCents);
  if (total <= 0n) return '-';
  let longPct = divHalfUp(BigInt(longCents) * 100n, total);
  if (longPct === 100n && shortCents > 0) longPct = 99n;
  if (longPct === 0n && longCents > 0) longPct = 1n;
  return compact ? `${longPct}/${100n - longPct}` : `${longPct}% / ${100n - longPct}%`;
}

export function formatCount(n: number): string {
  return String(Math.trunc(n));
}

/** part/total as "45.1%" (rounded half-up to 0.1%, computed on integers); "-" when total is 0. */
export function formatShare(part: number, total: number): string {
  if (total <= 0) return '-';
  const permille = (BigInt(part) * 2000n + BigInt(total)) / (2n * BigInt(total));
  return `${permille / 10n}.${permille % 10n}%`;
}

/** Milliseconds → "4s", "2m05s", "1h02m", "3d04h". */
export function formatAge(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h}h${String(m % 60).padStart(2, '0')}m`;
  return `${Math.floor(h / 24)}d${String(h % 24).padStart(2, '0')}h`;
}

/** "14:05" (UTC). */
export function formatHm(ts: number): string {
  return new Date(ts).toISOString().slice(11, 16);
}

/** "14:05:09" (UTC). */
export function formatHms(ts: number): string {
  return new Date(ts).toISOString().slice(11, 19);
}

/** "2025-11-20 14:05 UTC". */
export function formatDateHm(ts: number): string {
  return `${new Date(ts).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** Integer cents → exact dollars and cents: "$1,234,567.89" (query and alerts print money to the cent). */
export function formatCents(cents: number | bigint | string): string {
  let c = BigInt(cents);
  const sign = c < 0n ? '-' : '';
  if (c < 0n) c = -c;
  return `${sign}$${groupThousands((c / 100n).toString())}.${(c % 100n).toString().padStart(2, '0')}`;
}
