// Every dashboard under tmux at 80×24, 100×30 and 200×50, with TERM tmux-256color, xterm-256color, xterm and
// linux (4 × 3 × 4 = 48 screens). One seeded Redis serves them all; one pane per dashboard and TERM starts at one of
// the sizes (each size is a start size for some) and is resized through the other two, so every layout is also
// reached by a live resize. The panes run side by side; each screen is captured with its escapes once it is drawn
// at its size, then checked: nothing black or in its background colour, titles whole on their border, the known
// figures there, and no two exchanges (7 of them) sharing a colour.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { displayWidth } from '../../src/aggregator/index.js';
import { type PrivateRedis, startRedis } from '../support/redis.js';
import { EVENTS, EXCHANGES, SCREEN_ROWS, looseRowRe, rowRe } from './expected.js';
import { brokenTitles, exchangeStyles, parseCapture, sharedColours, unreadable } from './screen.js';
import { keepStatusFresh, seedStandard } from './seed.js';
import { TmuxPane } from './tmux.js';

const DASHBOARDS = ['simple', 'compact', 'pro', 'cumulative'] as const;
const TERMS = ['tmux-256color', 'xterm-256color', 'xterm', 'linux'] as const;
const SIZES = [
  [80, 24],
  [100, 30],
  [200, 50],
] as const;
type Dash = (typeof DASHBOARDS)[number];
type Size = (typeof SIZES)[number];

// Long and short colours at every depth (red, green, their bright forms, and the 256-colour ones).
const SIDE_COLOURS = [1, 2, 9, 10, 203, 77];

/** The panel titles each layout shows (the Linux console's font has no ×). */
function titles(d: Dash, [w, h]: Size, term: string): string[] {
  switch (d) {
    case 'simple':
      return ['USD by exchange', 'rate'];
    case 'compact':
      return [term === 'linux' ? 'exchange x side' : 'exchange × side', 'rate', 'largest liquidations', ...(w >= 100 ? ['top symbols'] : [])];
    case 'pro':
      return [
        'USD per minute',
        'latest liquidations',
        ...(w >= 100 ? ['USD by exchange', 'largest liquidations'] : []),
        ...(w >= 150 && h >= 40 ? ['top symbols', 'feed health'] : []),
        ...(w === 100 ? ['top symbols'] : []),
      ];
    case 'cumulative':
      return ['cumulative LONG USD', 'cumulative SHORT USD', 'totals by horizon'];
  }
}

const S = SCREEN_ROWS;
/** Figures of the seeded hour that each layout must show. */
function figures(d: Dash, [w, h]: Size, term: string): RegExp[] {
  const big = w >= 150 && h >= 40;
  switch (d) {
    case 'simple':
      return Object.entries(S).map(([name, cells]) => rowRe(name, EVENTS[name], ...cells));
    case 'compact':
      return [
        looseRowRe('bybit', ...S.bybit),
        looseRowRe('TOTAL*', ...S['TOTAL*']),
        /bybit\s+BTCUSDT\s+long\s+(97000\.5\s+6\.18552\s+)?\$600k/,
        ...(w >= 100 ? [/1\s+BTCUSDT\s+\$1\.23M/] : []),
        ...(big ? [rowRe('binance*', 3, '$500k', 1, '$5,000', 4, '$505k', '21.2%', '99% / 1%'), /1\s+BTCUSDT\s+\$1\.23M\s+51\.3%/] : []),
      ];
    case 'pro':
      return [
        /\$2\.00M┤/,
        /\$0┤/,
        /hyperliquid\s+ETHUSDT\s+long\s+(3490\s+20\.05730659\s+)?\$70\.0k/,
        ...(w >= 100 ? [/bybit\s+█+\s+\$1\.47M 84\/16/, /bybit\s+BTCUSDT\s+long\s+(97000\.5\s+6\.18552\s+)?\$600k/] : []),
        ...(big ? [/long \$1\.23M · short \$235k/, /1\s+BTCUSDT\s+\$1\.23M\s+51\.3%/, term === 'linux' ? /X\s+bybit-linear-0\s+DOWN: backoff/ : /✖\s+bybit-linear-0\s+DOWN: backoff/, /okx\s+BTCUSDT\s+long\s+96000\s+72\.9166\s+\$7\.00M/] : []),
      ];
    case 'cumulative':
      return [
        term === 'linux' ? /■ bybit/ : /━ bybit/,
        rowRe('TOTAL*', 'long', '$1.92M', '$8.92M', '$8.92M', '$8.92M'),
        rowRe('TOTAL*', 'all', '$2.39M', '$9.39M', '$9.39M', '$9.39M'),
        rowRe('events', 16, 17, 17, 17),
        ...(big ? [rowRe('bybit', 'long', '$1.23M', '$1.23M', '$1.23M', '$1.23M'), rowRe('okx', 'long', '$30.0k', '$7.03M', '$7.03M', '$7.03M')] : [rowRe('okx', 'all', '$67.3k', '$7.07M')]),
      ];
  }
}

interface Shot {
  raw: string;
  ms: number;
}

let redis: PrivateRedis;
let stopKeepAlive: () => void;
const panes: TmuxPane[] = [];
const shots = new Map<string, Shot | Error>();
const label = (d: Dash, [w, h]: Size, term: string) => `${d} at ${w}×${h}, TERM=${term}`;

/**
 * Whether a capture is a frame drawn for `w` × `h`: header with data, key hint on the last row, and every body row
 * either empty or reaching the right edge with a border (a frame of the previous size, cut or padded by tmux, has
 * rows that end elsewhere).
 */
function drawnAt(p: string, w: number, h: number): boolean {
  const lines = p.replace(/\n+$/, '').split('\n');
  if (lines.length !== h || !lines[0].includes('as of') || !lines[h - 1].includes('q quit') || !lines[1].startsWith('┌')) return false;
  const bodyEnd = h - (h >= 40 ? 5 : 3);
  return lines.slice(1, bodyEnd).every((l) => l.trim() === '' || (displayWidth(l) === w && /[│┐┘]$/.test(l)));
}

/** Resizes the pane and waits for a frame drawn at that size with the data in it. */
async function shoot(pane: TmuxPane, [w, h]: Size, resize: boolean): Promise<Shot> {
  const t0 = Date.now();
  if (resize) pane.resize(w, h);
  await pane.waitFor((p) => drawnAt(p, w, h), 30_000);
  // Let a redraw in progress finish.
  await new Promise((r) => setTimeout(r, 150));
  return { raw: await pane.captureEscapes(), ms: Date.now() - t0 };
}

beforeAll(async () => {
  redis = await startRedis();
  await seedStandard(redis.client());
  stopKeepAlive = keepStatusFresh(redis.client());
  const jobs = DASHBOARDS.flatMap((d, di) => TERMS.map((term, ti) => ({ d, term, first: (di + ti) % SIZES.length })));
  // Two cores: four dashboards start at a time, the rest as those finish.
  const queue = [...jobs];
  const worker = async () => {
    for (let job = queue.shift(); job; job = queue.shift()) {
      const pane = new TmuxPane();
      panes.push(pane);
      const order = [...SIZES.slice(job.first), ...SIZES.slice(0, job.first)];
      pane.start([job.d, '--refresh', '5'], { REDIS_URL: redis.url, TERM: job.term }, order[0][0], order[0][1]);
      for (const [i, size] of order.entries()) {
        try {
          shots.set(label(job.d, size, job.term), await shoot(pane, size, i > 0));
        } catch (err) {
          shots.set(label(job.d, size, job.term), err as Error);
        }
      }
      pane.keys('q');
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
}, 240_000);

afterAll(async () => {
  for (const p of panes) p.kill();
  stopKeepAlive?.();
  await redis?.stop();
});

describe('every dashboard at every size under every TERM', () => {
  for (const d of DASHBOARDS) {
    for (const size of SIZES) {
      for (const term of TERMS) {
        const name = label(d, size, term);
        it(name, () => {
          const shot = shots.get(name);
          if (!shot) throw new Error(`no capture for ${name}`);
          if (shot instanceof Error) throw shot;
          const s = parseCapture(shot.raw);
          const text = s.text.join('\n');
          const context = `\n${text}`;
          expect(s.text, context).toHaveLength(size[1]);
          expect(unreadable(s), context).toEqual([]);
          expect(brokenTitles(s, titles(d, size, term)), context).toEqual([]);
          for (const re of figures(d, size, term)) expect(text, `${re}${context}`).toMatch(re);
          // The Linux console's font (the CP437 set) has no braille, eighth blocks, ━, ✓, ✖ or ×: none is drawn there.
          if (term === 'linux') expect(text.match(/[\u2800-\u28ff▁▂▃▅▆▇━✓✖×]/g), context).toBeNull();
          // Exchanges in the body (between the header and the three to five footer lines).
          const styles = exchangeStyles(s, EXCHANGES, 1, s.lines.length - 3);
          expect(sharedColours(styles, SIDE_COLOURS), context).toEqual([]);
          const coloured = [...styles].filter(([, st]) => st.size > 0).map(([n]) => n);
          // Every screen names several exchanges in colour; tables that hold all of them show all 7.
          expect(coloured.length, context).toBeGreaterThanOrEqual(d === 'simple' || size[0] === 200 ? 7 : 3);
          expect(text).not.toMatch(/\[31m|\[2J|pwned/);
        });
      }
    }
  }
});
