// The real daemon refuses exactly the events that would carry a bucket sum past 2^63 - 1 (HINCRBY's limit) and
// writes the rest: liq_rejected_total{reason="out_of_range"} counts the refused ones and an error line names how
// many (src/engine/tally.ts). The minute bucket of BTCUSDT is seeded $10,000.00 short of the limit.
//
// in order (all BTCUSDT but e5; room left in BTCUSDT's value_cents before each):
//   e1 $5,000.00  (500,000 cents)   room 1,000,000 → written, room 500,000
//   e2 $6,000.00  (600,000)         refused
//   e3 $4,000.00  (400,000)         written, room 100,000
//   e4 $2,000.00  (200,000)         refused
//   e5 ETHUSDT $1,000,000.00 (100,000,000): its own bucket, and the ALL bucket has room → written
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aggKey, minuteOf } from '../../src/core/keys.js';
import { startDaemon, waitUntil, type RunningDaemon } from '../support/daemon.js';
import { freePort, startRedis, type PrivateRedis } from '../support/redis.js';
import { binanceFrame, startStandins, type Standins } from '../support/venues.js';

const LIMIT = 2n ** 63n - 1n;
// the minute before the test's, so that every event lands in one minute wherever the clock is
const M = minuteOf(Date.now()) - 60_000;

let redis: PrivateRedis;
let client: Redis;
let standins: Standins;
let daemon: RunningDaemon;
let spool: string;
beforeAll(async () => {
  redis = await startRedis();
  client = redis.client();
  standins = await startStandins({}, ['binance']);
  spool = mkdtempSync(path.join(os.tmpdir(), 'liqd-overflow-'));
});
afterAll(async () => {
  await daemon?.stop('SIGKILL');
  await standins.close();
  await redis.stop();
  rmSync(spool, { recursive: true, force: true });
});

describe('sums that would pass 2^63 - 1, at the daemon', () => {
  it('are refused event by event: the counter and the error line say how many; the rest is written exactly', async () => {
    await client.hset(aggKey('BTCUSDT', '60s', M), 'value_cents', String(LIMIT - 1_000_000n));
    daemon = startDaemon({ ...standins.env, REDIS_URL: redis.url, SPOOL_DIR: spool, EXCHANGES: 'binance' }, await freePort());
    await daemon.waitForLog((l) => l.msg === 'open' && l.conn === 'binance-usdm');
    const frames: Array<[string, string, string]> = [
      ['BTCUSDT', '100', '50'], // e1
      ['BTCUSDT', '100', '60'], // e2
      ['BTCUSDT', '100', '40'], // e3
      ['BTCUSDT', '100', '20'], // e4
      ['ETHUSDT', '1000', '1000'], // e5
    ];
    frames.forEach(([symbol, price, qty], i) => standins.send('binance-usdm', binanceFrame({ symbol, side: 'SELL', price, qty, ts: M + 1_000 * (i + 1) })));
    await waitUntil(async () => (await client.hget(aggKey('ALL', '60s', M), 'count')) === '3', 15_000, 'three events written');
    await waitUntil(() => daemon.logs.filter((l) => l.msg === 'events refused (out_of_range): they would carry a bucket sum past 2^63 - 1; the rest of the batch was written').reduce((n, l) => n + Number(l.count), 0) === 2, 10_000, 'two refusals logged');

    const lines = daemon.logs.filter((l) => typeof l.msg === 'string' && l.msg.startsWith('events refused (out_of_range)'));
    expect(lines.every((l) => l.level === 'error')).toBe(true);
    expect(lines.reduce((n, l) => n + Number(l.count), 0)).toBe(2);
    expect(lines[0].sample).toMatchObject({ exchange: 'binance', symbol: 'BTCUSDT', side: 'long', valueCents: 600_000 });
    const m = await daemon.metrics();
    expect(m).toMatch(/^liq_rejected_total\{exchange="binance",reason="out_of_range"\} 2$/m);
    // what was written, exactly: BTCUSDT 100,000 short of the limit, two events; ALL $1,009,000.00 over three
    expect(await client.hget(aggKey('BTCUSDT', '60s', M), 'value_cents')).toBe(String(LIMIT - 100_000n));
    expect(await client.hget(aggKey('BTCUSDT', '60s', M), 'count')).toBe('2');
    expect(await client.hmget(aggKey('ALL', '60s', M), 'count', 'value_cents', 'long_value_cents')).toEqual(['3', '100900000', '100900000']);
    expect(await client.hget(aggKey('ETHUSDT', '60s', M), 'value_cents')).toBe('100000000');
    // the rollups took the same three: the hour sums 100,900,000 cents too
    expect(await client.hget(aggKey('ALL', '1h', Math.floor(M / 3_600_000) * 3_600_000), 'value_cents')).toBe('100900000');
    expect(await client.xlen('liq:events')).toBe(3);
    expect(m).toMatch(/^liq_liquidations_total\{exchange="binance",side="long"\} 3$/m);
    // refused, not held: nothing waits to be written again
    expect((await daemon.health()).body).toMatchObject({ bufferedEvents: 0, spooledEvents: 0 });
  });
});
