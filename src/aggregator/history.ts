// History at an interval: minutes (liq:agg:*:60s:*) for 1m, the hourly and daily rollups for 1h and 1d, over any
// range; for `liqd query`. Which periods lie beyond the retention of their resolution, and which minutes had a feed
// down (liq:down:60s:*, kept as long as the minutes), are reported with the data, so a gap is never mistaken for
// a quiet market.
import type { Redis } from 'ioredis';
import { ALL, BUCKET_MS, type Resolution, RESOLUTION_MS, ROLLUP_RETENTION_DAYS, aggKey, downKey, periodOf } from '../core/keys.js';
import { pipe } from '../core/pipe.js';
import { type Bucket, parseBucket } from './bucket.js';
import { coinOf } from './coin.js';
import { sumBuckets } from './filter.js';
import { readTopMembersOf } from './indexes.js';
import { results } from './read.js';
import { safeText } from './sanitize.js';

export const INTERVALS = { '1m': '60s', '1h': '1h', '1d': '1d' } as const satisfies Record<string, Resolution>;
export type Interval = keyof typeof INTERVALS;

/** How long each resolution is kept (the daemon's BUCKET_RETENTION_HOURS, ROLLUP_1H/1D_RETENTION_DAYS). */
export interface Retentions {
  minuteHours: number;
  hourDays: number;
  dayDays: number;
}

export const DEFAULT_RETENTIONS: Retentions = { minuteHours: 168, hourDays: ROLLUP_RETENTION_DAYS['1h'], dayDays: ROLLUP_RETENTION_DAYS['1d'] };

export function keptMs(res: Resolution, r: Retentions): number {
  return res === '60s' ? r.minuteHours * 3_600_000 : (res === '1h' ? r.hourDays : r.dayDays) * 86_400_000;
}

export interface HistoryRequest {
  /** A symbol, or ALL (the default) for the market. */
  symbol?: string;
  /** Every instrument of a coin (with symbol ALL). */
  coin?: string;
  /** [from, to): aligned down to the interval. */
  from: number;
  to: number;
  interval: Interval;
  /** Also each period's symbols (from its liq:top index). */
  bySymbol?: boolean;
  retentions?: Retentions;
  now?: number;
}

export interface Period {
  readonly start: number;
  readonly total: Bucket;
  /** Symbol → its bucket, largest first (bySymbol). */
  readonly symbols?: ReadonlyArray<{ symbol: string; bucket: Bucket }>;
}

export interface Span {
  readonly from: number;
  readonly to: number;
}

export interface History {
  readonly interval: Interval;
  readonly res: Resolution;
  readonly periods: Period[];
  /** Periods before this had expired (the resolution's retention); none when the whole range is kept. */
  readonly expiredBefore: number | null;
  /** Per venue, the spans of minutes in which a stream of it was down (of the range's minutes that are still kept). */
  readonly down: ReadonlyArray<{ venue: string; minutes: number; spans: Span[] }>;
  /** Minutes whose down marks are gone (kept as long as the minutes): feed state unknown there. */
  readonly downUnknownBefore: number | null;
}

/** At most this many periods per query (a year of hours, a quarter of minutes). */
export const MAX_PERIODS = 200_000;

export async function readHistory(redis: Redis, req: HistoryRequest): Promise<History> {
  const res = INTERVALS[req.interval];
  const step = RESOLUTION_MS[res];
  const now = req.now ?? Date.now();
  const r = req.retentions ?? DEFAULT_RETENTIONS;
  const first = periodOf(req.from, res);
  const starts: number[] = [];
  for (let t = first; t < req.to; t += step) starts.push(t);
  if (starts.length > MAX_PERIODS) throw new RangeError(`${starts.length} periods of ${req.interval}: at most ${MAX_PERIODS} (a coarser --interval or a shorter range)`);
  // a period whose key has expired: its end plus the retention is past
  const oldestKept = now - keptMs(res, r);
  const expiredBefore = starts.length > 0 && starts[0] + step <= oldestKept ? Math.min(req.to, periodOf(oldestKept, res) + step) : null;
  const symbol = req.symbol ?? ALL;
  const coin = symbol === ALL && req.coin ? req.coin.toUpperCase() : undefined;

  let periods: Period[];
  if (coin === undefined && !req.bySymbol) {
    const p = pipe(redis);
    for (const s of starts) p.call('HGETALL', aggKey(symbol, res, s));
    const out = starts.length ? results(await p.exec()) : [];
    periods = starts.map((s, i) => ({ start: s, total: parseBucket(s, out[i] as string[]) }));
  } else {
    // the period's symbols from its liq:top index (one symbol: just it), then their buckets
    const listed = symbol !== ALL ? starts.map(() => [symbol]) : (await readTopMembersOf(redis, starts, res)).map((m) => m.map(([s]) => s));
    const names = listed.map((list) => (coin ? list.filter((s) => coinOf(s) === coin) : list));
    const p = pipe(redis);
    starts.forEach((s, i) => {
      for (const sym of names[i]) p.call('HGETALL', aggKey(sym, res, s));
    });
    const out = names.some((l) => l.length) ? results(await p.exec()) : [];
    let k = 0;
    periods = starts.map((s, i) => {
      const parts = names[i].map((sym) => ({ symbol: safeText(sym), bucket: parseBucket(s, out[k++] as string[]) }));
      parts.sort((a, b) => b.bucket.valueCents - a.bucket.valueCents || (a.symbol < b.symbol ? -1 : 1));
      return { start: s, total: sumBuckets(s, parts.map((x) => x.bucket)), symbols: req.bySymbol ? parts : undefined };
    });
    if (symbol === ALL && coin === undefined) {
      // the market total from the ALL buckets themselves (exact even if an index lost a member)
      const q = pipe(redis);
      for (const s of starts) q.call('HGETALL', aggKey(ALL, res, s));
      const all = starts.length ? results(await q.exec()) : [];
      periods = periods.map((pd, i) => ({ ...pd, total: parseBucket(pd.start, all[i] as string[]) }));
    }
  }

  // feeds down: liq:down of every kept minute of the range
  const minuteKept = now - keptMs('60s', r);
  const downFrom = Math.max(periodOf(req.from, '60s'), periodOf(minuteKept, '60s') + BUCKET_MS);
  const minutes: number[] = [];
  for (let t = downFrom; t < Math.min(req.to, now + BUCKET_MS); t += BUCKET_MS) minutes.push(t);
  const down = await readDownSpans(redis, minutes);
  return { interval: req.interval, res, periods, expiredBefore, down, downUnknownBefore: downFrom > req.from ? downFrom : null };
}

async function readDownSpans(redis: Redis, minutes: readonly number[]): Promise<History['down']> {
  const per = new Map<string, Span[]>();
  for (let i = 0; i < minutes.length; i += 10_000) {
    const chunk = minutes.slice(i, i + 10_000);
    const p = pipe(redis);
    for (const m of chunk) p.hkeys(downKey(m));
    const out = results(await p.exec());
    chunk.forEach((m, j) => {
      for (const v of (out[j] as string[]) ?? []) {
        const venue = safeText(v);
        let spans = per.get(venue);
        if (spans === undefined) per.set(venue, (spans = []));
        const last = spans[spans.length - 1];
        if (last !== undefined && last.to === m) spans[spans.length - 1] = { from: last.from, to: m + BUCKET_MS };
        else spans.push({ from: m, to: m + BUCKET_MS });
      }
    });
  }
  return [...per]
    .map(([venue, spans]) => ({ venue, spans, minutes: spans.reduce((n, s) => n + (s.to - s.from) / BUCKET_MS, 0) }))
    .sort((a, b) => b.minutes - a.minutes || (a.venue < b.venue ? -1 : 1));
}
