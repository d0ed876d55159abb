// One refresh: everything a dashboard shows, read from Redis in a few pipelines that run together.
import type { Redis } from 'ioredis';
import { ALL } from '../core/keys.js';
import { type Bucket, type Merged, bucketVersion, mergeBuckets } from './bucket.js';
import type { SnapshotCache } from './cache.js';
import { frameNotes } from './notes.js';
import {
  type DownReport,
  type FeedEntry,
  type InstanceStatus,
  type Liquidation,
  type SymbolValue,
  readAllVersions,
  readBuckets,
  readDown,
  readFeed,
  readLargest,
  readStatus,
  readTopSymbols,
} from './read.js';
import { HORIZONS, type Window, type WindowName, WINDOWS, windowAt } from './window.js';

export interface SnapshotRequest {
  readonly window: WindowName;
  readonly symbol?: string;
  readonly now?: number;
  /** Number of top symbols to read (0: none). */
  readonly top?: number;
  readonly largest?: boolean;
  /** Number of feed entries (0: none). */
  readonly feed?: number;
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
  readonly symbol: string;
  /** The window's minutes, oldest first (empty buckets where nothing happened). */
  readonly minutes: Bucket[];
  readonly totals: Merged;
  readonly top: SymbolValue[] | null;
  readonly largest: Liquidation | null;
  readonly down: DownReport;
  readonly feed: FeedEntry[] | null;
  readonly status: InstanceStatus[] | null;
  readonly horizons: Horizon[] | null;
  readonly notes: string[];
}

/**
 * Reads one frame. `cache` (kept by a refreshing dashboard between refreshes) avoids re-reading the liq:top and
 * liq:big of minutes whose bucket did not change; the buckets themselves are read in full on every refresh.
 */
export async function loadSnapshot(redis: Redis, req: SnapshotRequest, cache?: SnapshotCache): Promise<Snapshot> {
  const at = req.now ?? Date.now();
  const symbol = req.symbol ?? ALL;
  const window = windowAt(req.window, at);
  // With horizons, one read of 24 h serves both the horizons and the window.
  const span = req.horizons ? windowAt('24h', at) : window;
  // liq:top and liq:big are read after the buckets, so that a cache can skip the minutes whose bucket is unchanged.
  const needIndexes = Boolean(req.top || req.largest);
  const bucketsAndIndexes = (async () => {
    const spanBuckets = await readBuckets(redis, symbol, span.starts);
    const minutes = spanBuckets.slice(spanBuckets.length - window.minutes);
    let versions: Map<number, string> | undefined;
    if (cache && needIndexes) {
      versions = symbol === ALL ? new Map(minutes.map((b) => [b.start, bucketVersion(b)])) : await readAllVersions(redis, window.starts);
    }
    const [top, largest] = await Promise.all([
      req.top ? readTopSymbols(redis, window.starts, req.top, { cache: cache?.top, versions }) : Promise.resolve(null),
      req.largest ? readLargest(redis, window.starts, symbol, { cache: cache?.big, versions }) : Promise.resolve(null),
    ]);
    return { spanBuckets, minutes, top, largest };
  })();
  const [{ spanBuckets, minutes, top, largest }, down, feed, status] = await Promise.all([
    bucketsAndIndexes,
    readDown(redis, window.starts),
    req.feed ? readFeed(redis, req.feed, symbol) : Promise.resolve(null),
    req.status ? readStatus(redis) : Promise.resolve(null),
  ]);
  const totals = mergeBuckets(minutes);
  const horizons = req.horizons
    ? HORIZONS.map((name) => ({ name, totals: mergeBuckets(spanBuckets.slice(spanBuckets.length - WINDOWS[name])) }))
    : null;
  const exchanges = new Set(totals.exchanges.map((e) => e.exchange));
  for (const h of horizons ?? []) for (const e of h.totals.exchanges) exchanges.add(e.exchange);
  const notes = frameNotes({ exchanges, down, empty: totals.count === 0 });
  return { at, window, symbol, minutes, totals, top, largest, down, feed, status, horizons, notes };
}
