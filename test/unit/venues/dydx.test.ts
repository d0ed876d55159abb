// dYdX v4: the pure parser on v4_trades frames in the real wire shapes (channel_data, the subscribed snapshot,
// batches; LIQUIDATED and the older liquidation flag), the exact ISO 8601 conversion, frames that yield nothing, the
// topic plan (32 markets per connection) and the market metadata mapping. Expected cents and qty_e8 are worked out by
// hand in the comments.
import { describe, expect, it } from 'vitest';
import { idOf, ownIdentityOf, type LiquidationEvent } from '../../../src/core/event.js';
import type { ParseOptions, ParseResult, RejectReason } from '../../../src/core/parse.js';
import { FEEDS } from '../../../src/venues/registry.js';
import { dydxTopics } from '../../../src/venues/dydx/index.js';
import { dydxMarketOf } from '../../../src/venues/dydx/metadata.js';
import { type DydxMarket, isoToMs, parseDydx } from '../../../src/venues/dydx/parser.js';
import { dydxRefused } from '../../../src/venues/dydx/protocol.js';
import { dydxSubscribedFrame, dydxTradesFrame } from '../../../src/venues/dydx/frames.js';

const NOW = 1_798_000_000_000;
const T = NOW - 1_200;
const ISO = new Date(T).toISOString();
const BASE: ParseOptions = { receivedAt: NOW, retentionMs: 168 * 3_600_000 };
const META = new Map<string, DydxMarket>(['BTC-USD', 'AVAX-USD', 'BTC-EUR'].map((t) => [t, dydxMarketOf(t)!]));

const parse = (text: string, opts: ParseOptions = BASE): ParseResult => parseDydx(text, opts, META);
const data = (market: string, trades: unknown[]) => JSON.stringify({ type: 'channel_data', connection_id: 'c', message_id: 4, id: market, channel: 'v4_trades', version: '2.1.0', contents: { trades } });
/** The tardis capture's LIQUIDATED row, moved to T. */
const liq = (over: Record<string, unknown> = {}) => ({ id: '014f495a0000000200000005', side: 'SELL', size: '3.9', price: '22.87', type: 'LIQUIDATED', createdAt: ISO, ...over });
const limit = (over: Record<string, unknown> = {}) => ({ id: '0165e5e40000000200000002', size: '0.002', price: '60397', side: 'BUY', createdAt: ISO, type: 'LIMIT', ...over });

function events(r: ParseResult): LiquidationEvent[] {
  expect(r.rejections).toEqual([]);
  expect(r.missing).toEqual([]);
  return r.events;
}

describe('dydx parser: liquidation trades', () => {
  it.each<[string, string, Array<Partial<LiquidationEvent>>]>([
    // SELL: the liquidated taker sold, closing a long. 3.9 × 22.87 = 89.193 USD → 8919 cents; 3.9 → 390,000,000 e8.
    ['LIQUIDATED, taker SELL → long (tardis capture)', data('AVAX-USD', [limit(), liq()]), [{ symbol: 'AVAXUSD', side: 'long', price: '22.87', quantity: '3.9', valueCents: 8919, qtyE8: 390_000_000n }]],
    ['LIQUIDATED, taker BUY → short', data('AVAX-USD', [liq({ side: 'BUY' })]), [{ side: 'short', valueCents: 8919 }]],
    ['the older boolean flag counts as LIQUIDATED', data('AVAX-USD', [{ id: 'a1', side: 'SELL', size: '3.9', price: '22.87', createdAt: ISO, liquidation: true }]), [{ side: 'long', valueCents: 8919 }]],
    [
      'the subscribed snapshot replays recent trades: its liquidations are read the same way',
      dydxSubscribedFrame('AVAX-USD', [liq({ createdAtHeight: '100' }), limit({ createdAtHeight: '99' })], 'c', 1),
      [{ side: 'long', valueCents: 8919 }],
    ],
    [
      'a channel_batch_data frame carries an array of contents',
      JSON.stringify({ type: 'channel_batch_data', connection_id: 'c', message_id: 9, id: 'AVAX-USD', channel: 'v4_trades', version: '2.1.0', contents: [{ trades: [liq()] }, { trades: [liq({ id: 'b2', side: 'BUY' })] }] }),
      [{ side: 'long' }, { side: 'short' }],
    ],
    // 0.000100431 × 27839 = 2.795898609 → 280 cents; 10043.1 e8 → 10043.
    ['sizes of nine decimals', data('BTC-USD', [liq({ size: '0.000100431', price: '27839', side: 'BUY' })]), [{ symbol: 'BTCUSD', side: 'short', valueCents: 280, qtyE8: 10_043n }]],
  ])('%s', (_name, text, expected) => {
    const evs = events(parse(text));
    expect(evs).toHaveLength(expected.length);
    evs.forEach((e, i) => expect(e).toMatchObject({ exchange: 'dydx', ts: T, byId: true, ...expected[i] }));
  });

  it('the docs example: two LIQUIDATED fills (one worth under half a cent: zero_value) and two LIMIT fills', () => {
    const frame = data('BTC-USD', [
      { id: '8ee6d90d-272d-5edd-bf0f-2e4d6ae3d3b7', size: '0.000100431', price: '27839', side: 'BUY', createdAt: ISO, type: 'LIQUIDATED' },
      { id: '38e64479-af09-5417-a795-195f83879156', size: '0.000000004', price: '27839', side: 'BUY', createdAt: ISO, type: 'LIQUIDATED' },
      { id: 'd310c32c-f066-5ba8-a97d-10a29d9a6c84', size: '0.000000005', price: '27837', side: 'SELL', createdAt: ISO, type: 'LIMIT' },
      { id: 'dd1088b5-5cab-518f-a59c-4d5f735ab861', size: '0.000118502', price: '27837', side: 'SELL', createdAt: ISO, type: 'LIMIT' },
    ]);
    const r = parse(frame);
    expect(r.events.map((e) => [e.side, e.valueCents])).toEqual([['short', 280]]);
    expect(r.rejections.map((x) => x.reason)).toEqual(['zero_value']);
  });

  it('the identity is the trade id: the same fill in a push and in a later snapshot is one liquidation', () => {
    const [pushed] = events(parse(data('AVAX-USD', [liq()])));
    expect(pushed.id).toBe(idOf(ownIdentityOf('dydx', '014f495a0000000200000005')));
    const [replayed] = events(parse(dydxSubscribedFrame('AVAX-USD', [liq({ createdAtHeight: '1' })], 'other', 1)));
    expect(replayed.id).toBe(pushed.id);
    expect(events(parse(data('AVAX-USD', [liq({ id: '014f495a0000000200000006' })])))[0].id).not.toBe(pushed.id);
  });

  it('the frame builder writes what the parser reads', () => {
    const f = dydxTradesFrame('AVAX-USD', [{ id: 'x1', side: 'SELL', size: '3.9', price: '22.87', type: 'LIQUIDATED', createdAt: T }, { id: 'x2', side: 'BUY', size: '1', price: '22.87', type: 'LIMIT', createdAt: T }]);
    expect(events(parse(f))).toMatchObject([{ symbol: 'AVAXUSD', valueCents: 8919, ts: T }]);
  });
});

describe('dydx createdAt: ISO 8601 to ms, exactly', () => {
  it.each<[string, number | RejectReason]>([
    ['2024-08-04T07:34:50.628Z', 1_722_756_890_628],
    ['2024-08-04T07:34:50.6289Z', 1_722_756_890_628], // sub-millisecond digits truncated, never rounded up
    ['2024-08-04T07:34:50.628999999Z', 1_722_756_890_628],
    ['2024-08-04T07:34:50.6Z', 1_722_756_890_600],
    ['2024-08-04T07:34:50Z', 1_722_756_890_000],
    ['2024-02-29T00:00:00.000Z', 1_709_164_800_000], // a leap day
    ['2023-02-29T00:00:00.000Z', 'bad_ts'], // no such day: refused, not rolled over to March
    ['2024-04-31T00:00:00.000Z', 'bad_ts'],
    ['2024-08-04T24:00:00.000Z', 'bad_ts'],
    ['2024-08-04T07:60:00.000Z', 'bad_ts'],
    ['2024-08-04T07:34:60.000Z', 'bad_ts'], // no leap second
    ['2024-08-04T07:34:50.6280000000Z', 'bad_ts'], // ten fraction digits
    ['2024-08-04T07:34:50.628+00:00', 'bad_ts'],
    ['2024-08-04T07:34:50.628z', 'bad_ts'],
    ['2024-08-04 07:34:50.628Z', 'bad_ts'],
    ['2024-08-04T07:34:50.Z', 'bad_ts'],
    ['1969-12-31T23:59:59.999Z', 'bad_ts'],
    ['', 'missing_field'],
  ])('%s → %s', (text, expected) => {
    expect(isoToMs(text)).toBe(expected);
    if (typeof expected === 'number' && !/\.\d{4,}/.test(text)) expect(Date.parse(text)).toBe(expected);
  });

  it.each<[unknown, RejectReason]>([
    [undefined, 'missing_field'],
    [null, 'missing_field'],
    [1722756890628, 'bad_ts'],
    [{}, 'bad_ts'],
  ])('%s → %s', (v, expected) => {
    expect(isoToMs(v)).toBe(expected);
  });
});

describe('dydx: acks, heartbeats, errors and other channels yield nothing', () => {
  it.each([
    ['connected (docs)', '{"type":"connected","connection_id":"004a1efa-21bb-4b19-a2e9-a8ffadd6dc53","message_id":0}'],
    ['subscribed with ordinary trades only (docs, no id nor type in them)', dydxSubscribedFrame('BTC-USD', [{ side: 'BUY', size: '0.00396135', price: '27848', createdAt: '2023-04-04T00:28:56.226Z', createdAtHeight: '49592' }], 'c', 1)],
    ['unsubscribed', '{"type":"unsubscribed","connection_id":"c","message_id":3,"channel":"v4_trades","id":"BTC-USD"}'],
    ['an error', '{"type":"error","message":"Invalid subscription id for channel: (v4_trades-NOPE-USD)","connection_id":"c","message_id":2}'],
    ['a pong', '{"type":"pong","connection_id":"c","message_id":5}'],
    ['DELEVERAGED is not a liquidation', data('AVAX-USD', [liq({ type: 'DELEVERAGED' })])],
    ['LIMIT trades only', data('AVAX-USD', [limit(), limit({ id: 'x' })])],
    ['another channel', JSON.stringify({ type: 'channel_data', id: 'BTC-USD', channel: 'v4_orderbook', version: '1', contents: { bids: [['1', '1']] } })],
    ['an unknown market with no liquidation asks nothing', data('NEW-USD', [limit()])],
  ])('%s', (_name, text) => {
    expect(parse(text)).toEqual({ events: [], rejections: [], missing: [] });
  });

  it('an error answer is a refusal; data is not', () => {
    expect(dydxRefused('{"type":"error","message":"Per-connection subscription limit reached for v4_trades (limit=32).","connection_id":"c","message_id":40}')).toBe(true);
    expect(dydxRefused(data('AVAX-USD', [liq()]))).toBe(false);
    expect(dydxRefused('{"type":"connected","connection_id":"c","message_id":0}')).toBe(false);
  });
});

describe('dydx parser: every rejection', () => {
  const one = (over: Record<string, unknown>) => data('AVAX-USD', [liq(over)]);
  it.each<[RejectReason, string, string]>([
    ['invalid_json', 'not json', '{"type":"channel_data",'],
    ['bad_shape', 'JSON that is not an object', '[{"type":"channel_data"}]'],
    ['bad_shape', 'channel_data without contents', '{"type":"channel_data","id":"AVAX-USD","channel":"v4_trades"}'],
    ['bad_shape', 'trades not an array', '{"type":"channel_data","id":"AVAX-USD","channel":"v4_trades","contents":{"trades":{}}}'],
    ['bad_shape', 'a trade that is not an object', data('AVAX-USD', [7])],
    ['missing_field', 'a frame without its market', JSON.stringify({ type: 'channel_data', channel: 'v4_trades', contents: { trades: [liq()] } })],
    ['bad_symbol', 'a market with a dot', data('AVAX.USD', [liq()])],
    ['bad_side', 'side LONG', one({ side: 'LONG' })],
    ['missing_field', 'no side', one({ side: undefined })],
    ['json_number', 'a price sent as a JSON number (decimals are strings here)', one({ price: 22.87 })],
    ['non_numeric', 'a size that is not a decimal', one({ size: '3.9e2' })],
    ['non_positive', 'a zero size', one({ size: '0' })],
    ['non_positive', 'a negative price', one({ price: '-22.87' })],
    ['missing_field', 'no price', one({ price: undefined })],
    ['bad_ts', 'createdAt that is no date', one({ createdAt: '2024-13-01T00:00:00.000Z' })],
    ['bad_ts', 'createdAt as ms', one({ createdAt: T })],
    ['missing_field', 'no createdAt', one({ createdAt: undefined })],
    ['ts_future', 'ten minutes ahead', one({ createdAt: new Date(NOW + 600_000).toISOString() })],
    ['ts_too_old', 'older than the retention (an old trade in a snapshot)', one({ createdAt: new Date(NOW - 169 * 3_600_000).toISOString() })],
    ['missing_field', 'no id', one({ id: undefined })],
    ['bad_shape', 'an id with spaces', one({ id: 'a b' })],
    ['unsupported_quote', 'a market not quoted in USD', data('BTC-EUR', [liq()])],
  ])('%s: %s', (reason, _name, text) => {
    const r = parse(text);
    expect(r.events).toEqual([]);
    expect(r.rejections.map((x) => x.reason)).toEqual([reason]);
    expect(r.rejections[0].exchange).toBe('dydx');
  });

  it('an unknown market waits for a refetch, then each of its liquidations is unknown_instrument', () => {
    const text = data('NEW-USD', [liq(), limit(), liq({ id: 'z2' })]);
    expect(parse(text)).toMatchObject({ events: [], rejections: [], missing: ['NEW-USD'] });
    expect(parse(text, { ...BASE, only: new Set(['NEW-USD']), final: true }).rejections.map((x) => x.reason)).toEqual(['unknown_instrument', 'unknown_instrument']);
    const known = new Map(META).set('NEW-USD', { symbol: 'NEWUSD' });
    expect(parseDydx(text, { ...BASE, only: new Set(['NEW-USD']), final: true }, known).events).toHaveLength(2);
  });

  it('never throws on mutated frames', () => {
    for (const s of [data('AVAX-USD', [liq(), limit()]), dydxSubscribedFrame('AVAX-USD', [liq()], 'c', 1)]) {
      for (let i = 0; i < s.length; i += 3) {
        for (const cut of [s.slice(0, i), s.slice(0, i) + '"' + s.slice(i + 1), s.slice(0, i) + 'null' + s.slice(i)]) expect(() => parse(cut)).not.toThrow();
      }
    }
  });
});

describe('dydx subscriptions and metadata', () => {
  it('one v4_trades subscription per market, at most 32 per connection', () => {
    expect(dydxTopics.topics(['ETH-USD', 'BTC-USD'], META)).toEqual(['BTC-USD', 'ETH-USD']);
    expect(dydxTopics.subscribe(['BTC-USD', 'ETH-USD']).map((m) => JSON.parse(m))).toEqual([
      { type: 'subscribe', channel: 'v4_trades', id: 'BTC-USD' },
      { type: 'subscribe', channel: 'v4_trades', id: 'ETH-USD' },
    ]);
    expect(JSON.parse(dydxTopics.unsubscribe!(['BTC-USD'])[0])).toEqual({ type: 'unsubscribe', channel: 'v4_trades', id: 'BTC-USD' });
    expect(dydxTopics.fits({ count: 31, chars: 300 }, 'X-USD', {} as never)).toBe(true);
    expect(dydxTopics.fits({ count: 32, chars: 300 }, 'X-USD', {} as never)).toBe(false);
    expect(FEEDS.find((f) => f.feed.venue === 'dydx')!.feed.topics).toBe(dydxTopics);
  });

  it.each<[string, DydxMarket | undefined]>([
    ['BTC-USD', { symbol: 'BTCUSD' }],
    ['1000PEPE-USD', { symbol: '1000PEPEUSD' }],
    ['ETH-EUR', { symbol: 'ETHEUR', unsupportedQuote: true }],
    ['BTCUSD', undefined],
    ['A-B-C', undefined],
    ['-USD', undefined],
  ])('ticker %s', (ticker, expected) => {
    expect(dydxMarketOf(ticker)).toEqual(expected);
  });
});

describe('dydx capture and synth hooks', () => {
  const adapter = FEEDS.find((f) => f.feed.venue === 'dydx')!.adapter;
  const cap = adapter.capture!;

  it('routes frames by market and moves createdAt to the millisecond, keeping finer digits', () => {
    const f = data('AVAX-USD', [liq(), liq({ id: 'b', createdAt: '2024-08-04T07:34:50.6289Z' }), limit({ createdAt: 'not a date' })]);
    expect(cap.routeOf('dydx', f)).toBe('AVAX-USD');
    expect(cap.routeOf('dydx', '{"type":"connected","connection_id":"c","message_id":0}')).toBeUndefined();
    const msg = JSON.parse(f) as { contents: { trades: Array<{ createdAt: string }> } };
    expect(cap.shift('dydx', msg, 60_001)).toBe(true);
    expect(msg.contents.trades.map((t) => t.createdAt)).toEqual([new Date(T + 60_001).toISOString(), '2024-08-04T07:35:50.6299Z', 'not a date']);
    const batch = { type: 'channel_batch_data', channel: 'v4_trades', id: 'AVAX-USD', contents: [{ trades: [liq()] }] };
    expect(cap.shift('dydx', batch, 1)).toBe(true);
    const rest = { dydx: { markets: { markets: { 'BTC-USD': { ticker: 'BTC-USD', status: 'ACTIVE' } } } } };
    expect([...cap.listedRoutes!('dydx', rest)!]).toEqual(['BTC-USD']);
    expect(cap.standinOptions({})).toEqual({ dydxMarkets: [] });
  });

  it('synthetic frames parse to the liquidations they say they hold, routed as the capture routes them', () => {
    const synth = adapter.synth!;
    const coins = [
      { base: 'BTC', rank: 0, price: 97000 },
      { base: 'PEPE', rank: 8, price: 0.000018 },
    ];
    const market = synth.market(coins, { delivery: 1_798_185_600_000 });
    const meta = new Map<string, DydxMarket>(Object.keys((market.rest.dydx as { markets: { markets: Record<string, unknown> } }).markets.markets).map((t) => [t, dydxMarketOf(t)!]));
    const liqs = market.listings.flatMap((listing, i) => [0, 1, 2].map((k) => ({ listing, ts: T - 10_000 + i * 1000 + k, long: k !== 1, price: listing.coin.price.toFixed(listing.priceDecimals), size: listing.coin.price > 1 ? '12' : '1200000' })));
    const frames = synth.frames(liqs, () => 0.25);
    let total = 0;
    for (const f of frames) {
      const r = parseDydx(f.frame, BASE, meta);
      expect(r.rejections).toEqual([]);
      expect(r.events).toHaveLength(f.events);
      expect(cap.routeOf(f.venue, f.frame)).toBe(f.route);
      total += r.events.length;
    }
    expect(total).toBe(liqs.length);
  });
});
