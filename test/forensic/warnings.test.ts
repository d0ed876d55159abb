// Failures versus warnings: prices of different exchanges that disagree by more than 2% within a minute are what a
// cascade looks like, so they are a warning (with the exchanges' median prices), exit 0; --strict makes it exit 1;
// an arithmetic inconsistency still fails. The buckets are written by the real daemon from stand-in frames.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { binanceFrame, bybitFrame, okxFrame } from '../support/venues.js';
import { startStandins } from '../support/venues.js';
import { startDaemon, waitUntil } from '../support/daemon.js';
import { freePort, startRedis, type PrivateRedis } from '../support/redis.js';
import { forensic, forensicJson } from './cli.js';

let redis: PrivateRedis;
let client: Redis;
let spool: string;

const NOW_MIN = Math.floor(Date.now() / 60_000) * 60_000;
/** BTCUSDT falls 3.3% between the exchanges' median prices: a warning. */
const CASCADE = NOW_MIN - 6 * 60_000;
/** One Binance price 7% off (so the extremes are 7% apart), the medians within 0.1%: nothing to warn about. */
const OUTLIER = NOW_MIN - 4 * 60_000;
const EVENTS = 9;

beforeAll(async () => {
  redis = await startRedis();
  client = redis.client();
  spool = mkdtempSync(path.join(os.tmpdir(), 'liqd-warnings-spool-'));
  const standins = await startStandins();
  const daemon = startDaemon({ ...standins.env, REDIS_URL: redis.url, SPOOL_DIR: spool, EXCHANGES: 'binance,bybit,okx' }, await freePort());
  try {
    await waitUntil(
      () =>
        standins.venues['binance-usdm'].connections() > 0 &&
        standins.venues['bybit-linear'].subscriptions().some((t) => t.includes('allLiquidation.BTCUSDT')) &&
        standins.venues.okx.subscriptions().some((t) => t.length === 2),
      20_000,
      'venues subscribed',
    );
    const t = CASCADE;
    standins.send('binance-usdm', binanceFrame({ symbol: 'BTCUSDT', side: 'SELL', price: '50000', qty: '0.010', ts: t + 1000 }));
    standins.send('bybit-linear', bybitFrame([
      { symbol: 'BTCUSDT', side: 'Buy', price: '51500', size: '0.010', ts: t + 2000 },
      { symbol: 'BTCUSDT', side: 'Buy', price: '51800', size: '0.020', ts: t + 3000 },
    ]));
    const o = OUTLIER;
    for (const [i, price] of ['50000', '50010', '53500'].entries()) {
      standins.send('binance-usdm', binanceFrame({ symbol: 'BTCUSDT', side: 'SELL', price, qty: '0.010', ts: o + 1000 * (i + 1) }));
    }
    standins.send('bybit-linear', bybitFrame([{ symbol: 'BTCUSDT', side: 'Sell', price: '50020', size: '0.010', ts: o + 5000 }]));
    standins.send('okx', okxFrame('SWAP', [
      { instId: 'BTC-USDT-SWAP', details: [{ posSide: 'long', side: 'sell', bkPx: '49990', sz: '1', ts: o + 6000 }] },
      { instId: 'ETH-USDT-SWAP', details: [{ posSide: 'long', side: 'sell', bkPx: '3000', sz: '1', ts: o + 7000 }] },
    ]));
    const total = async () =>
      Number((await client.hget(`liq:agg:ALL:60s:${CASCADE}`, 'count')) ?? 0) + Number((await client.hget(`liq:agg:ALL:60s:${OUTLIER}`, 'count')) ?? 0);
    await waitUntil(async () => (await total()) === EVENTS, 20_000, 'every event in its bucket');
  } finally {
    await daemon.stop();
    await standins.close();
  }
});

afterAll(async () => {
  await redis?.stop();
  if (spool) rmSync(spool, { recursive: true, force: true });
});

const cascadeKey = `liq:agg:BTCUSDT:60s:${CASCADE}`;

describe('forensic warnings', () => {
  it('a minute whose exchanges disagree by more than 2% is a warning with its medians: exit 0, in text and JSON', async () => {
    const { run, report } = await forensicJson(redis.url, ['--window', '15m']);
    expect(run.code, run.stderr).toBe(0);
    expect(report.ok).toBe(true);
    for (const c of report.checks) expect(c.failed, c.name).toBe(0);
    expect(report.checks.find((c) => c.id === 8)!.passed).toBe(3); // BTCUSDT twice, ETHUSDT: implied prices hold
    const [w] = report.warnings;
    expect(w.name).toBe('cross-exchange prices');
    // two symbol-minutes carry prices of two exchanges or more; only the one whose medians are apart warns (the
    // other one's extremes are 7% apart, its medians 0.06%)
    expect(w.compared).toBe(2);
    expect(w.warned).toBe(1);
    expect(w.examples).toHaveLength(1);
    const f = w.firstWarning!;
    expect(f.key).toBe(cascadeKey);
    expect(f.figures).toEqual({ medians: { binance: 50000, bybit: 51650 }, events: { binance: 1, bybit: 2 }, spreadPercent: 3.3 });
    expect(f.actual).toMatch(/binance 50000 \(1 event\), bybit 51650 \(2 events\): 3\.30% apart/);

    const text = await forensic(redis.url, ['--window', '15m']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/WARN +cross-exchange prices +2 compared +1 warned/);
    expect(text.stdout).toContain(cascadeKey);
    expect(text.stdout).toContain('3.30% apart');
    expect(text.stdout).toMatch(/result: every check holds; 1 symbol-minutes warned by cross-exchange prices \(not failures\)/);
  });

  it('--strict makes a warning a failure: exit 1', async () => {
    const { run, report } = await forensicJson(redis.url, ['--window', '15m', '--strict']);
    expect(run.code).toBe(1);
    expect(report.ok).toBe(false);
    expect(report.strict).toBe(true);
    for (const c of report.checks) expect(c.failed, c.name).toBe(0);
    expect(report.warnings[0].warned).toBe(1);
    const text = await forensic(redis.url, ['--window', '15m', '--strict']);
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(/FAIL +cross-exchange prices/);
    expect(text.stdout).toMatch(/result: cross-exchange prices \(a warning, --strict\) failed/);
  });

  it('an arithmetic corruption still fails with exit 1, warnings or not', async () => {
    await client.hincrby(cascadeKey, 'long_count', 1);
    try {
      const { run, report } = await forensicJson(redis.url, ['--window', '15m']);
      expect(run.code).toBe(1);
      expect(report.ok).toBe(false);
      expect(report.checks[0].firstFailure?.key).toBe(cascadeKey);
      expect(report.warnings[0].warned).toBe(1);
      const text = await forensic(redis.url, ['--window', '15m']);
      expect(text.code).toBe(1);
      expect(text.stdout).toMatch(/result: 1\. sides, .* failed/);
    } finally {
      await client.hincrby(cascadeKey, 'long_count', -1);
    }
  });
});
