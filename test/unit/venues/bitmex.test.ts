// The BitMEX parser and metadata mapping, on frames and instruments in the real wire shapes (rows of the
// `liquidation` table as tardis-node, roq-bitmex and a 2024 session of ws.bitmex.com show them; instruments as
// GET /api/v1/instrument/active answers, values of 2021 and of today's linear contracts). Pure: no clock, no I/O.
// Every expected cent and qty_e8 is worked out by hand in the comment beside it.
import { describe, expect, it } from 'vitest';
import { idOf, ownIdentityOf } from '../../../src/core/event.js';
import type { ParseOptions, RejectReason } from '../../../src/core/parse.js';
import { InstrumentFetchError } from '../../../src/venues/http.js';
import { type BitmexRow, bitmexFrame, bitmexError, bitmexWelcome } from '../../../src/venues/bitmex/frames.js';
import { BITMEX_SUBSCRIBE, isBitmexError } from '../../../src/venues/bitmex/index.js';
import { type BitmexInstrumentMeta, bitmexInstrumentsFrom, reciprocal } from '../../../src/venues/bitmex/metadata.js';
import { parseBitmex } from '../../../src/venues/bitmex/parser.js';
import { bitmexSynth } from '../../../src/venues/bitmex/synth.js';
import { sizeForUsd } from '../../../src/venues/synth-types.js';

const NOW = 1_798_000_000_000; // a fixed receive time (2026-12-23): rows carry no time, this is the events' ts
const BASE: ParseOptions = { receivedAt: NOW, retentionMs: 168 * 3_600_000 };

/** One instrument as instrument/active answers it (the fields the mapping reads, and a few it ignores). */
function inst(symbol: string, f: Record<string, unknown>): Record<string, unknown> {
  return {
    symbol, rootSymbol: f.underlying, state: 'Open', typ: 'FFWCSX', expiry: null, isQuanto: false, isInverse: false,
    multiplier: null, underlyingToPositionMultiplier: null, underlyingToSettleMultiplier: null, lotSize: 1, tickSize: 0.5,
    settlCurrency: 'XBt', timestamp: '2021-07-22T22:36:05.000Z', ...f,
  };
}
const INVERSE = { isInverse: true, multiplier: -100_000_000, underlyingToSettleMultiplier: -100_000_000 };
const ACTIVE = [
  // 2021-07-22 values (cryptofeed's capture of the endpoint)
  inst('XBTUSD', { underlying: 'XBT', quoteCurrency: 'USD', positionCurrency: 'USD', lotSize: 100, ...INVERSE }),
  inst('XBTEUR', { underlying: 'XBT', quoteCurrency: 'EUR', positionCurrency: 'EUR', lotSize: 100, ...INVERSE }),
  inst('XBTZ26', { typ: 'FFCCSX', expiry: '2026-12-25T12:00:00.000Z', underlying: 'XBT', quoteCurrency: 'USD', lotSize: 100, ...INVERSE }),
  inst('ETHUSD', { underlying: 'ETH', quoteCurrency: 'USD', isQuanto: true, multiplier: 100, quoteToSettleMultiplier: 3108 }),
  inst('LINKUSDT', { underlying: 'LINK', quoteCurrency: 'USDT', isQuanto: true, multiplier: 10_000 }),
  inst('XRPU21', { typ: 'FFCCSX', expiry: '2021-09-24T12:00:00.000Z', underlying: 'XRP', quoteCurrency: 'XBT', multiplier: 100_000_000, underlyingToPositionMultiplier: 1 }),
  // today's USDt-settled linear contracts: a contract is 1 / underlyingToPositionMultiplier of the coin
  inst('XBTUSDT', { underlying: 'XBT', quoteCurrency: 'USDT', settlCurrency: 'USDt', multiplier: 1, underlyingToPositionMultiplier: 1_000_000 }),
  inst('LTCUSDT', { underlying: 'LTC', quoteCurrency: 'USDT', settlCurrency: 'USDt', multiplier: 100, underlyingToPositionMultiplier: 10_000, lotSize: 1000 }),
  inst('ETHUSDTZ26', { typ: 'FFCCSX', expiry: '2026-12-25T12:00:00.000Z', underlying: 'ETH', quoteCurrency: 'USDT', settlCurrency: 'USDt', underlyingToPositionMultiplier: 1000 }),
  inst('ODDUSDT', { underlying: 'ODD', quoteCurrency: 'USDT', settlCurrency: 'USDt', underlyingToPositionMultiplier: 3 }),
  inst('XBT_USDT', { typ: 'IFXXXP', underlying: 'XBT', quoteCurrency: 'USDT', settlCurrency: '', underlyingToPositionMultiplier: 1_000_000 }),
];
const META = bitmexInstrumentsFrom(ACTIVE);

const row = (r: Record<string, unknown>) => ({ orderID: 'dd9cea25-207c-0dab-15b5-b88da776f500', symbol: 'XBTUSD', side: 'Sell', price: 10106, leavesQty: 9214, ...r });
const insert = (...rows: Array<Record<string, unknown>>) => JSON.stringify({ table: 'liquidation', action: 'insert', data: rows.map(row) });
const partial = (...rows: Array<Record<string, unknown>>) => bitmexFrame('partial', rows.map(row) as unknown as BitmexRow[]);
const parse = (text: string, opts: ParseOptions = BASE, meta: Map<string, BitmexInstrumentMeta> = META) => parseBitmex(text, opts, meta);

describe('bitmex metadata: instrument/active → symbol and contract', () => {
  it.each([
    ['XBTUSD', { kind: 'inverse', symbol: 'BTCUSD' }],
    ['XBTZ26', { kind: 'inverse', symbol: 'BTCUSD_261225' }], // expiry 2026-12-25T12:00Z
    ['XBTUSDT', { kind: 'linear', symbol: 'BTCUSDT', contractSize: { m: 1n, scale: 6 } }], // 1 / 1,000,000
    ['LTCUSDT', { kind: 'linear', symbol: 'LTCUSDT', contractSize: { m: 1n, scale: 4 } }], // 1 / 10,000
    ['ETHUSDTZ26', { kind: 'linear', symbol: 'ETHUSDT_261225', contractSize: { m: 1n, scale: 3 } }],
    ['XBTEUR', { kind: 'unsupported', symbol: 'BTCEUR', reason: 'unsupported_quote' }],
    ['ETHUSD', { kind: 'unsupported', symbol: 'ETHUSD', reason: 'unsupported_quote' }], // quanto
    ['LINKUSDT', { kind: 'unsupported', symbol: 'LINKUSDT', reason: 'unsupported_quote' }], // quanto in 2021
    ['XRPU21', { kind: 'unsupported', symbol: 'XRPBTC_210924', reason: 'unsupported_quote' }], // priced in XBT
    ['ODDUSDT', { kind: 'unsupported', symbol: 'ODDUSDT', reason: 'unsupported_instrument' }], // 1/3 has no finite decimal
    ['XBT_USDT', { kind: 'unsupported', symbol: 'XBT_USDT', reason: 'unsupported_instrument' }], // spot
  ])('%s', (symbol, want) => {
    expect(META.get(symbol)).toEqual(want);
  });

  it('every listed instrument has an entry (rows of one not counted are rejected by name, not refetched)', () => {
    expect([...META.keys()].sort()).toEqual(ACTIVE.map((i) => i.symbol as string).sort());
  });

  it('an inverse contract whose multipliers do not make one unit of the quote is refused', () => {
    const m = bitmexInstrumentsFrom([inst('XBTUSD', { underlying: 'XBT', quoteCurrency: 'USD', isInverse: true, multiplier: -10_000_000, underlyingToSettleMultiplier: -100_000_000 })]);
    expect(m.get('XBTUSD')).toEqual({ kind: 'unsupported', symbol: 'BTCUSD', reason: 'unsupported_instrument' });
  });

  it('an error answer (an object, not the array) fails the load; items of another shape are skipped', () => {
    expect(() => bitmexInstrumentsFrom({ error: { message: 'Not Found', name: 'HTTPError' } })).toThrow(InstrumentFetchError);
    expect(bitmexInstrumentsFrom([{ symbol: 5 }, 'x', inst('XBTUSD', { underlying: 'XBT', quoteCurrency: 'USD', ...INVERSE })]).size).toBe(1);
  });

  it.each([
    [1, '1'],
    [1000, '0.001'],
    [1_000_000, '0.000001'],
    [4, '0.25'],
    [200, '0.005'],
  ])('reciprocal(%i) = %s exactly', (n, text) => {
    const d = reciprocal(n)!;
    expect(Number(d.m) / 10 ** d.scale).toBe(Number(text));
  });
  it.each([3, 0, -10, 1.5])('reciprocal(%s) is undefined', (n) => expect(reciprocal(n)).toBeUndefined());
});

describe('bitmex parser: rows that count', () => {
  it.each([
    // a real row (2024): USD = 891800, base = 891800 ÷ 90396.3 = 9.86544802… → 986544803
    ['inverse XBTUSD, Sell = long', insert({ orderID: '749134b5-8b4e-48d3-ab56-3495e8c58957', side: 'Sell', price: 90396.3, leavesQty: 891800 }),
      { symbol: 'BTCUSD', side: 'long', price: '90396.3', quantity: '9.86544803', usd: '891800', valueCents: 89180000, qtyE8: 986544803n }],
    // tardis-node's row: USD 9214, base 9214 ÷ 10106 = 0.9117356… → 91173560
    ['inverse XBTUSD, Buy = short', insert({ side: 'Buy' }),
      { symbol: 'BTCUSD', side: 'short', price: '10106', quantity: '0.9117356', usd: '9214', valueCents: 921400, qtyE8: 91173560n }],
    // dated: 1500 USD at 88051.8 → 1500 ÷ 88051.8 = 0.01703543… → 1703543
    ['inverse dated XBTZ26 → BTCUSD_261225', insert({ symbol: 'XBTZ26', side: 'Sell', price: 88051.8, leavesQty: 1500 }),
      { symbol: 'BTCUSD_261225', side: 'long', price: '88051.8', quantity: '0.01703543', usd: '1500', valueCents: 150000, qtyE8: 1703543n }],
    // linear: 39700 contracts of 0.000001 XBT = 0.0397 BTC; × 87785.3 = 3485.07641 → 348508 cents
    ['linear XBTUSDT → BTCUSDT', insert({ symbol: 'XBTUSDT', side: 'Buy', price: 87785.3, leavesQty: 39700 }),
      { symbol: 'BTCUSDT', side: 'short', price: '87785.3', quantity: '0.0397', valueCents: 348508, qtyE8: 3970000n }],
    // 1000 contracts of 0.0001 LTC = 0.1 LTC; × 144.36 = 14.436 → 1444 cents (half-up)
    ['linear LTCUSDT', insert({ symbol: 'LTCUSDT', side: 'Sell', price: 144.36, leavesQty: 1000 }),
      { symbol: 'LTCUSDT', side: 'long', price: '144.36', quantity: '0.1', valueCents: 1444, qtyE8: 10000000n }],
    // 40 contracts of 0.001 ETH = 0.04 ETH; × 3208.61 = 128.3444 → 12834 cents
    ['linear dated ETHUSDTZ26 → ETHUSDT_261225', insert({ symbol: 'ETHUSDTZ26', side: 'Buy', price: 3208.61, leavesQty: 40 }),
      { symbol: 'ETHUSDT_261225', side: 'short', price: '3208.61', quantity: '0.04', valueCents: 12834, qtyE8: 4000000n }],
    // JSON writes 88637.0 for a float: the shortest text of the double is 88637
    ['a price written 88637.0', '{"table":"liquidation","action":"insert","data":[{"orderID":"a8a1","symbol":"XBTUSD","side":"Sell","price":88637.0,"leavesQty":100}]}',
      { symbol: 'BTCUSD', side: 'long', price: '88637', quantity: '0.0011282', usd: '100', valueCents: 10000, qtyE8: 112820n }], // 100 ÷ 88637 = 0.00112819… → 112820
  ] as Array<[string, string, Record<string, unknown>]>)('%s', (_name, text, want) => {
    const r = parse(text);
    expect(r.rejections).toEqual([]);
    expect(r.missing).toEqual([]);
    expect(r.events).toHaveLength(1);
    expect(r.events[0]).toMatchObject({ exchange: 'bitmex', ts: NOW, byId: true, ...want });
  });

  it('the identity is (bitmex, orderID): the same row a minute later, or as strings, is the same liquidation', () => {
    const id = idOf(ownIdentityOf('bitmex', 'dd9cea25-207c-0dab-15b5-b88da776f500'));
    const now = parse(insert({})).events[0];
    const later = parse(partial({}), { ...BASE, receivedAt: NOW + 60_000 }).events[0];
    // a decimal documented as a number that arrives as a string is read the same (readNumeric)
    const strings = parse(insert({ price: '10106', leavesQty: '9214' })).events[0];
    expect(now.id).toBe(id);
    expect(later).toMatchObject({ id, ts: NOW + 60_000 });
    expect(strings).toMatchObject({ id, valueCents: 921400, qtyE8: 91173560n });
  });

  it('a partial lists the open orders: each row is an event (the identity decides whether it counts again)', () => {
    const r = parse(partial({ orderID: 'a' }, { orderID: 'b', symbol: 'XBTUSDT', leavesQty: 1000, price: 50000 }));
    expect(r.rejections).toEqual([]);
    expect(r.events.map((e) => [e.symbol, e.valueCents])).toEqual([['BTCUSD', 921400], ['BTCUSDT', 5000]]); // 0.001 BTC × 50000
  });

  it('several rows in one insert are several events', () => {
    const r = parse(insert({ orderID: 'a' }, { orderID: 'b', side: 'Buy' }, { orderID: 'c', symbol: 'XBTUSDT', price: 100000, leavesQty: 100 }));
    expect(r.events.map((e) => e.side)).toEqual(['long', 'short', 'long']);
    expect(r.events[2]).toMatchObject({ valueCents: 1000, qtyE8: 10000n }); // 0.0001 BTC × 100000 = $10
  });
});

describe('bitmex parser: frames that yield nothing', () => {
  it.each([
    ['pong', 'pong'],
    ['welcome', bitmexWelcome()],
    ['welcome of 2021', '{"info":"Welcome to the BitMEX Realtime API.","version":"2021-07-14T01:26:29.000Z","timestamp":"2021-07-22T22:36:07.865Z","docs":"https://www.bitmex.com/app/wsAPI","limit":{"remaining":39}}'],
    ['subscribe ack', '{"success":true,"subscribe":"liquidation","request":{"op":"subscribe","args":["liquidation"]}}'],
    ['error', bitmexError(400, 'Unknown table: liquidations', { op: 'subscribe', args: ['liquidations'] })],
    ['empty partial', bitmexFrame('partial', [])],
    ['update (a smaller leavesQty)', '{"table":"liquidation","action":"update","data":[{"orderID":"8c808f22-254c-49d9-b24a-a99329b9f6d4","symbol":"XBTUSD","leavesQty":50700}]}'],
    ['update (a new price)', '{"table":"liquidation","action":"update","data":[{"orderID":"4ce9277e-0663-476c-a672-5aefab2bcfec","symbol":"XBTUSD","price":88234.5}]}'],
    ['delete', '{"table":"liquidation","action":"delete","data":[{"orderID":"dd9cea25-207c-0dab-15b5-b88da776f500","symbol":"XBTUSD"}]}'],
    ['another table', '{"table":"instrument","action":"update","data":[{"symbol":"ETHUSD","openInterest":58922153}]}'],
  ])('%s', (_name, text) => {
    expect(parse(text)).toEqual({ events: [], rejections: [], missing: [] });
  });

  it('the feed recognises errors (logged at error) and never a table frame as one', () => {
    expect(isBitmexError(bitmexError(400, 'Unknown table: x'))).toBe(true);
    expect(isBitmexError('{"status":429,"error":"Rate limit exceeded, retry in 1 seconds.","meta":{"retryAfter":1},"request":{"op":"subscribe","args":"liquidation"}}')).toBe(true);
    expect(isBitmexError(insert({ orderID: '"error":"status":' }))).toBe(false);
    expect(isBitmexError(bitmexWelcome())).toBe(false);
    expect(JSON.parse(BITMEX_SUBSCRIBE)).toEqual({ op: 'subscribe', args: ['liquidation'] });
  });
});

describe('bitmex parser: every rejection', () => {
  it.each([
    ['invalid_json', 'not JSON', '{"table":"liquidation",'],
    ['bad_shape', 'an array', '[1,2]'],
    ['bad_shape', 'a string', '"liquidation"'],
    ['bad_shape', 'data not an array', '{"table":"liquidation","action":"insert","data":{"orderID":"a"}}'],
    ['bad_shape', 'an unknown action', '{"table":"liquidation","action":"upsert","data":[]}'],
    ['bad_shape', 'a row that is not an object', '{"table":"liquidation","action":"insert","data":[7]}'],
    ['bad_shape', 'orderID a number', insert({ orderID: 12345 })],
    ['missing_field', 'no orderID', insert({ orderID: undefined })],
    ['missing_field', 'no symbol', insert({ symbol: undefined })],
    ['bad_symbol', 'a symbol with a slash', insert({ symbol: 'XBT/USD' })],
    ['missing_field', 'no side', insert({ side: undefined })],
    ['bad_side', 'side Long', insert({ side: 'Long' })],
    ['missing_field', 'no price', insert({ price: undefined })],
    ['non_positive', 'price 0', insert({ price: 0 })],
    ['non_positive', 'a negative price', insert({ price: -10106 })],
    ['non_numeric', 'price true', insert({ price: true })],
    ['non_numeric', 'price "1e4" as a string', insert({ price: '1e4' })],
    // 90396.30000000002 is a double of its own (90396.3's neighbour), printed with 16 significant digits
    ['imprecise_number', 'a price with 16 significant digits', '{"table":"liquidation","action":"insert","data":[{"orderID":"a","symbol":"XBTUSD","side":"Sell","price":90396.30000000002,"leavesQty":100}]}'],
    ['imprecise_number', 'a price with 17 significant digits', '{"table":"liquidation","action":"insert","data":[{"orderID":"a","symbol":"XBTUSD","side":"Sell","price":1234.5678901234567,"leavesQty":100}]}'],
    ['imprecise_number', 'a quantity with 16 significant digits', insert({ leavesQty: 1234567890123456 })],
    ['imprecise_number', 'a price written with an exponent', '{"table":"liquidation","action":"insert","data":[{"orderID":"a","symbol":"XBTUSD","side":"Sell","price":2.17e-7,"leavesQty":100}]}'],
    ['non_positive', 'leavesQty 0', insert({ leavesQty: 0 })],
    ['missing_field', 'no leavesQty', insert({ leavesQty: undefined })],
    ['unsupported_quote', 'a quanto (ETHUSD)', insert({ symbol: 'ETHUSD', price: 3208.61, leavesQty: 40 })],
    ['unsupported_quote', 'an XBT-quoted future (TRX-like, price 2.17e-06)', insert({ symbol: 'XRPU21', price: 2.17e-6, leavesQty: 5000 })],
    ['unsupported_quote', 'an inverse contract in EUR', insert({ symbol: 'XBTEUR' })],
    ['unsupported_instrument', 'a spot pair', insert({ symbol: 'XBT_USDT' })],
    ['zero_value', 'an inverse size under half a cent', insert({ leavesQty: 0.001 })],
    // 0.001 contracts of 0.000001 XBT = 1e-9 BTC (0 at 1e-8) × 10,000,000 = $0.01
    ['zero_quantity', 'a linear size under 1e-8 of the coin', insert({ symbol: 'XBTUSDT', price: 10_000_000, leavesQty: 0.001 })],
  ] as Array<[RejectReason, string, string]>)('%s: %s', (reason, _name, text) => {
    const r = parse(text);
    expect(r.events).toEqual([]);
    expect(r.missing).toEqual([]);
    expect(r.rejections.map((x) => x.reason)).toEqual([reason]);
    expect(r.rejections[0].exchange).toBe('bitmex');
  });

  it('a bad row is rejected alone; the rows beside it count', () => {
    const r = parse(insert({ orderID: 'a' }, { orderID: 'b', side: 'Short' }, { orderID: 'c', symbol: 'ETHUSD' }));
    expect(r.events.map((e) => e.id)).toEqual([idOf(ownIdentityOf('bitmex', 'a'))]);
    expect(r.rejections.map((x) => x.reason)).toEqual(['bad_side', 'unsupported_quote']);
  });
});

describe('bitmex parser: instruments missing from the metadata', () => {
  const frame = insert({ orderID: 'a', symbol: 'NEWUSDT' }, { orderID: 'b' });

  it('an unknown symbol waits for a refetch: named in missing, the rest counted', () => {
    const r = parse(frame);
    expect(r.missing).toEqual(['NEWUSDT']);
    expect(r.events.map((e) => e.symbol)).toEqual(['BTCUSD']);
    expect(r.rejections).toEqual([]);
  });

  it('the re-parse after the refetch looks at those rows only, and rejects what is still unknown', () => {
    const r = parse(frame, { ...BASE, only: new Set(['NEWUSDT']), final: true });
    expect(r.events).toEqual([]);
    expect(r.rejections.map((x) => x.reason)).toEqual(['unknown_instrument']);
    const listed = new Map(META);
    listed.set('NEWUSDT', { kind: 'linear', symbol: 'NEWUSDT', contractSize: { m: 1n, scale: 0 } });
    const again = parse(frame, { ...BASE, only: new Set(['NEWUSDT']) }, listed);
    expect(again.events.map((e) => [e.symbol, e.valueCents])).toEqual([['NEWUSDT', 9311668400]]); // 9214 × 10106 = $93,116,684
  });
});

describe('bitmex parser never throws', () => {
  it.each(['', '{', 'null', '0', '{"table":"liquidation"}', '{"table":"liquidation","action":"insert"}', '{"table":"liquidation","action":"insert","data":[null,{},[]]}', '\u0000'])('%j', (text) => {
    expect(() => parse(text)).not.toThrow();
  });
});

describe('bitmex synth', () => {
  it('its frames parse, with the metadata its market serves, to exactly the liquidations put in them', () => {
    const coins = [
      { base: 'BTC', rank: 0, price: 95_000 },
      { base: 'ETH', rank: 1, price: 3_500 },
      { base: 'DOGE', rank: 5, price: 0.2 },
      { base: 'PEPE', rank: 20, price: 0.00001 }, // below a cent: not listed
    ];
    const market = bitmexSynth.market(coins, { delivery: Date.parse('2026-12-25T08:00:00Z') });
    expect(market.listings.map((l) => l.name)).toEqual(['XBTUSD', 'XBTZ26', 'XBTUSDT', 'ETHUSDT', 'DOGEUSDT']);
    const meta = bitmexInstrumentsFrom((market.rest.bitmex as { active: unknown }).active);
    expect(meta.get('XBTZ26')).toEqual({ kind: 'inverse', symbol: 'BTCUSD_261225' });
    let seed = 1;
    const rnd = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    const liqs = market.listings.flatMap((listing, i) =>
      [1, 2, 3].map((k) => ({ listing, ts: NOW + 100 * i + k, long: k % 2 === 0, price: listing.coin.price.toFixed(listing.priceDecimals), size: sizeForUsd(listing.size, 500 * k, listing.coin.price) })),
    );
    const frames = bitmexSynth.frames(liqs, rnd);
    let events = 0;
    for (const f of frames) {
      const r = parse(f.frame, BASE, meta);
      expect(r.rejections).toEqual([]);
      expect(r.events).toHaveLength(f.events);
      events += r.events.length;
    }
    expect(events).toBe(liqs.length);
  });
});
