// Reads through the per-minute indexes liq:top (every symbol of the minute) and liq:big (the minute's largest
// liquidations), one pipeline per step. With a cache and the minutes' versions (bucketVersion of the ALL bucket:
// the engine writes a minute's bucket, top and big atomically), only minutes that changed are read again.
import type { Redis } from 'ioredis';
import { BIG_PER_MINUTE, type Resolution, aggKey, periodOf, rollupBigKey, rollupTopKey } from '../core/keys.js';
import { pipe } from '../core/pipe.js';
import { type Bucket, addExact, parseBucket } from './bucket.js';
import { MinuteCache, TopCache } from './cache.js';
import { coinOf } from './coin.js';
import { type Filter, entryMatches, sumBuckets } from './filter.js';
import { type Liquidation, byValue, liquidationFromBig, results } from './read.js';
import { safeText } from './sanitize.js';

export interface SymbolValue {
  /** Sanitized. */
  readonly symbol: string;
  readonly valueCents: number;
}

/** Minute start → bucketVersion of its ALL bucket; a minute whose version is unchanged is not read again. */
export type Versions = ReadonlyMap<number, string>;
const EMPTY_VERSION = '0:0';

interface Versioned {
  get(start: number): { version: string } | undefined;
}

/** The minutes to read: not cached, or cached under another version. Empty minutes are never read. */
function stale(starts: readonly number[], cache: Versioned, versions: Versions | undefined, empty: (s: number) => void): number[] {
  const out: number[] = [];
  for (const s of starts) {
    const v = versions?.get(s);
    if (v === undefined) out.push(s);
    else if (v === EMPTY_VERSION) empty(s);
    else if (cache.get(s)?.version !== v) out.push(s);
  }
  return out;
}

/** ZRANGE … WITHSCORES of each period's liq:top: [symbol, cents] of every symbol of the period (raw names). */
export async function readTopMembersOf(redis: Redis, starts: readonly number[], res: Resolution = '60s'): Promise<[string, number][][]> {
  if (starts.length === 0) return [];
  const p = pipe(redis);
  for (const s of starts) p.zrange(rollupTopKey(res, s), 0, -1, 'WITHSCORES');
  return results(await p.exec()).map((r) => {
    const flat = r as string[];
    const members: [string, number][] = [];
    for (let j = 0; j + 1 < flat.length; j += 2) {
      const v = Number(flat[j + 1]);
      if (Number.isSafeInteger(v)) members.push([flat[j], v]);
    }
    return members;
  });
}

/** The top `limit` of the sums over `caches`, less those over `minus` (symbols, or coins with group coin). */
export function rankTop(caches: readonly TopCache[], minus: readonly TopCache[], limit: number, keep: (symbol: string) => boolean, group: 'symbol' | 'coin'): SymbolValue[] {
  return ranked(caches, limit, keep, group, minus);
}

function ranked(caches: readonly TopCache[], limit: number, keep: (symbol: string) => boolean, group: 'symbol' | 'coin', minus: readonly TopCache[] = []): SymbolValue[] {
  if (limit <= 0) return [];
  let sums: ReadonlyMap<string, number> = caches[0].totals();
  if (caches.length > 1 || minus.length > 0) {
    const merged = new Map(sums);
    for (const c of caches.slice(1)) for (const [sym, v] of c.totals()) merged.set(sym, addExact(merged.get(sym) ?? 0, v));
    for (const c of minus) for (const [sym, v] of c.totals()) merged.set(sym, addExact(merged.get(sym) ?? 0, -v));
    sums = merged;
  }
  // a symbol whose sum is 0 once the minutes before the window are taken off had nothing in the window
  let entries = [...sums].filter(([sym, v]) => v > 0 && keep(sym));
  if (group === 'coin') {
    const byCoin = new Map<string, number>();
    for (const [sym, v] of entries) byCoin.set(coinOf(sym), addExact(byCoin.get(coinOf(sym)) ?? 0, v));
    entries = [...byCoin];
  }
  return entries
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, limit)
    .map(([symbol, valueCents]) => ({ symbol: safeText(symbol), valueCents }));
}

export interface TopOptions {
  readonly cache?: TopCache;
  readonly versions?: Versions;
  /** Only these symbols (e.g. the symbols of a coin). */
  readonly keep?: (symbol: string) => boolean;
  readonly group?: 'symbol' | 'coin';
  /** The periods' resolution: minutes (default), or hourly or daily rollups (their liq:top:1h / :1d). */
  readonly res?: Resolution;
}

/** The window's top symbols (or coins) by USD over every exchange: every member of every minute's liq:top. */
export async function readTopSymbols(redis: Redis, starts: readonly number[], limit: number, opts: TopOptions = {}): Promise<SymbolValue[]> {
  const cache = opts.cache ?? new TopCache();
  cache.retain(new Set(starts));
  const toRead = stale(starts, cache, opts.versions, (s) => cache.set(s, { version: EMPTY_VERSION, members: [] }));
  const members = await readTopMembersOf(redis, toRead, opts.res);
  toRead.forEach((s, i) => cache.set(s, { version: opts.versions?.get(s) ?? '', members: members[i] }));
  return ranked([cache], limit, opts.keep ?? (() => true), opts.group ?? 'symbol');
}

/**
 * The window's top symbols (or coins) over some exchanges only. liq:top has no exchange breakdown, so each
 * minute's symbols are taken from it and their `{ex}_value_cents` read from the symbol buckets (HMGET).
 */
export async function readTopByExchange(
  redis: Redis,
  starts: readonly number[],
  limit: number,
  exchanges: readonly string[],
  opts: TopOptions = {},
): Promise<SymbolValue[]> {
  const cache = opts.cache ?? new TopCache();
  cache.retain(new Set(starts));
  const toRead = stale(starts, cache, opts.versions, (s) => cache.set(s, { version: EMPTY_VERSION, members: [] }));
  const members = await readTopMembersOf(redis, toRead, opts.res);
  const fields = exchanges.map((ex) => `${ex}_value_cents`);
  const p = pipe(redis);
  toRead.forEach((s, i) => {
    for (const [sym] of members[i]) p.hmget(aggKey(sym, opts.res ?? '60s', s), ...fields);
  });
  const values = toRead.length ? results(await p.exec()) : [];
  let k = 0;
  toRead.forEach((s, i) => {
    const out: [string, number][] = [];
    for (const [sym] of members[i]) {
      let sum = 0;
      for (const v of values[k++] as (string | null)[]) {
        const n = Number(v ?? 0);
        if (Number.isSafeInteger(n)) sum = addExact(sum, n);
      }
      if (sum > 0) out.push([sym, sum]);
    }
    cache.set(s, { version: opts.versions?.get(s) ?? '', members: out });
  });
  return ranked([cache], limit, opts.keep ?? (() => true), opts.group ?? 'symbol');
}

/** A coin's bucket for each minute: the sum of the buckets of its symbols, found in the minute's liq:top. */
export async function readCoinBuckets(
  redis: Redis,
  coin: string,
  starts: readonly number[],
  opts: { cache?: MinuteCache<Bucket>; versions?: Versions; res?: Resolution } = {},
): Promise<Bucket[]> {
  const cache = opts.cache ?? new MinuteCache<Bucket>();
  cache.retain(new Set(starts));
  const toRead = stale(starts, cache, opts.versions, (s) => cache.set(s, EMPTY_VERSION, sumBuckets(s, [])));
  // Minutes over several hours: each hour's liq:top names every symbol of its minutes (the engine writes both), so
  // one index per hour finds the coin's symbols instead of one per minute; a symbol without a bucket in one of the
  // hour's minutes reads as an empty bucket, so the sums stay exact.
  const res = opts.res ?? '60s';
  let symbols: string[][];
  const hours = res === '60s' ? [...new Set(toRead.map((s) => periodOf(s, '1h')))] : [];
  if (res === '60s' && hours.length > 1) {
    const perHour = new Map<number, string[]>();
    (await readTopMembersOf(redis, hours, '1h')).forEach((list, i) => perHour.set(hours[i], list.map(([sym]) => sym).filter((sym) => coinOf(sym) === coin)));
    symbols = toRead.map((s) => perHour.get(periodOf(s, '1h')) ?? []);
  } else {
    const members = await readTopMembersOf(redis, toRead, res);
    symbols = members.map((list) => list.map(([sym]) => sym).filter((sym) => coinOf(sym) === coin));
  }
  const p = pipe(redis);
  toRead.forEach((s, i) => {
    for (const sym of symbols[i]) p.call('HGETALL', aggKey(sym, opts.res ?? '60s', s));
  });
  const hashes = symbols.some((l) => l.length) ? results(await p.exec()) : [];
  let k = 0;
  toRead.forEach((s, i) => {
    const parts = symbols[i].map(() => parseBucket(s, hashes[k++] as string[]));
    cache.set(s, opts.versions?.get(s) ?? '', sumBuckets(s, parts));
  });
  return starts.map((s) => cache.get(s)!.value);
}

/** A member of liq:big; filters match the raw symbol (what --symbol names), the liquidation shows it sanitized. */
export interface BigItem {
  readonly rawSymbol: string;
  readonly l: Liquidation;
}

/**
 * The `limit` largest liquidations of the window that pass the filter, from every member of each minute's
 * liq:big. The engine keeps the BIG_PER_MINUTE largest of each minute, so an unfiltered list of up to that many is
 * exact; a filtered one may miss a liquidation in a minute with BIG_PER_MINUTE larger ones that do not pass.
 */
export async function readLargestList(
  redis: Redis,
  starts: readonly number[],
  limit: number,
  filter: Filter,
  opts: { cache?: MinuteCache<readonly BigItem[]>; versions?: Versions; res?: Resolution } = {},
): Promise<Liquidation[]> {
  const cache = opts.cache ?? new MinuteCache<readonly BigItem[]>();
  cache.retain(new Set(starts));
  const toRead = stale(starts, cache, opts.versions, (s) => cache.set(s, EMPTY_VERSION, []));
  if (toRead.length) {
    const p = pipe(redis);
    for (const s of toRead) p.zrevrange(rollupBigKey(opts.res ?? '60s', s), 0, -1, 'WITHSCORES');
    const out = results(await p.exec());
    toRead.forEach((s, i) => {
      const flat = out[i] as string[];
      const items: BigItem[] = [];
      for (let j = 0; j + 1 < flat.length; j += 2) {
        const l = liquidationFromBig(flat[j], flat[j + 1]);
        if (l) items.push({ rawSymbol: flat[j].split('|')[1], l });
      }
      cache.set(s, opts.versions?.get(s) ?? '', items);
    });
  }
  const all: Liquidation[] = [];
  for (const s of starts) {
    for (const { rawSymbol, l } of cache.get(s)?.value ?? []) {
      if (entryMatches({ exchange: l.exchange, symbol: rawSymbol, valueCents: l.valueCents }, filter)) all.push(l);
    }
  }
  return all.sort(byValue).slice(0, limit);
}

/** The largest single liquidation of the window for one symbol or all (ALL), or null. */
export async function readLargest(
  redis: Redis,
  starts: readonly number[],
  symbol: string,
  opts: { cache?: MinuteCache<readonly BigItem[]>; versions?: Versions } = {},
): Promise<Liquidation | null> {
  return (await readLargestList(redis, starts, 1, { symbol }, opts))[0] ?? null;
}

export { BIG_PER_MINUTE };
