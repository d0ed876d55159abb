// The aggregator's pieces: money formatting from integer cents, sanitization, window math, colors, and the
// per-minute cache giving the same answers as a full read.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  SnapshotCache,
  displayWidth,
  exchangeColor,
  formatShare,
  formatUsd,
  loadSnapshot,
  safeText,
  windowAt,
} from '../../src/aggregator/index.js';
import { BUCKET_MS, minuteOf } from '../../src/core/keys.js';
import { type PrivateRedis, startRedis } from '../support/redis.js';
import { addEvents, seedStandard } from './seed.js';

describe('formatting', () => {
  it('USD to the dollar, half-up, with thousands separators, from integer cents', () => {
    expect(formatUsd(0)).toBe('$0');
    expect(formatUsd(49)).toBe('$0');
    expect(formatUsd(50)).toBe('$1');
    expect(formatUsd(123_456_749)).toBe('$1,234,567');
    expect(formatUsd(123_456_750)).toBe('$1,234,568');
    expect(formatUsd(100_000_000_000_000)).toBe('$1,000,000,000,000');
    expect(formatUsd(2n ** 62n)).toBe('$46,116,860,184,273,879');
  });
  it('shares on integers', () => {
    expect(formatShare(1, 3)).toBe('33.3%');
    expect(formatShare(2, 3)).toBe('66.7%');
    expect(formatShare(5, 5)).toBe('100.0%');
    expect(formatShare(1, 0)).toBe('-');
  });
});

describe('sanitization', () => {
  it('removes C0, C1, DEL and whole escape sequences', () => {
    expect(safeText('EVIL\u001b[31mX')).toBe('EVILX');
    expect(safeText('a\u001b]0;title\u0007b')).toBe('ab');
    expect(safeText('a\u009b31mb\u0085c\u007fd\u0000e\tf\ng')).toBe('abcdefg');
    expect(safeText('a\u202eb')).toBe('ab');
    expect(safeText('牛来USDT')).toBe('牛来USDT');
    expect(displayWidth('牛来USDT')).toBe(8);
  });
});

describe('windows and colors', () => {
  it('a window is the last N minutes ending with the current one', () => {
    const now = Date.UTC(2025, 0, 1, 12, 30, 15);
    const w = windowAt('15m', now);
    expect(w.starts).toHaveLength(15);
    expect(w.last).toBe(Date.UTC(2025, 0, 1, 12, 30));
    expect(w.start).toBe(Date.UTC(2025, 0, 1, 12, 16));
    expect(windowAt('24h', now).starts).toHaveLength(1440);
  });
  it('colors are stable per name and distinct for the known exchanges', () => {
    expect(exchangeColor('bybit')).toEqual(exchangeColor('bybit'));
    const hexes = ['binance', 'bybit', 'okx', 'kraken'].map((e) => exchangeColor(e).hex);
    expect(new Set(hexes).size).toBe(4);
  });
});

describe('snapshot cache', () => {
  let redis: PrivateRedis;
  beforeAll(async () => {
    redis = await startRedis();
    await seedStandard(redis.client());
  });
  afterAll(async () => redis?.stop());

  it('gives the same top symbols and largest as a full read, after changes to past minutes too', async () => {
    const r = redis.client();
    const cache = new SnapshotCache();
    const req = { window: '1h' as const, top: 10, largest: true };
    const first = await loadSnapshot(r, req, cache);
    expect(first).toEqual(await loadSnapshot(r, { ...req, now: first.at }));
    // A late event lands in a past minute (e.g. a spool replay): its bucket version changes, so it is re-read.
    const past = minuteOf(Date.now()) - 7 * BUCKET_MS;
    await addEvents(r, [{ exchange: 'okx', symbol: 'DOGEUSDT', side: 'short', valueCents: 900_000_000, price: '0.4', quantity: '22500000', ts: past + 5000 }]);
    const second = await loadSnapshot(r, req, cache);
    expect(second.top?.[0]).toEqual({ symbol: 'DOGEUSDT', valueCents: 900_000_000 });
    expect(second.largest?.symbol).toBe('DOGEUSDT');
    const full = await loadSnapshot(r, { ...req, now: second.at });
    expect(second.top).toEqual(full.top);
    expect(second.largest).toEqual(full.largest);
    // A smaller window drops the minutes that left it.
    const small = await loadSnapshot(r, { ...req, window: '15m' }, cache);
    expect(small.top).toEqual((await loadSnapshot(r, { ...req, window: '15m', now: small.at })).top);
    const sym = await loadSnapshot(r, { ...req, symbol: 'BTCUSDT' }, cache);
    expect(sym.largest).toEqual((await loadSnapshot(r, { ...req, symbol: 'BTCUSDT', now: sym.at })).largest);
    expect(sym.largest?.symbol).toBe('BTCUSDT');
  });
});
