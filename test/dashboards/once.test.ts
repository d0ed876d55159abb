// --once against a private Redis seeded in the documented schema: the exact seeded figures (worked out by hand in
// expected.ts and below), sanitized, sorted; the filters (--coin, --exchange, --min-usd, --group) and the largest
// list compared with values computed by hand from the events seedStandard writes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PrivateRedis, freePort, startRedis } from '../support/redis.js';
import { runCli } from './cli.js';
import { ONCE_ROWS, rowRe } from './expected.js';
import { keepStatusFresh, seedStandard } from './seed.js';

let redis: PrivateRedis;
let env: Record<string, string>;
let stopKeepAlive: () => void;

beforeAll(async () => {
  redis = await startRedis();
  env = { REDIS_URL: redis.url };
  await seedStandard(redis.client());
  stopKeepAlive = keepStatusFresh(redis.client());
});
afterAll(async () => {
  stopKeepAlive?.();
  await redis?.stop();
});

// Anything but printable text and newlines: C0 (except \n), DEL, C1, ESC.
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;

async function once(...args: string[]): Promise<string> {
  const r = await runCli([...args, '--once'], env);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  expect(r.stdout).not.toMatch(CONTROL);
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

/** Rows of a liquidation list: [exchange, symbol, side, usd], in output order (the header skipped). */
function liquidations(lines: string[]): string[][] {
  return lines.slice(1).map((l) => {
    const cells = l.trim().replace(' ▶', '').split(/\s+/);
    return [cells[1], cells[2], cells[3], cells[cells.length - 1]];
  });
}

/** The first cell of each row of a table section that is one of `names`, in output order. */
function rowOrder(lines: string[], names: string[]): string[] {
  return lines.map((l) => l.trim().split(/\s+/)[0].replace(/\*$/, '')).filter((n) => names.includes(n));
}

describe('--once', () => {
  it('simple: per exchange events, long, short, total, share and L/S split, the total row, the rate', async () => {
    const out = await once('simple');
    for (const [name, cells] of Object.entries(ONCE_ROWS)) expect(out).toMatch(rowRe(`  ${name}`, ...cells));
    const table = section(out, 'USD BY EXCHANGE');
    expect(rowOrder(table, ['bybit', 'binance', 'bitmex', 'hyperliquid', 'gate', 'okx', 'kraken'])).toEqual(['bybit', 'binance', 'bitmex', 'hyperliquid', 'gate', 'okx', 'kraken']);
    const rate = section(out, 'RATE');
    expect(rate[0]).toMatch(/^ {2}last minute \d\d:\d\d UTC: \$[\d,]+\/min in \d+ liquidations · L\/S (\d+% \/ \d+%|-)$/);
    expect(rate[1]).toMatch(/^ {2}this minute so far \(\d\d:\d\d UTC\): \$[\d,]+ in \d+ liquidations$/);
    // 60 minutes, one character each; the busiest minute (5 ago: bybit $1,000,000 + binance $200,000) is the peak.
    expect(rate[2]).toMatch(/^ {2}USD per minute, \d\d:\d\d–\d\d:\d\d: [·▁▂▃▄▅▆▇█]{60} peak \$1,200,000$/);
    expect(section(out, 'FEEDS')[0]).toBe('  feeds 5/6 open · DOWN: bybit-linear-0 (backoff) · binance* = lower bound');
    expect(out).toContain('* binance: lower bound (≤1 liquidation/symbol/s published)');
    expect(out).toContain('feeds down during 1 minute of this window: bybit-linear (1 min)');
    expect(out).not.toContain('no liquidations in this window yet');
  });

  it('simple --window 4h: the bucket of two hours ago counts, and the order follows the totals', async () => {
    const out = await once('simple', '--window', '4h');
    // okx: 3 events of the hour + the $7,000,000.00 long of two hours ago.
    expect(out).toMatch(rowRe('  okx', 4, '$7,030,000', '$37,346', '$7,067,346', '75.3%', '99% / 1%'));
    expect(out).toMatch(rowRe('  TOTAL*', 17, '$8,915,567', '$471,913', '$9,387,480', '100.0%', '95% / 5%'));
    expect(rowOrder(section(out, 'USD BY EXCHANGE'), ['bybit', 'binance', 'okx'])).toEqual(['okx', 'bybit', 'binance']);
  });

  it('simple --symbol btcusdt reads that symbol’s buckets', async () => {
    const out = await once('simple', '--symbol', 'btcusdt');
    expect(out.split('\n')[0]).toMatch(/^liqd simple \| BTCUSDT \| last 1h/);
    // BTCUSDT: bybit 2 longs $1,000,000; binance 1 long $200,000; okx 1 short $25,000.
    expect(out).toMatch(rowRe('  bybit', 2, '$1,000,000', '$0', '$1,000,000', '81.6%', '100% / 0%'));
    expect(out).toMatch(rowRe('  binance*', 1, '$200,000', '$0', '$200,000', '16.3%', '100% / 0%'));
    expect(out).toMatch(rowRe('  okx', 1, '$0', '$25,000', '$25,000', '2.0%', '0% / 100%'));
    expect(out).toMatch(rowRe('  TOTAL*', 4, '$1,200,000', '$25,000', '$1,225,000', '100.0%', '98% / 2%'));
    expect(out).not.toMatch(/^\s+bitmex/m);
  });

  it('an unknown symbol says so and lists the nearest known symbols; a coin given as a symbol points to --coin', async () => {
    const nope = await once('simple', '--symbol', 'NOPEUSDT');
    expect(nope).toMatch(rowRe('  TOTAL', 0, '$0', '$0', '$0', '-', '-'));
    expect(nope).toMatch(/no data for NOPEUSDT in the last 1h; nearest known symbols: [A-Z0-9牛来_, ]*SOLUSDT/);
    expect(nope).not.toContain('is the daemon running');
    const btc = await once('simple', '--symbol', 'BTC');
    expect(btc).toContain('no data for BTC in the last 1h; nearest known symbols: BTCUSDT, BTCUSD, BTCUSDT_261225, BTCUSDC (every BTC instrument: --coin BTC');
  });

  it('--coin BTC sums BTCUSDT, BTCUSD, BTCUSDC and the dated BTCUSDT_261225, not XBTUSD', async () => {
    const out = await once('compact', '--coin', 'btc');
    expect(out.split('\n')[0]).toMatch(/^liqd compact \| coin BTC \| last 1h/);
    // bybit BTCUSDT 2 longs $1,000,000; binance BTCUSDT long $200,000; bitmex BTCUSD short $150,000; gate
    // BTCUSDT_261225 long $80,000; hyperliquid BTCUSDC short $45,000; okx BTCUSDT short $25,000.
    expect(out).toMatch(rowRe('  bybit', 2, '$1,000,000', 0, '$0', 2, '$1,000,000', '66.7%', '100% / 0%'));
    expect(out).toMatch(rowRe('  bitmex', 0, '$0', 1, '$150,000', 1, '$150,000', '10.0%', '0% / 100%'));
    expect(out).toMatch(rowRe('  hyperliquid', 0, '$0', 1, '$45,000', 1, '$45,000', '3.0%', '0% / 100%'));
    expect(out).toMatch(rowRe('  TOTAL*', 4, '$1,280,000', 3, '$220,000', 7, '$1,500,000', '100.0%', '85% / 15%'));
    expect(out).not.toMatch(/^\s+kraken/m);
    const top = section(out, 'TOP 4 SYMBOLS BY USD (coin BTC)');
    expect(top.slice(1).map((l) => l.trim().split(/\s+/).slice(1, 3))).toEqual([
      ['BTCUSDT', '$1,225,000'],
      ['BTCUSD', '$150,000'],
      ['BTCUSDT_261225', '$80,000'],
      ['BTCUSDC', '$45,000'],
    ]);
    expect(liquidations(section(out, 'LARGEST 7 LIQUIDATIONS'))).toEqual([
      ['bybit', 'BTCUSDT', 'long', '$600,000'],
      ['bybit', 'BTCUSDT', 'long', '$400,000'],
      ['binance*', 'BTCUSDT', 'long', '$200,000'],
      ['bitmex', 'BTCUSD', 'short', '$150,000'],
      ['gate', 'BTCUSDT_261225', 'long', '$80,000'],
      ['hyperliquid', 'BTCUSDC', 'short', '$45,000'],
      ['okx', 'BTCUSDT', 'short', '$25,000'],
    ]);
    expect(out).toContain("largest list: from each minute's 10 largest liquidations of the market (liq:big)");
  });

  it('--exchange okx,bybit: totals, shares, top symbols and the largest list of those two only', async () => {
    const out = await once('compact', '--exchange', 'okx,BYBIT');
    expect(out.split('\n')[0]).toMatch(/^liqd compact \| all symbols \| last 1h \| okx\+bybit only \|/);
    // bybit 146,913,450 + okx 6,734,567 = 153,648,017 cents; long 126,456,750 (82.3%).
    expect(out).toMatch(rowRe('  bybit', 3, '$1,234,568', 1, '$234,567', 4, '$1,469,135', '95.6%', '84% / 16%'));
    expect(out).toMatch(rowRe('  okx', 1, '$30,000', 2, '$37,346', 3, '$67,346', '4.4%', '45% / 55%'));
    expect(out).toMatch(rowRe('  TOTAL', 4, '$1,264,568', 3, '$271,913', 7, '$1,536,480', '100.0%', '82% / 18%'));
    // Feed health (the daemon's streams) still lists every stream; the figures name the two exchanges only.
    expect(out.split('\nFEEDS\n')[0]).not.toMatch(/binance|bitmex|kraken|hyperliquid|gate/);
    expect(section(out, 'FEEDS')[0]).not.toContain('lower bound');
    // From the symbol buckets' bybit_ and okx_value_cents: BTCUSDT 1,000,000 + 25,000; ETHUSDT 234,567.50 + 12,345.67.
    const top = section(out, 'TOP 4 SYMBOLS BY USD');
    expect(top.slice(1).map((l) => l.trim().split(/\s+/).slice(1))).toEqual([
      ['BTCUSDT', '$1,025,000', '66.7%'],
      ['ETHUSDT', '$246,913', '16.1%'],
      ['SOLUSDT', '$234,567', '15.3%'],
      ['1000PEPEUSDT', '$30,000', '2.0%'],
    ]);
    expect(liquidations(section(out, 'LARGEST 7 LIQUIDATIONS')).map((r) => r[3])).toEqual(['$600,000', '$400,000', '$234,568', '$234,567', '$30,000', '$25,000', '$12,346']);
  });

  it('the largest list: the window’s 10 largest from liq:big, ties by time (newest first)', async () => {
    const out = await once('compact');
    expect(liquidations(section(out, 'LARGEST 10 LIQUIDATIONS (liq:big)'))).toEqual([
      ['bybit', 'BTCUSDT', 'long', '$600,000'],
      ['bybit', 'BTCUSDT', 'long', '$400,000'],
      ['bybit', 'ETHUSDT', 'long', '$234,568'],
      ['bybit', 'SOLUSDT', 'short', '$234,567'],
      ['binance*', 'ETHUSDT', 'long', '$200,000'],
      ['binance*', 'BTCUSDT', 'long', '$200,000'],
      ['bitmex', 'BTCUSD', 'short', '$150,000'],
      ['binance*', 'EVILX', 'long', '$100,000'],
      ['gate', 'BTCUSDT_261225', 'long', '$80,000'],
      ['hyperliquid', 'ETHUSDT', 'long', '$70,000'],
    ]);
    expect(out).toMatch(/\d\d:\d\d:10\s+bybit\s+BTCUSDT\s+long\s+97000\.5\s+6\.18552\s+\$600,000/);
    expect(out).not.toContain('largest list: from each minute');
  });

  it('--min-usd 100k: the largest list and the live feed keep liquidations of $100,000 and more', async () => {
    const out = await once('pro', '--min-usd', '100k');
    expect(out.split('\n')[0]).toContain('| lists ≥ $100k |');
    expect(liquidations(section(out, 'LARGEST 8 LIQUIDATIONS (liq:big, at least $100,000)')).map((r) => `${r[1]} ${r[3]}`)).toEqual([
      'BTCUSDT $600,000',
      'BTCUSDT $400,000',
      'ETHUSDT $234,568',
      'SOLUSDT $234,567',
      'ETHUSDT $200,000',
      'BTCUSDT $200,000',
      'BTCUSD $150,000',
      'EVILX $100,000',
    ]);
    // The feed is liq:events (not bounded by the window): the same 8, newest first, then the $7,000,000 of two
    // hours ago, the largest, marked.
    const feed = section(out, 'LATEST LIQUIDATIONS (liq:events, at least $100,000');
    expect(liquidations(feed).map((r) => r[3])).toEqual(['$100,000', '$234,568', '$200,000', '$234,567', '$200,000', '$400,000', '$600,000', '$150,000', '$7,000,000']);
    expect(feed[feed.length - 1]).toMatch(/^\s+\d\d:\d\d:10 ▶\s+okx\s+BTCUSDT\s+long\s+96000\s+72\.9166\s+\$7,000,000$/);
    // The totals are not filtered by the floor.
    expect(out).toMatch(rowRe('  TOTAL*', 16, '$1,915,567', '$471,913', '$2,387,480', '100.0%', '80% / 20%'));
  });

  it('the live feed is in event-time order, whatever order the events were written in', async () => {
    const out = await once('pro');
    const times = section(out, 'LATEST LIQUIDATIONS').slice(1).map((l) => l.trim().slice(0, 8));
    expect(times.length).toBe(17);
    // Same day: the seeded times lie within the last two hours; HH:MM:SS compares as text unless midnight passed.
    const sorted = [...times].sort().reverse();
    if (times[0] >= times[times.length - 1]) expect(times).toEqual(sorted);
  });

  it('--group coin: the top list sums each coin over its instruments', async () => {
    const out = await once('compact', '--group', 'coin');
    expect(section(out, 'TOP 7 COINS BY USD').slice(1).map((l) => l.trim().split(/\s+/).slice(1))).toEqual([
      ['BTC', '$1,500,000', '62.8%'],
      ['ETH', '$516,913', '21.7%'],
      ['SOL', '$234,567', '9.8%'],
      ['EVILX', '$100,000', '4.2%'],
      ['PEPE', '$30,000', '1.3%'],
      ['牛来', '$5,000', '0.2%'],
      ['XBT', '$999', '0.0%'],
    ]);
  });

  it('pro: one series label from the window, the same as on screen; exchanges, top symbols, feed health', async () => {
    const out = await once('pro');
    const series = section(out, 'USD PER MINUTE (LONG / SHORT)');
    expect(series).toHaveLength(61);
    const events = series.slice(1).reduce((a, l) => a + Number(l.trim().split(/\s+/).pop()), 0);
    expect(events).toBe(16);
    const four = await once('pro', '--window', '4h');
    expect(section(four, 'USD PER 5 MINUTES (LONG / SHORT)')).toHaveLength(49);
    expect(out).toMatch(/^\s+1\s+BTCUSDT\s+\$1,225,000\s+51\.3%$/m);
    expect(out).toMatch(/^\s+✖\s+bybit-linear-0\s+DOWN: backoff\s+1m\d\ds ago\s+500\s+7$/m);
    expect(out).toMatch(/binance\*\s+EVILX\s+long\s+1\.5\s+66666\.67\s+\$100,000/);
    expect(out).not.toMatch(/\[31m|\[2J|pwned/);
  });

  it('--window 7d and 30d read the rollups: the totals of every seeded event, the step labelled, dates on the series', async () => {
    const week = await once('simple', '--window', '7d');
    expect(week).toMatch(rowRe('  okx', 4, '$7,030,000', '$37,346', '$7,067,346', '75.3%', '99% / 1%'));
    expect(week).toMatch(rowRe('  TOTAL*', 17, '$8,915,567', '$471,913', '$9,387,480', '100.0%', '95% / 5%'));
    expect(week).toMatch(/USD per 3 hours, \d\d-\d\d \d\d:00–\d\d-\d\d \d\d:00: /);
    expect(week).toContain('7d: hourly rollups, whole hours UTC since');
    expect(week).toMatch(/\(current hour in progress\)/);
    const month = await once('pro', '--window', '30d');
    const days = section(month, 'USD PER DAY (LONG / SHORT)');
    expect(days).toHaveLength(31);
    // the seeded events lie in the last two hours: today's row, and yesterday's too just after midnight UTC
    const today = new Date().toISOString().slice(0, 10);
    expect(days[30]).toMatch(new RegExp(`^\\s+${today} 00:00\\s`));
    const rows = days.slice(1).map((l) => /^\s+(\d{4}-\d\d-\d\d) 00:00\s+\$([\d,]+)\s+\$([\d,]+)\s+(\d+)$/.exec(l));
    expect(rows.every((r) => r !== null)).toBe(true);
    const dollars = (t: string) => Number(t.replaceAll(',', ''));
    const sum = (i: number) => rows.reduce((a, r) => a + dollars(r![i]), 0);
    expect([sum(2), sum(3), sum(4)]).toEqual([8_915_567, 471_913, 17]);
    expect(rows.slice(0, 28).every((r) => r![4] === '0')).toBe(true);
    expect(month).toMatch(/^\s+1\s+BTCUSDT\s+\$8,225,000\s+/m);
    expect(month).toMatch(/feeds down during 1 minute of the last 24h: bybit-linear \(1 min\)/);
  });

  it('pro lists the latest alerts of liq:alerts', async () => {
    expect(section(await once('pro'), 'LATEST ALERTS')).toEqual(['  no alerts (ALERT_MIN_USD, ALERT_MINUTE_USD on the daemon)']);
    const c = redis.client();
    const ts = Date.now() - 60_000;
    await c.xadd('liq:alerts', '*', 'id', 'e1', 'kind', 'liquidation', 'at', String(ts + 50), 'ts', String(ts), 'exchange', 'okx', 'symbol', 'BTCUSDT', 'side', 'long', 'price', '96000', 'quantity', '72.9166', 'value_cents', '700000000');
    await c.xadd('liq:alerts', '*', 'id', `${ts}|ALL|500000000`, 'kind', 'minute', 'at', String(ts + 60), 'minute', String(Math.floor(ts / 60_000) * 60_000), 'symbol', 'ALL', 'threshold_cents', '500000000', 'value_cents', '700000000');
    const lines = section(await once('pro'), 'LATEST ALERTS');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^\s+\d\d-\d\d \d\d:\d\d minute ALL reached \$7,000,000\.00 \(≥ \$5,000,000\.00\)$/);
    expect(lines[1]).toMatch(/^\s+\d\d-\d\d \d\d:\d\d BTCUSDT okx long \$7,000,000\.00 \(96000 × 72\.9166\)$/);
    await c.del('liq:alerts');
  });

  it('cumulative: totals of 1h, 4h, 12h and 24h side by side, and the cumulative table', async () => {
    const out = await once('cumulative');
    expect(out).toMatch(rowRe('  okx', 'long', '$30,000', '$7,030,000', '$7,030,000', '$7,030,000'));
    expect(out).toMatch(rowRe('  bybit', 'long', '$1,234,568', '$1,234,568', '$1,234,568', '$1,234,568'));
    expect(out).toMatch(rowRe('  kraken', 'long', '$999', '$999', '$999', '$999'));
    expect(out).toMatch(rowRe('  TOTAL*', 'all', '$2,387,480', '$9,387,480', '$9,387,480', '$9,387,480'));
    expect(out).toMatch(rowRe('  ', 'events', 16, 17, 17, 17));
    const header = out.split('\n').find((l) => l.includes('UNTIL UTC'))!;
    expect(header).toMatch(/bybit long\s+bybit short\s+binance\* long\s+binance\* short\s+bitmex long/);
    const rows = section(out, 'CUMULATIVE USD SINCE').filter((l) => /^\s*\d\d:\d\d\s+\$/.test(l));
    expect(rows.length).toBeLessThanOrEqual(12);
    // The last row: each exchange and side over the window (bybit, binance, bitmex, hyperliquid, gate, okx, kraken).
    expect(rows[rows.length - 1]).toMatch(/\$1,234,568\s+\$234,567\s+\$500,000\s+\$5,000\s+\$0\s+\$150,000\s+\$70,000\s+\$45,000\s+\$80,000\s+\$0\s+\$30,000\s+\$37,346\s+\$999\s+\$0$/);
  });

  it('exits 2 with one line on stderr when Redis cannot be reached', async () => {
    const port = await freePort();
    const started = Date.now();
    const r = await runCli(['simple', '--once'], { REDIS_URL: `redis://127.0.0.1:${port}` });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/Redis unreachable at redis:\/\/127\.0\.0\.1:\d+.*ECONNREFUSED/);
    expect(Date.now() - started).toBeLessThan(8000);
  });

  it('bad options exit 2 with one line and a pointer to --help; --help answers', async () => {
    for (const args of [
      ['simple', '--window', '2h'],
      ['nope'],
      [],
      ['simple', '--refresh', 'x'],
      ['simple', '--frob'],
      ['pro', '--symbol', 'a-b'],
      ['pro', '--coin', 'BTC', '--symbol', 'BTCUSDT'],
      ['pro', '--exchange', 'ok x'],
      ['pro', '--exchange', ','],
      ['pro', '--min-usd', 'lots'],
      ['pro', '--group', 'exchange'],
      ['pro', '--color', 'sometimes'],
    ]) {
      const r = await runCli(args, env);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.trimEnd().split('\n'), args.join(' ')).toHaveLength(1);
      expect(r.stderr).toContain('--help');
    }
    const h = await runCli(['--help'], env);
    expect(h.code).toBe(0);
    for (const word of ['simple', 'compact', 'pro', 'cumulative', '--window', '--symbol', '--coin', '--exchange', '--min-usd', '--group', '--color', 'NO_COLOR', '--refresh', '--once', 'REDIS_URL', 'LOG_FILE', 'Esc', 'Examples']) {
      expect(h.stdout).toContain(word);
    }
  });
});
