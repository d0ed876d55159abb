// --once against a private Redis seeded in the documented schema: the exact seeded figures, sanitized, sorted.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PrivateRedis, freePort, startRedis } from '../support/redis.js';
import { runCli } from './cli.js';
import { seedStandard } from './seed.js';

let redis: PrivateRedis;
let env: Record<string, string>;

beforeAll(async () => {
  redis = await startRedis();
  env = { REDIS_URL: redis.url };
  await seedStandard(redis.client());
});
afterAll(async () => {
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

/** The rows of a table section whose first cell is one of `names`, in output order. */
function rowOrder(out: string, names: string[]): string[] {
  return out
    .split('\n')
    .map((l) => l.trim().split(/\s+/)[0].replace(/\*$/, ''))
    .filter((n) => names.includes(n));
}

describe('--once', () => {
  it('simple: exact seeded figures, exchanges by total USD, kraken from its fields, notes', async () => {
    const out = await once('simple');
    expect(out).toMatch(/^\s*bybit\s+4\s+\$1,234,568\s+\$234,567\s+\$1,469,135\s+74\.1%$/m);
    expect(out).toMatch(/^\s*binance\*\s+3\s+\$500,000\s+\$0\s+\$500,000\s+25\.2%$/m);
    expect(out).toMatch(/^\s*okx\s+1\s+\$0\s+\$12,346\s+\$12,346\s+0\.6%$/m);
    expect(out).toMatch(/^\s*kraken\s+1\s+\$999\s+\$0\s+\$999\s+0\.1%$/m);
    expect(out).toMatch(/^\s*TOTAL\*\s+9\s+\$1,735,567\s+\$246,913\s+\$1,982,480\s+100\.0%$/m);
    expect(rowOrder(out, ['bybit', 'binance', 'okx', 'kraken'])).toEqual(['bybit', 'binance', 'okx', 'kraken']);
    expect(out).toContain('binance: lower bound (≤1 liquidation/symbol/s published)');
    expect(out).toContain('feeds down during 1 minute of this window: bybit-linear (1 min)');
    expect(out).toContain('last 1h');
  });

  it('simple --window 4h: the bucket of two hours ago counts, and the order follows the totals', async () => {
    const out = await once('simple', '--window', '4h');
    expect(out).toMatch(/^\s*okx\s+2\s+\$7,000,000\s+\$12,346\s+\$7,012,346\s+/m);
    expect(out).toMatch(/^\s*TOTAL\*\s+10\s+\$8,735,567\s+\$246,913\s+\$8,982,480\s+100\.0%$/m);
    expect(rowOrder(out, ['bybit', 'binance', 'okx', 'kraken'])).toEqual(['okx', 'bybit', 'binance', 'kraken']);
  });

  it('simple --symbol btcusdt reads that symbol’s buckets', async () => {
    const out = await once('simple', '--symbol', 'btcusdt');
    expect(out).toContain('BTCUSDT');
    expect(out).toMatch(/^\s*bybit\s+2\s+\$1,000,000\s+\$0\s+\$1,000,000\s+83\.3%$/m);
    expect(out).toMatch(/^\s*binance\*\s+1\s+\$200,000\s+\$0\s+\$200,000\s+16\.7%$/m);
    expect(out).not.toMatch(/^\s*okx\s/m);
  });

  it('an empty window is an empty frame with a hint, not an error', async () => {
    const out = await once('simple', '--symbol', 'NOSUCHSYMBOL');
    expect(out).toMatch(/^\s*TOTAL\s+0\s+\$0\s+\$0\s+\$0\s+-$/m);
    expect(out).toContain('no liquidations in this window yet — is the daemon running? npm start');
  });

  it('compact: exchange × side, top 10 symbols, rate, largest; control characters never reach the output', async () => {
    const out = await once('compact');
    expect(out).toMatch(/^\s*bybit\s+3\s+\$1,234,568\s+1\s+\$234,567\s+4\s+\$1,469,135\s+74\.1%$/m);
    expect(out).toMatch(/^\s*kraken\s+1\s+\$999\s+0\s+\$0\s+1\s+\$999\s+0\.1%$/m);
    expect(out).toMatch(/^\s*1\s+BTCUSDT\s+\$1,200,000\s+60\.5%$/m);
    expect(out).toMatch(/^\s*2\s+ETHUSDT\s+\$446,913\s+22\.5%$/m);
    expect(out).toMatch(/^\s*4\s+EVILX\s+\$100,000\s+5\.0%$/m);
    expect(out).toMatch(/\$600,000\s+bybit\s+BTCUSDT\s+long\s+6\.18552 @ 97000\.5/);
    expect(out).toMatch(/last minute \d\d:\d\d UTC: \$\d[\d,]*\/min in \d+ liquidations/);
    expect(out).not.toContain('[31m');
    expect(out).not.toContain('pwned');
    expect(rowOrder(out, ['bybit', 'binance', 'okx', 'kraken'])).toEqual(['bybit', 'binance', 'okx', 'kraken']);
  });

  it('pro: series, bars, top symbols, feed with the largest marked, feed health with the dead stream', async () => {
    const out = await once('pro');
    expect(out).toMatch(/^\s*bybit\s+\$1,469,135$/m);
    expect(out).toMatch(/^\s*\d\d:\d\d:\d\d ▶\s+okx\s+BTCUSDT\s+long\s+96000\s+72\.9166\s+\$7,000,000$/m);
    expect(out).toMatch(/binance\*\s+EVILX\s+long\s+1\.5\s+66666\.67\s+\$100,000/);
    expect(out).toMatch(/✖\s+bybit-linear-0\s+DOWN: backoff\s+1m\d\ds ago\s+500\s+7/);
    expect(out).toMatch(/✓\s+okx-swap\s+open/);
    // The series covers the whole window: its event counts add up to the window's 9 events.
    const events = [...out.matchAll(/^\s*\d\d:\d\d\s+\$[\d,]+\s+\$[\d,]+\s+(\d+)$/gm)].reduce((a, m) => a + Number(m[1]), 0);
    expect(events).toBe(9);
  });

  it('cumulative: totals of 1h, 4h, 12h and 24h side by side, and the cumulative table', async () => {
    const out = await once('cumulative');
    expect(out).toMatch(/^\s*okx\s+long\s+\$0\s+\$7,000,000\s+\$7,000,000\s+\$7,000,000$/m);
    expect(out).toMatch(/^\s*bybit\s+long\s+\$1,234,568\s+\$1,234,568\s+\$1,234,568\s+\$1,234,568$/m);
    expect(out).toMatch(/^\s*kraken\s+long\s+\$999\s+\$999\s+\$999\s+\$999$/m);
    expect(out).toMatch(/^\s*TOTAL\*\s+all\s+\$1,982,480\s+\$8,982,480\s+\$8,982,480\s+\$8,982,480$/m);
    expect(out).toMatch(/^\s*events\s+9\s+10\s+10\s+10$/m);
    // The last row of the cumulative table is the window total of each exchange and side.
    const header = out.split('\n').find((l) => l.includes('UNTIL UTC'))!;
    expect(header).toMatch(/bybit long\s+bybit short\s+binance\* long/);
    const rows = out.split('\n').filter((l) => /^\s*\d\d:\d\d\s+\$/.test(l));
    expect(rows[rows.length - 1]).toMatch(/\$1,234,568\s+\$234,567\s+\$500,000\s+\$0\s+\$0\s+\$12,346\s+\$999\s+\$0$/);
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
    for (const args of [['simple', '--window', '2h'], ['nope'], [], ['simple', '--refresh', 'x'], ['simple', '--frob'], ['pro', '--symbol', 'a-b']]) {
      const r = await runCli(args, env);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.trimEnd().split('\n'), args.join(' ')).toHaveLength(1);
      expect(r.stderr).toContain('--help');
    }
    const h = await runCli(['--help'], env);
    expect(h.code).toBe(0);
    for (const word of ['simple', 'compact', 'pro', 'cumulative', '--window', '--symbol', '--refresh', '--once', 'REDIS_URL', 'LOG_FILE', 'Esc', 'Examples']) {
      expect(h.stdout).toContain(word);
    }
  });
});
