// Hourly and daily rollups: written by the same script call as the minute, so repeats, a second writer and a
// restart change nothing; hand-computed sums over events that cross an hour and a day boundary; TTLs; the exact
// 64-bit check covers the rollup fields (an event that would carry an hour or a day past 2^63 - 1 is refused alone).
import { describe, expect, it } from 'vitest';
import { DAY_MS, HOUR_MS, aggKey, periodOf, rollupBigKey, rollupTopKey } from '../../src/core/keys.js';
import { BucketWriter } from '../../src/engine/writer.js';
import { linear } from '../support/events.js';
import { redisForFile } from '../support/redis-file.js';

// Redis applies EXPIREAT with its own clock: times are taken at run time. The day boundary used is yesterday's
// midnight UTC (always within the 168 h minute retention, never in the future).
const NOW = Date.now();
const D = periodOf(NOW, '1d') - DAY_MS;

const redis = redisForFile({ flushEachTest: true });

const opts = { bucketRetentionHours: 168, eventLogRetentionHours: 24, rollup1hRetentionDays: 90, rollup1dRetentionDays: 730 };

// Two on the last minute of the day before D (23:59), one on D's first minute, one in D's second hour.
const events = () => [
  linear('binance', 'BTCUSDT', 'long', D - 50_000, '100', '2'), // $200.00 = 20000 cents, qty 2
  linear('bybit', 'BTCUSDT', 'short', D - 10_000, '100.5', '1'), // $100.50 = 10050
  linear('binance', 'BTCUSDT', 'long', D + 5_000, '99.99', '3'), // $299.97 = 29997
  linear('okx', 'ETHUSDT', 'short', D + HOUR_MS + 1_000, '3000', '0.1'), // $300.00 = 30000
];

describe('rollups', () => {
  it('sum the minutes into hours and days by hand, across an hour and a day boundary, with TTLs', async () => {
    const w = new BucketWriter(redis.db, opts);
    expect((await w.write(events(), NOW)).written).toBe(4);
    const prevHour = D - HOUR_MS;
    const prevDay = D - DAY_MS;
    // the day before: the two events of 23:59
    expect(await redis.db.hgetall(aggKey('BTCUSDT', '1h', prevHour))).toEqual({
      count: '2', long_count: '1', short_count: '1', binance_count: '1', binance_long_count: '1', bybit_count: '1', bybit_short_count: '1',
      value_cents: '30050', long_value_cents: '20000', short_value_cents: '10050', binance_value_cents: '20000', binance_long_value_cents: '20000',
      bybit_value_cents: '10050', bybit_short_value_cents: '10050', qty_e8: '300000000', long_qty_e8: '200000000', short_qty_e8: '100000000',
    });
    expect(await redis.db.hgetall(aggKey('BTCUSDT', '1d', prevDay))).toEqual(await redis.db.hgetall(aggKey('BTCUSDT', '1h', prevHour)));
    // D's first hour: one BTC event; D's day: BTC 29997, ETH 30000; ALL day: 59997 over 2 events
    expect(await redis.db.hget(aggKey('BTCUSDT', '1h', D), 'value_cents')).toBe('29997');
    expect(await redis.db.hget(aggKey('ETHUSDT', '1h', D), 'value_cents')).toBeNull();
    expect(await redis.db.hget(aggKey('ETHUSDT', '1h', D + HOUR_MS), 'okx_short_value_cents')).toBe('30000');
    expect(await redis.db.hgetall(aggKey('ALL', '1d', D))).toEqual({
      count: '2', long_count: '1', short_count: '1', binance_count: '1', binance_long_count: '1', okx_count: '1', okx_short_count: '1',
      value_cents: '59997', long_value_cents: '29997', short_value_cents: '30000', binance_value_cents: '29997', binance_long_value_cents: '29997',
      okx_value_cents: '30000', okx_short_value_cents: '30000',
    });
    expect(await redis.db.hget(aggKey('ALL', '1d', prevDay), 'value_cents')).toBe('30050');
    expect(await redis.db.hget(aggKey('ALL', '1h', D + HOUR_MS), 'count')).toBe('1');
    // TTLs: the period's end plus its retention
    expect(await redis.db.expiretime(aggKey('BTCUSDT', '1h', prevHour))).toBe(D / 1000 + 90 * 86_400);
    expect(await redis.db.expiretime(aggKey('ALL', '1d', D))).toBe((D + DAY_MS) / 1000 + 730 * 86_400);
    expect(await redis.db.expiretime(rollupTopKey('1h', D))).toBe((D + HOUR_MS) / 1000 + 90 * 86_400);
    // the indexes: top symbols and the largest per hour and day
    expect(await redis.db.zrange(rollupTopKey('1d', D), 0, -1, 'WITHSCORES')).toEqual(['BTCUSDT', '29997', 'ETHUSDT', '30000']);
    expect(await redis.db.zcard(rollupBigKey('1d', prevDay))).toBe(2);
  });

  it('repeats, a second writer and a write split over batches change nothing', async () => {
    const w1 = new BucketWriter(redis.db, opts);
    const [a, b, c, d] = events();
    await w1.write([a, b], NOW);
    await w1.write([c, d, a], NOW);
    const once = await Promise.all(['1h', '1d'].map((r) => redis.db.keys(`liq:agg:*:${r}:*`)));
    const snapshot = async () => {
      const out: Record<string, Record<string, string>> = {};
      for (const k of once.flat()) out[k] = await redis.db.hgetall(k);
      return out;
    };
    const before = await snapshot();
    const w2 = new BucketWriter(redis.client(), opts);
    const [r1, r2] = await Promise.all([w1.write(events(), NOW), w2.write(events(), NOW)]);
    expect(r1.written + r2.written).toBe(0);
    expect(await snapshot()).toEqual(before);
    expect(before[aggKey('ALL', '1d', D)].value_cents).toBe('59997');
  });

  it('refuses on its own an event that would carry an hour past 2^63 - 1 while its minute would not', async () => {
    const w = new BucketWriter(redis.db, opts);
    const hour = periodOf(NOW - 10 * 60_000, '1h');
    await redis.db.hset(aggKey('ALL', '1h', hour), 'value_cents', '9223372036854775000');
    const big = linear('binance', 'BTCUSDT', 'long', hour + 1_000, '1', '10'); // 1000 cents: over
    const ok = linear('binance', 'ETHUSDT', 'long', hour + 2_000, '0.01', '1'); // 1 cent: fits (…5001)
    const r = await w.write([big, ok], NOW);
    expect(r.overflow.map((e) => e.id)).toEqual([big.id]);
    expect(r.written).toBe(1);
    expect(await redis.db.hget(aggKey('ALL', '1h', hour), 'value_cents')).toBe('9223372036854775001');
    expect(await redis.db.hget(aggKey('BTCUSDT', '60s', periodOf(big.ts, '60s')), 'count')).toBeNull();
    expect(await redis.db.hget(aggKey('ETHUSDT', '1d', periodOf(ok.ts, '1d')), 'value_cents')).toBe('1');
  });
});
