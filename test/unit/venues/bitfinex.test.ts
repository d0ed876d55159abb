// Bitfinex: the pure parser on frames in the real wire shapes (the recorded frames of tardis and cryptofeed, with
// times moved to a fixed receive time), the symbol rule, protocol frames, and the venue's synthetic frames read back.
// Expected cents and qty_e8 are worked out by hand (half-up).
import { describe, expect, it } from 'vitest';
import type { ParseOptions, ParseResult } from '../../../src/core/parse.js';
import { bitfinex, BITFINEX_SUBSCRIBE, isBitfinexControl } from '../../../src/venues/bitfinex/index.js';
import { bitfinexFrame, type BitfinexRow } from '../../../src/venues/bitfinex/frames.js';
import { bitfinexSymbolOf, parseBitfinex } from '../../../src/venues/bitfinex/parser.js';

const NOW = 1_798_000_000_000; // a fixed receive time: the parser never reads the clock
const T = NOW - 3_000;
const OPTS: ParseOptions = { receivedAt: NOW, retentionMs: 168 * 3_600_000 };
const parse = (text: string): ParseResult => parseBitfinex(text, OPTS);

const row = (over: Partial<BitfinexRow> = {}): BitfinexRow => ({ posId: 143683674, mts: T, symbol: 'tBTCF0:USTF0', amount: '0.00268657', basePrice: '9135.972557016', price: '9080', ...over });
/** A row with raw JSON values at given positions (wrong types, nulls). */
function rawRow(at: Record<number, unknown>): string {
  const r: unknown[] = ['pos', 1001, T, null, 'tBTCF0:USTF0', 0.5, 100, null, 0, 1, null, null];
  for (const [i, v] of Object.entries(at)) r[Number(i)] = v;
  return JSON.stringify([91684, [r]]);
}

describe('bitfinex parser: liquidations', () => {
  it.each([
    // [what, frame, symbol, side, cents, qty_e8]
    ['recorded trigger of a long (conf flags append SEQ and TS), PRICE given: 0.00268657 × 9080', `[386841,[["pos",143683674,${T},null,"tBTCF0:USTF0",0.00268657,9135.972557016,null,0,1,null,9080]],7,1593566593351]`, 'BTCUSDT', 'long', 2439, 268657n],
    ['recorded trigger of a short, PRICE null → BASE_PRICE: 8.6007 × 222.248906484356', `[907,[["pos",143679087,${T},null,"tETHF0:USTF0",-8.6007,222.248906484356,null,0,1,null,null]],1206216,1594036710596]`, 'ETHUSDT', 'short', 191150, 860070000n],
    ['USD-quoted perpetual → BTCUSD', bitfinexFrame([row({ symbol: 'tBTCF0:USDF0', amount: '-0.5', price: '50000.5' })]), 'BTCUSD', 'short', 2500025, 50000000n],
    ['a lone row instead of a list of rows', `[91684,["pos",7,${T},null,"tSOLF0:USTF0",3,150.25,null,0,1,null,null]]`, 'SOLUSDT', 'long', 45075, 300000000n],
    ['AMOUNT sent as a string keeps its sign', rawRow({ 5: '-2.5', 6: 40 }), 'BTCUSDT', 'short', 10000, 250000000n],
  ])('%s', (_what, frame, symbol, side, cents, qtyE8) => {
    const r = parse(frame);
    expect(r.rejections).toEqual([]);
    expect(r.events).toHaveLength(1);
    expect(r.events[0]).toMatchObject({ exchange: 'bitfinex', symbol, side, valueCents: cents, qtyE8, ts: T, byId: true });
  });

  it('counts the IS_MATCH 0 trigger once per position, never its IS_MATCH 1 executions', () => {
    // recorded: the execution of position 143679087 (IS_MATCH 1, PRICE 235.52) arrived before its trigger
    const execution = `[907,[["pos",143679087,${T},null,"tETHF0:USTF0",-4.56671421,222.248906484356,null,1,1,null,235.52]],1206215,1594036710595]`;
    expect(parse(execution)).toEqual({ events: [], rejections: [], missing: [] });
    const mixed = bitfinexFrame([
      row({ posId: 1, amount: '1', price: null, basePrice: '100' }),
      row({ posId: 1, amount: '0.4', isMatch: 1, price: '99.5' }),
      row({ posId: 1, amount: '0.6', isMatch: 1, price: '99' }),
      row({ posId: 2, amount: '-2', price: null, basePrice: '101' }),
    ]);
    const r = parse(mixed);
    expect(r.rejections).toEqual([]);
    expect(r.events.map((e) => [e.side, e.valueCents])).toEqual([['long', 10000], ['short', 20200]]);
  });

  it('identity is POS_ID: a record replayed after a subscribe is the same liquidation', () => {
    const live = parse(bitfinexFrame([row({ posId: 42 })])).events[0];
    const replayed = parse(bitfinexFrame([row({ posId: 41, mts: T - 5 }), row({ posId: 42 })], 12345)).events;
    expect(replayed.map((e) => e.id)).toContain(live.id);
    expect(parse(bitfinexFrame([row({ posId: 43 })])).events[0].id).not.toBe(live.id);
  });
});

describe('bitfinex parser: what yields nothing', () => {
  it.each([
    ['subscribed ack (recorded)', '{"event":"subscribed","channel":"status","chanId":386841,"key":"liq:global"}'],
    ['heartbeat (recorded, with SEQ and TS)', '[127758,"hb",3603,1569715249702]'],
    ['heartbeat', '[91684,"hb"]'],
    ['info on connect (recorded)', '{"event":"info","version":2,"serverId":"083bd8d4-aca7-4690-a573-eabfc8103de8","platform":{"status":1}}'],
    ['info: maintenance', '{"event":"info","code":20060,"msg":"Entering in Maintenance mode. Please pause any activity and resume after receiving the info message 20061 (it should take 120 seconds at most)."}'],
    ['conf ack (recorded)', '{"event":"conf","status":"OK","flags":65536}'],
    ['pong', '{"event":"pong","ts":1511545528111,"cid":1234}'],
    ['error', '{"event":"error","msg":"subscribe: dup","code":10301,"channel":"status","key":"liq:global"}'],
    ['an empty update', '[91684,[]]'],
  ])('%s', (_what, frame) => {
    expect(parse(frame)).toEqual({ events: [], rejections: [], missing: [] });
  });

  it('heartbeats and pongs are protocol frames, data and events are not', () => {
    expect(isBitfinexControl('[91684,"hb"]')).toBe(true);
    expect(isBitfinexControl('[127758,"hb",3603,1569715249702]')).toBe(true);
    expect(isBitfinexControl('{"event":"pong","ts":1511545528111,"cid":1234}')).toBe(true);
    expect(isBitfinexControl(bitfinexFrame([row()]))).toBe(false);
    expect(isBitfinexControl('{"event":"subscribed","channel":"status","chanId":1,"key":"liq:global"}')).toBe(false);
    expect(JSON.parse(BITFINEX_SUBSCRIBE)).toEqual({ event: 'subscribe', channel: 'status', key: 'liq:global' });
  });
});

describe('bitfinex parser: rejections', () => {
  it.each([
    ['not JSON', 'garbage \u001b[2J', 'invalid_json'],
    ['a JSON string', '"hb"', 'bad_shape'],
    ['an array without a channel id', '["hb"]', 'bad_shape'],
    ['a payload that is an object', '[91684,{"pos":1}]', 'bad_shape'],
    ['a row that is not an array', '[91684,[7]]', 'bad_shape'],
    ['a row of another kind', '[91684,[["ord",1,2]]]', 'bad_shape'],
    ['IS_MATCH missing', rawRow({ 8: null }), 'missing_field'],
    ['IS_MATCH neither 0 nor 1', rawRow({ 8: 2 }), 'bad_shape'],
    ['quoted in BTC', rawRow({ 4: 'tETHF0:BTCF0' }), 'unsupported_quote'],
    ['a test pair', rawRow({ 4: 'tTESTBTCF0:TESTUSDTF0' }), 'unsupported_quote'],
    ['a margin pair', rawRow({ 4: 'tBTCUSD' }), 'unsupported_instrument'],
    ['a symbol with a space', rawRow({ 4: 'tBTC F0:USTF0' }), 'bad_symbol'],
    ['a symbol that is a number', rawRow({ 4: 7 }), 'bad_symbol'],
    ['symbol missing', rawRow({ 4: null }), 'missing_field'],
    ['AMOUNT zero', rawRow({ 5: 0 }), 'non_positive'],
    ['AMOUNT missing', rawRow({ 5: null }), 'missing_field'],
    ['AMOUNT a word', rawRow({ 5: 'lots' }), 'non_numeric'],
    ['AMOUNT with 16 significant digits', rawRow({ 5: 0.1234567890123456 }), 'imprecise_number'],
    ['a negative AMOUNT with 17 significant digits', rawRow({ 5: -1.0000000000000002 }), 'imprecise_number'],
    ['BASE_PRICE with 16 significant digits (PRICE null)', rawRow({ 6: 222.2489064843561 }), 'imprecise_number'],
    ['PRICE and BASE_PRICE both null', rawRow({ 6: null }), 'missing_field'],
    ['PRICE negative', rawRow({ 11: -5 }), 'non_positive'],
    ['MTS as a string', rawRow({ 2: String(T) }), 'bad_ts'],
    ['MTS older than retention', rawRow({ 2: NOW - 169 * 3_600_000 }), 'ts_too_old'],
    ['POS_ID missing', rawRow({ 1: null }), 'missing_field'],
    ['POS_ID a string', rawRow({ 1: 'abc' }), 'bad_shape'],
  ])('%s → %s', (_what, frame, reason) => {
    const r = parse(frame);
    expect(r.events).toEqual([]);
    expect(r.rejections.map((x) => x.reason)).toEqual([reason]);
  });

  it.each([
    ['tBTCF0:USTF0', 'BTCUSDT'],
    ['tETHF0:USDF0', 'ETHUSD'],
    ['tBTCDOMF0:USTF0', 'BTCDOMUSDT'],
    ['tEUROPE50IXF0:USTF0', 'EUROPE50IXUSDT'],
    ['tXAUTF0:BTCF0', 'unsupported_quote'],
    ['tBTCUST', 'unsupported_instrument'],
    ['fUSD', 'unsupported_instrument'],
    ['BTCF0:USTF0', 'bad_symbol'],
  ])('%s → %s', (raw, want) => {
    expect(bitfinexSymbolOf(raw)).toBe(want);
  });
});

describe('bitfinex synthetic frames', () => {
  it('parse back to exactly the liquidations they were made of', () => {
    const synth = bitfinex.synth!;
    const market = synth.market([{ base: 'BTC', rank: 0, price: 61000 }, { base: 'ETH', rank: 1, price: 3100 }], { delivery: NOW });
    const liqs = Array.from({ length: 40 }, (_, i) => {
      const listing = market.listings[i % market.listings.length];
      return { listing, ts: T - 20_000 + i * 300, long: i % 3 !== 0, price: listing.coin.price.toFixed(1), size: '0.125' };
    });
    const frames = synth.frames(liqs, () => 0.5);
    const events = frames.flatMap((f) => parse(f.frame).events);
    expect(frames.reduce((n, f) => n + f.events, 0)).toBe(40);
    expect(events).toHaveLength(40);
    expect(new Set(events.map((e) => e.id)).size).toBe(40);
    expect(events.map((e) => e.side)).toEqual(liqs.map((l) => (l.long ? 'long' : 'short')));
    expect(events[0].symbol).toBe('BTCUSDT');
  });
});
