// Writes batches through the one Lua script. Exactly once: the script refuses a batch holding an identity that
// is already counted (naming those ids); the writer removes them and sends the rest. Safe to call again with a
// batch that was written but not acknowledged: the second call finds every id seen and writes nothing.
//
// All or nothing for every sum: the script also refuses a batch that would carry any bucket field past 2^63 - 1
// (HINCRBY's limit), naming each such field and its current value. The writer then walks the batch in order and
// drops exactly the events that would carry one of those fields over (out_of_range), and sends the rest.
import type { Redis } from 'ioredis';
import { type AlertSpec, type MarkerSpec, buildPacked } from './batch.js';
import type { LiquidationEvent } from '../core/event.js';
import {
  ALL,
  IDS_RETENTION_MS,
  ROLLUPS,
  type Retention,
  aggKey,
  alertsKey,
  countFields,
  eventsKey,
  expireAtSeconds,
  idsKey,
  keyLayout,
  minuteOf,
  periodOf,
  qtyFields,
  valueFields,
} from '../core/keys.js';
import { claimIds, confirmOn, defineClaim, masterOf } from './cluster.js';
import { type Alert, parseAlert } from './alert.js';
import { type MarkerReply, MarkerWatch, defineMarkerProbe } from './marker.js';
import { type ReplicaOptions, Unconfirmed } from './replicas.js';
import { WRITE_BATCH_LUA } from './script.js';

/** HINCRBY's limit: a bucket field never goes past it. */
export const FIELD_LIMIT = 2n ** 63n - 1n;

export interface WriteResult {
  written: number;
  duplicates: number;
  /** Events whose bucket had already expired (older than the retention): never written. */
  expired: number;
  /** Events that would carry a bucket field past 2^63 - 1: refused (a bug or absurd input), the rest written. */
  overflow: LiquidationEvent[];
  /** Events written, per exchange. */
  byExchange: Map<string, number>;
  /** USD cents and events written, per exchange and side (`exchange\u0000side`): liq_liquidated_usd_total and liq_liquidations_total. */
  bySide: Map<string, { count: number; cents: number }>;
  /** Alerts this write recorded (each exactly once over every instance: this instance delivers them). */
  alerts: Alert[];
  /** The marker's count before this batch (undefined without a marker or when nothing was written). */
  markerBefore?: bigint;
  /** Events this instance had written that Redis no longer holds, noticed by this batch (see marker.ts). */
  lost?: bigint;
}

export interface WriterOptions extends Retention {
  eventLogRetentionHours: number;
  /** The instance's marker, counted into by every batch (see marker.ts). */
  marker?: MarkerSpec;
  /** REDIS_WAIT_REPLICAS: a write counts once WAIT confirms it (replicas.ts); absent or 0: once the master has it. */
  replicas?: ReplicaOptions;
  /** Alert thresholds; none when absent. */
  alerts?: AlertSpec;
}

type ScriptReply = [string, ...string[]];

// The whole batch goes as one JSON argument (see script.ts).
type LiqCommands = {
  liqWriteBatch(eventsKey: string, alertsKey: string, packed: Buffer, logExpireAt?: number | '', alertsExpireAt?: number | ''): Promise<ScriptReply>;
  liqMarkerProbe(key: string, started: number, ttlMs: number): Promise<string>;
};

/** Every (bucket key, field) an event adds to, with the amount: the same fields combine() sums, in its minute, hour and day. */
export function contributions(e: LiquidationEvent): Array<[string, string, bigint]> {
  const out: Array<[string, string, bigint]> = [];
  const cents = BigInt(e.valueCents);
  for (const res of ['60s', ...ROLLUPS] as const) {
    const start = periodOf(e.ts, res);
    for (const key of [aggKey(e.symbol, res, start), aggKey(ALL, res, start)]) {
      for (const f of countFields(e.exchange, e.side)) out.push([key, f, 1n]);
      for (const f of valueFields(e.exchange, e.side)) out.push([key, f, cents]);
    }
    for (const f of qtyFields(e.side)) out.push([aggKey(e.symbol, res, start), f, e.qtyE8]);
  }
  return out;
}

/**
 * Splits a batch after an OVERFLOW reply: `named` is key → field → current value (a string; not an integer when
 * HINCRBY could not add to it at all). Events are taken in batch order; an event is refused when adding it would
 * carry a named field past the limit (or the field cannot be added to), otherwise its amounts are added.
 */
export function splitOverflow(
  events: readonly LiquidationEvent[],
  named: ReadonlyMap<string, ReadonlyMap<string, string>>,
): { keep: LiquidationEvent[]; refused: LiquidationEvent[] } {
  const totals = new Map<string, bigint | null>();
  for (const [key, fields] of named) {
    for (const [field, cur] of fields) totals.set(`${key}\u0000${field}`, /^\d+$/.test(cur) ? BigInt(cur) : null);
  }
  const keep: LiquidationEvent[] = [];
  const refused: LiquidationEvent[] = [];
  for (const e of events) {
    const touched: Array<[string, bigint]> = [];
    let fits = true;
    for (const [key, field, amount] of contributions(e)) {
      const id = `${key}\u0000${field}`;
      if (!totals.has(id)) continue;
      const cur = totals.get(id)!;
      if (cur === null || cur + amount > FIELD_LIMIT) {
        fits = false;
        break;
      }
      touched.push([id, cur + amount]);
    }
    if (!fits) {
      refused.push(e);
      continue;
    }
    for (const [id, v] of touched) totals.set(id, v);
    keep.push(e);
  }
  return { keep, refused };
}

export class BucketWriter {
  // Replies are observed in the order Redis executed the calls: each is read in the first continuation after its
  // command resolves (ioredis resolves in reply order), never after a further await. One marker per key: one on a
  // single Redis, one per day on a Cluster (core/keys.ts), each watched on its own.
  private readonly watches = new Map<string, MarkerWatch>();
  private readonly unconfirmed = new Unconfirmed();
  private readonly cluster: boolean;

  private readonly retention: Retention;

  constructor(
    private readonly redis: Redis,
    private readonly opts: WriterOptions,
  ) {
    this.retention = {
      bucketRetentionHours: opts.bucketRetentionHours,
      rollup1hRetentionDays: opts.rollup1hRetentionDays,
      rollup1dRetentionDays: opts.rollup1dRetentionDays,
    };
    this.cluster = keyLayout() === 'cluster';
    if (typeof (redis as Redis & Partial<LiqCommands>).liqWriteBatch !== 'function') {
      redis.defineCommand('liqWriteBatch', { numberOfKeys: 2, lua: WRITE_BATCH_LUA });
    }
    if (this.cluster) defineClaim(redis);
    if (opts.marker !== undefined) defineMarkerProbe(redis);
  }

  private watchOf(key: string): MarkerWatch {
    let w = this.watches.get(key);
    if (w === undefined) this.watches.set(key, (w = new MarkerWatch()));
    return w;
  }

  /** The marker of the day holding `ts` (the same key every day on a single Redis). */
  private markerOf(ts: number): MarkerSpec | undefined {
    const m = this.opts.marker;
    return m === undefined || m.keyFor === undefined ? m : { ...m, key: m.keyFor(ts) };
  }

  /** Lost events found by every marker since the last call. */
  private takeLost(): bigint {
    let lost = 0n;
    for (const w of this.watches.values()) lost += w.take();
    return lost;
  }

  /**
   * The idle probe: a small write that refreshes (or recreates) the marker. Resolves with the events Redis no longer
   * holds (0n when none); throws as a write would (OOM, READONLY, …). Without a marker, a PING. On a Cluster, every
   * day's marker this writer counted into that is still kept, and today's.
   */
  async probe(now = Date.now()): Promise<bigint> {
    const m = this.opts.marker;
    if (m === undefined) {
      await this.redis.ping();
      return 0n;
    }
    const today = this.markerOf(now)!.key;
    if (m.keyFor !== undefined) {
      // the days whose marker is still kept: the others are forgotten
      const kept = new Set<string>();
      for (let d = now - m.ttlMs; d < now; d += 86_400_000) kept.add(m.keyFor(d));
      for (const k of this.watches.keys()) if (k !== today && !kept.has(k)) this.watches.delete(k);
    }
    let lost = 0n;
    for (const key of new Set([today, ...this.watches.keys()])) {
      const before0 = this.cluster ? masterOf(this.redis, key) : undefined;
      const before = BigInt(await (this.redis as Redis & LiqCommands).liqMarkerProbe(key, m.start, m.ttlMs));
      const watch = this.watchOf(key);
      if (!this.waits) {
        lost += watch.observe(before, 0);
        continue;
      }
      // With WAIT, the probe also says whether the replicas follow: an idle daemon shows NOREPLICAS as a busy one does.
      await this.confirm(watch, watch.reserve(before, 0), key, before0);
      lost += watch.take();
    }
    return lost;
  }

  private get waits(): boolean {
    return (this.opts.replicas?.replicas ?? 0) > 0;
  }

  /** WAIT for the last write to `key`'s connection (call in the continuation of its reply), then settle its marker reply. */
  private async confirm(watch: MarkerWatch | undefined, slot: MarkerReply | undefined, key: string, master: string | undefined): Promise<void> {
    try {
      await confirmOn(this.redis, key, master, this.opts.replicas!);
    } catch (err) {
      if (slot) watch!.settle(slot, false);
      throw err;
    }
    if (slot) watch!.settle(slot, true);
  }

  async write(events: readonly LiquidationEvent[], now = Date.now()): Promise<WriteResult> {
    const result: WriteResult = { written: 0, duplicates: 0, expired: 0, overflow: [], byExchange: new Map(), bySide: new Map(), alerts: [] };
    const nowSec = now / 1000;
    const expired = (e: LiquidationEvent) => expireAtSeconds(minuteOf(e.ts), this.opts.bucketRetentionHours) <= nowSec;
    // One event per identity within the batch; events whose bucket has expired would leave a log entry without
    // its bucket, so they are not written.
    const unique = new Map<string, LiquidationEvent>();
    for (const e of events) {
      if (expired(e)) result.expired++;
      else if (unique.has(e.id)) result.duplicates++;
      else unique.set(e.id, e);
    }
    if (!this.cluster) {
      await this.writeDay([...unique.values()], now, result);
      return result;
    }
    // A Cluster: own ids claimed first, then one script call per day (every key of a call shares the day's slot).
    const byDay = new Map<number, LiquidationEvent[]>();
    for (const e of await this.claimed([...unique.values()], now)) {
      // (moved to the minute its id was first claimed in, which may have expired since)
      if (expired(e)) {
        result.expired++;
        continue;
      }
      const day = periodOf(e.ts, '1d');
      let list = byDay.get(day);
      if (list === undefined) byDay.set(day, (list = []));
      list.push(e);
    }
    for (const list of byDay.values()) await this.writeDay(list, now, result);
    return result;
  }

  /**
   * Own-id events with their claimed minute (cluster.ts): an event whose id was first claimed in another minute is
   * written in that minute, at its start, where liq:seen finds it when it was counted (a repeat) and counts it once
   * when the earlier write never landed.
   */
  private async claimed(events: LiquidationEvent[], now: number): Promise<LiquidationEvent[]> {
    const byShard = new Map<string, Array<[string, number]>>();
    for (const e of events) {
      if (!e.byId) continue;
      const key = idsKey(e.id);
      let list = byShard.get(key);
      if (list === undefined) byShard.set(key, (list = []));
      list.push([e.id, minuteOf(e.ts)]);
    }
    if (byShard.size === 0) return events;
    const minutes = await claimIds(this.redis, byShard, Math.max(0, now - IDS_RETENTION_MS), this.opts.replicas);
    return events.map((e) => {
      const m = e.byId ? minutes.get(e.id) : undefined;
      return m === undefined || m === minuteOf(e.ts) ? e : { ...e, ts: m };
    });
  }

  /** Writes events of one day (all of them on a single Redis) in one script call, after removing what it refuses. */
  private async writeDay(events: LiquidationEvent[], now: number, result: WriteResult): Promise<void> {
    let pending = events;
    if (pending.length === 0) return;
    const day = pending[0].ts;
    const marker = this.markerOf(day);
    const watch = marker === undefined ? undefined : this.watchOf(marker.key);
    const logKey = eventsKey(day);
    const alertKey = alertsKey(day);
    // A Cluster's per-day streams expire once their day is past the retention (each is trimmed by age while written).
    const dayEnd = (periodOf(day, '1d') + 86_400_000) / 1000;
    const logExpireAt = this.cluster ? dayEnd + this.opts.eventLogRetentionHours * 3600 : '';
    const alertsExpireAt = this.cluster && this.opts.alerts !== undefined ? dayEnd + Math.ceil(this.opts.alerts.retentionMs / 1000) : '';
    // With WAIT: the reply of the batch's write, settled once confirmed; events written earlier by this writer
    // without confirmation that the script now finds counted (confirmed with this batch, then counted as written).
    let slot: MarkerReply | undefined;
    let wrote = false;
    let master: string | undefined;
    const own: LiquidationEvent[] = [];
    const minid = String(Math.max(0, now - this.opts.eventLogRetentionHours * 3_600_000));
    // Each round either writes or strictly shrinks the batch, so this ends.
    while (pending.length > 0) {
      const packed = buildPacked(pending, { ...this.retention, minid, marker, now, alerts: this.opts.alerts, ownIds: !this.cluster });
      if (this.cluster) master = masterOf(this.redis, logKey);
      const reply = await (this.redis as Redis & LiqCommands).liqWriteBatch(logKey, alertKey, packed, logExpireAt, alertsExpireAt);
      if (reply[0] === 'OK') {
        result.written += pending.length;
        wrote = true;
        if (watch !== undefined) {
          result.markerBefore = BigInt(reply[2] ?? '0');
          if (this.waits) slot = watch.reserve(result.markerBefore, pending.length);
          else {
            const lost = watch.observe(result.markerBefore, pending.length);
            if (lost > 0n) result.lost = (result.lost ?? 0n) + lost;
          }
        }
        for (const e of pending) {
          result.byExchange.set(e.exchange, (result.byExchange.get(e.exchange) ?? 0) + 1);
          const k = `${e.exchange}\u0000${e.side}`;
          const t = result.bySide.get(k);
          if (t === undefined) result.bySide.set(k, { count: 1, cents: e.valueCents });
          else {
            t.count++;
            t.cents += e.valueCents;
          }
        }
        for (let i = 3; i < reply.length; i++) {
          const a = parseAlert(reply[i]);
          if (a !== undefined) result.alerts.push(a);
        }
        break;
      }
      if (reply[0] === 'DUP') {
        const seen = new Set(reply.slice(1));
        const mine = this.unconfirmed.own(pending, seen);
        own.push(...mine);
        result.duplicates += seen.size - mine.length;
        pending = pending.filter((e) => !seen.has(e.id));
      } else if (reply[0] === 'OVERFLOW') {
        const named = new Map<string, Map<string, string>>();
        for (let i = 1; i + 2 < reply.length; i += 3) {
          let fields = named.get(reply[i]);
          if (fields === undefined) named.set(reply[i], (fields = new Map()));
          fields.set(reply[i + 1], reply[i + 2]);
        }
        const { keep, refused } = splitOverflow(pending, named);
        if (refused.length === 0) throw new Error(`write script reported overflow it cannot be traced to an event: ${reply.slice(1, 4).join(' ')}`);
        result.overflow.push(...refused);
        pending = keep;
      } else {
        throw new Error(`unexpected reply from the write script: ${String(reply[0])}`);
      }
    }
    if (this.waits && (wrote || own.length > 0 || result.duplicates > 0)) {
      await this.confirmBatch(result, watch, slot, wrote ? pending : [], own, marker, logKey, master);
    }
  }

  /**
   * WAIT for a batch, sent in the continuation of its last reply. A batch that wrote nothing (every id counted
   * already) waits too, for those ids may be this writer's own unconfirmed write: WAIT covers this connection's last
   * write, which may predate that write (a reconnect since), so a probe write first brings it up to now.
   */
  private async confirmBatch(
    result: WriteResult,
    watch: MarkerWatch | undefined,
    slot: MarkerReply | undefined,
    written: readonly LiquidationEvent[],
    own: readonly LiquidationEvent[],
    m: MarkerSpec | undefined,
    key: string,
    master: string | undefined,
  ): Promise<void> {
    if (this.cluster && written.length === 0) master = masterOf(this.redis, key);
    const touch = written.length === 0 && m !== undefined ? (this.redis as Redis & LiqCommands).liqMarkerProbe(m.key, m.start, m.ttlMs) : undefined;
    try {
      await Promise.all([touch, this.confirm(watch, slot, key, master)]);
    } catch (err) {
      this.unconfirmed.add(written);
      throw err;
    }
    this.unconfirmed.remove(written);
    this.unconfirmed.remove(own);
    result.written += own.length;
    for (const e of own) result.byExchange.set(e.exchange, (result.byExchange.get(e.exchange) ?? 0) + 1);
    const lost = this.takeLost();
    if (lost > 0n) result.lost = (result.lost ?? 0n) + lost;
  }
}
