// The forensic validator against buckets written by the real daemon (stand-in exchanges in their wire formats,
// linear and inverse on every venue, both sides, several symbols and minutes), then one corruption per check.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startStandins, type Standins } from '../support/venues.js';
import { binanceFrame, bybitFrame, okxFrame } from '../support/venues.js';
import { startDaemon, waitUntil } from '../support/daemon.js';
import { freePort, startRedis, type PrivateRedis } from '../support/redis.js';
import { type JsonReport, forensic, forensicJson } from './cli.js';

let redis: PrivateRedis;
let client: Redis;
let spool: string;
/** Every key after the daemon wrote, with its absolute expiry (ms, or 0): restored before each test. */
let snapshot: Array<{ key: string; dump: Buffer; expireAt: number }> = [];

const NOW_MIN = Math.floor(Date.now() / 60_000) * 60_000;
const MINUTES = [NOW_MIN - 30 * 60_000, NOW_MIN - 10 * 60_000, NOW_MIN - 3 * 60_000];
const PER_BURST = 16;

/** 16 events in the minute t0: BTC, ETH, SOL; linear and inverse on Binance, Bybit and OKX; both sides. */
function burst(s: Standins, t0: number) {
  s.send('binance-usdm', binanceFrame({ symbol: 'BTCUSDT', side: 'SELL', price: '50000.10', qty: '0.014', ts: t0 + 100 }));
  s.send('binance-usdm', binanceFrame({ symbol: 'ETHUSDT', side: 'BUY', price: '3000.25', qty: '0.5', ts: t0 + 110 }));
  s.send('binance-usdm', binanceFrame({ symbol: 'SOLUSDT', side: 'SELL', price: '150.123', qty: '3.3', ts: t0 + 120 }));
  s.send('binance-coinm', binanceFrame({ symbol: 'BTCUSD_PERP', side: 'SELL', price: '50000', qty: '3', ts: t0 + 300 }));
  s.send('binance-coinm', binanceFrame({ symbol: 'ETHUSD_PERP', side: 'BUY', price: '3001', qty: '7', ts: t0 + 310 }));
  s.send('bybit-linear', bybitFrame([
    { symbol: 'BTCUSDT', side: 'Buy', price: '50010.5', size: '0.5', ts: t0 + 400 },
    { symbol: 'BTCUSDT', side: 'Sell', price: '50000', size: '0.1', ts: t0 + 500 },
  ]));
  s.send('bybit-linear', bybitFrame([{ symbol: 'ETHUSDT', side: 'Sell', price: '2999.5', size: '1.25', ts: t0 + 410 }]));
  s.send('bybit-linear', bybitFrame([{ symbol: 'SOLUSDT', side: 'Buy', price: '150.2', size: '10', ts: t0 + 420 }]));
  s.send('bybit-inverse', bybitFrame([{ symbol: 'BTCUSD', side: 'Sell', price: '50000', size: '1000', ts: t0 + 600 }]));
  s.send('bybit-inverse', bybitFrame([{ symbol: 'ETHUSD', side: 'Buy', price: '3000.5', size: '250', ts: t0 + 610 }]));
  s.send('okx', okxFrame('SWAP', [
    { instId: 'BTC-USDT-SWAP', details: [{ posSide: 'long', side: 'sell', bkPx: '50000', sz: '2', ts: t0 + 700 }] },
    { instId: 'ETH-USDT-SWAP', details: [{ posSide: 'short', side: 'buy', bkPx: '3000', sz: '5', ts: t0 + 710 }] },
    { instId: 'SOL-USDT-SWAP', details: [{ posSide: 'net', side: 'sell', bkPx: '150.1', sz: '7', ts: t0 + 720 }] },
    { instId: 'BTC-USD-SWAP', details: [{ posSide: 'net', side: 'buy', bkPx: '50000', sz: '3', ts: t0 + 800 }] },
    { instId: 'ETH-USD-SWAP', details: [{ posSide: 'long', side: 'sell', bkPx: '3000.1', sz: '4', ts: t0 + 810 }] },
  ]));
}

async function restore(): Promise<void> {
  await client.flushall();
  for (const { key, dump, expireAt } of snapshot) {
    await client.restore(key, expireAt > 0 ? expireAt : 0, dump, ...((expireAt > 0 ? ['ABSTTL'] : []) as []));
  }
}

beforeAll(async () => {
  redis = await startRedis();
  client = redis.client();
  spool = mkdtempSync(path.join(os.tmpdir(), 'liqd-forensic-spool-'));
  const standins = await startStandins();
  const daemon = startDaemon({ ...standins.env, REDIS_URL: redis.url, SPOOL_DIR: spool }, await freePort());
  try {
    await waitUntil(
      () =>
        standins.venues['binance-usdm'].connections() > 0 &&
        standins.venues['binance-coinm'].connections() > 0 &&
        standins.venues['bybit-linear'].subscriptions().some((t) => t.length > 0) &&
        standins.venues['bybit-inverse'].subscriptions().some((t) => t.length > 0) &&
        standins.venues.okx.subscriptions().some((t) => t.length === 2),
      20_000,
      'all venues subscribed',
    );
    for (const m of MINUTES) burst(standins, m);
    const total = async () => {
      let n = 0;
      for (const m of MINUTES) n += Number((await client.hget(`liq:agg:ALL:60s:${m}`, 'count')) ?? 0);
      return n;
    };
    await waitUntil(async () => (await total()) === MINUTES.length * PER_BURST, 20_000, 'every event in its bucket');
  } finally {
    await daemon.stop();
    await standins.close();
  }
  for (const key of await client.keys('liq:*')) {
    if (key.startsWith('liq:status:') || key === 'liq:instances') continue;
    snapshot.push({ key, dump: (await client.dumpBuffer(key))!, expireAt: Number(await client.call('PEXPIRETIME', key)) });
  }
});

afterAll(async () => {
  await redis?.stop();
  if (spool) rmSync(spool, { recursive: true, force: true });
});

beforeEach(async () => {
  await restore();
});

const check = (r: JsonReport, id: number) => r.checks.find((c) => c.id === id)!;

/** Runs the validator, expects exit 1 with check `id` failed and `key` named (JSON and text). */
async function expectFailure(id: number, key: string, field?: string | RegExp) {
  const { run, report } = await forensicJson(redis.url);
  expect(run.code).toBe(1);
  expect(report.ok).toBe(false);
  const c = check(report, id);
  expect(c.failed).toBeGreaterThan(0);
  expect(c.examples.map((e) => e.key)).toContain(key);
  if (field !== undefined) expect(c.examples.find((e) => e.key === key)!.field).toMatch(field);
  const text = await forensic(redis.url);
  expect(text.code).toBe(1);
  expect(text.stdout).toMatch(new RegExp(`FAIL ${id}\\. ${c.name}`));
  if (c.firstFailure!.key === key) expect(text.stdout).toContain(key);
  return report;
}

const btc = (m = MINUTES[1]) => `liq:agg:BTCUSDT:60s:${m}`;

describe('forensic validator on what the daemon wrote', () => {
  it('passes every check, each one counted', async () => {
    const { run, report } = await forensicJson(redis.url);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(report.ok).toBe(true);
    expect(report.checks.map((c) => c.id)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    for (const c of report.checks) {
      expect(c.failed, c.name).toBe(0);
      expect(c.passed, c.name).toBeGreaterThan(0);
    }
    // BTCUSDT, BTCUSD, ETHUSDT, ETHUSD, SOLUSDT and ALL in each of the three minutes
    expect(report.buckets).toBe(MINUTES.length * 6);
    expect(report.logEntries).toBe(MINUTES.length * PER_BURST);
    expect(check(report, 6).passed).toBe(MINUTES.length * PER_BURST);
    expect(check(report, 5).passed).toBe(MINUTES.length * 6);
    expect(check(report, 8).passed).toBe(MINUTES.length * 5);
    // every symbol-minute has prices of several exchanges, all within 2%: compared, no warning
    expect(report.strict).toBe(false);
    expect(report.warnings).toHaveLength(1);
    expect(report.warnings[0]).toMatchObject({ name: 'cross-exchange prices', compared: MINUTES.length * 5, warned: 0, firstWarning: null });
    const text = await forensic(redis.url, ['--window', '1h']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/ok {3}1\. sides/);
    expect(text.stdout).toContain('every check holds');
    expect(text.stdout).toMatch(/ok +cross-exchange prices +15 compared +0 warned/);
  });

  it('with --symbol reads one symbol and skips the market-wide check', async () => {
    const { run, report } = await forensicJson(redis.url, ['--symbol', 'ethusd', '--window', '15m']);
    expect(run.code).toBe(0);
    expect(report.buckets).toBe(2); // minutes −10 and −3 (the −30 one is outside 15m)
    expect(check(report, 4).passed).toBe(0);
    // every ETHUSD entry read is checked, including those of the −30 minute (read because they were inserted
    // within the window); only the window's buckets are compared
    expect(check(report, 6).passed).toBe(3 * 3);
    expect(check(report, 5).passed).toBe(2);
    expect(report.notes.join(' ')).toMatch(/check 4/);
  });

  it('1. sides: a changed long_count', async () => {
    await client.hincrby(btc(), 'long_count', 1);
    await expectFailure(1, btc(), 'count');
  });

  it('2. exchanges: an exchange counted in its fields but not in the total', async () => {
    await client.hincrby(btc(), 'okx_count', 1);
    await client.hincrby(btc(), 'okx_short_count', 1);
    const r = await expectFailure(2, btc(), 'count');
    expect(check(r, 1).failed).toBe(0);
    expect(check(r, 3).failed).toBe(0);
  });

  it('3. each exchange: {ex}_value_cents differing from long + short', async () => {
    await client.hincrby(btc(), 'bybit_value_cents', 7);
    await client.hincrby(btc(), 'value_cents', 7);
    const r = await expectFailure(3, btc(), 'bybit_value_cents');
    expect(check(r, 2).failed).toBe(0); // the total still is the sum over exchanges
    expect(check(r, 1).failed).toBeGreaterThan(0); // but not long + short
  });

  it('4. market-wide: an ALL bucket that is not the sum of its symbols', async () => {
    const all = `liq:agg:ALL:60s:${MINUTES[0]}`;
    for (const f of ['count', 'long_count', 'binance_count', 'binance_long_count']) await client.hincrby(all, f, 1);
    const r = await expectFailure(4, all, 'count');
    for (const id of [1, 2, 3]) expect(check(r, id).failed).toBe(0);
  });

  it('9. rollups: an hour that is not the sum of its minutes, and a day that is not the sum of its hours', async () => {
    const hour = `liq:agg:BTCUSDT:1h:${Math.floor(MINUTES[1] / 3_600_000) * 3_600_000}`;
    // consistent in itself (sides, exchanges): only the sum over its minutes tells
    for (const f of ['value_cents', 'long_value_cents', 'binance_value_cents', 'binance_long_value_cents']) await client.hincrby(hour, f, 100);
    const r = await expectFailure(9, hour, 'value_cents');
    expect(check(r, 9).examples.find((e) => e.key === hour)!.expected).toMatch(/Σ over its \d+ minutes/);
    for (const id of [1, 2, 3, 4, 5, 6, 7, 8]) expect(check(r, id).failed).toBe(0);
    await restore();
    const day = `liq:agg:ALL:1d:${Math.floor(MINUTES[1] / 86_400_000) * 86_400_000}`;
    await client.hdel(day, 'okx_count');
    const d = await expectFailure(9, day, 'okx_count');
    expect(check(d, 9).examples.find((e) => e.key === day)!.expected).toMatch(/Σ over its \d+ hours/);
  });

  it('qty_capped: a bucket whose quantity sum would have passed 2^63 - 1 lacks those events\' quantity; its qty is not compared, the rest is', async () => {
    const m = MINUTES[1];
    const day = `liq:agg:BTCUSDT:1d:${Math.floor(m / 86_400_000) * 86_400_000}`;
    const [q, lq, sq, n] = await client.hmget(btc(m), 'qty_e8', 'long_qty_e8', 'short_qty_e8', 'count');
    // as the write script leaves them: the day without this minute's quantity, counted in qty_capped
    for (const [f, v] of [['qty_e8', q], ['long_qty_e8', lq], ['short_qty_e8', sq]] as const) if (v !== null) await client.hincrby(day, f, -Number(v));
    await client.hset(day, 'qty_capped', n!);
    // and a minute capped whole (its batch's quantity over the limit): no qty fields, every event in qty_capped
    const other = btc(MINUTES[2]);
    const count = await client.hget(other, 'count');
    await client.hdel(other, 'qty_e8', 'long_qty_e8', 'short_qty_e8');
    await client.hset(other, 'qty_capped', count!);
    const { run, report } = await forensicJson(redis.url);
    expect(run.code, JSON.stringify(report.checks.filter((c) => c.failed > 0))).toBe(0);
    for (const c of report.checks) expect(c.failed, c.name).toBe(0);
    expect(check(report, 9).passed).toBeGreaterThan(0);
    // counts and values are still compared in a capped bucket: one changed count is found
    await client.hincrby(day, 'count', 1);
    await client.hincrby(day, 'long_count', 1);
    await client.hincrby(day, 'binance_count', 1);
    await client.hincrby(day, 'binance_long_count', 1);
    await expectFailure(9, day, 'count');
    // an ALL bucket never holds quantities: qty_capped there is a field outside the schema
    await restore();
    const all = `liq:agg:ALL:60s:${m}`;
    await client.hset(all, 'qty_capped', '1');
    await expectFailure(7, all, 'qty_capped');
  });

  it('5. raw log: one log entry deleted', async () => {
    const entries = await client.xrange('liq:events', '-', '+');
    const [sid, fields] = entries[Math.floor(entries.length / 2)];
    const f = Object.fromEntries(fields.reduce<string[][]>((acc, v, i) => (i % 2 ? acc : [...acc, [v, fields[i + 1]]]), []));
    await client.xdel('liq:events', sid);
    const key = `liq:agg:${f.symbol}:60s:${Math.floor(Number(f.ts) / 60_000) * 60_000}`;
    const r = await expectFailure(5, key, 'count');
    expect(check(r, 5).firstFailure!.key).toBe(key);
  });

  it('5. raw log: a log entry whose bucket is gone', async () => {
    const key = `liq:agg:SOLUSDT:60s:${MINUTES[2]}`;
    await client.del(key);
    await client.zrem(`liq:top:60s:${MINUTES[2]}`, 'SOLUSDT');
    await expectFailure(5, key, '(bucket)');
  });

  it('6. entries: a duplicate entry, and an id missing from liq:seen', async () => {
    const [[, fields]] = await client.xrange('liq:events', '-', '+', 'COUNT', 1);
    await client.xadd('liq:events', '*', ...fields);
    const f = Object.fromEntries(fields.reduce<string[][]>((acc, v, i) => (i % 2 ? acc : [...acc, [v, fields[i + 1]]]), []));
    const minute = Math.floor(Number(f.ts) / 60_000) * 60_000;
    const r = await expectFailure(6, `liq:agg:${f.symbol}:60s:${minute}`, 'id');
    expect(check(r, 6).examples.some((e) => e.actual.includes('also in an earlier entry'))).toBe(true);

    await restore();
    await client.hdel(`liq:seen:60s:${minute}`, f.id);
    const r2 = await expectFailure(6, `liq:agg:${f.symbol}:60s:${minute}`, new RegExp(f.id));
    expect(check(r2, 5).failed).toBe(0);
  });

  it('6. entries: a value that does not follow from price × quantity', async () => {
    const entries = await client.xrange('liq:events', '-', '+');
    const hit = entries.find(([, fl]) => !fl.includes('usd'))!;
    const fields = [...hit[1]];
    fields[fields.indexOf('value_cents') + 1] = String(Number(fields[fields.indexOf('value_cents') + 1]) + 1);
    await client.xdel('liq:events', hit[0]);
    await client.xadd('liq:events', '*', ...fields);
    const sym = fields[fields.indexOf('symbol') + 1];
    const minute = Math.floor(Number(fields[fields.indexOf('ts') + 1]) / 60_000) * 60_000;
    await expectFailure(6, `liq:agg:${sym}:60s:${minute}`, /value_cents/);
  });

  it('7. sanity: a bucket without TTL, and a field that is not a string of digits', async () => {
    const key = `liq:agg:ETHUSD:60s:${MINUTES[2]}`;
    await client.persist(key);
    const r = await expectFailure(7, key, '(TTL)');
    for (const id of [1, 2, 3, 4, 5, 6, 8]) expect(check(r, id).failed).toBe(0);

    await restore();
    await client.hset(key, 'okx_short_count', '-1');
    await expectFailure(7, key, 'okx_short_count');

    await restore();
    await client.hset(key, 'binance_long_count', '1.0');
    await expectFailure(7, key, 'binance_long_count');
  });

  it('prices of one exchange 5% away from the others: a warning with the medians, not a failure of check 8', async () => {
    // rewrite the OKX BTCUSDT entry at +5%, its value following the new price (so the entry itself is consistent)
    const entries = await client.xrange('liq:events', '-', '+');
    const hit = entries.find(([, fl]) => fl[fl.indexOf('symbol') + 1] === 'BTCUSDT' && fl[fl.indexOf('exchange') + 1] === 'okx')!;
    const fields = [...hit[1]];
    const at = (name: string) => fields.indexOf(name) + 1;
    fields[at('price')] = '52500';
    fields[at('value_cents')] = String(Math.round(52500 * Number(fields[at('quantity')]) * 100));
    await client.xdel('liq:events', hit[0]);
    await client.xadd('liq:events', '*', ...fields);
    const key = `liq:agg:BTCUSDT:60s:${Math.floor(Number(fields[at('ts')]) / 60_000) * 60_000}`;
    const { run, report } = await forensicJson(redis.url);
    // the log no longer adds up to its bucket (check 5 fails: exit 1), but check 8 holds: the bucket's implied
    // price is still within the logged prices; the price difference is reported as a warning
    expect(run.code).toBe(1);
    expect(check(report, 5).firstFailure!.key).toBe(key);
    expect(check(report, 6).failed).toBe(0);
    expect(check(report, 8).failed).toBe(0);
    const [w] = report.warnings;
    expect(w.warned).toBe(1);
    expect(w.firstWarning!.key).toBe(key);
    expect(w.firstWarning!.figures).toMatchObject({ medians: { okx: 52500, binance: 50000.1, bybit: 50005.25 }, spreadPercent: 5 });
  });

  it('8. prices: a quantity in the wrong unit in the bucket', async () => {
    const key = `liq:agg:SOLUSDT:60s:${MINUTES[0]}`;
    const q = await client.hgetall(key);
    // quantity stored ×100 (e.g. e6 taken for e8): sides stay consistent, the implied price falls 100-fold
    await client.hset(key, 'qty_e8', String(BigInt(q.qty_e8) * 100n), 'long_qty_e8', String(BigInt(q.long_qty_e8 ?? '0') * 100n), 'short_qty_e8', String(BigInt(q.short_qty_e8 ?? '0') * 100n));
    const r = await expectFailure(8, key, /qty_e8/);
    expect(check(r, 1).failed).toBe(0);
  });
});

describe('forensic validator command line', () => {
  it('exits 2 with one line when Redis is unreachable', async () => {
    const port = await freePort();
    const run = await forensic(`redis://127.0.0.1:${port}`);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/^liqd-forensic: cannot reach Redis at redis:\/\/127\.0\.0\.1:\d+/);
  });

  it('exits 2 when there is nothing to check', async () => {
    await client.flushall();
    const run = await forensic(redis.url, ['--window', '15m']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/nothing to check/);
  });

  it('exits 2 with one line when the log cannot be read (an error in the log worker thread)', async () => {
    await restore();
    await client.del('liq:events');
    await client.set('liq:events', 'not a stream');
    const run = await forensic(redis.url);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/^liqd-forensic: cannot run: reading liq:events: WRONGTYPE/);
  });

  it('explains itself with --help and refuses bad options', async () => {
    const help = await forensic(redis.url, ['--help']);
    expect(help.code).toBe(0);
    for (const word of ['--window', '--symbol', '--json', '--strict', 'Exit codes', '7d', '1. sides', '8. prices', 'cross-exchange prices', 'median']) {
      expect(help.stdout).toContain(word);
    }
    const bad = await forensic(redis.url, ['--window', '2h']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--window must be one of 15m, 1h, 4h, 12h, 24h, 7d/);
  });
});
