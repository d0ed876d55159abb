// The buckets and index periods a frame reads. A window of minutes reads its minute buckets (a refreshing dashboard
// re-reads only the hours whose ALL rollup changed); the top and largest lists of a window of 4h and more come from
// the hourly indexes for its whole hours and from the minute indexes only for its first, partial hour; windows of
// 7d and more read the hourly or daily rollups and their indexes throughout.
import type { Redis } from 'ioredis';
import { ALL, type Resolution, periodOf } from '../core/keys.js';
import { type Bucket, bucketVersion, parseBucket } from './bucket.js';
import type { IndexCaches, SnapshotCache } from './cache.js';
import { type Filter, hasExchangeFilter } from './filter.js';
import { type BigItem, type SymbolValue, type Versions, rankTop, readCoinBuckets, readLargestList, readTopByExchange, readTopSymbols } from './indexes.js';
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
  /** Periods before the window whose sums are taken off (top lists only). */
  readonly minus?: boolean;
}

/** The parts of the top list and of the largest list (which cannot take anything off, so it reads the edge). */
export interface WindowParts {
  readonly top: IndexPart[];
  readonly largest: IndexPart[];
}

/**
 * A window's index parts: its periods (a short window, or a long one at its own resolution), or, for a window of
 * minutes of 4h and more, its whole hours (hourly indexes) and the minutes of its first, partial hour.
 */
export async function indexParts(
  redis: Redis,
  window: Window,
  periods: { versions?: Versions; hourVersions?: Versions; raw: readonly Bucket[] },
  cache: SnapshotCache | undefined,
  byHour: boolean,
): Promise<WindowParts> {
  if (window.res !== '60s' || !byHour) {
    let versions = periods.versions;
    if (versions === undefined && cache !== undefined) versions = await readAllVersions(redis, window.starts, window.res);
    const part = { res: window.res, starts: window.starts, versions, caches: cache?.level(window.res) };
    return { top: [part], largest: [part] };
  }
  // the first hour is partial (the window starts inside it): its minutes in the window are the edge; when fewer of
  // its minutes lie before the window than in it, the top list reads the whole hour and takes those off instead
  const h0 = periodOf(window.start, '1h');
  const firstWhole = h0 === window.start ? h0 : h0 + 3_600_000;
  const hours: number[] = [];
  for (let h = firstWhole; h <= window.last; h += 3_600_000) hours.push(h);
  const edge = window.starts.filter((s) => s < firstWhole);
  const before: number[] = [];
  for (let s = h0; s < window.start; s += 60_000) before.push(s);
  const subtract = before.length > 0 && before.length < edge.length;
  const topHours = subtract ? [h0, ...hours] : hours;
  let hourVersions = periods.hourVersions;
  if (hourVersions === undefined && cache !== undefined) hourVersions = await readAllVersions(redis, topHours, '1h');
  const minutesNeeded = subtract ? [...before, ...edge] : edge;
  let minuteVersions: Versions | undefined = periods.versions;
  if (minuteVersions === undefined && cache !== undefined && minutesNeeded.length > 0) minuteVersions = await readAllVersions(redis, minutesNeeded, '60s');
  // the minutes before the window: versions from their own ALL buckets (the span's reach only from the window's start)
  if (subtract && cache !== undefined && minuteVersions !== undefined && before.some((s) => !minuteVersions!.has(s))) {
    minuteVersions = new Map([...minuteVersions, ...(await readAllVersions(redis, before, '60s'))]);
  }
  const hourPart = { res: '1h' as const, starts: hours, versions: hourVersions, caches: cache?.hours };
  const edgePart = { res: '60s' as const, starts: edge, versions: minuteVersions, caches: cache };
  const top: IndexPart[] = subtract
    ? [{ ...hourPart, starts: topHours }, { res: '60s', starts: before, versions: minuteVersions, caches: cache, minus: true }]
    : [hourPart, edgePart];
  return { top, largest: [hourPart, edgePart] };
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
  // each part's stale periods read into its cache (limit 0: nothing ranked yet), then ranked over all of them
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i];
    const o = { cache: caches[i], versions: p.versions, res: p.res };
    if (exchanges) await readTopByExchange(redis, p.starts, 0, exchanges, o);
    else await readTopSymbols(redis, p.starts, 0, o);
  }
  return rankTop(
    caches.filter((_, i) => !parts[i].minus),
    caches.filter((_, i) => parts[i].minus),
    limit,
    opts.keep ?? (() => true),
    opts.group ?? 'symbol',
  );
}

/** The `limit` largest over the parts that pass the filter (the largest of each part, merged). */
export async function readLargestOver(redis: Redis, parts: readonly IndexPart[], limit: number, f: Filter): Promise<Liquidation[]> {
  const lists = await Promise.all(
    parts.map((p) => readLargestList(redis, p.starts, limit, f, { cache: p.caches?.big as MinuteCache<readonly BigItem[]> | undefined, versions: p.versions, res: p.res })),
  );
  return lists.flat().sort(byValue).slice(0, limit);
}
