// Each dashboard in a real terminal (tmux): redraw after a new bucket, the Redis-down overlay and recovery, a start
// with Redis down that draws as soon as Redis comes, the keys (window, symbol, coin, grouping), a terminal too small,
// NO_COLOR, and exit 0 on q.
import type { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { minuteOf } from '../../src/core/keys.js';
import { type PrivateRedis, startRedis } from '../support/redis.js';
import { parseCapture, unreadable } from './screen.js';
import { addEvents, keepStatusFresh, seedStandard } from './seed.js';
import { TmuxPane } from './tmux.js';

let redis: PrivateRedis | undefined;
let pane: TmuxPane | undefined;
let stopKeepAlive: (() => void) | undefined;
let client: Redis | undefined;

afterEach(async () => {
  stopKeepAlive?.();
  stopKeepAlive = undefined;
  pane?.kill();
  pane = undefined;
  await redis?.stop();
  redis = undefined;
});

async function seeded(): Promise<PrivateRedis> {
  redis = await startRedis();
  client = redis.client();
  client.on('error', () => {}); // some tests kill the server on purpose
  await seedStandard(client);
  stopKeepAlive = keepStatusFresh(client);
  return redis;
}

// Control characters or escape remnants from the seeded "EVIL" symbol must never be drawn.
function expectClean(screen: string): void {
  expect(screen).not.toMatch(/\[31m|\[2J|pwned/);
}

interface Case {
  name: string;
  /** Proves the seeded figures are drawn. */
  seeded: RegExp;
  /** Proves the redraw after bybit gets another $55,555.55 long in the current minute. */
  after: RegExp;
}

// bybit: $1,469,134.50 → $1.47M; with $55,555.55 more, $1,524,690.05 → $1.52M (long $1,290,123.05 → $1.29M).
const CASES: Case[] = [
  { name: 'simple', seeded: /bybit\s+4\s+\$1\.23M\s+\$235k\s+\$1\.47M\s+61\.5%\s+84% \/ 16%/, after: /bybit\s+5\s+\$1\.29M\s+\$235k\s+\$1\.52M/ },
  { name: 'compact', seeded: /bybit\s+3\s+\$1\.23M\s+1\s+\$235k\s+4\s+\$1\.47M/, after: /bybit\s+4\s+\$1\.29M\s+1\s+\$235k\s+5\s+\$1\.52M/ },
  { name: 'pro', seeded: /bybit\s+█+\s+\$1\.47M 84\/16/, after: /bybit\s+█+\s+\$1\.52M 85\/15/ },
  { name: 'cumulative', seeded: /TOTAL\*\s+all\s+\$2\.39M\s+\$9\.39M/, after: /TOTAL\*\s+all\s+\$2\.44M\s+\$9\.44M/ },
];

describe('interactive dashboards under tmux', () => {
  for (const c of CASES) {
    it(`${c.name}: draws, redraws, survives Redis going away, quits with 0 on q`, async () => {
      const r = await seeded();
      pane = new TmuxPane();
      pane.start([c.name, '--refresh', '1'], { REDIS_URL: r.url }, 160, 45);
      const first = await pane.waitFor(c.seeded);
      expect(first).toMatch(new RegExp(`liqd ${c.name} \\| all symbols \\| last 1h`));
      expect(first).toMatch(/feeds 5\/6 open · +DOWN: bybit-linear-0 \(backoff\) +· binance\* = lower bound/);
      expectClean(first);

      const now = Date.now();
      await addEvents(client!, [
        { exchange: 'bybit', symbol: 'BTCUSDT', side: 'long', valueCents: 5_555_555, price: '97100', quantity: '0.57215', ts: Math.max(minuteOf(now), now - 1000) },
      ]);
      await pane.waitFor(c.after);

      stopKeepAlive?.();
      await r.kill();
      await pane.waitFor('Redis unreachable, retrying');

      // Back, empty (nothing persisted): the dashboard recovers by itself and says the window is empty, once.
      await r.start();
      const back = await pane.waitFor((p) => !p.includes('Redis unreachable') && p.includes('no liquidations in this window yet'));
      expect(back.split('no liquidations in this window yet')).toHaveLength(2);
      expectClean(back);

      pane.keys('q');
      await pane.waitFor('EXIT=0');
    });
  }

  it('started with Redis down: the retrying overlay, then the frame within one refresh of Redis coming up', async () => {
    redis = await startRedis();
    await redis.kill();
    pane = new TmuxPane();
    pane.start(['simple', '--refresh', '2'], { REDIS_URL: redis.url }, 100, 30);
    const overlay = await pane.waitFor('Redis unreachable, retrying');
    expect(overlay).toContain(`no data yet · ${redis.url}`);
    await new Promise((res) => setTimeout(res, 2500));
    expect(pane.capture()).not.toContain('EXIT=');

    await redis.start();
    const c = redis.client();
    await seedStandard(c);
    stopKeepAlive = keepStatusFresh(c);
    const up = Date.now();
    await pane.waitFor(/TOTAL\*\s+16\s+\$1\.92M/, 10_000);
    const took = Date.now() - up;
    // Reconnects at most a second apart, then draws within one refresh (2 s); the screen polls every 200 ms. The
    // rest is slack for a loaded machine (2.9 s was seen under CI): a backoff that grew past seconds would still fail.
    expect(took).toBeLessThan(1000 + 2000 + 1000);
    expect(pane.capture()).not.toContain('Redis unreachable');
    pane.keys('q');
    await pane.waitFor('EXIT=0');
  });

  it('keys: w cycles the window, s takes a symbol and Enter on empty means all, c a coin, g groups the top list by coin', async () => {
    const r = await seeded();
    pane = new TmuxPane();
    pane.start(['compact', '--refresh', '1'], { REDIS_URL: r.url }, 120, 40);
    await pane.waitFor(/1\s+BTCUSDT\s+\$1\.23M/);

    pane.keys('w');
    await pane.waitFor(/\| last 4h \|/);
    await pane.waitFor(/okx\s+2\s+\$7\.03M\s+2\s+\$37\.3k\s+4\s+\$7\.07M/);

    pane.keys('s');
    await pane.waitFor('Enter on empty: all symbols');
    // The prompt reads on any background: no black field or buttons.
    expect(unreadable(parseCapture(await pane.captureEscapes()))).toEqual([]);
    pane.keys('ethusdt', 'Enter');
    await pane.waitFor(/liqd compact \| ETHUSDT \| last 4h/);
    // ETHUSDT: bybit long $234,567.50, binance long $200,000, hyperliquid long $70,000, okx short $12,345.67.
    await pane.waitFor(/TOTAL\*\s+3\s+\$505k\s+1\s+\$12\.3k\s+4\s+\$517k/);

    // The prompt starts empty: Enter alone goes back to every symbol.
    pane.keys('s');
    await pane.waitFor('Enter on empty: all symbols');
    pane.keys('Enter');
    await pane.waitFor(/liqd compact \| all symbols \| last 4h/);

    pane.keys('c');
    await pane.waitFor('Coin, e.g. BTC');
    pane.keys('btc', 'Enter');
    await pane.waitFor(/liqd compact \| coin BTC \| last 4h/);
    // 4h: the hour's $1,500,000 and okx's $7,000,000 long of two hours ago.
    await pane.waitFor(/TOTAL\*\s+5\s+\$8\.28M\s+3\s+\$220k\s+8\s+\$8\.50M/);

    pane.keys('g');
    await pane.waitFor(/top coins/);
    await pane.waitFor(/1\s+BTC\s+\$8\.50M/);

    pane.keys('s');
    await pane.waitFor('Enter on empty: all symbols');
    pane.keys('NOPEUSDT', 'Enter');
    const nope = await pane.waitFor(/no data for NOPEUSDT in the last 4h; nearest known symbols: /);
    expect(nope).not.toContain('is the daemon running');

    pane.keys('Escape');
    await pane.waitFor('EXIT=0');
  });

  it('a terminal below the minimum says so, and the layout comes back when it grows', async () => {
    const r = await seeded();
    pane = new TmuxPane();
    pane.start(['pro', '--refresh', '1'], { REDIS_URL: r.url }, 100, 30);
    await pane.waitFor(/bybit\s+█+\s+\$1\.47M/);
    pane.resize(70, 18);
    await pane.waitFor('terminal too small: need at least 72×20 (now 70×18)');
    pane.resize(80, 24);
    // (on a loaded machine a frame drawn mid-resize can show first: the layout must settle at 80×24)
    const back = await pane.waitFor((p) => p.includes('latest liquidations') && !p.includes('terminal too small') && /^┌─ USD per minute/.test(p.split('\n')[1] ?? ''));
    expect(back.split('\n')[1]).toMatch(/^┌─ USD per minute/);
    pane.keys('q');
    await pane.waitFor('EXIT=0');
  });

  it('NO_COLOR and --color never draw without colour; --color always keeps it under NO_COLOR', async () => {
    const r = await seeded();
    const colours = async (args: string[], env: Record<string, string>) => {
      const p = new TmuxPane();
      try {
        p.start(['simple', ...args], { REDIS_URL: r.url, TERM: 'xterm-256color', ...env }, 100, 30);
        await p.waitFor(/TOTAL\*\s+16/);
        const s = parseCapture(await p.captureEscapes());
        const cells = s.lines.flat().filter((c) => c.ch !== ' ');
        return { fg: new Set(cells.map((c) => c.fg)), bg: new Set(cells.map((c) => c.bg)), inverse: cells.some((c) => c.inverse) };
      } finally {
        p.kill();
      }
    };
    for (const [args, env] of [
      [[], { NO_COLOR: '1' }],
      [['--color', 'never'], {}],
    ] as const) {
      const c = await colours([...args], env);
      expect([...c.fg], JSON.stringify(args)).toEqual(['d']);
      expect([...c.bg]).toEqual(['d']);
      // The header and alerts stand out by inverse video instead.
      expect(c.inverse).toBe(true);
    }
    const always = await colours(['--color', 'always'], { NO_COLOR: '1' });
    expect(always.fg.has(220)).toBe(true); // bybit? no: binance's gold; any exchange colour proves colour is on
  });
});
