// Reads the schema of src/engine/keys.ts. Read cost follows the window: one pipelined command per minute key
// of the window (never KEYS, never SCAN, never a write such as ZUNIONSTORE).
import type { Redis } from 'ioredis';
import type { StreamStatus } from '../core/status.js';
import {
  ALL,
  DAY_MS,
  type Resolution,
  aggKey,
  downKey,
  instancesKey,
  keyLayout,
  parseBigMember,
  statusKey,
} from '../core/keys.js';
import { pipe } from '../core/pipe.js';
import { type Bucket, parseBucket } from './bucket.js';
import { type Filter, NO_FILTER, entryMatches, hasExchangeFilter } from './filter.js';
import { safeText } from './sanitize.js';
import { readLatest } from './streams.js';

type PipelineResult = [Error | null, unknown][] | null;

export function results(res: PipelineResult): unknown[] {
  if (!res) throw new Error('pipeline aborted');
  return res.map(([err, value]) => {
    if (err) throw err;
    return value;
  });
}

/** HGETALL of the bucket of every minute in `starts` (one pipeline); missing minutes are empty buckets. */
export async function readBuckets(redis: Redis, symbol: string, starts: readonly number[], res: Resolution = '60s'): Promise<Bucket[]> {
  const p = pipe(redis);
  // The flat reply (not ioredis' object conversion): about a third faster on 1,440 buckets.
  for (const s of starts) p.call('HGETALL', aggKey(symbol, res, s));
  const out = results(await p.exec());
  return starts.map((s, i) => parseBucket(s, out[i] as string[]));
}

/** The versions (bucketVersion) of the window's ALL buckets, when they are not read in full (one-symbol mode). */
export async function readAllVersions(redis: Redis, starts: readonly number[], res: Resolution = '60s'): Promise<Map<number, string>> {
  const p = pipe(redis);
  for (const s of starts) p.hmget(aggKey(ALL, res, s), 'count', 'value_cents');
  const out = results(await p.exec());
  const versions = new Map<number, string>();
  starts.forEach((s, i) => {
    const [c, v] = out[i] as (string | null)[];
    versions.set(s, `${Number(c ?? 0)}:${Number(v ?? 0)}`);
  });
  return versions;
}

export interface Liquidation {
  /** All strings sanitized. */
  readonly exchange: string;
  readonly symbol: string;
  readonly side: string;
  readonly price: string;
  readonly quantity: string;
  readonly ts: number;
  readonly id: string;
  readonly valueCents: number;
}

/** A liq:big member and its score; undefined when it is not one. */
export function liquidationFromBig(member: string, score: string | number): Liquidation | undefined {
  const m = parseBigMember(member);
  const valueCents = Number(score);
  if (!m || !Number.isSafeInteger(valueCents)) return undefined;
  return {
    exchange: safeText(m.exchange),
    symbol: safeText(m.symbol),
    side: safeText(m.side),
    price: safeText(m.price),
    quantity: safeText(m.quantity),
    ts: Number.isFinite(m.ts) ? m.ts : 0,
    id: safeText(m.id),
    valueCents,
  };
}

/** Largest first; equal values by time, newest first. */
export function byValue(a: Liquidation, b: Liquidation): number {
  return b.valueCents - a.valueCents || b.ts - a.ts;
}

export interface DownReport {
  /** Minutes of the window with at least one stream down. */
  readonly minutes: number;
  /** Venue → minutes down, venues sanitized, most minutes first. */
  readonly venues: { venue: string; minutes: number }[];
}

/** Minutes per EXISTS probe of liq:down (one command answers for a whole chunk of minutes). */
const DOWN_CHUNK = 60;

/**
 * The liq:down marks of the minutes. Most minutes have none: one EXISTS per hour of minutes finds the chunks that
 * have any, and only their minutes are read (HGETALL). A daemon marks only the minute it is in, so marks of minutes
 * more than two minutes old are final: `kept` (a refreshing dashboard's) holds them and they are not read again.
 */
export async function readDown(redis: Redis, starts: readonly number[], kept?: Map<number, string[]>, now = Date.now()): Promise<DownReport> {
  const final = (s: number) => s < now - 2 * 60_000;
  if (kept) {
    const inWindow = new Set(starts);
    for (const s of [...kept.keys()]) if (!inWindow.has(s)) kept.delete(s);
  }
  const toProbe = kept ? starts.filter((s) => !(final(s) && kept.has(s))) : [...starts];
  const chunks: number[][] = [];
  if (keyLayout() === 'single') {
    for (let i = 0; i < toProbe.length; i += DOWN_CHUNK) chunks.push(toProbe.slice(i, i + DOWN_CHUNK));
  } else {
    // a Cluster answers EXISTS only for keys of one slot: one UTC day's
    let day = NaN;
    for (const s of toProbe) {
      const last = chunks[chunks.length - 1];
      if (last === undefined || last.length === DOWN_CHUNK || Math.floor(s / DAY_MS) !== day) chunks.push([s]);
      else last.push(s);
      day = Math.floor(s / DAY_MS);
    }
  }
  const p = pipe(redis);
  for (const c of chunks) p.exists(...c.map(downKey));
  const counts = chunks.length ? results(await p.exec()) : [];
  const toRead = chunks.filter((_, i) => Number(counts[i]) > 0).flat();
  const q = pipe(redis);
  for (const s of toRead) q.hkeys(downKey(s));
  const read = toRead.length ? results(await q.exec()) : [];
  const marks = new Map<number, string[]>();
  toRead.forEach((s, i) => marks.set(s, (read[i] as string[]) ?? []));
  for (const s of toProbe) {
    const v = marks.get(s) ?? [];
    if (kept && final(s)) kept.set(s, v);
  }
  let minutes = 0;
  const per = new Map<string, number>();
  for (const s of starts) {
    const venues = marks.get(s) ?? kept?.get(s) ?? [];
    if (venues.length === 0) continue;
    minutes++;
    for (const v of venues) per.set(safeText(v), (per.get(safeText(v)) ?? 0) + 1);
  }
  const venues = [...per].map(([venue, m]) => ({ venue, minutes: m })).sort((a, b) => b.minutes - a.minutes || (a.venue < b.venue ? -1 : 1));
  return { minutes, venues };
}

export interface FeedEntry extends Liquidation {
  readonly streamId: string;
}

/**
 * The latest entries of liq:events (in a Cluster, its day streams: streams.ts) that pass the filter, newest event
 * time first (exchanges deliver with different delays, so stream order is not time order). Unfiltered: the last
 * `count` entries; filtered: from the last `scan`.
 */
export async function readFeed(redis: Redis, count: number, filter: Filter | string = NO_FILTER, scan = 2000): Promise<FeedEntry[]> {
  const f: Filter = typeof filter === 'string' ? { symbol: filter } : filter;
  const filtered = f.symbol !== ALL || Boolean(f.coin) || hasExchangeFilter(f) || (f.minUsdCents ?? 0) > 0;
  const raw = await readLatest(redis, 'events', filtered ? Math.max(scan, count) : count);
  const out: FeedEntry[] = [];
  for (const { id: streamId, fields } of raw) {
    const h: Record<string, string> = {};
    for (let i = 0; i + 1 < fields.length; i += 2) h[fields[i]] = fields[i + 1];
    const valueCents = Number(h.value_cents);
    const e: FeedEntry = {
      streamId,
      exchange: safeText(h.exchange),
      symbol: safeText(h.symbol),
      side: safeText(h.side),
      price: safeText(h.price),
      quantity: safeText(h.quantity),
      ts: Number.isFinite(Number(h.ts)) ? Number(h.ts) : 0,
      id: safeText(h.id),
      valueCents: Number.isSafeInteger(valueCents) ? valueCents : 0,
    };
    if (filtered && !entryMatches({ ...e, symbol: h.symbol ?? '' }, f)) continue;
    out.push(e);
  }
  return out.sort((a, b) => b.ts - a.ts || (a.streamId < b.streamId ? 1 : -1)).slice(0, count);
}

export interface InstanceStatus {
  readonly instance: string;
  /** Sorted by exchange then connection; strings sanitized. */
  readonly streams: StreamStatus[];
}

function parseStatus(json: string): StreamStatus | undefined {
  try {
    const o = JSON.parse(json) as Record<string, unknown>;
    if (typeof o !== 'object' || o === null) return undefined;
    const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
    return {
      venue: safeText(o.venue),
      exchange: safeText(o.exchange),
      connection: safeText(o.connection),
      state: safeText(o.state),
      topics: num(o.topics),
      lastMessageAt: typeof o.lastMessageAt === 'number' && Number.isFinite(o.lastMessageAt) ? o.lastMessageAt : null,
      reconnects: num(o.reconnects),
      since: num(o.since),
      updatedAt: num(o.updatedAt),
    };
  } catch {
    return undefined;
  }
}

/** Members of liq:instances (instancesKey()), then HGETALL liq:status:{instance} of each (one pipeline); expired ones are skipped. */
export async function readStatus(redis: Redis): Promise<InstanceStatus[]> {
  const instances = (await redis.smembers(instancesKey())).sort();
  if (instances.length === 0) return [];
  const p = pipe(redis);
  for (const i of instances) p.hgetall(statusKey(i));
  const out = results(await p.exec());
  const list: InstanceStatus[] = [];
  instances.forEach((instance, idx) => {
    const hash = (out[idx] as Record<string, string>) ?? {};
    const streams: StreamStatus[] = [];
    for (const [name, json] of Object.entries(hash)) {
      const s = parseStatus(json);
      if (s) streams.push({ ...s, connection: s.connection || safeText(name) });
    }
    if (streams.length === 0) return;
    streams.sort((a, b) => (a.exchange + a.connection < b.exchange + b.connection ? -1 : 1));
    list.push({ instance: safeText(instance), streams });
  });
  return list;
}
