// Bitget's pure parser on frames in the real wire shapes (the docs example and a real 2026 capture, written here), the
// position-side rule, amount as the quote value, the three product types, the _CM spelling, acks and garbage; and the
// symbol naming of the instruments endpoint. Cents and qty_e8 worked out by hand.
import { describe, expect, it } from 'vitest';
import { idOf, identityOf } from '../../../src/core/event.js';
import type { ParseOptions, RejectReason } from '../../../src/core/parse.js';
import { bitgetInstrument } from '../../../src/venues/bitget/fixtures.js';
import { bitgetFrame } from '../../../src/venues/bitget/frames.js';
import { bitget, bitgetSubscribe } from '../../../src/venues/bitget/index.js';
import { type BitgetInstrument, type BitgetInstType, bitgetKey, bitgetSymbolOf } from '../../../src/venues/bitget/metadata.js';
import { parseBitget } from '../../../src/venues/bitget/parser.js';

const NOW = 1_798_000_000_000; // a fixed receive time: parsers never read the clock
const T = NOW - 10_600; // pushes carry records up to ~20 s old
const DEC25_2026 = 1_798_185_600_000; // 2026-12-25T08:00:00Z
const base: ParseOptions = { receivedAt: NOW, retentionMs: 168 * 3_600_000 };

const META = new Map<string, BitgetInstrument>([
  [bitgetKey('usdt-futures', 'BTCUSDT'), { symbol: 'BTCUSDT' }],
  [bitgetKey('usdt-futures', 'APEUSDT'), { symbol: 'APEUSDT' }],
  [bitgetKey('usdt-futures', 'IPUSDT'), { symbol: 'IPUSDT' }],
  [bitgetKey('coin-futures', 'BTCUSD'), { symbol: 'BTCUSD' }],
  [bitgetKey('coin-futures', 'ETHUSD_CM'), { symbol: 'ETHUSD' }],
  [bitgetKey('coin-futures', 'BTCUSDZ26'), { symbol: 'BTCUSD_261225' }],
  [bitgetKey('usdc-futures', 'BTCPERP'), { symbol: 'BTCUSDC' }],
]);
const parse = (text: string, extra: Partial<ParseOptions> = {}) => parseBitget(text, { ...base, ...extra, instruments: META });

type Fields = Record<string, unknown>;
const item = (over: Fields = {}): Fields => ({ symbol: 'BTCUSDT', side: 'buy', price: '89000', amount: '37.722858', ts: String(T), ...over });
const frame = (items: unknown, instType: unknown = 'usdt-futures') => JSON.stringify({ data: items, arg: { instType, topic: 'liquidation' }, action: 'update', ts: T + 200 });

describe('bitget parser: events', () => {
  it.each<[string, string, string, 'long' | 'short', number, bigint]>([
    // [case, frame, symbol, side, valueCents, qtyE8]
    ['docs example: buy = a long; amount is USD; base = 37.722858 ÷ 89000', frame([item()]), 'BTCUSDT', 'long', 3772, 42385n], // 0.00042385(2337)
    ['sell = a short', frame([item({ side: 'sell', price: '50000', amount: '1000' })]), 'BTCUSDT', 'short', 100000, 2_000_000n],
    ['half a cent rounds up', frame([item({ price: '2', amount: '10.005' })]), 'BTCUSDT', 'long', 1001, 500_250_000n],
    ['coin-futures: amount is USD', frame([item({ symbol: 'BTCUSD', side: 'sell', price: '50000', amount: '300' })], 'coin-futures'), 'BTCUSD', 'short', 30000, 600_000n],
    ['coin-futures pushed as BTCUSD_CM, listed as BTCUSD', frame([item({ symbol: 'BTCUSD_CM', price: '50000', amount: '300' })], 'coin-futures'), 'BTCUSD', 'long', 30000, 600_000n],
    ['coin-futures pushed as ETHUSD, listed as ETHUSD_CM', frame([item({ symbol: 'ETHUSD', price: '3000', amount: '30' })], 'coin-futures'), 'ETHUSD', 'long', 3000, 1_000_000n],
    ['coin-futures delivery future', frame([item({ symbol: 'BTCUSDZ26', price: '51000', amount: '100' })], 'coin-futures'), 'BTCUSD_261225', 'long', 10000, 196_078n], // 0.00196078(43)
    ['usdc-futures: BTCPERP is BTCUSDC', frame([item({ symbol: 'BTCPERP', price: '60000', amount: '600.5' })], 'usdc-futures'), 'BTCUSDC', 'long', 60050, 1_000_833n], // 0.01000833(3)
  ])('%s', (_case, text, symbol, side, valueCents, qtyE8) => {
    const r = parse(text);
    expect(r.rejections).toEqual([]);
    expect(r.missing).toEqual([]);
    expect(r.events).toHaveLength(1);
    expect(r.events[0]).toMatchObject({ exchange: 'bitget', symbol, side, ts: T, valueCents, qtyE8 });
  });

  it('the real 2026-04-28 capture: two symbols in one push, amount = base × price exactly', () => {
    const text =
      '{"action":"update","arg":{"instType":"usdt-futures","topic":"liquidation"},"data":[' +
      `{"symbol":"APEUSDT","side":"buy","price":"0.1649","amount":"13.70319","ts":"${T}"},` +
      `{"symbol":"IPUSDT","side":"buy","price":"0.500280739469","amount":"143.330431857868","ts":"${T - 9_566}"}],"ts":${T + 10_618}}`;
    const r = parse(text);
    expect(r.rejections).toEqual([]);
    expect(r.events.map((e) => [e.symbol, e.side, e.valueCents, e.qtyE8, e.quantity])).toEqual([
      ['APEUSDT', 'long', 1370, 8_310_000_000n, '83.1'],
      ['IPUSDT', 'long', 14333, 28_650_000_000n, '286.5'],
    ]);
    expect(r.events[1].usd).toBe('143.330431857868');
  });

  it('the identity is the tuple (symbol, ts, side, price, amount) with the product type in it', () => {
    const usdt = parse(frame([item()], 'usdt-futures')).events[0];
    expect(usdt.id).toBe(idOf(identityOf('bitget', 'BTCUSDT', T, 'long', '89000', '37.722858@usdt-futures')));
    expect(usdt.byId).toBeUndefined();
    // The same figures on another product type that names the same symbol are another liquidation.
    const meta = new Map([...META, [bitgetKey('usdc-futures', 'BTCUSDT'), { symbol: 'BTCUSDT' }]]);
    const usdc = parseBitget(frame([item()], 'usdc-futures'), { ...base, instruments: meta }).events[0];
    expect(usdc.symbol).toBe('BTCUSDT');
    expect(usdc.id).not.toBe(usdt.id);
    // Pushed again (a repeat), it is the same liquidation.
    expect(parse(bitgetFrame('usdt-futures', [{ symbol: 'BTCUSDT', side: 'buy', price: '89000', amount: '37.722858', ts: T }])).events[0].id).toBe(usdt.id);
  });

  it('an unknown symbol waits for a refetch, then is unknown_instrument; a re-parse reads only what it names', () => {
    const text = frame([item({ symbol: 'NEWUSDT' }), item()]);
    const first = parse(text);
    expect(first.missing).toEqual(['usdt-futures-NEWUSDT']);
    expect(first.events).toHaveLength(1);
    const final = parse(text, { only: new Set(['usdt-futures-NEWUSDT']), final: true });
    expect(final.events).toEqual([]);
    expect(final.rejections.map((r) => r.reason)).toEqual(['unknown_instrument']);
    const listed = parseBitget(text, { ...base, only: new Set(['usdt-futures-NEWUSDT']), final: true, instruments: new Map([[bitgetKey('usdt-futures', 'NEWUSDT'), { symbol: 'NEWUSDT' }]]) });
    expect(listed.events.map((e) => e.symbol)).toEqual(['NEWUSDT']);
  });
});

describe('bitget parser: frames that yield nothing', () => {
  it.each([
    ['the text pong', 'pong'],
    ['subscribe ack', '{"event":"subscribe","arg":{"instType":"usdt-futures","topic":"liquidation"},"connId":"xxxxxxxxxx"}'],
    ['error answer', '{"event":"error","arg":{"instType":"usdt-futures","topic":"liqudation"},"code":"30001","msg":"doesn\'t exist","connId":"x"}'],
    ['another topic', JSON.stringify({ action: 'update', arg: { instType: 'usdt-futures', topic: 'ticker', symbol: 'BTCUSDT' }, data: [{}] })],
    ['no arg', JSON.stringify({ action: 'update', data: [] })],
    ['an empty push', frame([])],
  ])('%s', (_case, text) => {
    expect(parse(text)).toEqual({ events: [], rejections: [], missing: [] });
  });
});

describe('bitget parser: rejections', () => {
  it.each<[string, string, RejectReason]>([
    ['invalid JSON', '{"action":', 'invalid_json'],
    ['JSON that is not an object', '[{"symbol":"BTCUSDT"}]', 'bad_shape'],
    ['data not an array', JSON.stringify({ action: 'update', arg: { instType: 'usdt-futures', topic: 'liquidation' }, data: item() }), 'bad_shape'],
    ['a product type not subscribed', frame([item()], 'susdt-futures'), 'bad_shape'],
    ['an item that is not an object', frame(['BTCUSDT']), 'bad_shape'],
    ['side as Binance spells it', frame([item({ side: 'SELL' })]), 'bad_side'],
    ['side missing', frame([item({ side: undefined })]), 'missing_field'],
    ['symbol missing', frame([item({ symbol: '' })]), 'missing_field'],
    ['symbol with a slash', frame([item({ symbol: 'BTC/USDT' })]), 'bad_symbol'],
    ['price as a JSON number (documented as a string)', frame([item({ price: 89000 })]), 'json_number'],
    ['amount as a JSON number with 17 significant digits', frame([item({ amount: 0.30000000000000004 })]), 'json_number'],
    ['amount 0', frame([item({ amount: '0' })]), 'non_positive'],
    ['amount negative', frame([item({ amount: '-5' })]), 'non_positive'],
    ['price not a decimal', frame([item({ price: 'NaN' })]), 'non_numeric'],
    ['ts as a JSON number (documented as a string)', frame([item({ ts: T })]), 'bad_ts'],
    ['ts in seconds is far in the past', frame([item({ ts: String(Math.floor(T / 1000)) })]), 'ts_too_old'],
    ['ts missing', frame([item({ ts: undefined })]), 'missing_field'],
    ['ts ahead', frame([item({ ts: String(NOW + 5 * 60_000 + 1) })]), 'ts_future'],
    ['amount rounds to 0 cents', frame([item({ amount: '0.004' })]), 'zero_value'],
  ])('%s → %s', (_case, text, reason) => {
    const r = parse(text);
    expect(r.events).toEqual([]);
    expect(r.rejections.map((x) => [x.exchange, x.reason])).toEqual([['bitget', reason]]);
  });

  it('a bad item rejects itself only', () => {
    const r = parse(frame([item({ side: 'x' }), item({ ts: String(T + 1) })]));
    expect(r.events).toHaveLength(1);
    expect(r.rejections.map((x) => x.reason)).toEqual(['bad_side']);
  });
});

describe('bitget instruments: symbol naming', () => {
  it.each<[string, Parameters<typeof bitgetSymbolOf>[0], string | undefined]>([
    ['docs example (USDT perpetual)', { symbol: 'BTCUSDT', baseCoin: 'BTC', quoteCoin: 'USDT', symbolType: 'perpetual', deliveryTime: '' }, 'BTCUSDT'],
    ['USDC perpetual named from its coins', { symbol: 'BTCPERP', baseCoin: 'BTC', quoteCoin: 'USDC', symbolType: 'perpetual', deliveryTime: '' }, 'BTCUSDC'],
    ['coin-M perpetual', { symbol: 'BTCUSD', baseCoin: 'BTC', quoteCoin: 'USD', symbolType: 'perpetual', deliveryTime: '' }, 'BTCUSD'],
    ['delivery future: _YYMMDD from deliveryTime (UTC)', { symbol: 'BTCUSDZ26', baseCoin: 'BTC', quoteCoin: 'USD', symbolType: 'delivery', deliveryTime: String(DEC25_2026) }, 'BTCUSD_261225'],
    ['no symbolType, a delivery time', { symbol: 'ETHUSDT1225', baseCoin: 'ETH', quoteCoin: 'USDT', deliveryTime: String(DEC25_2026) }, 'ETHUSDT_261225'],
    ['a perpetual with a delivery time keeps its name', { symbol: 'XUSDT', baseCoin: 'X', quoteCoin: 'USDT', symbolType: 'perpetual', deliveryTime: String(DEC25_2026) }, 'XUSDT'],
    ['lower-case coins upper-cased', { symbol: 'pepeusdt', baseCoin: 'pepe', quoteCoin: 'usdt', symbolType: 'perpetual' }, 'PEPEUSDT'],
    ['delivery without a usable time is left out', { symbol: 'BTCUSDH27', baseCoin: 'BTC', quoteCoin: 'USD', symbolType: 'delivery', deliveryTime: '' }, undefined],
    ['delivery with a time that is not digits', { symbol: 'BTCUSDH27', baseCoin: 'BTC', quoteCoin: 'USD', symbolType: 'delivery', deliveryTime: '2026-12-25' }, undefined],
  ])('%s', (_case, info, symbol) => {
    expect(bitgetSymbolOf(info)).toBe(symbol);
  });

  it('the stand-in rows (shaped like the REST answer) map as the docs example does', () => {
    const row = bitgetInstrument({ symbol: 'BTCUSDZ26', category: 'COIN-FUTURES', baseCoin: 'BTC', quoteCoin: 'USD', pricePrecision: 1, quantityPrecision: 3, deliveryTime: DEC25_2026 });
    expect(row.symbolType).toBe('delivery');
    expect(bitgetSymbolOf(row)).toBe('BTCUSD_261225');
    expect(bitgetKey('coin-futures' satisfies BitgetInstType, row.symbol)).toBe('coin-futures-BTCUSDZ26');
  });
});

describe('bitget adapter', () => {
  it('subscribes the three product types in one request, skips the text pong, and refuses error answers loudly', () => {
    expect(JSON.parse(bitgetSubscribe())).toEqual({
      op: 'subscribe',
      args: [
        { instType: 'usdt-futures', topic: 'liquidation' },
        { instType: 'coin-futures', topic: 'liquidation' },
        { instType: 'usdc-futures', topic: 'liquidation' },
      ],
    });
    const feed = bitget.feeds[0];
    expect(feed.control?.('pong', () => undefined, () => undefined)).toBe(true);
    expect(feed.control?.(frame([item()]), () => undefined, () => undefined)).toBe(false);
    expect(feed.refused?.('{"event":"error","code":"30001","msg":"x"}')).toBe(true);
    expect(feed.refused?.('{"event":"subscribe","arg":{}}')).toBe(false);
    const ka = feed.keepalive({ cfg: { PING_INTERVAL_MS: 60_000, PONG_TIMEOUT_MS: 10_000 } } as never);
    expect(ka).toMatchObject({ kind: 'text', intervalMs: 25_000 });
    expect(ka.message?.()).toBe('ping');
    expect(bitget.sampled).toBeUndefined(); // the cadence is unconfirmed
  });
});

describe('bitget capture and synth hooks', () => {
  it('routes a push by topic:instType, as the stand-in holds subscriptions, and moves ts and data[].ts', async () => {
    const { bitgetCapture } = await import('../../../src/venues/bitget/capture.js');
    const text = frame([item()], 'coin-futures');
    expect(bitgetCapture.routeOf('bitget', text)).toBe('liquidation:coin-futures');
    expect(bitgetCapture.routeOf('bitget', 'pong')).toBeUndefined();
    const msg = JSON.parse(frame([item({ symbol: 'BTCUSD', price: '50000', amount: '300' })], 'coin-futures')) as Record<string, unknown>;
    expect(bitgetCapture.shift('bitget', msg, 60_000)).toBe(true);
    expect(msg.ts).toBe(T + 200 + 60_000);
    expect(parseBitget(JSON.stringify(msg), { receivedAt: NOW + 60_000, retentionMs: base.retentionMs, instruments: META }).events[0].ts).toBe(T + 60_000);
  });

  it('synthetic pushes parse into exactly their liquidations with the metadata they list', async () => {
    const { bitgetSynth } = await import('../../../src/venues/bitget/synth.js');
    const { sizeForUsd } = await import('../../../src/venues/synth-types.js');
    const coins = [{ base: 'BTC', rank: 0, price: 50_000 }, { base: 'ETH', rank: 1, price: 3_000 }, { base: 'SOL', rank: 7, price: 150 }];
    const market = bitgetSynth.market(coins, { delivery: DEC25_2026 });
    const meta = new Map<string, BitgetInstrument>();
    const rest = market.rest.bitget as Record<string, { data: Array<Parameters<typeof bitgetSymbolOf>[0] & { symbol: string }> }>;
    for (const [category, doc] of Object.entries(rest)) for (const row of doc.data) meta.set(bitgetKey(category.toLowerCase(), row.symbol), { symbol: bitgetSymbolOf(row)! });
    const liqs = market.listings.map((l, i) => ({ listing: l, ts: T + i, long: i % 2 === 0, price: (l.coin.price * l.mult).toFixed(l.priceDecimals), size: sizeForUsd(l.size, 1000, l.coin.price) }));
    const frames = bitgetSynth.frames(liqs, () => 0.5);
    const results = frames.map((f) => parseBitget(f.frame, { ...base, receivedAt: NOW + 5_000, instruments: meta }));
    expect(results.flatMap((r) => r.rejections)).toEqual([]);
    expect(results.flatMap((r) => r.events.map((e) => e.symbol)).sort()).toEqual(['BTCUSD', 'BTCUSDC', 'BTCUSDT', 'ETHUSD', 'ETHUSDC', 'ETHUSDT', 'SOLUSDT']);
    expect(frames.reduce((n, f) => n + f.events, 0)).toBe(liqs.length);
  });
});
