// Each dashboard in a real terminal (tmux, 160×50): seeded figures, redraw after a new bucket, the Redis-down
// banner and recovery, and exit 0 on q.
import { afterEach, describe, expect, it } from 'vitest';
import { minuteOf } from '../../src/core/keys.js';
import { type PrivateRedis, startRedis } from '../support/redis.js';
import { TmuxPane } from './tmux.js';
import { addEvents, seedStandard } from './seed.js';

let redis: PrivateRedis | undefined;
let pane: TmuxPane | undefined;

afterEach(async () => {
  pane?.kill();
  pane = undefined;
  await redis?.stop();
  redis = undefined;
});

// Control characters or escape remnants from the seeded "EVIL" symbol must never be drawn.
function expectClean(screen: string): void {
  expect(screen).not.toMatch(/\[31m|\[2J|pwned/);
}

interface Case {
  name: string;
  /** Texts that prove the seeded figures are drawn. */
  seeded: (string | RegExp)[];
  /** Text that proves the redraw after bybit gets another $55,555.55 long in the current minute. */
  after: string | RegExp;
}

const CASES: Case[] = [
  {
    name: 'simple',
    seeded: [/bybit\s+4\s+\$1,234,568\s+\$234,567\s+\$1,469,135\s+74\.1%/, /TOTAL\*\s+9\s+\$1,735,567\s+\$246,913\s+\$1,982,480\s+100\.0%/, /kraken\s+1\s+\$999/, 'binance: lower bound'],
    after: /bybit\s+5\s+\$1,290,123\s+\$234,567\s+\$1,524,690/,
  },
  {
    name: 'compact',
    seeded: [/bybit\s+3\s+\$1,234,568\s+1\s+\$234,567\s+4\s+\$1,469,135/, /1\s+BTCUSDT\s+\$1,200,000/, 'EVILX', '$600,000  long liquidated  BTCUSDT on bybit', "last minute's rate", 'feeds down during 1 minute'],
    after: /bybit\s+4\s+\$1,290,123\s+1\s+\$234,567\s+5\s+\$1,524,690/,
  },
  {
    name: 'pro',
    seeded: ['USD per minute · all symbols · last 1h', /bybit\s+█+\s+\$1,469,135/, /1\s+BTCUSDT\s+\$1,200,000/, /okx\s+BTCUSDT\s+long\s+96000/, /✖\s+bybit-linear-0\s+DOWN: backoff/, '1 FEED DOWN: bybit-linear-0', '1 DOWN'],
    after: /bybit\s+█+\s+\$1,524,690/,
  },
  {
    name: 'cumulative',
    seeded: ['cumulative LONG USD since', 'cumulative SHORT USD since', /okx\s+long\s+\$0\s+\$7,000,000\s+\$7,000,000\s+\$7,000,000/, /TOTAL\*\s+all\s+\$1,982,480\s+\$8,982,480/],
    after: /bybit\s+long\s+\$1,290,123\s+\$1,290,123/,
  },
];

describe('interactive dashboards under tmux at 160×50', () => {
  for (const c of CASES) {
    it(`${c.name}: draws, redraws, survives Redis going away, quits with 0 on q`, async () => {
      redis = await startRedis();
      const client = redis.client();
      client.on('error', () => {}); // the server is killed on purpose below
      await seedStandard(client);
      pane = new TmuxPane();
      pane.start([c.name, '--refresh', '1'], { REDIS_URL: redis.url });

      const first = await pane.waitFor((p) => c.seeded.every((s) => (typeof s === 'string' ? p.includes(s) : s.test(p))));
      expect(first).toMatch(new RegExp(`liqd ${c.name} \\| all symbols \\| last 1h`));
      expect(first).toMatch(/[┌─│]/); // borders drawn as line characters
      expectClean(first);

      const now = Date.now();
      await addEvents(client, [
        { exchange: 'bybit', symbol: 'BTCUSDT', side: 'long', valueCents: 5_555_555, price: '97100', quantity: '0.57215', ts: Math.max(minuteOf(now), now - 1000) },
      ]);
      await pane.waitFor(c.after);

      await redis.kill();
      await pane.waitFor('Redis unreachable, retrying');

      // Back, empty (nothing persisted): the dashboard recovers by itself and shows the empty hint.
      await redis.start();
      const back = await pane.waitFor((p) => !p.includes('Redis unreachable') && p.includes('no liquidations in this window yet'));
      expectClean(back);

      pane.keys('q');
      await pane.waitFor('EXIT=0');
    });
  }

  it('pro: w cycles the window, s takes a symbol, the layout follows a resize', async () => {
    redis = await startRedis();
    await seedStandard(redis.client());
    pane = new TmuxPane();
    pane.start(['pro', '--refresh', '1'], { REDIS_URL: redis.url });
    await pane.waitFor(/bybit\s+█+\s+\$1,469,135/);

    pane.keys('w');
    const w4 = await pane.waitFor('| last 4h:');
    expect(w4).toBeTruthy();
    await pane.waitFor(/okx\s+█+\s+\$7,012,346/);

    pane.keys('s');
    await pane.waitFor('Symbol, e.g. BTCUSDT');
    pane.keys('ethusdt', 'Enter');
    await pane.waitFor(/liqd pro \| ETHUSDT \| last 4h/);
    await pane.waitFor(/bybit\s+█+\s+\$234,568/);

    pane.resize(120, 40);
    const small = await pane.waitFor((p) => {
      const lines = p.split('\n');
      return lines[1]?.startsWith('┌') && lines[1].trimEnd().length <= 120 && lines.length >= 40 && p.includes('feed health');
    });
    expect(small.split('\n')[0]).toContain('liqd pro');

    pane.keys('Escape');
    await pane.waitFor('EXIT=0');
  });
});
