// Kraken Futures: the pure parser on frames in the real wire shapes (docs and recorded frames), the metadata mapping
// on instrument-list shapes, the topic plan, and the venue's synthetic frames read back by its own parser.
// Expected cents and qty_e8 are worked out by hand (half-up).
import { describe, expect, it } from 'vitest';
import type { ParseOptions, ParseResult } from '../../../src/core/parse.js';
import { kraken, isKrakenRefusal, KRAKEN_PRODUCTS_PER_CONNECTION } from '../../../src/venues/kraken/index.js';
import { defaultKrakenInstruments } from '../../../src/venues/kraken/fixtures.js';
import { krakenSnapshotFrame, krakenTradeFrame, type KrakenTrade } from '../../../src/venues/kraken/frames.js';
import { krakenProductOf, pairOf } from '../../../src/venues/kraken/metadata.js';
import { type KrakenProduct, parseKraken } from '../../../src/venues/kraken/parser.js';
import { DELIVERY } from '../../../src/venues/standin/fixtures.js';

const NOW = 1_798_000_000_000; // a fixed receive time: the parser never reads the clock
const T = NOW - 2_000;
const OPTS: ParseOptions = { receivedAt: NOW, retentionMs: 168 * 3_600_000 };

const PRODUCTS = new Map<string, KrakenProduct>([
  ['PF_XBTUSD', { symbol: 'BTCUSD', kind: 'linear', tradeable: true }],
  ['PF_ETHUSD', { symbol: 'ETHUSD', kind: 'linear', tradeable: true }],
  ['PI_XRPUSD', { symbol: 'XRPUSD', kind: 'inverse', tradeable: true }],
  ['PI_ETHUSD', { symbol: 'ETHUSD', kind: 'inverse', tradeable: true }],
  ['FI_XBTUSD_261225', { symbol: 'BTCUSD_261225', kind: 'inverse', tradeable: true }],
  ['FF_XBTUSD_261225', { symbol: 'BTCUSD_261225', kind: 'linear', tradeable: true }],
  ['IN_XBTUSD', { symbol: '', kind: 'unsupported', tradeable: false }],
]);

const parse = (text: string, extra: Partial<ParseOptions> = {}): ParseResult => parseKraken(text, { ...OPTS, ...extra }, PRODUCTS);
const trade = (over: Partial<KrakenTrade> = {}): KrakenTrade => ({ productId: 'PF_XBTUSD', uid: 'a1b2c3d4-0000-4000-8000-000000000001', side: 'sell', qty: '0.0123', price: '61234.5', time: T, ...over });
/** A trade frame with raw field values (for wrong types), as Kraken's JSON would carry them. */
const raw = (over: Record<string, unknown>) =>
  JSON.stringify({ feed: 'trade', product_id: 'PF_XBTUSD', uid: 'u-1', side: 'sell', type: 'liquidation', seq: 1, time: T, qty: 0.5, price: 100, ...over });

describe('kraken parser: liquidations', () => {
  it.each([
    // [what, frame, symbol, side, cents, qty_e8]
    ['PF_ linear, sell → long: base = qty, USD = qty × price ($753.18435)', krakenTradeFrame(trade()), 'BTCUSD', 'long', 75318, 1230000n],
    ['PF_ linear, buy → short', krakenTradeFrame(trade({ side: 'buy', productId: 'PF_ETHUSD', qty: '0.25', price: '50010' })), 'ETHUSD', 'short', 1250250, 25000000n],
    // the recorded frames (tardis capture of 2020-07-01): inverse, qty in USD
    ['PI_ inverse (recorded): USD = qty, base = 12000 ÷ 0.1736', '{"feed":"trade","product_id":"PI_XRPUSD","uid":"3ee209b8-bc9f-4ed5-965b-8c6208b26411","side":"sell","type":"liquidation","seq":41799,"time":' + T + ',"qty":12000,"price":0.1736}', 'XRPUSD', 'long', 1200000, 6912442396313n],
    ['PI_ inverse (recorded), buy → short: 250 ÷ 231.6', '{"feed":"trade","product_id":"PI_ETHUSD","uid":"e7f3a144-5c04-4ed6-999e-5922cd0b6160","side":"buy","type":"liquidation","seq":253796,"time":' + T + ',"qty":250,"price":231.6}', 'ETHUSD', 'short', 25000, 107944732n],
    ['FI_ dated inverse → BTCUSD_261225', krakenTradeFrame(trade({ productId: 'FI_XBTUSD_261225', qty: '1000', price: '50000.5' })), 'BTCUSD_261225', 'long', 100000, 1999980n],
    ['FF_ dated linear → BTCUSD_261225', krakenTradeFrame(trade({ productId: 'FF_XBTUSD_261225', side: 'buy', qty: '0.25', price: '50010' })), 'BTCUSD_261225', 'short', 1250250, 25000000n],
    ['qty sent as a string is read as the decimal it is', raw({ qty: '0.0123', price: 61234.5 }), 'BTCUSD', 'long', 75318, 1230000n],
    ['320.0 on the wire is 320', raw({ product_id: 'PI_XRPUSD', qty: 320.0, price: 0.5 }), 'XRPUSD', 'long', 32000, 64000000000n],
  ])('%s', (_what, frame, symbol, side, cents, qtyE8) => {
    const r = parse(frame);
    expect(r.rejections).toEqual([]);
    expect(r.events).toHaveLength(1);
    expect(r.events[0]).toMatchObject({ exchange: 'kraken', symbol, side, valueCents: cents, qtyE8, ts: T, byId: true });
  });

  it('identity is the uid: the same uid gives the same id whatever else differs; another uid another id', () => {
    const a = parse(krakenTradeFrame(trade())).events[0];
    const b = parse(krakenTradeFrame(trade({ seq: 99 }))).events[0];
    const c = parse(krakenTradeFrame(trade({ uid: 'other' }))).events[0];
    expect(a.id).toBe(b.id);
    expect(c.id).not.toBe(a.id);
  });

  it('a trade_snapshot after a resubscribe replays liquidations already seen: same ids, so they count once', () => {
    const live = [trade({ uid: 'liq-1', time: T - 60_000 }), trade({ uid: 'liq-2', side: 'buy', time: T - 30_000 })];
    const seen = live.map((t) => parse(krakenTradeFrame(t)).events[0].id);
    // newest first, with fills around them (those are not liquidations)
    const snapshot = krakenSnapshotFrame('PF_XBTUSD', [
      { ...live[1] },
      trade({ uid: 'fill-1', type: 'fill' }),
      { ...live[0] },
      trade({ uid: 'block-1', type: 'block' }),
    ]);
    const r = parse(snapshot);
    expect(r.rejections).toEqual([]);
    expect(r.events.map((e) => e.id).sort()).toEqual([...seen].sort());
    expect(r.events.map((e) => e.side).sort()).toEqual(['long', 'short']);
  });

  it('the recorded snapshot of fills yields nothing', () => {
    const recorded =
      '{"feed":"trade_snapshot","product_id":"PI_XRPUSD","trades":[{"feed":"trade","product_id":"PI_XRPUSD","uid":"f0df222c-1445-4cb2-abf3-98587b1c3170","side":"buy","type":"fill","seq":9597,"time":1626994648927,"qty":320.0,"price":0.5909},{"feed":"trade","product_id":"PI_XRPUSD","uid":"cd8e855c-7804-49fc-b163-db839eec8be5","side":"buy","type":"fill","seq":9596,"time":1626994629170,"qty":59.0,"price":0.5913}]}';
    expect(parse(recorded)).toEqual({ events: [], rejections: [], missing: [] });
  });
});

describe('kraken parser: what yields nothing', () => {
  it.each([
    ['info on connect', '{"event":"info","version":1}'],
    ['subscribed ack', '{"event":"subscribed","feed":"trade","product_ids":["PI_XRPUSD"]}'],
    ['subscribed_failed', '{"event":"subscribed_failed","feed":"trade","product_ids":["PF_NOPEUSD"]}'],
    ['unsubscribed ack', '{"event":"unsubscribed","feed":"trade","product_ids":["PI_XRPUSD"]}'],
    ['error', '{"event":"error","message":"Invalid product id"}'],
    ['heartbeat feed', '{"feed":"heartbeat","time":1534262350627}'],
    ['a fill', krakenTradeFrame(trade({ type: 'fill' }))],
    ['a termination', krakenTradeFrame(trade({ type: 'termination' }))],
    ['a block trade', krakenTradeFrame(trade({ type: 'block' }))],
    ['another feed', '{"feed":"ticker","product_id":"PF_XBTUSD","bid":1}'],
    ['an empty snapshot', krakenSnapshotFrame('PF_XBTUSD', [])],
  ])('%s', (_what, frame) => {
    expect(parse(frame)).toEqual({ events: [], rejections: [], missing: [] });
  });

  it('errors and failed subscriptions are refusals (logged at error), acks are not', () => {
    expect(isKrakenRefusal('{"event":"error","message":"Invalid product id"}')).toBe(true);
    expect(isKrakenRefusal('{"event":"subscribed_failed","feed":"trade","product_ids":["X"]}')).toBe(true);
    expect(isKrakenRefusal('{"event":"subscribed","feed":"trade","product_ids":["PF_XBTUSD"]}')).toBe(false);
    expect(isKrakenRefusal(krakenTradeFrame(trade()))).toBe(false);
  });
});

describe('kraken parser: rejections', () => {
  it.each([
    ['not JSON', 'garbage \u001b[2J', 'invalid_json'],
    ['JSON but an array', '[1,2,3]', 'bad_shape'],
    ['JSON but a string', '"trade"', 'bad_shape'],
    ['a snapshot whose trades are not a list', '{"feed":"trade_snapshot","product_id":"PF_XBTUSD","trades":{}}', 'bad_shape'],
    ['a snapshot item that is not an object', '{"feed":"trade_snapshot","product_id":"PF_XBTUSD","trades":[7]}', 'bad_shape'],
    ['side neither buy nor sell', raw({ side: 'sideways' }), 'bad_side'],
    ['side missing', raw({ side: undefined }), 'missing_field'],
    ['price missing', raw({ price: undefined }), 'missing_field'],
    ['qty zero', raw({ qty: 0 }), 'non_positive'],
    ['qty negative', raw({ qty: -1 }), 'non_positive'],
    ['qty a word', raw({ qty: 'lots' }), 'non_numeric'],
    ['qty with 16 significant digits', raw({ qty: 0.1234567890123456 }), 'imprecise_number'],
    ['price with 17 significant digits', raw({ price: 1.0000000000000002 }), 'imprecise_number'],
    ['qty in exponent form', raw({ qty: 1e21 }), 'imprecise_number'],
    ['time as a string', raw({ time: String(T) }), 'bad_ts'],
    ['time missing', raw({ time: undefined }), 'missing_field'],
    ['time an hour ahead', raw({ time: NOW + 3_600_000 }), 'ts_future'],
    ['time older than retention', raw({ time: NOW - 169 * 3_600_000 }), 'ts_too_old'],
    ['uid missing', raw({ uid: undefined }), 'missing_field'],
    ['uid a number', raw({ uid: 42 }), 'bad_shape'],
    ['product id with a space', raw({ product_id: 'PF_XBT USD' }), 'bad_symbol'],
    ['product id missing', raw({ product_id: undefined }), 'missing_field'],
    ['an index, not a product that is counted', raw({ product_id: 'IN_XBTUSD' }), 'unsupported_instrument'],
    ['value rounding to 0 cents', raw({ qty: 0.0001, price: 1 }), 'zero_value'],
  ])('%s → %s', (_what, frame, reason) => {
    const r = parse(frame);
    expect(r.events).toEqual([]);
    expect(r.rejections.map((x) => x.reason)).toEqual([reason]);
  });

  it('an unknown product waits for a refetch, then is unknown_instrument; the re-parse reads only that product', () => {
    const frame = krakenSnapshotFrame('PF_NEWUSD', [trade({ productId: 'PF_NEWUSD', uid: 'n-1' }), trade({ uid: 'k-1' })]);
    const first = parse(frame);
    expect(first.missing).toEqual(['PF_NEWUSD']);
    expect(first.events).toHaveLength(1); // the known product of the same frame is counted at once
    const again = parse(frame, { only: new Set(['PF_NEWUSD']), final: true });
    expect(again.events).toEqual([]);
    expect(again.rejections.map((x) => x.reason)).toEqual(['unknown_instrument']);
    const listed = parseKraken(frame, { ...OPTS, only: new Set(['PF_NEWUSD']), final: true }, new Map([...PRODUCTS, ['PF_NEWUSD', { symbol: 'NEWUSD', kind: 'linear', tradeable: true }]]));
    expect(listed.events.map((e) => e.symbol)).toEqual(['NEWUSD']);
    expect(listed.rejections).toEqual([]);
  });
});

describe('kraken metadata', () => {
  it.each([
    [{ symbol: 'PF_XBTUSD', type: 'flexible_futures', tradeable: true }, { symbol: 'BTCUSD', kind: 'linear', tradeable: true }],
    [{ symbol: 'PF_SOLUSD', type: 'flexible_futures', tradeable: true }, { symbol: 'SOLUSD', kind: 'linear', tradeable: true }],
    [{ symbol: 'PI_XBTUSD', type: 'futures_inverse', tradeable: true }, { symbol: 'BTCUSD', kind: 'inverse', tradeable: true }],
    [{ symbol: 'FI_XBTUSD_261225', type: 'futures_inverse', tradeable: true, lastTradingTime: '2026-12-25T16:00:00.000Z' }, { symbol: 'BTCUSD_261225', kind: 'inverse', tradeable: true }],
    [{ symbol: 'FF_ETHUSD_270326', type: 'flexible_futures', tradeable: true }, { symbol: 'ETHUSD_270326', kind: 'linear', tradeable: true }],
    // the 2021 answer spelled ids in lower case
    [{ symbol: 'pi_xbtusd', type: 'futures_inverse', tradeable: true }, { symbol: 'BTCUSD', kind: 'inverse', tradeable: true }],
    [{ symbol: 'fi_xbtusd_210924', type: 'futures_inverse', tradeable: true }, { symbol: 'BTCUSD_210924', kind: 'inverse', tradeable: true }],
    // a dated id without its date takes lastTradingTime (UTC)
    [{ symbol: 'FI_ETHUSD', type: 'futures_inverse', tradeable: true, lastTradingTime: '2026-12-25T16:00:00.000Z' }, { symbol: 'ETHUSD_261225', kind: 'inverse', tradeable: true }],
    [{ symbol: 'FI_ETHUSD', type: 'futures_inverse', tradeable: true }, { symbol: '', kind: 'unsupported', tradeable: true }],
    [{ symbol: 'in_xbtusd', type: 'spot index', tradeable: false }, { symbol: '', kind: 'unsupported', tradeable: false }],
    [{ symbol: 'PV_XBTXRP', type: 'futures_vanilla', tradeable: true }, { symbol: '', kind: 'unsupported', tradeable: true }],
  ])('%o → %o', (info, want) => {
    expect(krakenProductOf(info)).toEqual(want);
  });

  it('XBT is BTC only as the base', () => {
    expect(pairOf('XBTUSD')).toBe('BTCUSD');
    expect(pairOf('ETHUSD')).toBe('ETHUSD');
  });

  it("the stand-in's instrument list maps to the subscribed products", () => {
    const meta = new Map(defaultKrakenInstruments().map((i) => [i.symbol.toUpperCase(), krakenProductOf(i as never)]));
    const plan = kraken.feeds[0].topics!;
    expect(plan.topics([...meta.keys()], meta).sort()).toEqual(
      ['PF_XBTUSD', 'PF_ETHUSD', 'PF_SOLUSD', 'PI_XBTUSD', 'PI_ETHUSD', `FI_XBTUSD_${DELIVERY.yymmdd}`, `FF_XBTUSD_${DELIVERY.yymmdd}`].sort(),
    );
    expect(meta.get(`FI_XBTUSD_${DELIVERY.yymmdd}`)).toEqual({ symbol: `BTCUSD_${DELIVERY.yymmdd}`, kind: 'inverse', tradeable: true });
  });
});

describe('kraken topic plan', () => {
  const plan = kraken.feeds[0].topics!;
  it('subscribes product ids in the trade feed, at most a connection’s worth per message', () => {
    const ids = Array.from({ length: KRAKEN_PRODUCTS_PER_CONNECTION + 5 }, (_, i) => `PF_Q${i}USD`);
    const msgs = plan.subscribe(ids).map((m) => JSON.parse(m) as { event: string; feed: string; product_ids: string[] });
    expect(msgs).toHaveLength(2);
    expect(msgs[0]).toMatchObject({ event: 'subscribe', feed: 'trade' });
    expect(msgs.flatMap((m) => m.product_ids)).toEqual(ids);
    expect(JSON.parse(plan.unsubscribe!(['PF_XBTUSD'])[0])).toEqual({ event: 'unsubscribe', feed: 'trade', product_ids: ['PF_XBTUSD'] });
  });
  it(`fits ${KRAKEN_PRODUCTS_PER_CONNECTION} products on a connection`, () => {
    const ctx = {} as never;
    expect(plan.fits({ count: KRAKEN_PRODUCTS_PER_CONNECTION - 1, chars: 0 }, 'PF_XBTUSD', ctx)).toBe(true);
    expect(plan.fits({ count: KRAKEN_PRODUCTS_PER_CONNECTION, chars: 0 }, 'PF_XBTUSD', ctx)).toBe(false);
  });
});

describe('kraken synthetic frames', () => {
  it('parse back to exactly the liquidations they were made of', () => {
    const synth = kraken.synth!;
    const coins = [
      { base: 'BTC', rank: 0, price: 61000 },
      { base: 'ETH', rank: 1, price: 3100 },
      { base: 'SOL', rank: 2, price: 150 },
    ];
    const market = synth.market(coins, { delivery: DELIVERY.ms });
    const body = (market.rest.kraken as { instruments: { instruments: Array<{ symbol: string; tradeable: boolean; lastTradingTime?: string }> } }).instruments;
    const meta = new Map(body.instruments.map((i) => [i.symbol, krakenProductOf(i)]));
    const liqs = market.listings.map((listing, i) => ({ listing, ts: T - i, long: i % 2 === 0, price: listing.coin.price.toFixed(1), size: listing.size.kind === 'usd' ? '1000' : '0.5' }));
    let n = 0;
    const frames = synth.frames(liqs, () => ((n = (n * 9301 + 49297) % 233280) / 233280));
    const events = frames.flatMap((f) => parseKraken(f.frame, OPTS, meta).events);
    expect(events).toHaveLength(liqs.length);
    expect(new Set(events.map((e) => e.id)).size).toBe(liqs.length);
    expect(events.map((e) => e.side)).toEqual(liqs.map((l) => (l.long ? 'long' : 'short')));
    expect(events.find((e) => e.symbol === `BTCUSD_${DELIVERY.yymmdd}`)).toBeDefined();
  });
});
