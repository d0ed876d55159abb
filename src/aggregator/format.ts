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

/** Integer cents → "$1.23M" style short form (for axes and narrow bars only; tables use formatUsd). */
export function formatUsdShort(cents: number): string {
  const d = cents / 100;
  const abs = Math.abs(d);
  if (abs >= 1e9) return `$${(d / 1e9).toFixed(abs >= 1e10 ? 1 : 2)}B`;
  if (abs >= 1e6) return `$${(d / 1e6).toFixed(abs >= 1e7 ? 1 : 2)}M`;
  if (abs >= 1e3) return `$${(d / 1e3).toFixed(abs >= 1e4 ? 0 : 1)}k`;
  return `$${Math.round(d)}`;
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
