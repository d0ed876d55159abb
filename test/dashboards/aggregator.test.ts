// The aggregator's and the screens' pieces: money formats from integer cents, the coin of a symbol, colours per
// terminal depth and per exchange, sanitization, window math, charts and tables that fit, and the per-minute caches
// giving the same answers as a full read.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  KNOWN_EXCHANGES,
  configureExchanges,
  LONG_COLOR,
  PALETTE_256,
  SHORT_COLOR,
  SnapshotCache,
  assignSlots,
  coinOf,
  displayWidth,
  formatLongShort,
  formatMoney,
  formatShare,
  formatUsd,
  loadSnapshot,
  nearestNames,
  safeText,
  windowAt,
} from '../../src/aggregator/index.js';
import { lineChart, niceCeil } from '../../src/dashboards/chart.js';
import { parseUsd } from '../../src/dashboards/options.js';
import { renderTable } from '../../src/dashboards/table.js';
import { PLAIN, Theme, colorDepth } from '../../src/dashboards/theme.js';
import { BUCKET_MS, minuteOf } from '../../src/core/keys.js';
import { type PrivateRedis, startRedis } from '../support/redis.js';
import { addEvents, seedStandard } from './seed.js';

describe('money', () => {
  it('exact dollars (--once), half-up, with thousands separators, from integer cents', () => {
    expect(formatUsd(0)).toBe('$0');
    expect(formatUsd(49)).toBe('$0');
    expect(formatUsd(50)).toBe('$1');
    expect(formatUsd(123_456_749)).toBe('$1,234,567');
    expect(formatUsd(123_456_750)).toBe('$1,234,568');
    expect(formatUsd(2n ** 62n)).toBe('$46,116,860,184,273,879');
  });
  it.each([
    [0, '$0'],
    [99_949, '$999'],
    [123_449, '$1,234'],
    [999_949, '$9,999'],
    // $9,999.50 rounds to $10,000: from there three significant digits.
    [999_950, '$10.0k'],
    [1_234_567, '$12.3k'],
    [9_999_499, '$100k'],
    [91_200_000, '$912k'],
    [99_949_999, '$999k'],
    // $999,950 would be "$1000k": the next unit instead.
    [99_995_000, '$1.00M'],
    [950_000_000, '$9.50M'],
    [1_600_000_000, '$16.0M'],
    [12_345_678_901, '$123M'],
    [120_000_000_000, '$1.20B'],
    [-500_000_000, '-$5.00M'],
  ])('%i cents on screen: %s', (cents, text) => {
    expect(formatMoney(cents)).toBe(text);
  });
  it('shares and the long/short split on integers', () => {
    expect(formatShare(1, 3)).toBe('33.3%');
    expect(formatShare(1, 0)).toBe('-');
    expect(formatLongShort(123_456_750, 23_456_700)).toBe('84% / 16%');
    expect(formatLongShort(1, 1)).toBe('50% / 50%');
    expect(formatLongShort(0, 5)).toBe('0% / 100%');
    expect(formatLongShort(0, 0)).toBe('-');
    expect(formatLongShort(7, 4, true)).toBe('64/36');
    // A side that is not 0 is never shown as 0%.
    expect(formatLongShort(700_000_000, 2_500_000)).toBe('99% / 1%');
    expect(formatLongShort(1, 999)).toBe('1% / 99%');
    expect(formatLongShort(5, 0)).toBe('100% / 0%');
  });
  it.each([
    ['100000', 10_000_000],
    ['250k', 25_000_000],
    ['1.5M', 150_000_000],
    ['$2,000', 200_000],
    ['0.01', 1],
    ['2B', 200_000_000_000],
  ])('--min-usd %s is %i cents', (text, cents) => {
    expect(parseUsd(text)).toBe(cents);
  });
  it.each(['lots', '1.234', '-5', '1e5', '', '1,00'])('--min-usd %j is not an amount', (text) => {
    expect(parseUsd(text)).toBeUndefined();
  });
});

describe('coinOf', () => {
  it.each([
    ['BTCUSDT', 'BTC'],
    ['BTCUSD', 'BTC'],
    ['BTCUSDC', 'BTC'],
    ['BTCUSD1', 'BTC'],
    ['BTCFDUSD', 'BTC'],
    ['BTCUSDT_261225', 'BTC'],
    ['ETHUSD_260327', 'ETH'],
    ['ETHBTC', 'ETH'],
    ['ETHUSDT', 'ETH'],
    ['1000PEPEUSDT', 'PEPE'],
    ['1000000MOGUSDT', 'MOG'],
    ['1INCHUSDT', '1INCH'],
    ['牛来USDT', '牛来'],
    ['XBTUSD', 'XBT'],
    ['DOTUSD', 'DOT'],
    ['BNBUSD', 'BNB'],
    ['USDCUSDT', 'USDC'],
    ['BTCDOMUSDT', 'BTCDOM'],
    ['btcusdt', 'BTC'],
    ['BTC', 'BTC'],
  ])('%s → %s', (symbol, coin) => {
    expect(coinOf(symbol)).toBe(coin);
  });
  it('nearest known names: the coin first, then prefixes, then by edit distance', () => {
    const known = ['ETHUSDT', 'BTCUSDT', 'SOLUSDT', 'BTCUSD', 'DOGEUSDT', 'XRPUSDT'];
    expect(nearestNames('BTC', known)).toEqual(['BTCUSDT', 'BTCUSD']);
    expect(nearestNames('NOPEUSDT', known)[0]).toBe('DOGEUSDT');
    expect(nearestNames('ETHUSD', known)[0]).toBe('ETHUSDT');
  });
});

describe('colours', () => {
  const hex = (h: string) => [1, 3, 5].map((i) => parseInt(h.slice(i, i + 2), 16));
  // CIE L*a*b* distance (ΔE 1976) of two sRGB colours.
  const lab = (rgb: number[]) => {
    const [r, g, b] = rgb.map((c) => (c / 255 <= 0.04045 ? c / 255 / 12.92 : ((c / 255 + 0.055) / 1.055) ** 2.4));
    const f = (t: number) => (t > 0.008856 ? Math.cbrt(t) : 7.787 * t + 16 / 116);
    const x = f((r * 0.4124 + g * 0.3576 + b * 0.1805) / 0.95047);
    const y = f(r * 0.2126 + g * 0.7152 + b * 0.0722);
    const z = f((r * 0.0193 + g * 0.1192 + b * 0.9505) / 1.08883);
    return [116 * y - 16, 500 * (x - y), 200 * (y - z)];
  };
  const deltaE = (a: string, b: string) => Math.hypot(...lab(hex(a)).map((v, i) => v - lab(hex(b))[i]));
  const SYSTEM = ['#000000', '#800000', '#008000', '#808000', '#000080', '#800080', '#008080', '#c0c0c0', '#808080', '#ff0000', '#00ff00', '#ffff00', '#0000ff', '#ff00ff', '#00ffff', '#ffffff'];

  it('the 256-colour exchange palette: 16 colours far apart, far from long and short, no grey, no system colour', () => {
    expect(PALETTE_256).toHaveLength(16);
    for (const [i, a] of PALETTE_256.entries()) {
      expect(a.index).toBeGreaterThanOrEqual(16);
      expect(a.index).toBeLessThan(232);
      expect(new Set(a.rgb).size, a.hex).toBeGreaterThan(1);
      expect(SYSTEM).not.toContain(a.hex);
      expect(deltaE(a.hex, LONG_COLOR.hex), `${a.hex} vs long`).toBeGreaterThan(40);
      expect(deltaE(a.hex, SHORT_COLOR.hex), `${a.hex} vs short`).toBeGreaterThan(40);
      for (const b of PALETTE_256.slice(i + 1)) expect(deltaE(a.hex, b.hex), `${a.hex} vs ${b.hex}`).toBeGreaterThan(15);
    }
  });

  it('any exchange names get distinct slots; known exchanges keep theirs; the same set gives the same slots', () => {
    // as the entry points configure them from the venue registry (14 names here, to fill 16 slots with two more)
    const known = ['binance', 'bybit', 'okx', 'bitmex', 'gate', 'hyperliquid', 'kraken', 'bitget', 'deribit', 'aster', 'dydx', 'htx', 'lighter', 'bitfinex'];
    configureExchanges({ known, lowerBound: {} });
    expect(KNOWN_EXCHANGES).toEqual(known);
    const names = [...known, 'foo', 'zeta'];
    const slots = assignSlots(names, 16);
    expect(new Set(slots.values()).size).toBe(16);
    expect(slots.get('binance')).toBe(0);
    expect(slots.get('hyperliquid')).toBe(known.indexOf('hyperliquid'));
    expect(assignSlots([...names].reverse(), 16)).toEqual(slots);
    // Unknown names only: still distinct, whatever their hashes.
    const unknown = Array.from({ length: 12 }, (_, i) => `venue${i}`);
    expect(new Set(assignSlots(unknown, 12).values()).size).toBe(12);
  });

  it('exchange styles are distinct and never the long/short colours, black, white or grey, at 8, 16 and 256 colours', () => {
    const names = ['binance', 'bybit', 'okx', 'bitmex', 'gate', 'hyperliquid', 'kraken', 'bitget', 'deribit', 'coinbase', 'kucoin', 'htx', 'mexc', 'bitfinex', 'newdex'];
    for (const [depth, n] of [
      [8, 12],
      [16, 15],
      [256, 15],
    ] as const) {
      const t = new Theme(depth);
      const shown = names.slice(0, n);
      t.setExchanges(shown);
      const inks = shown.map((e) => JSON.stringify(t.exchange(e)));
      expect(new Set(inks).size, `depth ${depth}`).toBe(n);
      for (const e of shown) {
        const fg = t.exchange(e).fg!;
        expect(fg, `${e} at ${depth}`).toBeDefined();
        expect(['black', 'white', 'gray', 'grey', 'red', 'green', 'lightred', 'lightgreen', 'lightblack', t.long.fg, t.short.fg]).not.toContain(fg);
      }
    }
  });

  it('dim text is grey only at 256 colours; at 8 and 16 it is the default colour (blessed turns grey into black)', () => {
    expect(new Theme(256).dim.fg).toBe('#8a8a8a');
    expect(new Theme(16).dim).toEqual({});
    expect(new Theme(8).dim).toEqual({});
    for (const depth of [8, 16, 256] as const) {
      const t = new Theme(depth);
      for (const ink of [t.long, t.short, t.dim, t.ok, t.warn, t.alert, t.header, t.accent]) expect(['black', 'gray', 'grey', 'lightblack']).not.toContain(ink.fg);
    }
  });

  it.each([
    ['auto', 8, { TERM: 'tmux-256color' }, 256],
    ['auto', 8, { TERM: 'screen-256color' }, 256],
    ['auto', 8, { TERM: 'xterm' }, 8],
    ['auto', 8, { TERM: 'linux' }, 8],
    ['auto', 256, { TERM: 'xterm-256color' }, 256],
    ['auto', 8, { TERM: 'xterm', COLORTERM: 'truecolor' }, 256],
    ['auto', 16, { TERM: 'xterm-16color' }, 16],
    ['auto', 256, { TERM: 'xterm-256color', NO_COLOR: '1' }, 0],
    ['auto', 256, { TERM: 'xterm-256color', NO_COLOR: '' }, 256],
    ['always', 256, { TERM: 'xterm-256color', NO_COLOR: '1' }, 256],
    ['always', -1, { TERM: 'dumb' }, 8],
    ['auto', -1, { TERM: 'dumb' }, 0],
    ['never', 256, { TERM: 'xterm-256color' }, 0],
  ] as const)('--color %s, blessed says %i, %j: depth %i', (mode, tput, env, depth) => {
    expect(colorDepth(mode, tput, env)).toBe(depth);
  });
});

describe('charts and tables', () => {
  it('y labels are whole money figures, never cut; zero is $0; times are HH:MM', () => {
    const start = Date.UTC(2025, 0, 1, 12, 0);
    const times = Array.from({ length: 60 }, (_, i) => start + i * 60_000);
    const values = times.map((_, i) => (i === 30 ? 910_000_000 : i === 40 ? 1_600_000_000 : 0));
    const lines = lineChart([{ values, ink: {} }], times, 76, 8, PLAIN);
    expect(lines).toHaveLength(8);
    expect(lines[0]).toMatch(/^\$20\.0M┤/);
    expect(lines[6]).toMatch(/^ {4}\$0┤/);
    expect(lines.slice(0, 7).some((l) => l.startsWith('$10.0M┤'))).toBe(true);
    expect(lines[7]).toMatch(/^ +12:00 .* 12:59$/);
    for (const l of lines) expect(displayWidth(l)).toBeLessThanOrEqual(76);
    expect(niceCeil(1_600_000_000)).toBe(2_000_000_000);
    expect(niceCeil(120_000_000)).toBe(200_000_000);
    expect(niceCeil(0)).toBe(100);
  });

  it('a table too wide for its panel drops its optional columns first and keeps the figures', () => {
    const cols = [{ title: 'TIME UTC' }, { title: 'EXCHANGE', max: 12, min: 5 }, { title: 'SYMBOL', max: 18, min: 6 }, { title: 'PRICE', align: 'right' as const, drop: 2 }, { title: 'QTY', align: 'right' as const, drop: 1 }, { title: 'USD', align: 'right' as const }];
    const rows = [{ cells: ['12:00:01', 'hyperliquid', '1000PEPEUSDT_261225', '0.0123', '2439024.39', '$30.0k'] }];
    const wide = renderTable(cols, rows, PLAIN, { width: 200 });
    expect(wide[0]).toMatch(/PRICE\s+QTY\s+USD$/);
    const narrow = renderTable(cols, rows, PLAIN, { width: 40 });
    expect(narrow[0]).not.toMatch(/QTY/);
    expect(narrow[1]).toMatch(/\$30\.0k$/);
    for (const l of narrow) expect(displayWidth(l)).toBeLessThanOrEqual(40);
  });
});

describe('sanitization and windows', () => {
  it('removes C0, C1, DEL and whole escape sequences', () => {
    expect(safeText('EVIL\u001b[31mX')).toBe('EVILX');
    expect(safeText('a\u001b]0;title\u0007b')).toBe('ab');
    expect(safeText('a\u009b31mb\u0085c\u007fd\u0000e\tf\ng')).toBe('abcdefg');
    expect(safeText('a\u202eb')).toBe('ab');
    expect(displayWidth('牛来USDT')).toBe(8);
  });
  it('a window is the last N minutes ending with the current one', () => {
    const now = Date.UTC(2025, 0, 1, 12, 30, 15);
    const w = windowAt('15m', now);
    expect(w.starts).toHaveLength(15);
    expect(w.last).toBe(Date.UTC(2025, 0, 1, 12, 30));
    expect(w.start).toBe(Date.UTC(2025, 0, 1, 12, 16));
  });
});

describe('snapshot cache', () => {
  let redis: PrivateRedis;
  beforeAll(async () => {
    redis = await startRedis();
    await seedStandard(redis.client());
  });
  afterAll(async () => redis?.stop());

  it('gives the same frames as a full read, after changes to past minutes too, for coins and exchange filters', async () => {
    const r = redis.client();
    const requests = [
      { window: '1h' as const, top: 10, largest: 10 },
      { window: '1h' as const, top: 10, largest: 10, coin: 'BTC' },
      { window: '1h' as const, top: 10, largest: 10, exchanges: ['okx', 'bybit'] },
      { window: '1h' as const, top: 10, largest: 10, group: 'coin' as const },
      { window: '1h' as const, top: 10, largest: 10, symbol: 'BTCUSDT' },
      // whole hours from the hourly indexes, minutes kept per hour version
      { window: '24h' as const, top: 10, largest: 10 },
      { window: '4h' as const, top: 10, largest: 10, coin: 'BTC' },
      { window: '12h' as const, top: 10, largest: 10, exchanges: ['okx', 'bybit'] },
      { window: '24h' as const, top: 10, largest: 10, symbol: 'BTCUSDT', horizons: true },
      // the rollups throughout
      { window: '7d' as const, top: 10, largest: 10 },
      { window: '30d' as const, top: 10, largest: 10, coin: 'BTC' },
    ];
    const caches = requests.map(() => new SnapshotCache());
    for (const [i, req] of requests.entries()) {
      const first = await loadSnapshot(r, req, caches[i]);
      expect(first).toEqual(await loadSnapshot(r, { ...req, now: first.at }));
    }
    // Late events land in a past minute (e.g. a spool replay): its bucket version changes, so it is read again.
    const past = minuteOf(Date.now()) - 7 * BUCKET_MS;
    await addEvents(r, [
      { exchange: 'okx', symbol: 'BTCUSDT', side: 'short', valueCents: 900_000_000, price: '96000', quantity: '93.75', ts: past + 5000 },
      { exchange: 'deribit', symbol: 'BTCUSD_260327', side: 'long', valueCents: 1_000_000, price: '98000', quantity: '0.10204082', ts: past + 6000 },
    ]);
    for (const [i, req] of requests.entries()) {
      const second = await loadSnapshot(r, req, caches[i]);
      expect(second, JSON.stringify(req)).toEqual(await loadSnapshot(r, { ...req, now: second.at }));
    }
    const btc = await loadSnapshot(r, requests[1], caches[1]);
    expect(btc.largest?.[0]).toMatchObject({ exchange: 'okx', symbol: 'BTCUSDT', valueCents: 900_000_000 });
    expect(btc.totals.valueCents).toBe(150_000_000 + 900_000_000 + 1_000_000);
    const ex = await loadSnapshot(r, requests[2], caches[2]);
    expect(ex.top?.[0]).toEqual({ symbol: 'BTCUSDT', valueCents: 102_500_000 + 900_000_000 });
    // A smaller window drops the minutes that left it.
    const small = await loadSnapshot(r, { ...requests[0], window: '15m' }, caches[0]);
    expect(small).toEqual(await loadSnapshot(r, { ...requests[0], window: '15m', now: small.at }));
  });
});
