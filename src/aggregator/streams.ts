// The latest entries of the event log or the alerts stream, in either key layout (src/core/keys.ts). One Redis has
// one stream of each (liq:events, liq:alerts): one XREVRANGE, as always. A Cluster has one stream per UTC day, each
// in its own slot (often on another node), so the days are read newest first: tomorrow's (an exchange's clock a
// little ahead at midnight), today's and yesterday's in one round trip, and only when they hold fewer than `count`
// entries, every earlier day of the retention in a second one. The entries are merged by stream id, newest first,
// as one stream would list them. An event of three or more days ago written after the newer days' `count` latest is
// left out; the engine writes events within seconds, so that needs a backlog of days.
import type { Redis } from 'ioredis';
import { ALERTS_KEY, DAY_MS, EVENTS_KEY, alertsKey, daysBack, eventsKey, keyLayout } from '../core/keys.js';
import { pipe } from '../core/pipe.js';

/** A stream entry and the stream it was read from. */
export interface StreamEntry {
  readonly key: string;
  readonly id: string;
  readonly fields: string[];
}

export type StreamKind = 'events' | 'alerts';

/** How far back a reader looks: the daemon's defaults of EVENT_LOG_RETENTION_HOURS and ALERT_RETENTION_DAYS. */
export const STREAM_KEEP_MS: Readonly<Record<StreamKind, number>> = { events: 24 * 3_600_000, alerts: 30 * DAY_MS };

/** The stream of `kind` holding entries of the day of `ts` (liq:events / liq:alerts on one Redis). */
export function streamKey(kind: StreamKind, ts: number): string {
  return kind === 'events' ? eventsKey(ts) : alertsKey(ts);
}

/** Stream ids `ms-seq` compared as numbers: below 0 when a is older. */
export function compareIds(a: string, b: string): number {
  const [am, as] = a.split('-');
  const [bm, bs] = b.split('-');
  return Number(am) - Number(bm) || Number(as ?? 0) - Number(bs ?? 0);
}

export interface LatestOptions {
  /** Look back this far (default STREAM_KEEP_MS of the kind). */
  keepMs?: number;
  now?: number;
}

/** The latest `count` entries of the events or alerts stream(s), newest first (see the top of this file). */
export async function readLatest(redis: Redis, kind: StreamKind, count: number, opts: LatestOptions = {}): Promise<StreamEntry[]> {
  if (keyLayout() === 'single') {
    const key = kind === 'events' ? EVENTS_KEY : ALERTS_KEY;
    const raw = (await redis.xrevrange(key, '+', '-', 'COUNT', count)) as [string, string[]][];
    return raw.map(([id, fields]) => ({ key, id, fields }));
  }
  if (count <= 0) return [];
  const now = opts.now ?? Date.now();
  const days = daysBack(now + DAY_MS, now - (opts.keepMs ?? STREAM_KEEP_MS[kind]));
  const got: StreamEntry[] = [];
  for (const round of [days.slice(0, 3), days.slice(3)]) {
    if (round.length === 0 || got.length >= count) break;
    const p = pipe(redis);
    for (const d of round) p.xrevrange(streamKey(kind, d), '+', '-', 'COUNT', count);
    const replies = await p.exec();
    if (!replies) throw new Error('pipeline aborted');
    replies.forEach(([err, raw], i) => {
      if (err) throw err;
      const key = streamKey(kind, round[i]);
      for (const [id, fields] of raw as [string, string[]][]) got.push({ key, id, fields });
    });
  }
  return got.sort((a, b) => compareIds(b.id, a.id)).slice(0, count);
}
