// The Redis schema, in one place. README's "Redis schema" section describes the same keys.
//
//   liq:agg:{SYMBOL}:60s:{START_MS}   hash, the bucket of one symbol and minute (integer fields, HINCRBY)
//   liq:agg:ALL:60s:{START_MS}        hash, the market-wide bucket of the minute (no qty fields)
//   liq:seen:60s:{START_MS}           hash, identity id → 1 for every event counted in that minute (exactly once)
//   liq:top:60s:{START_MS}            sorted set, symbol → value_cents in that minute (top-symbols index)
//   liq:big:60s:{START_MS}            sorted set, the minute's largest liquidations (member: see bigMember), score value_cents
//   liq:down:60s:{START_MS}           hash, venue → state, for each stream that was not receiving during that minute
//   liq:events                        stream, one entry per counted event, trimmed by age
//   liq:ids                           sorted set, ids of events identified by the exchange's own id → first seen (ms)
//   liq:status:{instance}             hash, connection name → JSON status, short TTL, rewritten every few seconds
//   liq:marker:{instance}             hash, started (ms) and written (events this instance counted): notices data loss
// Every per-minute key expires at the minute's end plus BUCKET_RETENTION_HOURS.

export const BUCKET_MS = 60_000;
export const ALL = 'ALL';
export const EVENTS_KEY = 'liq:events';
/** Ids of events identified by the exchange's own id, scored by when first counted: repeats across minutes count once. */
export const IDS_KEY = 'liq:ids';
/** How long an own id is remembered (at least a day: BitMEX re-sends open liquidations after a reconnect). */
export const IDS_RETENTION_MS = 24 * 3_600_000;
export const STATUS_PREFIX = 'liq:status:';
export const BIG_PER_MINUTE = 10;

export function minuteOf(ts: number): number {
  return Math.floor(ts / BUCKET_MS) * BUCKET_MS;
}

export function bucketKey(symbol: string, start: number): string {
  return `liq:agg:${symbol}:60s:${start}`;
}

export function seenKey(start: number): string {
  return `liq:seen:60s:${start}`;
}

export function topKey(start: number): string {
  return `liq:top:60s:${start}`;
}

export function bigKey(start: number): string {
  return `liq:big:60s:${start}`;
}

export function downKey(start: number): string {
  return `liq:down:60s:${start}`;
}

export function statusKey(instance: string): string {
  return `${STATUS_PREFIX}${instance}`;
}

/** The instance's marker (src/engine/marker.ts). */
export function markerKey(instance: string): string {
  return `liq:marker:${instance}`;
}

/** Unix seconds at which every key of the minute starting at `start` expires. */
export function expireAtSeconds(start: number, retentionHours: number): number {
  return (start + BUCKET_MS) / 1000 + retentionHours * 3600;
}

/** Parses a bucket key back; undefined when it is not one. */
export function parseBucketKey(key: string): { symbol: string; start: number } | undefined {
  const m = /^liq:agg:(.+):60s:(\d+)$/.exec(key);
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

/** Set of daemon instance names that have written liq:status:{instance} (dashboards read status through it, no SCAN). */
export const INSTANCES_KEY = 'liq:instances';
