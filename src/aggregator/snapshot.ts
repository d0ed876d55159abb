// One refresh: everything a dashboard shows, read from Redis in a few pipelines that run together.
import type { Redis } from 'ioredis';
import { ALL } from '../core/keys.js';
import { type Bucket, type Merged, bucketVersion, mergeBuckets } from './bucket.js';
import type { SnapshotCache } from './cache.js';
import { coinOf } from './coin.js';
import { type Filter, hasExchangeFilter, nearestNames, projectBucket } from './filter.js';
import { type SymbolValue, type Versions, readCoinBuckets, readLargestList, readTopByExchange, readTopSymbols } from './indexes.js';
import { type NoData, frameNotes } from './notes.js';
import { type DownReport, type FeedEntry, type InstanceStatus, type Liquidation, readAllVersions, readBuckets, readDown, readFeed, readStatus } from './read.js';
import { BIG_PER_MINUTE } from '../core/keys.js';
import { BIN_MINUTES, HORIZONS, type Window, type WindowName, WINDOWS, windowAt } from './window.js';

export type Group = 'symbol' | 'coin';

export interface SnapshotRequest {
  readonly window: WindowName;
  readonly symbol?: string;
  /** Every instrument of one coin (ignored with a symbol). */
  readonly coin?: string;
  /** Only these exchanges (lower case). */
  readonly exchanges?: readonly string[];
  /** Floor of the feed and the largest list, integer cents. */
  readonly minUsdCents?: number;
  readonly now?: number;
  /** Number of top symbols (or coins) to read (0: none). */
  readonly top?: number;
  readonly group?: Group;
  /** Number of largest liquidations to list (0: none). */
  readonly largest?: number;
  /** Number of feed entries (0: none). */
  readonly feed?: number;
  /** Feed status of the daemons (default: read). */
  readonly status?: boolean;
  /** Also the totals of 1h, 4h, 12h and 24h (reads 24 h of buckets). */
  readonly horizons?: boolean;
}

export interface Horizon {
  readonly name: WindowName;
  readonly totals: Merged;
}

export interface Snapshot {
  readonly at: number;
  readonly window: Window;
  /** Minutes per point of the frame's series (BIN_MINUTES of the window). */
  readonly binMinutes: number;
  readonly filter: Filter;
  /** The filter's symbol (ALL or one). */
  readonly symbol: string;
  readonly group: Group;
  /** The window's minutes, oldest first (empty buckets where nothing happened), filtered. */
  readonly minutes: Bucket[];
  readonly totals: Merged;
  readonly top: SymbolValue[] | null;
  /** Largest first. */
  readonly largest: Liquidation[] | null;
  readonly down: DownReport;
  /** Newest event first. */
  readonly feed: FeedEntry[] | null;
  readonly status: InstanceStatus[] | null;
  readonly horizons: Horizon[] | null;
  readonly noData: NoData | null;
  /** Every exchange the frame names anywhere (totals, horizons, lists, status), by window USD then name. */
  readonly exchanges: string[];
  readonly notes: string[];
}

export function filterOf(req: SnapshotRequest): Filter {
  const symbol = req.symbol ?? ALL;
  return {
    symbol,
    coin: symbol === ALL && req.coin ? req.coin.toUpperCase() : undefined,
    exchanges: req.exchanges?.length ? req.exchanges : undefined,
    minUsdCents: req.minUsdCents ?? 0,
  };
}

/** Buckets of the span for the filter's symbol, coin or the whole market, and the versions of their minutes. */
async function readSpan(redis: Redis, f: Filter, starts: readonly number[], cache?: SnapshotCache): Promise<{ raw: Bucket[]; versions?: Versions }> {
  if (f.symbol === ALL && !f.coin) {
    const raw = await readBuckets(redis, ALL, starts);
    return { raw, versions: new Map(raw.map((b) => [b.start, bucketVersion(b)])) };
  }
  if (f.coin) {
    const versions = cache ? await readAllVersions(redis, starts) : undefined;
    return { raw: await readCoinBuckets(redis, f.coin, starts, { cache: cache?.bucketsFor(f.coin), versions }), versions };
  }
  const [raw, versions] = await Promise.all([readBuckets(redis, f.symbol, starts), cache ? readAllVersions(redis, starts) : undefined]);
  return { raw, versions };
}

/**
 * Reads one frame. `cache` (kept by a refreshing dashboard between refreshes) avoids re-reading the indexes and
 * coin buckets of minutes whose ALL bucket did not change; the buckets of the frame are read in full every time.
 */
export async function loadSnapshot(redis: Redis, req: SnapshotRequest, cache?: SnapshotCache): Promise<Snapshot> {
  const at = req.now ?? Date.now();
  const filter = filterOf(req);
  const group = req.group ?? 'symbol';
  const window = windowAt(req.window, at);
  // With horizons, one read of 24 h serves both the horizons and the window.
  const span = req.horizons ? windowAt('24h', at) : window;
  const exFilter = hasExchangeFilter(filter);
  // The top list is market-wide for one symbol, the coin's symbols for a coin.
  const keep = filter.coin ? (s: string) => coinOf(s) === filter.coin : undefined;

  const main = (async () => {
    const { raw, versions } = await readSpan(redis, filter, span.starts, cache);
    const rawMinutes = raw.slice(raw.length - window.minutes);
    const [top, largest] = await Promise.all([
      !req.top
        ? null
        : exFilter
          ? readTopByExchange(redis, window.starts, req.top, filter.exchanges!, { cache: cache?.topFor(filter.exchanges!), versions, keep, group })
          : readTopSymbols(redis, window.starts, req.top, { cache: cache?.top, versions, keep, group }),
      req.largest ? readLargestList(redis, window.starts, Math.min(req.largest, BIG_PER_MINUTE), filter, { cache: cache?.big, versions }) : null,
    ]);
    let noData: NoData | null = null;
    const rawTotals = mergeBuckets(rawMinutes);
    if (rawTotals.count === 0 && (filter.symbol !== ALL || filter.coin)) {
      // Names known in the window, largest first; none means the market itself is empty (the empty hint says so).
      const known = (await readTopSymbols(redis, window.starts, 1000, { cache: cache?.top, versions })).map((t) => t.symbol);
      const names = filter.coin ? [...new Set(known.map(coinOf))] : known;
      const asked = filter.coin ? filter.coin : filter.symbol;
      const isCoin = !filter.coin && known.some((s) => coinOf(s) === asked);
      if (known.length) {
        noData = {
          asked: filter.coin ? `coin ${asked}` : asked,
          kind: filter.coin ? 'coins' : 'symbols',
          suggestions: nearestNames(asked, names),
          hint: isCoin ? `every ${asked} instrument: --coin ${asked}, or c on screen` : undefined,
        };
      }
    } else if (rawTotals.count > 0 && exFilter && !rawTotals.exchanges.some((e) => filter.exchanges!.includes(e.exchange))) {
      noData = { asked: filter.exchanges!.join(', '), kind: 'exchanges', suggestions: rawTotals.exchanges.map((e) => e.exchange) };
    }
    return { raw, top, largest, noData };
  })();
  const [{ raw, top, largest, noData }, down, feed, status] = await Promise.all([
    main,
    readDown(redis, window.starts),
    req.feed ? readFeed(redis, req.feed, filter) : Promise.resolve(null),
    req.status === false ? Promise.resolve(null) : readStatus(redis),
  ]);
  const spanBuckets = exFilter ? raw.map((b) => projectBucket(b, filter.exchanges!)) : raw;
  const minutes = spanBuckets.slice(spanBuckets.length - window.minutes);
  const totals = mergeBuckets(minutes);
  const horizons = req.horizons
    ? HORIZONS.map((name) => ({ name, totals: mergeBuckets(spanBuckets.slice(spanBuckets.length - WINDOWS[name])) }))
    : null;

  const seen = new Set(totals.exchanges.map((e) => e.exchange));
  for (const h of horizons ?? []) for (const e of h.totals.exchanges) seen.add(e.exchange);
  const counted = new Set(seen);
  for (const l of [...(largest ?? []), ...(feed ?? [])]) seen.add(l.exchange);
  for (const i of status ?? []) for (const s of i.streams) if (s.exchange) seen.add(s.exchange);
  const exchanges = [...totals.exchanges.map((e) => e.exchange), ...[...seen].filter((e) => !totals.exchanges.some((t) => t.exchange === e)).sort()];

  const extra: string[] = [];
  if (largest && (filter.symbol !== ALL || filter.coin || exFilter)) {
    extra.push(`largest list: from each minute's ${BIG_PER_MINUTE} largest liquidations of the market (liq:big)`);
  }
  const notes = frameNotes({ exchanges: counted, down, empty: totals.count === 0, noData, windowName: window.name, extra });
  return {
    at,
    window,
    binMinutes: BIN_MINUTES[window.name],
    filter,
    symbol: filter.symbol,
    group,
    minutes,
    totals,
    top,
    largest,
    down,
    feed,
    status,
    horizons,
    noData,
    exchanges,
    notes,
  };
}
