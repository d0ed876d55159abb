// The write path on a real Redis Cluster (three masters, one replica each): the cluster layout puts every key of a
// day in one slot, a batch that spans UTC midnight is written by one script call per day, own ids are claimed in
// their shard and count once across minutes, and the same batch written again (by another writer too) counts
// nothing. The same events on a single Redis give the same fields in the same buckets.
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import calculateSlot from 'cluster-key-slot';
import { redisClient } from '../../scripts/lib/redis.js';
import type { LiquidationEvent } from '../../src/core/event.js';
import { DAY_MS, aggKey, alertsKey, eventsKey, idsKey, markerKey, periodOf, seenKey, useKeyLayout } from '../../src/core/keys.js';
import { pipe } from '../../src/core/pipe.js';
import { BucketWriter } from '../../src/engine/writer.js';
import { startCluster, type ClusterSetup } from '../support/cluster.js';
import { linear } from '../support/events.js';

let cluster: ClusterSetup;
let redis: Redis;
const NOW = Date.now();
// Both sides of the last UTC midnight (at most a day ago: inside the retention).
const MIDNIGHT = periodOf(NOW, '1d');
const opts = { bucketRetentionHours: 48, eventLogRetentionHours: 48 };
const marker = (instance: string) => ({ key: markerKey(instance), keyFor: (ts: number) => markerKey(instance, ts), start: NOW, ttlMs: 48 * 3_600_000 });

beforeAll(async () => {
  cluster = await startCluster();
  redis = redisClient(cluster.target, { maxRetriesPerRequest: 2 });
  await cluster.waitReplicated();
}, 90_000);
afterAll(async () => {
  redis?.disconnect();
  await cluster?.stop();
});

function batch(): LiquidationEvent[] {
  const own = (ts: number, orderId: string) => ({ ...linear('bitmex', 'XBTUSDT', 'long', ts, '50000', '0.01'), id: `bitmex:${orderId}`, byId: true });
  return [
    linear('binance', 'BTCUSDT', 'long', MIDNIGHT - 30_000, '50000.10', '0.014'),
    linear('bybit', 'BTCUSDT', 'short', MIDNIGHT + 30_000, '50010', '0.5'),
    linear('okx', 'ETHUSDT', 'short', MIDNIGHT + 90_000, '3000.5', '2'),
    own(MIDNIGHT - 20_000, 'a'),
    own(MIDNIGHT + 40_000, 'b'),
  ];
}

describe('the write path on a Redis Cluster', () => {
  it('writes a batch across midnight: one slot per day, the same fields as on one Redis, nothing twice', async () => {
    useKeyLayout('cluster');
    const w = new BucketWriter(redis, { ...opts, marker: marker('cw'), replicas: { replicas: 1, timeoutMs: 2000 } });
    expect(await w.write(batch(), NOW)).toMatchObject({ written: 5, duplicates: 0, expired: 0 });
    const before = periodOf(MIDNIGHT - 1, '1d');
    // Every key of a day shares its slot, whatever its kind; the two days differ.
    const dayKeys = (day: number, m: number) => [aggKey('BTCUSDT', '60s', m), aggKey('ALL', '1h', periodOf(m, '1h')), aggKey('ALL', '1d', day), seenKey(m), eventsKey(day), alertsKey(day), markerKey('cw', day)];
    const slotsBefore = new Set(dayKeys(before, MIDNIGHT - 60_000).map((k) => calculateSlot(k)));
    const slotsAfter = new Set(dayKeys(MIDNIGHT, MIDNIGHT).map((k) => calculateSlot(k)));
    expect(slotsBefore.size).toBe(1);
    expect(slotsAfter.size).toBe(1);
    expect([...slotsBefore][0]).not.toBe([...slotsAfter][0]);
    expect(aggKey('BTCUSDT', '60s', MIDNIGHT)).toBe(`liq:agg:{${new Date(MIDNIGHT).toISOString().slice(0, 10)}}:BTCUSDT:60s:${MIDNIGHT}`);

    const btcAfter = await redis.hgetall(aggKey('BTCUSDT', '60s', MIDNIGHT));
    expect(btcAfter).toMatchObject({ count: '1', short_count: '1', bybit_short_value_cents: '2500500', qty_e8: '50000000' });
    expect(await redis.hget(aggKey('ALL', '1d', before), 'count')).toBe('2');
    expect(await redis.hget(aggKey('ALL', '1d', MIDNIGHT), 'count')).toBe('3');
    expect(await redis.xlen(eventsKey(before))).toBe(2);
    expect(await redis.xlen(eventsKey(MIDNIGHT))).toBe(3);
    // a day's log expires with the retention after its day (nothing trims it once the day is over)
    expect(await redis.expiretime(eventsKey(before))).toBe(MIDNIGHT / 1000 + 48 * 3600);
    expect(await redis.expiretime(eventsKey(MIDNIGHT))).toBe((MIDNIGHT + DAY_MS) / 1000 + 48 * 3600);
    expect(await redis.hget(markerKey('cw', before), 'written')).toBe('2');
    expect(await redis.hget(markerKey('cw', MIDNIGHT), 'written')).toBe('3');
    expect(Number(await redis.zscore(idsKey('bitmex:a'), 'bitmex:a'))).toBe(MIDNIGHT - 60_000);

    // Again, and by another writer, and the own ids re-sent with other times (BitMEX times by receipt): nothing.
    expect(await w.write(batch(), NOW)).toMatchObject({ written: 0, duplicates: 5 });
    const other = new BucketWriter(redis, { ...opts, marker: marker('cw2') });
    const later = batch().slice(3).map((e) => ({ ...e, ts: e.ts + 3 * 60_000 }));
    expect(await other.write(later, NOW)).toMatchObject({ written: 0, duplicates: 2 });
    expect(await redis.hget(aggKey('ALL', '1d', MIDNIGHT), 'count')).toBe('3');
    expect(await redis.exists(aggKey('XBTUSDT', '60s', MIDNIGHT + 3 * 60_000))).toBe(0);
    // The idle probe reads every day's marker this writer counted into: nothing lost.
    expect(await w.probe(NOW)).toBe(0n);
  });

  it('a claimed id whose write never landed is written once, in the minute it was claimed in', async () => {
    useKeyLayout('cluster');
    const m = MIDNIGHT + 10 * 60_000;
    const e = { ...linear('bitmex', 'XBTUSDT', 'short', m + 5_000, '40000', '0.5'), id: 'bitmex:claimed-only', byId: true };
    // The claim as the writer makes it, as if the write after it had failed.
    redis.defineCommand('claimOnly', { numberOfKeys: 1, lua: (await import('../../src/engine/cluster.js')).CLAIM_IDS_LUA });
    await (redis as Redis & { claimOnly(...a: unknown[]): Promise<unknown> }).claimOnly(idsKey(e.id), 0, e.id, m);
    const w = new BucketWriter(redis, opts);
    expect(await w.write([{ ...e, ts: m + 2 * 60_000 }], NOW)).toMatchObject({ written: 1 });
    expect(await redis.hget(aggKey('XBTUSDT', '60s', m), 'count')).toBe('1');
    expect(await redis.exists(aggKey('XBTUSDT', '60s', m + 2 * 60_000))).toBe(0);
    expect(await w.write([{ ...e, ts: m + 4 * 60_000 }], NOW)).toMatchObject({ written: 0, duplicates: 1 });
  });

  it('a pipeline of keys on every master reads through pipe() in call order', async () => {
    useKeyLayout('cluster');
    const days = [0, 1, 2, 3, 4, 5].map((i) => MIDNIGHT - i * DAY_MS);
    const p = pipe(redis);
    for (const d of days) p.set(`liq:test:{${d}}`, String(d));
    for (const d of days) p.get(`liq:test:{${d}}`);
    const got = (await p.exec())!;
    expect(got.slice(6).map(([err, v]) => [err, v])).toEqual(days.map((d) => [null, String(d)]));
  });
});
