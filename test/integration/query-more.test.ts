// `liqd query` (the real command) by symbol, in a table and in CSV, and at the daily interval, on events written by
// the real writer two and one days ago. The figures are worked out by hand; the daily answer must come from the
// daily rollups alone (the minute buckets and hourly rollups are deleted before it is asked).
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Redis } from 'ioredis';
import { scanKeys } from '../../scripts/lib/redis.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDecimal } from '../../src/core/decimal.js';
import { makeLinearEvent, type LiquidationEvent } from '../../src/core/event.js';
import { DAY_MS, HOUR_MS, periodOf } from '../../src/core/keys.js';
import { BucketWriter } from '../../src/engine/writer.js';
import { startRedis, type PrivateRedis } from '../support/redis.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const NOW = Date.now();
// today's midnight UTC, and the two days before it (both well inside the 168 h minute retention)
const T0 = periodOf(NOW, '1d');
const D1 = T0 - DAY_MS;
const D2 = T0 - 2 * DAY_MS;
const iso = (t: number) => new Date(t).toISOString().replace(':00.000Z', 'Z');
const cell = (t: number) => iso(t).replace('T', ' ').replace('Z', '');

function linear(exchange: string, symbol: string, side: 'long' | 'short', ts: number, price: string, qty: string): LiquidationEvent {
  const e = makeLinearEvent({ exchange, symbol, side, ts, priceText: price, sizeText: qty }, parseDecimal(price)!, parseDecimal(qty)!);
  if (typeof e === 'string') throw new Error(e);
  return e;
}

let redis: PrivateRedis;
let client: Redis;
beforeAll(async () => {
  redis = await startRedis();
  client = redis.client();
  const w = new BucketWriter(client, { bucketRetentionHours: 168, eventLogRetentionHours: 72, rollup1hRetentionDays: 90, rollup1dRetentionDays: 730 });
  const r = await w.write(
    [
      // D2: ETH $300.00 short, BTC $200.00 long
      linear('binance', 'BTCUSDT', 'long', D2 + 3 * HOUR_MS + 1_000, '100', '2'), // 20000 cents
      linear('okx', 'ETHUSDT', 'short', D2 + 5 * HOUR_MS + 2_000, '3000', '0.1'), // 30000
      // D1: BTC 2 events ($299.97 long + $100.50 short = $400.47), SOL and XRP $300.50 each (a tie: by name)
      linear('bybit', 'BTCUSDT', 'short', D1 + 1_000, '100.5', '1'), // 10050
      linear('binance', 'BTCUSDT', 'long', D1 + 23 * HOUR_MS + 59 * 60_000, '99.99', '3'), // 29997
      linear('okx', 'XRPUSDT', 'long', D1 + 7 * HOUR_MS, '0.5', '601'), // 30050
      linear('bybit', 'SOLUSDT', 'long', D1 + 12 * HOUR_MS + 30_000, '150.25', '2'), // 30050
    ],
    NOW,
  );
  expect(r.written).toBe(6);
});
afterAll(async () => {
  await redis.stop();
});

function query(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [path.join(ROOT, 'dist/scripts/query.js'), ...args], { env: { PATH: process.env.PATH ?? '', REDIS_URL: redis.url } }, (err, stdout, stderr) =>
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
    );
  });
}

const days = ['--from', iso(D2), '--to', iso(T0), '--interval', '1d'];

describe('liqd query --by symbol and --interval 1d', () => {
  it('--by symbol as a table: one row per day and symbol, largest first (a tie by name), the exact total row', async () => {
    const r = await query([...days, '--by', 'symbol']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    // widths: period 16, symbol 7, count 5, long 9 ($1,100.97), short 7, total 9 ($1,501.47); two spaces between
    expect(r.stdout.split('\n')).toEqual([
      `ALL, 1d from daily rollups, ${iso(D2)} to ${iso(T0)}`,
      'period (UTC)      symbol   count       long    short      total',
      `${cell(D2)}  ETHUSDT      1      $0.00  $300.00    $300.00`,
      `${cell(D2)}  BTCUSDT      1    $200.00    $0.00    $200.00`,
      `${cell(D1)}  BTCUSDT      2    $299.97  $100.50    $400.47`,
      `${cell(D1)}  SOLUSDT      1    $300.50    $0.00    $300.50`,
      `${cell(D1)}  XRPUSDT      1    $300.50    $0.00    $300.50`,
      '----------------  -------  -----  ---------  -------  ---------',
      'total                          6  $1,100.97  $400.50  $1,501.47',
      '',
    ]);
  });

  it('--by symbol as CSV: the symbol column after the period, exact cents and dollars', async () => {
    const r = await query([...days, '--by', 'symbol', '--format', 'csv']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(
      [
        'period_start,symbol,count,long_count,short_count,value_cents,long_value_cents,short_value_cents,usd',
        `${iso(D2)},ETHUSDT,1,0,1,30000,0,30000,300.00`,
        `${iso(D2)},BTCUSDT,1,1,0,20000,20000,0,200.00`,
        `${iso(D1)},BTCUSDT,2,1,1,40047,29997,10050,400.47`,
        `${iso(D1)},SOLUSDT,1,1,0,30050,30050,0,300.50`,
        `${iso(D1)},XRPUSDT,1,1,0,30050,30050,0,300.50`,
        '',
      ].join('\n'),
    );
  });

  it('--interval 1d reads the daily rollups: the same days once every minute bucket and hourly rollup is gone', async () => {
    const finer = (await scanKeys(client, 'liq:agg:*')).filter((k) => /:(60s|1h):\d+$/.test(k));
    const deleted = finer.length ? await client.del(...finer) : 0;
    // 6 minutes + 6 hours, each for its symbol and for ALL
    expect(deleted).toBe(24);
    const hours = await query(['--from', iso(D2), '--to', iso(T0), '--interval', '1h', '--format', 'csv']);
    expect(hours.stdout.trim().split('\n').slice(1).every((l) => l.endsWith(',0,0,0,0,0,0,0.00'))).toBe(true);

    const r = await query([...days, '--format', 'csv']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      [
        'period_start,count,long_count,short_count,value_cents,long_value_cents,short_value_cents,usd',
        `${iso(D2)},2,1,1,50000,20000,30000,500.00`,
        `${iso(D1)},4,3,1,100147,90097,10050,1001.47`,
        '',
      ].join('\n'),
    );
    const coin = await query([...days, '--coin', 'btc', '--format', 'csv']);
    expect(coin.stdout.trim().split('\n').slice(1)).toEqual([`${iso(D2)},1,1,0,20000,20000,0,200.00`, `${iso(D1)},2,1,1,40047,29997,10050,400.47`]);
  });
});
