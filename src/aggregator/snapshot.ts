// One refresh: everything a dashboard shows, read from Redis in a few pipelines that run together.
import type { Redis } from 'ioredis';
import { ALL, BIG_PER_MINUTE, BUCKET_MS, minuteOf } from '../core/keys.js';
import { type AlertEntry, readAlerts } from './alerts.js';
import { type Bucket, type Merged, mergeBuckets } from './bucket.js';
import type { SnapshotCache } from './cache.js';
import { coinOf } from './coin.js';
import { type Filter, hasExchangeFilter, nearestNames, projectBucket } from './filter.js';
import { formatDateHm } from './format.js';
import type { SymbolValue, Versions } from './indexes.js';
import { type NoData, frameNotes } from './notes.js';
import { type DownReport, type FeedEntry, type InstanceStatus, type Liquidation, readDown, readFeed, readStatus } from './read.js';
import { type WindowParts, indexParts, readLargestOver, readMinutesByHour, readPeriods, readTopOver } from './span.js';
import { BIN_MINUTES, HORIZONS, HOURLY_FROM_MINUTES, type Window, type WindowName, WINDOWS, windowAt } from './window.js';

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
  /** Number of latest alerts (liq:alerts) to read (0: none). */
  readonly alerts?: number;
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
  /** Minutes per period of `minutes` (1; 60 or 1440 for a window of 7d and more, read from the rollups). */
  readonly stepMinutes: number;
  /** The last two minutes (the rate line's last complete minute and the minute in progress), filtered. */
  readonly recent: Bucket[];
  readonly filter: Filter;
  /** The filter's symbol (ALL or one). */
  readonly symbol: string;
  readonly group: Group;
  /** The window's periods, oldest first (empty buckets where nothing happened), filtered: minutes, or hours or days. */
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
  /** The latest alerts, newest first (whatever the window and filters: an alert is market news). */
  readonly alerts: AlertEntry[] | null;
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

/**
 * Reads one frame. `cache` (kept by a refreshing dashboard between refreshes) avoids re-reading the indexes and
 * coin buckets of periods whose ALL bucket did not change, and the minutes of hours whose ALL rollup did not.
 */
export async function loadSnapshot(redis: Redis, req: SnapshotRequest, cache?: SnapshotCache): Promise<Snapshot> {
  const at = req.now ?? Date.now();
  const filter = filterOf(req);
  const group = req.group ?? 'symbol';
  const window = windowAt(req.window, at);
  const long = window.res !== '60s';
  // With horizons, one read of 24 h of minutes serves both the horizons and a window of minutes.
  const minuteSpan = req.horizons ? windowAt('24h', at) : long ? undefined : window;
  const byHour = !long && window.minutes >= HOURLY_FROM_MINUTES;
  const exFilter = hasExchangeFilter(filter);
  // The top list is market-wide for one symbol, the coin's symbols for a coin.
  const keep = filter.coin ? (s: string) => coinOf(s) === filter.coin : undefined;

  const main = (async () => {
    const lists = (parts: WindowParts) =>
      Promise.all([
        !req.top ? null : readTopOver(redis, parts.top, req.top, filter, { keep, group, byExchange: exFilter }),
        req.largest ? readLargestOver(redis, parts.largest, Math.min(req.largest, BIG_PER_MINUTE), filter) : null,
      ]);
    // Without a cache no version is needed: the lists are read alongside the buckets instead of after them.
    const early = cache === undefined ? indexParts(redis, window, { raw: [] }, undefined, byHour).then(lists) : undefined;
    early?.catch(() => {}); // awaited below; a failure meanwhile must not go unhandled
    const minutesP =
      minuteSpan === undefined
        ? undefined
        : cache !== undefined && minuteSpan.minutes >= HOURLY_FROM_MINUTES
          ? readMinutesByHour(redis, filter, minuteSpan.starts, cache)
          : readPeriods(redis, filter, minuteSpan.starts, '60s', cache);
    const periodsP = long ? readPeriods(redis, filter, window.starts, window.res, cache?.level(window.res)) : undefined;
    // the recent two minutes for the rate line (a long window's periods are hours or days)
    const recentP = long ? readPeriods(redis, filter, [minuteOf(at) - BUCKET_MS, minuteOf(at)], '60s') : undefined;
    const [minutes, periods, recentRead] = await Promise.all([minutesP, periodsP, recentP]);
    const own = periods ?? minutes!;
    const raw = long ? periods!.raw : minutes!.raw.slice(minutes!.raw.length - window.starts.length);
    const recent = recentRead?.raw ?? raw.slice(-2);
    const hourVersions = long ? undefined : (own as { hourVersions?: Versions }).hourVersions;
    const [top, largest] = early !== undefined ? await early : await lists(await indexParts(redis, window, { versions: own.versions, hourVersions, raw }, cache, byHour));
    let noData: NoData | null = null;
    const rawTotals = mergeBuckets(raw);
    if (rawTotals.count === 0 && (filter.symbol !== ALL || filter.coin)) {
      // Names known in the window, largest first; none means the market itself is empty (the empty hint says so).
      const parts = await indexParts(redis, window, { versions: own.versions, hourVersions, raw }, cache, byHour);
      const known = (await readTopOver(redis, parts.top, 1000, { symbol: ALL }, {})).map((t) => t.symbol);
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
    return { raw, span: minutes?.raw, recent, top, largest, noData };
  })();
  // Feed-down marks are per minute: a long window reports its last 24 h.
  const downStarts = long ? windowAt('24h', at).starts : window.starts;
  const [{ raw, span, recent, top, largest, noData }, down, feed, status, alerts] = await Promise.all([
    main,
    readDown(redis, downStarts, cache?.down, at),
    req.feed ? readFeed(redis, req.feed, filter) : Promise.resolve(null),
    req.status === false ? Promise.resolve(null) : readStatus(redis),
    req.alerts ? readAlerts(redis, req.alerts) : Promise.resolve(null),
  ]);
  const project = (list: Bucket[]) => (exFilter ? list.map((b) => projectBucket(b, filter.exchanges!)) : list);
  const minutes = project(raw);
  const spanBuckets = span === undefined ? [] : project(span);
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
  if (long) extra.push(`${window.name}: ${window.res === '1h' ? 'hourly' : 'daily'} rollups, whole ${window.res === '1h' ? 'hours' : 'days'} UTC since ${formatDateHm(window.start)}`);
  const notes = frameNotes({ exchanges: counted, down, downScope: long ? 'the last 24h' : undefined, empty: totals.count === 0, noData, windowName: window.name, extra });
  return {
    at,
    window,
    binMinutes: BIN_MINUTES[window.name],
    stepMinutes: window.stepMinutes,
    recent: project(recent),
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
    alerts,
    noData,
    exchanges,
    notes,
  };
}
