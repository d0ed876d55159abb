// Identities must never change: an old and a new daemon on one Redis (a rolling upgrade, the gapless-restart recipe)
// must count each liquidation once, so the id of a given frame's events is pinned here, byte for byte, as the daemon
// of 2026-11-29 (before the adapter redesign) computed them. Frames, metadata and receive time are fixed: pure
// parsers, no clock.
import { describe, expect, it } from 'vitest';
import { parseDecimal } from '../../src/core/decimal.js';
import { FEEDS } from '../../src/venues/registry.js';
import { binanceFrame } from '../../src/venues/binance/frames.js';
import { bybitFrame } from '../../src/venues/bybit/frames.js';
import { okxFrame } from '../../src/venues/okx/frames.js';

const T = 1_795_900_000_000; // a fixed receive time (2026-11-28); parsers take it, never the clock
const opts = { receivedAt: T + 1000, retentionMs: 168 * 3_600_000, final: true };
const meta: Record<string, Map<string, unknown>> = {
  'binance-coinm': new Map([['BTCUSD_PERP', parseDecimal('100')], ['ETHUSD_261225', parseDecimal('10')]]),
  'bybit-linear': new Map([['BTCUSDT', { symbol: 'BTCUSDT', inverse: false }], ['BTCPERP', { symbol: 'BTCUSDC', inverse: false }]]),
  'bybit-inverse': new Map([['BTCUSD', { symbol: 'BTCUSD', inverse: true }]]),
  okx: new Map<string, unknown>([
    ['BTC-USDT-SWAP', { symbol: 'BTCUSDT', inverse: false, contractValue: parseDecimal('0.01') }],
    ['BTC-USD-SWAP', { symbol: 'BTCUSD', inverse: true, contractValue: parseDecimal('100') }],
  ]),
};

const FRAMES: Array<[string, string]> = [
  ['binance-usdm', binanceFrame({ symbol: 'BTCUSDT', side: 'SELL', price: '50000.10', qty: '0.014', ts: T })],
  ['binance-usdm', binanceFrame({ symbol: '1000PEPEUSDT', side: 'BUY', price: '0.0123400', qty: '1500', ts: T + 1 }, false)],
  ['binance-coinm', binanceFrame({ symbol: 'BTCUSD_PERP', side: 'SELL', price: '50000', qty: '3', ts: T + 2 })],
  ['binance-coinm', binanceFrame({ symbol: 'ETHUSD_261225', side: 'BUY', price: '3000.55', qty: '7', ts: T + 3 })],
  ['bybit-linear', bybitFrame([{ symbol: 'BTCUSDT', side: 'Buy', price: '50010.5', size: '0.5', ts: T + 4 }, { symbol: 'BTCUSDT', side: 'Sell', price: '50000', size: '0.1', ts: T + 5 }])],
  ['bybit-linear', bybitFrame([{ symbol: 'BTCPERP', side: 'Sell', price: '49999.9', size: '0.002', ts: T + 6 }])],
  ['bybit-inverse', bybitFrame([{ symbol: 'BTCUSD', side: 'Sell', price: '50000', size: '1000', ts: T + 7 }])],
  ['okx', okxFrame('SWAP', [{ instId: 'BTC-USDT-SWAP', details: [{ posSide: 'long', side: 'sell', bkPx: '50000.1', sz: '12', ts: T + 8 }, { posSide: 'net', side: 'buy', bkPx: '50002', sz: '3', ts: T + 9 }] }])],
  ['okx', okxFrame('SWAP', [{ instId: 'BTC-USD-SWAP', details: [{ posSide: 'short', side: 'buy', bkPx: '51000', sz: '1', ts: T + 10 }] }])],
];

/** The ids the daemon of main computed for FRAMES, in order (commit f275891 of 2026-11-29, before the redesign). */
const PINNED: string[] = [
  'qW-AEzLWRj0FI7Hfd2eF', '8VYaBenawP-W2GIlMyKB', 'pKo2oIsvSTkFCrBdp7nE', '9-ZKwk0Rwd8U91BS5SKF', 'OBtZ10Pz15hzCTvuEbpq', 'Ekw_NlC1T6ikY1VDLOzs',
  'Mj0t3NJ9Ojy7GVLvGjBe', 'Oqx8tov1qwwMMyCiW-OA', 'T1C8Y2A0R90LOrJezwks', 'c6LtnX-tcG-oRKAHBF2V', 'lySejYvhM4AKCTU8pO5o',
];

describe('identities of the existing venues', () => {
  it('are what they were before the redesign, byte for byte', () => {
    const ids: string[] = [];
    for (const [venue, frame] of FRAMES) {
      const feed = FEEDS.find((f) => f.feed.venue === venue)!.feed;
      const r = feed.parse(frame, opts, meta[venue] ?? new Map());
      expect(r.rejections, venue).toEqual([]);
      for (const e of r.events) ids.push(e.id);
    }
    expect(ids).toHaveLength(11);
    expect(ids).toEqual(PINNED);
  });
});
