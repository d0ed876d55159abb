// One minute's bucket hash → typed totals, and merging buckets into window totals. Integer cents, checked:
// a sum that would leave the exact range of a double throws instead of rounding silently.
import { exchangesInFields } from '../core/keys.js';

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

function int(hash: Record<string, string>, field: string): number {
  const raw = hash[field];
  if (raw === undefined) return 0;
  const n = Number(raw);
  return Number.isSafeInteger(n) ? n : 0;
}

/** Identifies the state of a minute's bucket: the engine's Lua script writes the bucket, liq:top and liq:big of a
 * minute atomically, and every counted event increments `count`, so equal versions mean equal top and big sets. */
export function bucketVersion(b: Totals): string {
  return `${b.count}:${b.valueCents}`;
}

export function emptyTotals(): Totals {
  return { count: 0, valueCents: 0, long: { count: 0, valueCents: 0 }, short: { count: 0, valueCents: 0 } };
}

function totalsFrom(hash: Record<string, string>, prefix: string): Totals {
  return {
    count: int(hash, `${prefix}count`),
    valueCents: int(hash, `${prefix}value_cents`),
    long: { count: int(hash, `${prefix}long_count`), valueCents: int(hash, `${prefix}long_value_cents`) },
    short: { count: int(hash, `${prefix}short_count`), valueCents: int(hash, `${prefix}short_value_cents`) },
  };
}

/** An empty or missing hash gives an empty bucket. Takes HGETALL's reply as an object or as a flat array. */
export function parseBucket(start: number, hash: Record<string, string> | string[] | null | undefined): Bucket {
  let h: Record<string, string>;
  if (Array.isArray(hash)) {
    h = {};
    for (let i = 0; i + 1 < hash.length; i += 2) h[hash[i]] = hash[i + 1];
  } else h = hash ?? {};
  const exchanges = new Map<string, ExchangeTotals>();
  for (const ex of exchangesInFields(Object.keys(h))) exchanges.set(ex, { exchange: ex, ...totalsFrom(h, `${ex}_`) });
  return { start, ...totalsFrom(h, ''), exchanges };
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
