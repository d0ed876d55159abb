// REDIS_WAIT_REPLICAS at the writer, on a real master and replica: a batch counts once WAIT says the replica has it;
// with the replica stopped (SIGSTOP: connected, not reading) it fails as NOREPLICAS, and sent again once the replica
// is back it counts as written (this writer's own ids), not as duplicates, with no data loss reported.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDecimal } from '../../src/core/decimal.js';
import { makeLinearEvent, type LiquidationEvent } from '../../src/core/event.js';
import { minuteOf } from '../../src/core/keys.js';
import { BucketWriter } from '../../src/engine/writer.js';
import { redisErrorCode } from '../../src/engine/write-state.js';
import { startRedisNode, type RedisNode } from '../../scripts/lib/redis-node.js';
import { freePort } from '../support/redis.js';
import { waitUntil } from '../support/daemon.js';

const NOW = Date.now();
let k = 0;
function events(n: number): LiquidationEvent[] {
  const out: LiquidationEvent[] = [];
  for (let i = 0; i < n; i++, k++) {
    const price = `${50_000 + k}.5`;
    const e = makeLinearEvent({ exchange: 'venue', symbol: 'BTCUSDT', side: k % 2 ? 'long' : 'short', ts: NOW - 20_000 + k, priceText: price, sizeText: '0.01' }, parseDecimal(price)!, parseDecimal('0.01')!);
    if (typeof e === 'string') throw new Error(e);
    out.push(e);
  }
  return out;
}

let dir: string;
let master: RedisNode;
let replica: RedisNode;
let client: Redis;
let onReplica: Redis;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'liqd-replicas-'));
  const args = (port: number, name: string) => ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--dbfilename', `${name}.rdb`];
  const mp = await freePort();
  master = await startRedisNode('master', mp, args(mp, 'master'));
  const rp = await freePort();
  replica = await startRedisNode('replica', rp, [...args(rp, 'replica'), '--replicaof', '127.0.0.1', String(mp)]);
  client = master.client();
  onReplica = replica.client();
  await waitUntil(async () => /master_link_status:up/.test(await onReplica.info('replication')), 15_000, 'replica in sync');
});
afterAll(async () => {
  if (replica?.pid !== undefined) process.kill(replica.pid, 'SIGCONT');
  await replica?.stop();
  await master?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const countIn = async (c: Redis) => Number((await c.hget(`liq:agg:ALL:60s:${minuteOf(NOW - 20_000)}`, 'count')) ?? 0) + Number((await c.hget(`liq:agg:ALL:60s:${minuteOf(NOW - 20_000) + 60_000}`, 'count')) ?? 0);

describe('a batch counts once the replicas confirm it (WAIT)', () => {
  const marker = { key: 'liq:marker:replicas-test', start: NOW, ttlMs: 3_600_000 };

  it('confirmed: written as usual, on the replica when the write returns', async () => {
    const w = new BucketWriter(client, { bucketRetentionHours: 168, eventLogRetentionHours: 24, marker, replicas: { replicas: 1, timeoutMs: 2000 } });
    const r = await w.write(events(20), Date.now());
    expect(r).toMatchObject({ written: 20, duplicates: 0 });
    expect(r.lost).toBeUndefined();
    expect(await countIn(onReplica)).toBe(20);
    expect(await w.probe()).toBe(0n);
  });

  it('not confirmed (replica stopped): NOREPLICAS, the batch and the idle probe fail; sent again once it is back: counted as written, no loss', async () => {
    const w = new BucketWriter(client, { bucketRetentionHours: 168, eventLogRetentionHours: 24, marker, replicas: { replicas: 1, timeoutMs: 300 } });
    const before = await countIn(client);
    expect((await w.write(events(5), Date.now())).written).toBe(5);
    const batch = events(30);
    process.kill(replica.pid!, 'SIGSTOP');
    try {
      const err = await w.write(batch, Date.now()).then(() => undefined, (e: unknown) => e);
      expect(redisErrorCode(err)).toBe('NOREPLICAS');
      expect(String((err as Error).message)).toBe('NOREPLICAS 0 of 1 replicas confirmed the write within 300 ms (REDIS_WAIT_REPLICAS)');
      // the master has it; a second attempt finds every id counted and still cannot confirm
      expect(await countIn(client)).toBe(before + 35);
      expect(redisErrorCode(await w.write(batch, Date.now()).then(() => undefined, (e: unknown) => e))).toBe('NOREPLICAS');
      expect(redisErrorCode(await w.probe().then(() => undefined, (e: unknown) => e))).toBe('NOREPLICAS');
    } finally {
      process.kill(replica.pid!, 'SIGCONT');
    }
    const r = await w.write(batch, Date.now());
    expect(r).toMatchObject({ written: 30, duplicates: 0 });
    expect(r.lost).toBeUndefined();
    expect(await countIn(onReplica)).toBe(before + 35);
    // a batch of someone else's ids is a duplicate as before
    const again = await new BucketWriter(client, { bucketRetentionHours: 168, eventLogRetentionHours: 24, replicas: { replicas: 1, timeoutMs: 2000 } }).write(batch, Date.now());
    expect(again).toMatchObject({ written: 0, duplicates: 30 });
    expect(await w.probe()).toBe(0n);
  });
});
