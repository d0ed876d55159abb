// Lighter: the pure parser on frames in the real wire shapes (the recorded tardis frame, its time moved to a fixed
// receive time), the market mapping on orderBookDetails shapes, the topic plan, keepalive frames, and the venue's
// synthetic frames read back. Expected cents and qty_e8 are worked out by hand (half-up).
import { describe, expect, it } from 'vitest';
import type { ParseOptions, ParseResult } from '../../../src/core/parse.js';
import { lighter, lighterControl, LIGHTER_MARKETS_PER_CONNECTION } from '../../../src/venues/lighter/index.js';
import { defaultLighterMarkets, defaultLighterSpotMarkets } from '../../../src/venues/lighter/fixtures.js';
import { lighterFrame, lighterLiquidation, type LighterLiq } from '../../../src/venues/lighter/frames.js';
import { lighterMarketOf } from '../../../src/venues/lighter/metadata.js';
import { type LighterMarket, parseLighter } from '../../../src/venues/lighter/parser.js';

const NOW = 1_798_000_000_000; // a fixed receive time: the parser never reads the clock
const T = NOW - 4_000;
const OPTS: ParseOptions = { receivedAt: NOW, retentionMs: 168 * 3_600_000 };
const MARKETS = new Map<string, LighterMarket>([
  ['0', { symbol: 'ETHUSD', active: true }],
  ['1', { symbol: 'BTCUSD', active: true }],
  ['4', { symbol: '1000PEPEUSD', active: true }],
  ['9', { symbol: 'OLDUSD', active: false }],
]);
const parse = (text: string, extra: Partial<ParseOptions> = {}): ParseResult => parseLighter(text, { ...OPTS, ...extra }, MARKETS);
const liq = (over: Partial<LighterLiq> = {}): LighterLiq => ({ tradeId: 18237797923, marketId: 1, size: '0.01664', price: '75602.8', isMakerAsk: true, timestamp: T, ...over });
/** An update frame whose one liquidation item has raw values (wrong types, missing fields). */
const rawItem = (over: Record<string, unknown>) =>
  JSON.stringify({ type: 'update/trade', channel: 'trade:1', liquidation_trades: [{ ...lighterLiquidation(liq()), ...over }] });

// The recorded subscribed/trade of market 1 (tardis), trimmed to one trade and its liquidation, timestamp moved to T.
const RECORDED =
  '{"type":"subscribed/trade","channel":"trade:1","nonce":10380968789,"trades":[{"trade_id":18240999145,"trade_id_str":"18240999145","tx_hash":"00000011bd66332a0000019dab062502000000000000000000000000000000000000000000000000","type":"trade","market_id":1,"size":"0.00006","price":"75198.1","usd_amount":"4.511886","ask_id":562952080517578,"ask_id_str":"562952080517578","bid_id":844422774647641,"bid_id_str":"844422774647641","ask_client_id":177669079961927,"ask_client_id_str":"177669079961927","bid_client_id":51630146860820,"bid_client_id_str":"51630146860820","ask_account_id":72056,"bid_account_id":27927,"is_maker_ask":false,"block_height":218856170,"timestamp":' +
  T +
  ',"taker_position_size_before":"0.00072","taker_entry_quote_before":"54.139644","taker_initial_margin_fraction_before":200,"maker_fee":38,"maker_position_size_before":"-60.95094","maker_entry_quote_before":"4581275.187585","maker_initial_margin_fraction_before":500,"transaction_time":1776690799927875}],"liquidation_trades":[{"trade_id":18237797923,"trade_id_str":"18237797923","tx_hash":"00000011bcbd1dfc0000019daad62ecd000000000000000000000000000000000000000000000000","type":"liquidation","market_id":1,"size":"0.01664","price":"75602.8","usd_amount":"1258.030592","ask_id":562952080068427,"ask_id_str":"562952080068427","bid_id":844422775101621,"bid_id_str":"844422775101621","ask_client_id":177668765669007,"ask_client_id_str":"177668765669007","bid_client_id":0,"bid_client_id_str":"0","ask_account_id":281474976626509,"bid_account_id":281474976600615,"is_maker_ask":true,"block_height":218829719,"timestamp":' +
  T +
  ',"taker_fee":10000,"taker_position_size_before":"-0.01664","taker_entry_quote_before":"1247.585664","taker_initial_margin_fraction_before":200,"taker_position_sign_changed":true,"maker_fee":39,"maker_position_size_before":"-0.00015","maker_entry_quote_before":"11.282089","maker_initial_margin_fraction_before":200,"transaction_time":1776687656681222,"taker_allocated_margin_usdc_before":25585360}]}';

describe('lighter parser: liquidations', () => {
  it('the recorded snapshot: is_maker_ask true → the taker bought → a short; 0.01664 × 75602.8 = $1,258.030592', () => {
    const r = parse(RECORDED);
    expect(r.rejections).toEqual([]);
    expect(r.events).toHaveLength(1); // the ordinary trade beside it is not a liquidation
    expect(r.events[0]).toMatchObject({ exchange: 'lighter', symbol: 'BTCUSD', side: 'short', ts: T, price: '75602.8', valueCents: 125803, qtyE8: 1664000n, byId: true });
  });

  it.each([
    ['is_maker_ask false → long', lighterFrame(1, [liq({ isMakerAsk: false })]), 'BTCUSD', 'long', 125803, 1664000n],
    ['market 0 → ETHUSD: 2.5 × 3550.69', lighterFrame(0, [liq({ marketId: 0, size: '2.5000', price: '3550.69' })]), 'ETHUSD', 'short', 887673, 250000000n],
    ['1000PEPE → 1000PEPEUSD', lighterFrame(4, [liq({ marketId: 4, size: '150000', price: '0.012345', isMakerAsk: false })]), '1000PEPEUSD', 'long', 185175, 15000000000000n],
    ['an item without market_id takes the channel’s', rawItem({ market_id: undefined }), 'BTCUSD', 'short', 125803, 1664000n],
    ['a trade_id past 2^53 is read from trade_id_str', rawItem({ trade_id: 2 ** 60, trade_id_str: '1152921504606846976' }), 'BTCUSD', 'short', 125803, 1664000n],
  ])('%s', (_what, frame, symbol, side, cents, qtyE8) => {
    const r = parse(frame);
    expect(r.rejections).toEqual([]);
    expect(r.events).toHaveLength(1);
    expect(r.events[0]).toMatchObject({ symbol, side, valueCents: cents, qtyE8 });
  });

  it('counts every item of liquidation_trades, each its own event', () => {
    const r = parse(lighterFrame(1, [liq({ tradeId: 1 }), liq({ tradeId: 2, isMakerAsk: false }), liq({ tradeId: 3 })]));
    expect(r.events.map((e) => e.side)).toEqual(['short', 'long', 'short']);
  });

  it('identity is trade_id: the subscribed/trade snapshot replaying a liquidation gives the same id', () => {
    const live = parse(lighterFrame(1, [liq({ tradeId: 77 })])).events[0];
    const snapshot = parse(lighterFrame(1, [liq({ tradeId: 76 }), liq({ tradeId: 77 })], 'subscribed')).events;
    expect(snapshot.map((e) => e.id)).toContain(live.id);
    expect(parse(lighterFrame(1, [liq({ tradeId: 78 })])).events[0].id).not.toBe(live.id);
    expect(parse(rawItem({ trade_id: 18237797923 })).events[0].id).toBe(parse(rawItem({ trade_id: '18237797923' })).events[0].id);
  });
});

describe('lighter parser: what yields nothing', () => {
  it.each([
    ['connected', '{"session_id":"8d354239-80e0-4b77-8763-87b6fef2f768","type":"connected"}'],
    ['ping', '{"type":"ping"}'],
    ['pong', '{"type":"pong"}'],
    ['unsubscribed', '{"type":"unsubscribed","channel":"trade:1"}'],
    ['an error', '{"error":{"code":30005,"message":"Invalid Channel:  (marketId)"}}'],
    ['the recorded update without liquidations', '{"type":"update/trade","channel":"trade:1","nonce":10380968791,"trades":[]}'],
    ['liquidation_trades null', '{"type":"update/trade","channel":"trade:1","trades":[],"liquidation_trades":null}'],
    ['liquidation_trades empty', '{"type":"update/trade","channel":"trade:1","trades":[],"liquidation_trades":[]}'],
    ['another channel', '{"type":"update/market_stats","channel":"market_stats:0","market_stats":{"market_id":0}}'],
  ])('%s', (_what, frame) => {
    expect(parse(frame)).toEqual({ events: [], rejections: [], missing: [] });
  });

  it('the server’s ping is answered with a pong; pongs are swallowed; data is not a control frame', () => {
    const sent: string[] = [];
    expect(lighterControl('{"type":"ping"}', (t) => sent.push(t))).toBe(true);
    expect(sent).toEqual(['{"type":"pong"}']);
    expect(lighterControl('{"type":"pong"}', (t) => sent.push(t))).toBe(true);
    expect(lighterControl(lighterFrame(1, [liq()]), (t) => sent.push(t))).toBe(false);
    expect(sent).toHaveLength(1);
  });
});

describe('lighter parser: rejections', () => {
  it.each([
    ['not JSON', 'garbage \u001b[2J', 'invalid_json'],
    ['JSON but an array', '[1,2]', 'bad_shape'],
    ['liquidation_trades an object', '{"type":"update/trade","channel":"trade:1","liquidation_trades":{}}', 'bad_shape'],
    ['an item that is not an object', '{"type":"update/trade","channel":"trade:1","liquidation_trades":[7]}', 'bad_shape'],
    ['no market_id and no usable channel', JSON.stringify({ type: 'update/trade', channel: 'trade', liquidation_trades: [{ ...lighterLiquidation(liq()), market_id: undefined }] }), 'missing_field'],
    ['a negative market_id', rawItem({ market_id: -1 }), 'bad_symbol'],
    ['is_maker_ask a string', rawItem({ is_maker_ask: 'true' }), 'bad_side'],
    ['is_maker_ask missing', rawItem({ is_maker_ask: undefined }), 'missing_field'],
    ['price as a JSON number (documented as a string)', rawItem({ price: 75602.8 }), 'json_number'],
    ['size a word', rawItem({ size: 'abc' }), 'non_numeric'],
    ['size zero', rawItem({ size: '0.00000' }), 'non_positive'],
    ['size negative', rawItem({ size: '-0.5' }), 'non_positive'],
    ['price missing', rawItem({ price: undefined }), 'missing_field'],
    ['timestamp a string', rawItem({ timestamp: String(T) }), 'bad_ts'],
    ['timestamp in seconds (the old docs example)', rawItem({ timestamp: 1722339648 }), 'ts_too_old'],
    ['timestamp an hour ahead', rawItem({ timestamp: NOW + 3_600_000 }), 'ts_future'],
    ['trade_id missing', rawItem({ trade_id: undefined, trade_id_str: undefined }), 'missing_field'],
    ['trade_id a fraction', rawItem({ trade_id: 1.5, trade_id_str: undefined }), 'bad_shape'],
    ['value rounding to 0 cents', rawItem({ size: '0.00001', price: '1' }), 'zero_value'],
  ])('%s → %s', (_what, frame, reason) => {
    const r = parse(frame);
    expect(r.events).toEqual([]);
    expect(r.rejections.map((x) => x.reason)).toEqual([reason]);
  });

  it('a market the metadata does not know waits for a refetch, then is unknown_instrument; the re-parse reads only it', () => {
    const frame = JSON.stringify({ type: 'update/trade', channel: 'trade:77', liquidation_trades: [lighterLiquidation(liq({ marketId: 77, tradeId: 1 })), lighterLiquidation(liq({ tradeId: 2 }))] });
    const first = parse(frame);
    expect(first.missing).toEqual(['77']);
    expect(first.events).toHaveLength(1);
    const last = parse(frame, { only: new Set(['77']), final: true });
    expect(last.events).toEqual([]);
    expect(last.rejections.map((x) => x.reason)).toEqual(['unknown_instrument']);
    const listed = parseLighter(frame, { ...OPTS, only: new Set(['77']), final: true }, new Map([...MARKETS, ['77', { symbol: 'NEWUSD', active: true }]]));
    expect(listed.events.map((e) => e.symbol)).toEqual(['NEWUSD']);
  });
});

describe('lighter metadata and topics', () => {
  it.each([
    [{ symbol: 'BTC', market_id: 1, market_type: 'perp', status: 'active' }, { symbol: 'BTCUSD', active: true }],
    [{ symbol: '1000PEPE', market_id: 4, market_type: 'perp', status: 'active' }, { symbol: '1000PEPEUSD', active: true }],
    [{ symbol: 'kBONK', market_id: 12, status: 'active' }, { symbol: 'KBONKUSD', active: true }],
    [{ symbol: 'OLD', market_id: 9, market_type: 'perp', status: 'inactive' }, { symbol: 'OLDUSD', active: false }],
    [{ symbol: 'ETH/USDC', market_id: 2048, market_type: 'spot', status: 'active' }, undefined],
  ])('%o → %o', (info, want) => {
    expect(lighterMarketOf(info)).toEqual(want);
  });

  it("the stand-in's markets map to one trade channel per active perpetual", () => {
    const meta = new Map<string, LighterMarket>();
    for (const m of [...defaultLighterMarkets(), ...defaultLighterSpotMarkets()]) {
      const market = lighterMarketOf(m);
      if (market) meta.set(String(m.market_id), market);
    }
    const plan = lighter.feeds[0].topics!;
    expect(plan.topics([...meta.keys()], meta)).toEqual(['trade/0', 'trade/1', 'trade/2', 'trade/3', 'trade/4']);
    expect(plan.subscribe(['trade/0', 'trade/1']).map((m) => JSON.parse(m))).toEqual([{ type: 'subscribe', channel: 'trade/0' }, { type: 'subscribe', channel: 'trade/1' }]);
    expect(JSON.parse(plan.unsubscribe!(['trade/9'])[0])).toEqual({ type: 'unsubscribe', channel: 'trade/9' });
    const ctx = {} as never;
    expect(plan.fits({ count: LIGHTER_MARKETS_PER_CONNECTION - 1, chars: 0 }, 'trade/5', ctx)).toBe(true);
    expect(plan.fits({ count: LIGHTER_MARKETS_PER_CONNECTION, chars: 0 }, 'trade/5', ctx)).toBe(false);
    expect(LIGHTER_MARKETS_PER_CONNECTION).toBeLessThan(100);
  });
});

describe('lighter synthetic frames', () => {
  it('parse back to exactly the liquidations they were made of', () => {
    const synth = lighter.synth!;
    const market = synth.market([{ base: 'BTC', rank: 0, price: 61000 }, { base: 'ETH', rank: 1, price: 3100 }], { delivery: NOW });
    const meta = new Map<string, LighterMarket>();
    const body = (market.rest.lighter as { orderBookDetails: { order_book_details: Array<{ symbol: string; market_id: number }> } }).orderBookDetails;
    for (const m of body.order_book_details) meta.set(String(m.market_id), lighterMarketOf(m)!);
    const liqs = Array.from({ length: 30 }, (_, i) => {
      const listing = market.listings[i % 2];
      return { listing, ts: T - 10_000 + i * 50, long: i % 4 === 0, price: listing.coin.price.toFixed(1), size: '0.250' };
    });
    const frames = synth.frames(liqs, () => 0.5);
    const events = frames.flatMap((f) => parseLighter(f.frame, OPTS, meta).events);
    expect(events).toHaveLength(30);
    expect(new Set(events.map((e) => e.id)).size).toBe(30);
    expect(events.filter((e) => e.side === 'long')).toHaveLength(liqs.filter((l) => l.long).length);
    expect(new Set(events.map((e) => e.symbol))).toEqual(new Set(['BTCUSD', 'ETHUSD']));
  });
});
