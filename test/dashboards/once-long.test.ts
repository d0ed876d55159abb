// --window 90d --once: the daily rollups, one period per day UTC. Events seeded across three months (and one the day
// before the window, which must not count) are summed by hand below; the step is labelled and every day is listed.
//
// in the window (days before today's midnight T):
//   C  T-89d 00:00:05  binance BTCUSDT long   20,000,000 cents  (the window's first day)
//   A  T-80d 00:00:05  okx     BTCUSDT long  700,000,000
//   B  T-40d 00:00:05  bybit   ETHUSDT short   1,234,567
//   E  T-40d 03:00:00  bybit   BTCUSDT long    3,000,000         (same day as B)
//   F  today           okx     SOLUSDT short      99,949         (the day in progress)
// outside: D  T-89d minus 10 s (the day before the window)  binance ETHUSDT short 5,000,000
//
// exchange  events  long                      short                 total                        share  L/S
// okx       2       700,000,000 $7,000,000    99,949 $999           700,099,949 $7,000,999       96.7%  99% / 1%
// binance*  1       20,000,000 $200,000       0                     20,000,000 $200,000          2.8%   100% / 0%
// bybit     2       3,000,000 $30,000         1,234,567 $12,346     4,234,567 $42,346            0.6%   71% / 29%
// TOTAL*    5       723,000,000 $7,230,000    1,334,516 $13,345     724,334,516 $7,243,345       100%   99% / 1%
// (L/S: 99.99% and 99.8% long round half-up to 100%, but a side that has any USD never shows 0%: formatLongShort)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DAY_MS, HOUR_MS, periodOf } from '../../src/core/keys.js';
import { type PrivateRedis, startRedis } from '../support/redis.js';
import { runCli } from './cli.js';
import { rowRe } from './expected.js';
import { addEvents, setStatus, standardStatus } from './seed.js';

const NOW = Date.now();
const T = periodOf(NOW, '1d');
const day = (t: number) => new Date(t).toISOString().slice(0, 10);
const md = (t: number) => new Date(t).toISOString().slice(5, 10);

let redis: PrivateRedis;
beforeAll(async () => {
  redis = await startRedis();
  const c = redis.client();
  await addEvents(c, [
    { exchange: 'binance', symbol: 'BTCUSDT', side: 'long', valueCents: 20_000_000, price: '97010', quantity: '2.0616', ts: T - 89 * DAY_MS + 5_000 },
    { exchange: 'binance', symbol: 'ETHUSDT', side: 'short', valueCents: 5_000_000, price: '3500', quantity: '14.2857', ts: T - 89 * DAY_MS - 10_000 },
    { exchange: 'okx', symbol: 'BTCUSDT', side: 'long', valueCents: 700_000_000, price: '96000', quantity: '72.9166', ts: T - 80 * DAY_MS + 5_000 },
    { exchange: 'bybit', symbol: 'ETHUSDT', side: 'short', valueCents: 1_234_567, price: '3499.9', quantity: '3.5274', ts: T - 40 * DAY_MS + 5_000 },
    { exchange: 'bybit', symbol: 'BTCUSDT', side: 'long', valueCents: 3_000_000, price: '97000', quantity: '0.03092784', ts: T - 40 * DAY_MS + 3 * HOUR_MS },
    { exchange: 'okx', symbol: 'SOLUSDT', side: 'short', valueCents: 99_949, price: '150.25', quantity: '6.6522', ts: Math.max(T, NOW - 60_000) },
  ]);
  await setStatus(c, 'test-1', standardStatus(NOW), NOW);
});
afterAll(async () => {
  await redis?.stop();
});

async function once(screen: string): Promise<string> {
  const r = await runCli([screen, '--window', '90d', '--once'], { REDIS_URL: redis.url });
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return r.stdout;
}

/** The lines of the section whose title starts with `title`, up to the next blank line. */
function section(out: string, title: string): string[] {
  const lines = out.split('\n');
  const start = lines.findIndex((l) => l.startsWith(title));
  expect(start, `section ${title}\n${out}`).toBeGreaterThanOrEqual(0);
  const end = lines.findIndex((l, i) => i > start && l === '');
  return lines.slice(start + 1, end < 0 ? undefined : end);
}

describe('--window 90d --once', () => {
  it('simple: the totals of the 90 days by hand (not the day before), the step labelled per day', async () => {
    const out = await once('simple');
    expect(out.split('\n')[0]).toMatch(new RegExp(`^liqd simple \\| all symbols \\| last 90d \\| as of \\d\\d:\\d\\d:\\d\\d UTC \\| ${day(T - 89 * DAY_MS)} 00:00 → ${day(T + DAY_MS)} 00:00 UTC \\(current day in progress\\)$`));
    const table = section(out, 'USD BY EXCHANGE');
    expect(table).toHaveLength(6);
    expect(table[1]).toMatch(rowRe('  okx', 2, '$7,000,000', '$999', '$7,000,999', '96.7%', '99% / 1%'));
    expect(table[2]).toMatch(rowRe('  binance*', 1, '$200,000', '$0', '$200,000', '2.8%', '100% / 0%'));
    expect(table[3]).toMatch(rowRe('  bybit', 2, '$30,000', '$12,346', '$42,346', '0.6%', '71% / 29%'));
    expect(table[5]).toMatch(rowRe('  TOTAL*', 5, '$7,230,000', '$13,345', '$7,243,345', '100.0%', '99% / 1%'));
    // one character a day: 90, the peak that of A
    expect(section(out, 'RATE')[2]).toMatch(new RegExp(`^ {2}USD per day, ${md(T - 89 * DAY_MS)} 00:00–${md(T + DAY_MS)} 00:00: [·▁▂▃▄▅▆▇█]{90} peak \\$7,000,000$`));
    expect(section(out, 'NOTES')).toContain(`  90d: daily rollups, whole days UTC since ${day(T - 89 * DAY_MS)} 00:00 UTC`);
  });

  it('pro: one row per day for 90 days, each day its own sum, today included; symbols over the whole window', async () => {
    const out = await once('pro');
    const days = section(out, 'USD PER DAY (LONG / SHORT)');
    expect(days).toHaveLength(91);
    expect(days[0]).toMatch(/^\s+FROM UTC\s+LONG\s+SHORT\s+EVENTS$/);
    const rows = days.slice(1).map((l) => l.trim().split(/\s+/));
    expect(rows.map((r) => r[0])).toEqual(Array.from({ length: 90 }, (_, i) => day(T - (89 - i) * DAY_MS)));
    const busy = rows.filter((r) => r[4] !== '0').map((r) => [r[0], r[2], r[3], r[4]]);
    expect(busy).toEqual([
      [day(T - 89 * DAY_MS), '$200,000', '$0', '1'],
      [day(T - 80 * DAY_MS), '$7,000,000', '$0', '1'],
      [day(T - 40 * DAY_MS), '$30,000', '$12,346', '2'],
      [day(T), '$0', '$999', '1'],
    ]);
    expect(section(out, 'TOP 3 SYMBOLS BY USD').slice(1).map((l) => l.trim().split(/\s+/))).toEqual([
      ['1', 'BTCUSDT', '$7,230,000', '99.8%'],
      ['2', 'ETHUSDT', '$12,346', '0.2%'],
      ['3', 'SOLUSDT', '$999', '0.0%'],
    ]);
    // the largest of the window, not the one of the day before it ($50,000)
    expect(section(out, 'LARGEST 5 LIQUIDATIONS').slice(1).map((l) => l.trim().split(/\s+/).slice(2).join(' '))).toEqual([
      'okx BTCUSDT long 96000 72.9166 $7,000,000',
      'binance* BTCUSDT long 97010 2.0616 $200,000',
      'bybit BTCUSDT long 97000 0.03092784 $30,000',
      'bybit ETHUSDT short 3499.9 3.5274 $12,346',
      'okx SOLUSDT short 150.25 6.6522 $999',
    ]);
  });
});
