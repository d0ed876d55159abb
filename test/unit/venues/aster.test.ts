// Aster's pure parser on frames in the real wire shapes (Binance's `!forceOrder@arr`, per Aster's docs): every side
// rule, bare and wrapped frames, acks, garbage, and the exact cents and qty_e8 worked out by hand.
import { describe, expect, it } from 'vitest';
import { idOf, identityOf } from '../../../src/core/event.js';
import type { ParseOptions, RejectReason } from '../../../src/core/parse.js';
import { aster } from '../../../src/venues/aster/index.js';
import { asterFrame } from '../../../src/venues/aster/frames.js';
import { parseAster } from '../../../src/venues/aster/parser.js';

const NOW = 1_798_000_000_000; // a fixed receive time: parsers never read the clock
const T = NOW - 1_500;
const opts: ParseOptions = { receivedAt: NOW, retentionMs: 168 * 3_600_000 };

type Fields = Record<string, unknown>;
const order = (over: Fields = {}): Fields => ({ s: 'BTCUSDT', S: 'SELL', o: 'LIMIT', f: 'IOC', q: '0.014', p: '9910', ap: '9910', X: 'FILLED', l: '0.014', z: '0.014', T, ...over });
const bare = (over: Fields = {}) => JSON.stringify({ e: 'forceOrder', E: T + 5, o: order(over) });
const wrapped = (over: Fields = {}) => JSON.stringify({ stream: '!forceOrder@arr', data: { e: 'forceOrder', E: T + 5, o: order(over) } });

describe('aster parser: events', () => {
  it.each([
    // [case, frame, symbol, side, valueCents, qtyE8]
    ['docs example, wrapped: SELL closes a long; 9910 × 0.014 = $138.74', wrapped(), 'BTCUSDT', 'long', 13874, 1_400_000n],
    ['bare (raw /ws stream)', bare(), 'BTCUSDT', 'long', 13874, 1_400_000n],
    ['BUY closes a short', wrapped({ S: 'BUY', ap: '3000.55', z: '1.5' }), 'BTCUSDT', 'short', 450083, 150_000_000n], // 4500.825 → half-up
    ['part-filled IOC (EXPIRED): z counts, not q', wrapped({ X: 'EXPIRED', q: '10', z: '2', ap: '0.5' }), 'BTCUSDT', 'long', 100, 200_000_000n],
    ['average price ap, not the order price p', wrapped({ p: '1', ap: '2.25', z: '4' }), 'BTCUSDT', 'long', 900, 400_000_000n],
    ['lower-case symbol upper-cased', wrapped({ s: 'ethusdt', ap: '2000', z: '0.001' }), 'ETHUSDT', 'long', 200, 100_000n],
    ['1000-prefixed symbol kept', wrapped({ s: '1000PEPEUSDT', ap: '0.0123400', z: '1500' }), '1000PEPEUSDT', 'long', 1851, 150_000_000_000n], // 18.51
  ])('%s', (_case, frame, symbol, side, valueCents, qtyE8) => {
    const r = parseAster(frame, opts);
    expect(r.rejections).toEqual([]);
    expect(r.missing).toEqual([]);
    expect(r.events).toHaveLength(1);
    expect(r.events[0]).toMatchObject({ exchange: 'aster', symbol, side, ts: T, valueCents, qtyE8 });
  });

  it('a combined stream whose data is an array yields one event per order', () => {
    const frame = JSON.stringify({ stream: '!forceOrder@arr', data: [{ e: 'forceOrder', E: T, o: order() }, { e: 'forceOrder', E: T, o: order({ S: 'BUY', T: T + 1 }) }] });
    expect(parseAster(frame, opts).events.map((e) => e.side)).toEqual(['long', 'short']);
  });

  it('the identity is the tuple, as Binance: (aster, symbol, T, side, ap text, z text)', () => {
    const [e] = parseAster(asterFrame({ symbol: 'BTCUSDT', side: 'SELL', price: '50000.10', qty: '0.0140', ts: T }), opts).events;
    expect(e.id).toBe(idOf(identityOf('aster', 'BTCUSDT', T, 'long', '50000.10', '0.0140')));
    expect(e.byId).toBeUndefined();
    expect(e.price).toBe('50000.10');
    expect(e.quantity).toBe('0.014');
    // The same liquidation pushed bare or wrapped is the same liquidation.
    expect(parseAster(asterFrame({ symbol: 'BTCUSDT', side: 'SELL', price: '50000.10', qty: '0.0140', ts: T }, false), opts).events[0].id).toBe(e.id);
  });
});

describe('aster parser: frames that yield nothing', () => {
  it.each([
    ['subscribe ack', '{"result":null,"id":1}'],
    ['list answer', '{"result":["!forceOrder@arr"],"id":2}'],
    ['error answer', '{"code":2,"msg":"Invalid request: unknown variant","id":3}'],
    ['another event', JSON.stringify({ e: 'markPriceUpdate', E: T, s: 'BTCUSDT', p: '1' })],
    ['another stream', JSON.stringify({ stream: 'btcusdt@markPrice', data: { e: 'markPriceUpdate', E: T } })],
  ])('%s', (_case, frame) => {
    expect(parseAster(frame, opts)).toEqual({ events: [], rejections: [], missing: [] });
  });
});

describe('aster parser: rejections', () => {
  it.each<[string, string, RejectReason]>([
    ['invalid JSON', 'not json {', 'invalid_json'],
    ['JSON that is not an object', '[1,2]', 'bad_shape'],
    ['a bare string', '"pong"', 'bad_shape'],
    ['forceOrder without o', JSON.stringify({ e: 'forceOrder', E: T }), 'bad_shape'],
    ['on the stream, not a forceOrder', JSON.stringify({ stream: '!forceOrder@arr', data: { e: 'other' } }), 'bad_shape'],
    ['z = 0: nothing liquidated', wrapped({ z: '0', ap: '0', X: 'EXPIRED' }), 'unfilled'],
    ['z as a JSON number (documented as a string)', wrapped({ z: 0.014 }), 'json_number'],
    ['ap as a JSON number', wrapped({ ap: 9910 }), 'json_number'],
    ['ap 0', wrapped({ ap: '0' }), 'non_positive'],
    ['ap negative', wrapped({ ap: '-1' }), 'non_positive'],
    ['ap in exponent form', wrapped({ ap: '1e4' }), 'non_numeric'],
    ['z missing', wrapped({ z: undefined }), 'missing_field'],
    ['side missing', wrapped({ S: undefined }), 'missing_field'],
    ['side unknown', wrapped({ S: 'HOLD' }), 'bad_side'],
    ['symbol missing', wrapped({ s: '' }), 'missing_field'],
    ['symbol with an escape sequence', wrapped({ s: 'BTC\u001b[31mUSDT' }), 'bad_symbol'],
    ['symbol not a string', wrapped({ s: 7 }), 'bad_symbol'],
    ['symbol ALL (the market bucket)', wrapped({ s: 'ALL' }), 'bad_symbol'],
    ['T as a string', wrapped({ T: String(T) }), 'bad_ts'],
    ['T missing', wrapped({ T: undefined }), 'missing_field'],
    ['T more than 5 minutes ahead', wrapped({ T: NOW + 5 * 60_000 + 1 }), 'ts_future'],
    ['T older than the retention', wrapped({ T: NOW - 168 * 3_600_000 - 1 }), 'ts_too_old'],
    ['value rounds to 0 cents', wrapped({ ap: '0.001', z: '1' }), 'zero_value'],
  ])('%s → %s', (_case, frame, reason) => {
    const r = parseAster(frame, opts);
    expect(r.events).toEqual([]);
    expect(r.rejections.map((x) => [x.exchange, x.reason])).toEqual([['aster', reason]]);
  });
});

describe('aster adapter', () => {
  it('is a sample venue with one feed, replaced before the 24 h limit, and its URL default from the contract', () => {
    expect(aster.sampled).toBe('≤1 liquidation/symbol/s published');
    expect(aster.env.ASTER_WS_URL.def).toBe('wss://fstream.asterdex.com/stream?streams=!forceOrder@arr');
    expect(aster.feeds.map((f) => f.venue)).toEqual(['aster']);
    const lifetime = aster.feeds[0].maxLifetimeMs?.({} as never);
    expect(lifetime).toBeLessThan(24 * 3_600_000);
    expect(lifetime).toBeGreaterThan(23 * 3_600_000);
  });
});

describe('aster capture and synth hooks', () => {
  it('routes every frame to every connection and moves E and o.T, wrapped or bare', async () => {
    const { asterCapture } = await import('../../../src/venues/aster/capture.js');
    expect(asterCapture.routeOf('aster', wrapped())).toBe('');
    for (const text of [wrapped(), bare()]) {
      const msg = JSON.parse(text) as Record<string, unknown>;
      expect(asterCapture.shift('aster', msg, 60_000)).toBe(true);
      const [e] = parseAster(JSON.stringify(msg), { receivedAt: NOW + 60_000, retentionMs: opts.retentionMs }).events;
      expect(e.ts).toBe(T + 60_000);
    }
  });

  it('synthetic frames parse into exactly their liquidations, at most one per symbol per second', async () => {
    const { asterSynth } = await import('../../../src/venues/aster/synth.js');
    const { sizeForUsd } = await import('../../../src/venues/synth-types.js');
    const coins = [{ base: 'BTC', rank: 0, price: 50_000 }, { base: 'ETH', rank: 1, price: 3_000 }, { base: 'PEPE', rank: 2, price: 0.00001 }];
    const market = asterSynth.market(coins, { delivery: NOW });
    expect(market.listings.map((l) => l.name)).toEqual(['BTCUSDT', 'ETHUSDT', '1000PEPEUSDT']);
    expect(asterSynth.onePerSymbolSecond).toBe(true);
    const liqs = market.listings.map((l, i) => ({ listing: l, ts: T + i, long: i % 2 === 0, price: (l.coin.price * l.mult).toFixed(l.priceDecimals), size: sizeForUsd(l.size, 1000, l.coin.price * l.mult) }));
    const frames = asterSynth.frames(liqs, () => 0.5);
    const events = frames.flatMap((f) => parseAster(f.frame, opts).events);
    expect(events.map((e) => [e.symbol, e.side])).toEqual([['BTCUSDT', 'long'], ['ETHUSDT', 'short'], ['1000PEPEUSDT', 'long']]);
    expect(frames.reduce((n, f) => n + f.events, 0)).toBe(3);
  });
});
