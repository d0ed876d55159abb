// What a frame shows: one symbol or every symbol, optionally one coin, some exchanges, and a floor for the lists of
// single liquidations. Buckets keep per-exchange fields, so an exchange filter is exact on every total.
import { ALL } from '../core/keys.js';
import { type Bucket, type ExchangeTotals, addInto, emptyTotals } from './bucket.js';
import { coinOf } from './coin.js';

export interface Filter {
  /** ALL or one symbol. */
  readonly symbol: string;
  /** Upper-case coin (every instrument of it); only with symbol ALL. */
  readonly coin?: string;
  /** Lower-case exchange names; absent or empty: every exchange in the data. */
  readonly exchanges?: readonly string[];
  /** Floor of the live feed and the largest list (integer cents); 0 or absent: none. */
  readonly minUsdCents?: number;
}

export const NO_FILTER: Filter = { symbol: ALL };

export function hasExchangeFilter(f: Filter): boolean {
  return (f.exchanges?.length ?? 0) > 0;
}

/** Whether a symbol belongs to the frame (its symbol or coin). */
export function symbolMatches(symbol: string, f: Filter): boolean {
  if (f.symbol !== ALL) return symbol === f.symbol;
  return f.coin ? coinOf(symbol) === f.coin : true;
}

/** Whether a single liquidation belongs to the frame's lists (symbol, coin, exchanges and floor). */
export function entryMatches(e: { exchange: string; symbol: string; valueCents: number }, f: Filter): boolean {
  if (!symbolMatches(e.symbol, f)) return false;
  if (hasExchangeFilter(f) && !f.exchanges!.includes(e.exchange)) return false;
  return e.valueCents >= (f.minUsdCents ?? 0);
}

/** A bucket with only the chosen exchanges: totals are the sums of their fields. */
export function projectBucket(b: Bucket, exchanges: readonly string[]): Bucket {
  const out: Bucket = { start: b.start, ...emptyTotals(), exchanges: new Map<string, ExchangeTotals>() };
  for (const [ex, t] of b.exchanges) {
    if (!exchanges.includes(ex)) continue;
    out.exchanges.set(ex, t);
    addInto(out, t);
  }
  return out;
}

/** One bucket from several (the symbols of a coin in one minute). */
export function sumBuckets(start: number, buckets: Iterable<Bucket>): Bucket {
  const out: Bucket = { start, ...emptyTotals(), exchanges: new Map<string, ExchangeTotals>() };
  for (const b of buckets) {
    addInto(out, b);
    for (const [ex, t] of b.exchanges) {
      let acc = out.exchanges.get(ex);
      if (!acc) out.exchanges.set(ex, (acc = { exchange: ex, ...emptyTotals() }));
      addInto(acc, t);
    }
  }
  return out;
}

function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0];
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j];
      prev[j] = Math.min(prev[j] + 1, prev[j - 1] + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length];
}

/**
 * The known names nearest to what was asked: names of that coin first (BTC → BTCUSDT, BTCUSD), then names that
 * start with it, then by edit distance; `known` is ordered by importance (USD), which breaks ties.
 */
export function nearestNames(wanted: string, known: readonly string[], max = 5): string[] {
  const w = wanted.toUpperCase();
  const rank = (name: string) => {
    if (coinOf(name) === w || coinOf(name) === coinOf(w)) return 0;
    if (name.startsWith(w) || w.startsWith(name)) return 1;
    return 2 + editDistance(w, name);
  };
  return known
    .map((name, i) => ({ name, i, r: rank(name) }))
    .filter((x) => x.name !== w && x.r <= Math.max(3, Math.ceil(w.length / 2) + 2))
    .sort((a, b) => a.r - b.r || a.i - b.i)
    .slice(0, max)
    .map((x) => x.name);
}
