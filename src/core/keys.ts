// The Redis schema, in one place. README's "Redis schema" section describes the same keys.
//
//   liq:agg:{SYMBOL}:60s:{START_MS}   hash, the bucket of one symbol and minute (integer fields, HINCRBY)
//   liq:agg:ALL:60s:{START_MS}        hash, the market-wide bucket of the minute (no qty fields)
//   liq:agg:{SYMBOL|ALL}:1h:{START_MS}, :1d:{START_MS}
//                                     hashes, hourly and daily rollups: the same fields, written by the same script
//                                     call as the minute (exactly once), kept ROLLUP_1H/1D_RETENTION_DAYS
//   liq:top:1h:{START_MS}, liq:top:1d:…  liq:big:1h:…, liq:big:1d:…   the indexes, per hour and per day
//   liq:seen:60s:{START_MS}           hash, identity id → 1 for every event counted in that minute (exactly once)
//   liq:top:60s:{START_MS}            sorted set, symbol → value_cents in that minute (top-symbols index)
//   liq:big:60s:{START_MS}            sorted set, the minute's largest liquidations (member: see bigMember), score value_cents
//   liq:down:60s:{START_MS}           hash, venue → state, for each stream that was not receiving during that minute
//   liq:events                        stream, one entry per counted event, trimmed by age
//   liq:ids                           sorted set, ids of events identified by the exchange's own id → first seen (ms)
//   liq:status:{instance}             hash, connection name → JSON status, short TTL, rewritten every few seconds
//   liq:marker:{instance}             hash, started (ms) and written (events this instance counted): notices data loss
//   liq:alerts                        stream, one entry per alert (written by the write script: exactly once), by age;
//                                     also the pub/sub channel the script publishes each alert on
// Every per-minute key expires at the minute's end plus BUCKET_RETENTION_HOURS.
//
// Two layouts: the one above (one Redis, or a master found through Sentinel) and the cluster layout, chosen once per
// process by useKeyLayout() from the Redis target (REDIS_CLUSTER_NODES). A Redis Cluster runs a script only on keys
// of one hash slot, so in the cluster layout every key a write touches carries the hash tag of its UTC day, right
// after its kind: the minute, its hour and its day (buckets, indexes, identities, the down marks) and that day's log,
// alerts and marker share one slot, and a batch is written by one script call per day it spans (almost always one).
//
//   liq:agg:{2026-11-30}:{SYMBOL|ALL}:{60s|1h|1d}:{START_MS}   liq:top:{2026-11-30}:60s:{START_MS}   (and big, seen, down)
//   liq:events:{2026-11-30}  liq:alerts:{2026-11-30}            the day's log and alerts streams (trimmed by age, and
//                                                              expiring with the day's buckets and rollups)
//   liq:marker:{2026-11-30}:{instance}                          the instance's marker, per day
//   liq:ids:{ids-N}   N = 0…15                                  own ids in 16 shards, id → canonical minute (ms)
//   liq:status:{meta}:{instance}  liq:instances:{meta}          status, one slot with the set that lists it
// The fields, the exactly-once rule and the meaning for readers are the same; readers build keys through this file,
// so they read either layout. Own-id events are claimed in their shard first (claim script), which returns the
// minute the id was first claimed in; the event is then written in that minute, whose liq:seen decides once.

export type KeyLayout = 'single' | 'cluster';
let layout: KeyLayout = 'single';

/** Chooses the layout of every key this process builds (once, at start-up: 'cluster' for a Redis Cluster). */
export function useKeyLayout(l: KeyLayout): void {
  layout = l;
}

export function keyLayout(): KeyLayout {
  return layout;
}

// The day tags, cached: a batch builds a few keys per minute, each with its day's tag.
const DAY_TAGS = new Map<number, string>();

/** `{YYYY-MM-DD}:` of the UTC day holding `ts` in the cluster layout, '' in the single one. */
export function dayTag(ts: number): string {
  if (layout === 'single') return '';
  const day = Math.floor(ts / 86_400_000) * 86_400_000;
  let tag = DAY_TAGS.get(day);
  if (tag === undefined) {
    if (DAY_TAGS.size > 4096) DAY_TAGS.clear();
    DAY_TAGS.set(day, (tag = `{${new Date(day).toISOString().slice(0, 10)}}:`));
  }
  return tag;
}

export const BUCKET_MS = 60_000;
export const ALL = 'ALL';
export const EVENTS_KEY = 'liq:events';
/** Ids of events identified by the exchange's own id, scored by when first counted: repeats across minutes count once. */
export const IDS_KEY = 'liq:ids';
/** Shards of the own ids in the cluster layout. */
export const ID_SHARDS = 16;

/** The event log holding events of `ts`: liq:events, or in the cluster layout that day's liq:events:{day}. */
export function eventsKey(ts: number): string {
  return layout === 'single' ? EVENTS_KEY : `liq:events:${dayTag(ts).slice(0, -1)}`;
}

/** The shard of an own id in the cluster layout (0…ID_SHARDS-1): FNV-1a of its characters. */
export function idShard(id: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193);
  return (h >>> 0) % ID_SHARDS;
}

/** The own-ids set holding `id`: liq:ids, or its shard liq:ids:{ids-N}. */
export function idsKey(id: string): string {
  return layout === 'single' ? IDS_KEY : `liq:ids:{ids-${idShard(id)}}`;
}
/** How long an own id is remembered (at least a day: BitMEX re-sends open liquidations after a reconnect). */
export const IDS_RETENTION_MS = 24 * 3_600_000;
export const STATUS_PREFIX = 'liq:status:';
export const BIG_PER_MINUTE = 10;

export function minuteOf(ts: number): number {
  return Math.floor(ts / BUCKET_MS) * BUCKET_MS;
}

export function bucketKey(symbol: string, start: number): string {
  return `liq:agg:${dayTag(start)}${symbol}:60s:${start}`;
}

/** Bucket resolutions: the minute, and the hourly and daily rollups written with it. */
export type Resolution = '60s' | '1h' | '1d';
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;
export const RESOLUTION_MS: Readonly<Record<Resolution, number>> = { '60s': BUCKET_MS, '1h': HOUR_MS, '1d': DAY_MS };
export const ROLLUPS = ['1h', '1d'] as const;
export type Rollup = (typeof ROLLUPS)[number];
/** Defaults of ROLLUP_1H_RETENTION_DAYS and ROLLUP_1D_RETENTION_DAYS. */
export const ROLLUP_RETENTION_DAYS: Readonly<Record<Rollup, number>> = { '1h': 90, '1d': 730 };

/** Start of the period of `res` holding `ts` (UTC hours and days). */
export function periodOf(ts: number, res: Resolution): number {
  const ms = RESOLUTION_MS[res];
  return Math.floor(ts / ms) * ms;
}

/** The bucket of a symbol (or ALL) at any resolution: `liq:agg:{SYMBOL}:{60s|1h|1d}:{START_MS}`. */
export function aggKey(symbol: string, res: Resolution, start: number): string {
  return `liq:agg:${dayTag(start)}${symbol}:${res}:${start}`;
}

export function rollupTopKey(res: Resolution, start: number): string {
  return `liq:top:${dayTag(start)}${res}:${start}`;
}

export function rollupBigKey(res: Resolution, start: number): string {
  return `liq:big:${dayTag(start)}${res}:${start}`;
}

/** Retention of every bucket resolution: minutes in hours (BUCKET_RETENTION_HOURS), rollups in days. */
export interface Retention {
  bucketRetentionHours: number;
  rollup1hRetentionDays?: number;
  rollup1dRetentionDays?: number;
}

/** Unix seconds at which a key of the period `start` of `res` expires: the period's end plus its retention. */
export function expireAtFor(res: Resolution, start: number, r: Retention): number {
  const keep =
    res === '60s'
      ? r.bucketRetentionHours * 3600
      : (res === '1h' ? (r.rollup1hRetentionDays ?? ROLLUP_RETENTION_DAYS['1h']) : (r.rollup1dRetentionDays ?? ROLLUP_RETENTION_DAYS['1d'])) * 86_400;
  return (start + RESOLUTION_MS[res]) / 1000 + keep;
}

/** Parses any bucket key back (minute or rollup); undefined when it is not one. */
export function parseAggKey(key: string): { symbol: string; res: Resolution; start: number } | undefined {
  const m = /^liq:agg:(?:\{[^}]*\}:)?(.+):(60s|1h|1d):(\d+)$/.exec(key);
  return m ? { symbol: m[1], res: m[2] as Resolution, start: Number(m[3]) } : undefined;
}

export function seenKey(start: number): string {
  return `liq:seen:${dayTag(start)}60s:${start}`;
}

export function topKey(start: number): string {
  return `liq:top:${dayTag(start)}60s:${start}`;
}

export function bigKey(start: number): string {
  return `liq:big:${dayTag(start)}60s:${start}`;
}

export function downKey(start: number): string {
  return `liq:down:${dayTag(start)}60s:${start}`;
}

export function statusKey(instance: string): string {
  return layout === 'single' ? `${STATUS_PREFIX}${instance}` : `${STATUS_PREFIX}{meta}:${instance}`;
}

/** The instance's marker (src/engine/marker.ts); in the cluster layout one per day, `ts` its day. */
export function markerKey(instance: string, ts = Date.now()): string {
  return `liq:marker:${dayTag(ts)}${instance}`;
}

/** Unix seconds at which every key of the minute starting at `start` expires. */
export function expireAtSeconds(start: number, retentionHours: number): number {
  return (start + BUCKET_MS) / 1000 + retentionHours * 3600;
}

/** Parses a bucket key back; undefined when it is not one. */
export function parseBucketKey(key: string): { symbol: string; start: number } | undefined {
  const m = /^liq:agg:(?:\{[^}]*\}:)?(.+):60s:(\d+)$/.exec(key);
  return m ? { symbol: m[1], start: Number(m[2]) } : undefined;
}

/** Member of liq:big: `exchange|symbol|side|price|quantity|ts|id` (no field can contain '|'). */
export function bigMember(e: {
  exchange: string;
  symbol: string;
  side: string;
  price: string;
  quantity: string;
  ts: number;
  id: string;
}): string {
  return `${e.exchange}|${e.symbol}|${e.side}|${e.price}|${e.quantity}|${e.ts}|${e.id}`;
}

export function parseBigMember(member: string):
  | { exchange: string; symbol: string; side: string; price: string; quantity: string; ts: number; id: string }
  | undefined {
  const p = member.split('|');
  if (p.length !== 7) return undefined;
  return { exchange: p[0], symbol: p[1], side: p[2], price: p[3], quantity: p[4], ts: Number(p[5]), id: p[6] };
}

/** The fields an event adds to its buckets (symbol buckets also get qty fields). */
export function countFields(exchange: string, side: string): string[] {
  return ['count', `${side}_count`, `${exchange}_count`, `${exchange}_${side}_count`];
}
export function valueFields(exchange: string, side: string): string[] {
  return ['value_cents', `${side}_value_cents`, `${exchange}_value_cents`, `${exchange}_${side}_value_cents`];
}
export function qtyFields(side: string): string[] {
  return ['qty_e8', `${side}_qty_e8`];
}

/** Exchanges found in a bucket's fields: `^[a-z0-9]+_count$` minus long/short. */
export function exchangesInFields(fields: Iterable<string>): string[] {
  const found = new Set<string>();
  for (const f of fields) {
    const m = /^([a-z0-9]+)_count$/.exec(f);
    if (m && m[1] !== 'long' && m[1] !== 'short') found.add(m[1]);
  }
  return [...found].sort();
}

/** The alerts stream and the pub/sub channel the write script publishes each alert on (same name). */
export const ALERTS_KEY = 'liq:alerts';
export const ALERTS_CHANNEL = 'liq:alerts';

/** The alerts stream holding alerts recorded at `ts`: liq:alerts, or in the cluster layout liq:alerts:{day}. */
export function alertsKey(ts: number): string {
  return layout === 'single' ? ALERTS_KEY : `liq:alerts:${dayTag(ts).slice(0, -1)}`;
}

/** Set of daemon instance names that have written liq:status:{instance} (dashboards read status through it, no SCAN). */
export const INSTANCES_KEY = 'liq:instances';

/** INSTANCES_KEY in the layout in use (cluster: in the slot of the status keys). */
export function instancesKey(): string {
  return layout === 'single' ? INSTANCES_KEY : `${INSTANCES_KEY}:{meta}`;
}

/** The UTC days (start, ms) from the one holding `from` to the one holding `to`, newest first (cluster streams). */
export function daysBack(to: number, from: number): number[] {
  const out: number[] = [];
  for (let d = Math.floor(to / 86_400_000) * 86_400_000; d >= Math.floor(from / 86_400_000) * 86_400_000; d -= 86_400_000) out.push(d);
  return out;
}
