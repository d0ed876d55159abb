// The buckets and index periods a frame reads. A window of minutes reads its minute buckets (a refreshing dashboard
// re-reads only the hours whose ALL rollup changed); the top and largest lists of a window of 4h and more come from
// the hourly indexes for its whole hours and from the minute indexes only for its first, partial hour; windows of
// 7d and more read the hourly or daily rollups and their indexes throughout.
import type { Redis } from 'ioredis';
import { ALL, type Resolution, periodOf } from '../core/keys.js';
import { type Bucket, bucketVersion, parseBucket } from './bucket.js';
import type { IndexCaches, SnapshotCache } from './cache.js';
import { type Filter, hasExchangeFilter } from './filter.js';
import { type BigItem, type SymbolValue, type Versions, readCoinBuckets, readLargestList, readTopByExchange, readTopSymbols } from './indexes.js';
import { type Liquidation, byValue, readAllVersions, readBuckets } from './read.js';
import { TopCache } from './cache.js';
import type { MinuteCache } from './cache.js';
import type { Window } from './window.js';

/** A hash that does not exist: its period is empty, or (for rollups) older than the rollups. */
const EMPTY_VERSION = '0:0';

export interface Periods {
  readonly raw: Bucket[];
  /** Each period's version (bucketVersion of its ALL bucket), when an index cache needs them. */
  readonly versions?: Versions;
}

/** The buckets of `starts` at `res` for the filter's symbol, coin or the whole market. */
export async function readPeriods(redis: Redis, f: Filter, starts: readonly number[], res: Resolution, caches?: IndexCaches): Promise<Periods> {
  if (f.symbol === ALL && !f.coin) {
    const raw = await readBuckets(redis, ALL, starts, res);
    return { raw, versions: new Map(raw.map((b) => [b.start, bucketVersion(b)])) };
  }
  if (f.coin) {
    const versions = caches ? await readAllVersions(redis, starts, res) : undefined;
    return { raw: await readCoinBuckets(redis, f.coin, starts, { cache: caches?.bucketsFor(f.coin), versions, res }), versions };
  }
  const [raw, versions] = await Promise.all([readBuckets(redis, f.symbol, starts, res), caches ? readAllVersions(redis, starts, res) : undefined]);
  return { raw, versions };
}

/**
 * The minute buckets of `starts`, reading again only the minutes of hours whose ALL rollup changed since they were
 * kept (the versions are read first: a write between the two reads only makes the next refresh read again). An hour
 * without a rollup (empty, or written before the rollups existed) is always read.
 */
export async function readMinutesByHour(redis: Redis, f: Filter, starts: readonly number[], cache: SnapshotCache): Promise<Periods & { hourVersions: Versions }> {
  const hours = [...new Set(starts.map((s) => periodOf(s, '1h')))];
  const hourVersions = await readAllVersions(redis, hours, '1h');
  const kept = cache.minutesByHour.forKey(f.coin ? `coin ${f.coin}` : f.symbol);
  kept.retain(new Set(hours));
  const stale: number[] = [];
  const cached = new Map<number, Map<number, Bucket>>();
  for (const s of starts) {
    const h = periodOf(s, '1h');
    const v = hourVersions.get(h)!;
    const minutes = v === EMPTY_VERSION ? undefined : kept.get(h, v);
    if (minutes === undefined) stale.push(s);
    else cached.set(h, minutes);
  }
  const fresh = stale.length === 0 ? [] : (await readPeriods(redis, f, stale, '60s')).raw;
  const byHour = new Map<number, Map<number, Bucket>>();
  for (const b of fresh) {
    const h = periodOf(b.start, '1h');
    let m = byHour.get(h);
    if (m === undefined) byHour.set(h, (m = new Map()));
    m.set(b.start, b);
  }
  for (const [h, m] of byHour) if (hourVersions.get(h) !== EMPTY_VERSION) kept.set(h, hourVersions.get(h)!, m);
  const raw = starts.map((s) => {
    const h = periodOf(s, '1h');
    // a minute of an unchanged hour that was not kept had no write: empty
    return byHour.get(h)?.get(s) ?? cached.get(h)?.get(s) ?? parseBucket(s, []);
  });
  const versions = f.symbol === ALL && !f.coin ? new Map(raw.map((b) => [b.start, bucketVersion(b)])) : undefined;
  return { raw, versions, hourVersions };
}

/** Periods whose indexes (liq:top, liq:big) together cover a window, with their versions and caches. */
export interface IndexPart {
  readonly res: Resolution;
  readonly starts: readonly number[];
  readonly versions?: Versions;
  readonly caches?: IndexCaches;
}

/**
 * A window's index parts: its periods (a short window, or a long one at its own resolution), or, for a window of
 * minutes of 4h and more, its whole hours (hourly indexes) and the minutes of its first, partial hour.
 */
export async function indexParts(
  redis: Redis,
  window: Window,
  f: Filter,
  periods: { versions?: Versions; hourVersions?: Versions; raw: readonly Bucket[] },
  cache: SnapshotCache | undefined,
  byHour: boolean,
): Promise<IndexPart[]> {
  if (window.res !== '60s' || !byHour) {
    let versions = periods.versions;
    if (versions === undefined && cache !== undefined) versions = await readAllVersions(redis, window.starts, window.res);
    return [{ res: window.res, starts: window.starts, versions, caches: cache?.level(window.res) }];
  }
  const firstHour = periodOf(window.start, '1h') === window.start ? window.start : periodOf(window.start, '1h') + 3_600_000;
  const hours: number[] = [];
  for (let h = firstHour; h <= window.last; h += 3_600_000) hours.push(h);
  const edge = window.starts.filter((s) => s < firstHour);
  let hourVersions = periods.hourVersions;
  if (hourVersions === undefined && cache !== undefined) hourVersions = await readAllVersions(redis, hours, '1h');
  let edgeVersions: Versions | undefined;
  if (periods.versions !== undefined) edgeVersions = periods.versions;
  else if (cache !== undefined && edge.length > 0) edgeVersions = await readAllVersions(redis, edge, '60s');
  return [
    { res: '1h', starts: hours, versions: hourVersions, caches: cache?.hours },
    { res: '60s', starts: edge, versions: edgeVersions, caches: cache },
  ];
}

/** The top symbols (or coins) over the parts: each part's index read (only its stale periods), sums added. */
export async function readTopOver(
  redis: Redis,
  parts: readonly IndexPart[],
  limit: number,
  f: Filter,
  opts: { keep?: (s: string) => boolean; group?: 'symbol' | 'coin'; byExchange?: boolean },
): Promise<SymbolValue[]> {
  const exchanges = opts.byExchange && hasExchangeFilter(f) ? f.exchanges! : undefined;
  const caches = parts.map((p) => (p.caches === undefined ? new TopCache() : exchanges ? p.caches.topFor(exchanges) : p.caches.top));
  let out: SymbolValue[] = [];
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i];
    const last = i === parts.length - 1;
    const o = { cache: caches[i], versions: p.versions, res: p.res, keep: opts.keep, group: opts.group, also: last ? caches.slice(0, i) : undefined };
    out = exchanges ? await readTopByExchange(redis, p.starts, last ? limit : 0, exchanges, o) : await readTopSymbols(redis, p.starts, last ? limit : 0, o);
  }
  return out;
}

/** The `limit` largest over the parts that pass the filter (the largest of each part, merged). */
export async function readLargestOver(redis: Redis, parts: readonly IndexPart[], limit: number, f: Filter): Promise<Liquidation[]> {
  const lists = await Promise.all(
    parts.map((p) => readLargestList(redis, p.starts, limit, f, { cache: p.caches?.big as MinuteCache<readonly BigItem[]> | undefined, versions: p.versions, res: p.res })),
  );
  return lists.flat().sort(byValue).slice(0, limit);
}
