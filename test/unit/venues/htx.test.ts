// HTX: the pure parser on frames in the real wire shapes (inflated; and gzip through the feed's decode hook), the
// heartbeat answer (ts echoed verbatim), refusals, and the contract metadata mapping. Expected cents and qty_e8 are
// worked out by hand in the comments.
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { idOf, identityOf, type LiquidationEvent } from '../../../src/core/event.js';
import type { ParseOptions, ParseResult, RejectReason } from '../../../src/core/parse.js';
import { FEEDS } from '../../../src/venues/registry.js';
import { type HtxContractInfo, htxContractOf } from '../../../src/venues/htx/metadata.js';
import { type HtxContract, parseHtx } from '../../../src/venues/htx/parser.js';
import { htxControl, htxDecode, htxPong, htxRefused, htxSubscribe } from '../../../src/venues/htx/protocol.js';
import { htxFrame } from '../../../src/venues/htx/frames.js';

const NOW = 1_798_000_000_000; // a fixed receive time: parsers never read the clock
const T = NOW - 1_200;
const BASE: ParseOptions = { receivedAt: NOW, retentionMs: 168 * 3_600_000 };

function contracts(items: Array<[HtxContractInfo, 'linear' | 'inverse']>): Map<string, HtxContract> {
  const m = new Map<string, HtxContract>();
  for (const [info, margin] of items) {
    const c = htxContractOf(info, margin);
    if (c === undefined) throw new Error(`no contract for ${info.contract_code}`);
    m.set(info.contract_code, c);
  }
  return m;
}
const META = contracts([
  [{ contract_code: 'BTC-USDT', contract_size: 0.001, delivery_date: '' }, 'linear'],
  [{ contract_code: 'O3-USDT', contract_size: 1, delivery_date: '' }, 'linear'],
  [{ contract_code: 'BTC-USDT-261225', contract_size: 0.001, delivery_date: '20261225' }, 'linear'],
  [{ contract_code: 'BTC-EUR', contract_size: 0.001 }, 'linear'],
  [{ contract_code: 'BTC-USD', contract_size: 100 }, 'inverse'],
  [{ contract_code: 'ETH-USD', contract_size: 10 }, 'inverse'],
  [{ contract_code: 'BSV-USD', contract_size: 10 }, 'inverse'],
]);

const parse = (text: string, opts: ParseOptions = BASE): ParseResult => parseHtx(text, opts, META);

/** A notify frame written by hand, so every number keeps exactly the text a test gives it. */
function notify(code: string, item: string): string {
  return `{"op":"notify","topic":"public.${code}.liquidation_orders","ts":${T + 40},"data":[${item}]}`;
}
/** The tardis capture of 2020-12-17 (linear-swap-notification), moved to T. */
const linearItem = (over = '') =>
  `{"symbol":"BTC","contract_code":"BTC-USDT","direction":"sell","offset":"close","volume":227,"price":23350.5,"created_at":${T},"amount":0.227,"trade_turnover":5300.5635${over}}`;
const LINEAR = notify('BTC-USDT', linearItem());

function only(r: ParseResult): LiquidationEvent {
  expect(r.rejections).toEqual([]);
  expect(r.missing).toEqual([]);
  expect(r.events).toHaveLength(1);
  return r.events[0];
}

describe('htx parser: good frames', () => {
  it.each<[string, string, Partial<LiquidationEvent>]>([
    // 0.227 BTC × 23350.5 = 5300.5635 USD → 530056 cents; 0.227 → 22,700,000 e8. direction sell closes a long.
    ['linear, sell → long, base = amount', LINEAR, { symbol: 'BTCUSDT', side: 'long', price: '23350.5', valueCents: 530056, qtyE8: 22_700_000n }],
    // The docs example (O3-USDT): 432 × 0.7858 = 339.4656 → 33947 cents; 432 coins.
    [
      'linear, the docs example with contract_type, pair, business_type',
      notify('O3-USDT', `{"symbol":"O3","contract_code":"O3-USDT","direction":"sell","offset":"close","volume":432,"price":0.7858,"created_at":${T},"amount":432,"trade_turnover":339.4656,"contract_type":"swap","pair":"O3-USDT","business_type":"swap"}`),
      { symbol: 'O3USDT', side: 'long', valueCents: 33947, qtyE8: 43_200_000_000n },
    ],
    // buy closes a short: 0.5 BTC × 50000 = $25,000.
    [
      'linear, buy → short',
      notify('BTC-USDT', `{"symbol":"BTC","contract_code":"BTC-USDT","direction":"buy","offset":"close","volume":500,"price":50000,"created_at":${T},"amount":0.5}`),
      { side: 'short', valueCents: 2_500_000, qtyE8: 50_000_000n },
    ],
    [
      'linear dated future BTC-USDT-261225 → BTCUSDT_261225',
      notify('BTC-USDT-261225', `{"symbol":"BTC","contract_code":"BTC-USDT-261225","direction":"sell","offset":"close","volume":10,"price":60000.1,"created_at":${T},"amount":0.01,"contract_type":"quarter","pair":"BTC-USDT","business_type":"futures"}`),
      { symbol: 'BTCUSDT_261225', side: 'long', valueCents: 60000, qtyE8: 1_000_000n },
    ],
    // The tardis capture of 2020-07-01 (swap-notification): 231 contracts × 10 USD = $2310 → 231000 cents;
    // 2310 ÷ 229.95 = 10.045662100456… → 1,004,566,210 e8. buy → short.
    [
      'coin-margined, buy → short, USD = volume × contract_size',
      notify('ETH-USD', `{"symbol":"ETH","contract_code":"ETH-USD","direction":"buy","offset":"close","volume":231,"price":229.95,"created_at":${T}}`),
      { symbol: 'ETHUSD', side: 'short', valueCents: 231_000, qtyE8: 1_004_566_210n, usd: '2310' },
    ],
    // 3 × 10 = $30 → 3000 cents; 30 ÷ 153.28 = 0.195720250… → 19,572,025 e8.
    [
      'coin-margined, sell → long',
      notify('BSV-USD', `{"symbol":"BSV","contract_code":"BSV-USD","direction":"sell","offset":"close","volume":3,"price":153.28,"created_at":${T}}`),
      { symbol: 'BSVUSD', side: 'long', valueCents: 3000, qtyE8: 19_572_025n },
    ],
    // BTC contracts are 100 USD: 1450 × 100 = $145,000; ÷ 9062.71 = 15.99962925… BTC.
    [
      'coin-margined BTC, 100 USD contracts',
      notify('BTC-USD', `{"symbol":"BTC","contract_code":"BTC-USD","direction":"sell","offset":"close","volume":1450,"price":9062.71,"created_at":${T}}`),
      { symbol: 'BTCUSD', side: 'long', valueCents: 14_500_000, qtyE8: 1_599_962_925n },
    ],
    // A decimal sent as a JSON string where HTX documents a number: read as the decimal it is (the number rule).
    ['a price sent as a string is read exactly', notify('BTC-USDT', linearItem().replace('"price":23350.5', '"price":"23350.5"')), { valueCents: 530056, price: '23350.5' }],
  ])('%s', (_name, text, expected) => {
    expect(only(parse(text))).toMatchObject({ exchange: 'htx', ts: T, ...expected });
  });

  it('the identity is the tuple (contract_code → symbol, created_at, side, price, volume): amount is not part of it', () => {
    const e = only(parse(LINEAR));
    expect(e.id).toBe(idOf(identityOf('htx', 'BTCUSDT', T, 'long', '23350.5', '227')));
    expect(e.byId).toBeUndefined();
    expect(only(parse(notify('BTC-USDT', linearItem().replace('"amount":0.227', '"amount":0.2270')))).id).toBe(e.id);
    expect(only(parse(notify('BTC-USDT', linearItem().replace('"volume":227', '"volume":228')))).id).not.toBe(e.id);
  });

  it('several items of one push are each an event, a bad one does not stop the others', () => {
    const good = linearItem();
    const bad = linearItem().replace('"direction":"sell"', '"direction":"long"');
    const r = parse(`{"op":"notify","topic":"public.BTC-USDT.liquidation_orders","ts":${T},"data":[${good},${bad},${good.replace('"volume":227', '"volume":1')}]}`);
    expect(r.events).toHaveLength(2);
    expect(r.rejections.map((x) => x.reason)).toEqual(['bad_side']);
  });

  it('the frame builder writes what the parser reads (linear and coin-margined)', () => {
    const lin = htxFrame([{ code: 'BTC-USDT', direction: 'sell', price: '23350.5', volume: '227', amount: '0.227', ts: T }]);
    expect(only(parse(lin))).toMatchObject({ symbol: 'BTCUSDT', valueCents: 530056 });
    expect(JSON.parse(lin).data[0].trade_turnover).toBe(5300.5635);
    const inv = htxFrame([{ code: 'ETH-USD', direction: 'buy', price: '229.95', volume: '231', ts: T }]);
    expect(only(parse(inv))).toMatchObject({ symbol: 'ETHUSD', valueCents: 231_000 });
  });
});

describe('htx: gzip frames through the feed', () => {
  const feed = FEEDS.find((f) => f.feed.venue === 'htx-linear')!.feed;

  it('every frame is gzip: decode inflates it and the parser counts the liquidation', () => {
    const text = feed.decode!(gzipSync(LINEAR));
    expect(text).toBe(LINEAR);
    expect(only(feed.parse(text, BASE, META))).toMatchObject({ symbol: 'BTCUSDT', valueCents: 530056 });
  });

  it.each([
    ['plain text sent as a binary frame', Buffer.from(LINEAR)],
    ['a truncated gzip stream', gzipSync(LINEAR).subarray(0, 20)],
    ['random bytes', Buffer.from([0x1f, 0x8b, 0x08, 0xff, 0x00, 0x41, 0x42])],
  ])('decode never throws: %s is passed on as text for the parser to judge', (_name, bytes) => {
    const text = htxDecode(bytes);
    expect(text).toBe(bytes.toString('utf8'));
    const r = feed.parse(text, BASE, META);
    expect(r.events.length + r.rejections.length).toBeGreaterThan(0);
  });

  it('a frame that inflates past the bound is not inflated (a gzip bomb)', () => {
    const bomb = gzipSync(Buffer.alloc(17 * 1024 * 1024, 0x20));
    expect(htxDecode(bomb)).toBe(bomb.toString('utf8'));
  });

  it('subscribes every contract of the endpoint, with a client id', () => {
    expect(feed.subscribeMessages!({} as never)).toEqual([htxSubscribe()]);
    expect(JSON.parse(htxSubscribe())).toEqual({ op: 'sub', cid: 'liqd', topic: 'public.*.liquidation_orders' });
  });
});

describe('htx heartbeat: the pong echoes ts verbatim', () => {
  it.each([
    ['a string (as in pings)', '{"op":"ping","ts":"1492420473058"}', '{"op":"pong","ts":"1492420473058"}'],
    ['a number (as in acks)', '{"op":"ping","ts":1492420473058}', '{"op":"pong","ts":1492420473058}'],
    ['a number past 2^53 keeps its digits', '{"op":"ping","ts":12345678901234567891}', '{"op":"pong","ts":12345678901234567891}'],
    ['a string with leading zeros stays that string', '{"op":"ping","ts":"000123"}', '{"op":"pong","ts":"000123"}'],
    ['spaces around the colon', '{ "op" : "ping" , "ts" : "17" }', '{"op":"pong","ts":"17"}'],
    ['ts before op', '{"ts":17,"op":"ping"}', '{"op":"pong","ts":17}'],
    ['no ts at all', '{"op":"ping"}', '{"op":"pong"}'],
  ])('%s', (_name, ping, pong) => {
    expect(htxPong(ping)).toBe(pong);
    const sent: string[] = [];
    expect(htxControl(ping, (t) => sent.push(t))).toBe(true);
    expect(sent).toEqual([pong]);
    // A ping is a heartbeat: nothing to count when it reaches the parser.
    expect(parse(ping)).toEqual({ events: [], rejections: [], missing: [] });
  });

  it.each([
    ['a data frame', LINEAR],
    ['a sub ack', '{"op":"sub","cid":"14","topic":"public.BTC-USD.liquidation_orders","ts":1592904821340,"err-code":0}'],
    ['a pong', '{"op":"pong","ts":"17"}'],
    ['not JSON', 'ping'],
  ])('anything else is not answered: %s', (_name, text) => {
    const sent: string[] = [];
    expect(htxControl(text, (t) => sent.push(t))).toBe(false);
    expect(sent).toEqual([]);
  });
});

describe('htx: acks, heartbeats, errors and other topics yield nothing', () => {
  it.each([
    ['sub ack (tardis capture)', '{"op":"sub","cid":"14","topic":"public.BTC-USD.liquidation_orders","ts":1592904821340,"err-code":0}'],
    ['refused sub', '{"op":"sub","cid":"liqd","topic":"public.BTC-USDT.liquidation_orders","ts":1,"err-code":2014,"err-msg":"repeated subscription"}'],
    ['ping', '{"op":"ping","ts":"1492420473058"}'],
    ['close notice', '{"op":"close","ts":1}'],
    ['error', '{"op":"error","ts":1,"err-code":2002,"err-msg":"invalid request"}'],
    ['another topic', `{"op":"notify","topic":"public.BTC-USDT.funding_rate","ts":1,"data":[{"contract_code":"BTC-USDT"}]}`],
    ['an empty push', '{"op":"notify","topic":"public.BTC-USDT.liquidation_orders","ts":1,"data":[]}'],
  ])('%s', (_name, text) => {
    expect(parse(text)).toEqual({ events: [], rejections: [], missing: [] });
  });

  it.each([
    ['a refused sub', '{"op":"sub","cid":"liqd","topic":"public.X.liquidation_orders","ts":1,"err-code":2011,"err-msg":"invalid topic"}', true],
    ['a string err-code', '{"op":"sub","err-code":"2011"}', true],
    ['an ack', '{"op":"sub","cid":"liqd","topic":"public.*.liquidation_orders","ts":1,"err-code":0}', false],
    ['a data frame', LINEAR, false],
  ])('refused: %s → %s', (_name, text, refused) => {
    expect(htxRefused(text)).toBe(refused);
  });
});

describe('htx parser: every rejection', () => {
  const item = (replace: [string, string]) => notify('BTC-USDT', linearItem().replace(replace[0], replace[1]));
  const inv = (over: string) => notify('BTC-USD', `{"symbol":"BTC","contract_code":"BTC-USD","direction":"sell","offset":"close","volume":10,"price":50000,"created_at":${T}${over}}`);
  it.each<[RejectReason, string, string]>([
    ['invalid_json', 'not json', '{"op":"notify",'],
    ['bad_shape', 'JSON that is not an object', '[1,2,3]'],
    ['bad_shape', 'data not an array', '{"op":"notify","topic":"public.BTC-USDT.liquidation_orders","ts":1,"data":{"contract_code":"BTC-USDT"}}'],
    ['bad_shape', 'an item that is not an object', '{"op":"notify","topic":"public.BTC-USDT.liquidation_orders","ts":1,"data":[7]}'],
    ['missing_field', 'no contract_code', item(['"contract_code":"BTC-USDT",', ''])],
    ['bad_symbol', 'a contract_code with a dot', item(['"contract_code":"BTC-USDT"', '"contract_code":"BTC.USDT"'])],
    ['bad_side', 'direction long', item(['"direction":"sell"', '"direction":"long"'])],
    ['missing_field', 'no direction', item(['"direction":"sell",', ''])],
    ['imprecise_number', 'a price of 16 significant digits', item(['"price":23350.5', '"price":1234567.123456789'])],
    ['imprecise_number', 'an amount of 17 significant digits', item(['"amount":0.227', '"amount":0.12345678901234567'])],
    ['imprecise_number', 'a volume in exponent form', inv('').replace('"volume":10', '"volume":1e21')],
    ['non_numeric', 'a price that is not a number', item(['"price":23350.5', '"price":"abc"'])],
    ['non_numeric', 'a price that is an object', item(['"price":23350.5', '"price":{}'])],
    ['non_positive', 'a negative price', item(['"price":23350.5', '"price":-1'])],
    ['non_positive', 'a zero volume', inv('').replace('"volume":10', '"volume":0')],
    ['missing_field', 'no price', item(['"price":23350.5,', ''])],
    ['missing_field', 'linear without amount', item([',"amount":0.227', ''])],
    ['bad_ts', 'created_at as a string', item([`"created_at":${T}`, `"created_at":"${T}"`])],
    ['bad_ts', 'created_at with decimals', item([`"created_at":${T}`, `"created_at":${T}.5`])],
    ['missing_field', 'no created_at', item([`"created_at":${T},`, ''])],
    ['ts_future', 'ten minutes ahead', item([`"created_at":${T}`, `"created_at":${NOW + 600_000}`])],
    ['ts_too_old', 'older than the retention', item([`"created_at":${T}`, `"created_at":${NOW - 169 * 3_600_000}`])],
    ['zero_value', 'a value under half a cent', item(['"amount":0.227', '"amount":0.000001']).replace('"price":23350.5', '"price":1')],
    ['unsupported_quote', 'a contract quoted in EUR', notify('BTC-EUR', linearItem().replace('BTC-USDT', 'BTC-EUR'))],
  ])('%s: %s', (reason, _name, text) => {
    const r = parse(text);
    expect(r.events).toEqual([]);
    expect(r.rejections.map((x) => x.reason)).toEqual([reason]);
    expect(r.rejections[0].exchange).toBe('htx');
  });

  it('an unknown contract waits for a refetch, then is rejected as unknown_instrument', () => {
    const text = notify('NEW-USDT', linearItem().replace('BTC-USDT', 'NEW-USDT'));
    const first = parse(text);
    expect(first).toMatchObject({ events: [], rejections: [], missing: ['NEW-USDT'] });
    const final = parse(text, { ...BASE, only: new Set(['NEW-USDT']), final: true });
    expect(final.rejections.map((x) => x.reason)).toEqual(['unknown_instrument']);
    const known = new Map(META).set('NEW-USDT', { symbol: 'NEWUSDT', inverse: false, contractSize: { m: 1n, scale: 0 } });
    expect(only(parseHtx(text, { ...BASE, only: new Set(['NEW-USDT']), final: true }, known))).toMatchObject({ symbol: 'NEWUSDT' });
  });

  it('never throws on mutated frames', () => {
    const seeds = [LINEAR, inv(''), '{"op":"ping","ts":"1"}'];
    for (const s of seeds) {
      for (let i = 0; i < s.length; i += 3) {
        for (const cut of [s.slice(0, i), s.slice(0, i) + '"' + s.slice(i + 1), s.slice(0, i) + 'null' + s.slice(i)]) {
          expect(() => parse(cut)).not.toThrow();
        }
      }
    }
  });
});

describe('htx contract metadata', () => {
  it.each<[string, HtxContractInfo, 'linear' | 'inverse', Partial<HtxContract> | undefined]>([
    ['USDT-margined swap', { contract_code: 'BTC-USDT', contract_size: 0.001, delivery_date: '' }, 'linear', { symbol: 'BTCUSDT', inverse: false }],
    ['USDT-margined future (the docs example)', { contract_code: 'BTC-USDT-211203', contract_size: 0.001, delivery_date: '20211203' }, 'linear', { symbol: 'BTCUSDT_211203' }],
    ['a future whose code carries no date: delivery_date', { contract_code: 'BTC-USDT', contract_size: 0.001, delivery_date: '20261225' }, 'linear', { symbol: 'BTCUSDT_261225' }],
    ['coin-margined swap', { contract_code: 'BTC-USD', contract_size: 100 }, 'inverse', { symbol: 'BTCUSD', inverse: true, contractSize: { m: 100n, scale: 0 } }],
    ['contract_size 100.0 in the JSON is the number 100', { contract_code: 'ETH-USD', contract_size: 100.0 }, 'inverse', { contractSize: { m: 100n, scale: 0 } }],
    ['a size sent as a string', { contract_code: 'ETH-USD', contract_size: '10' }, 'inverse', { contractSize: { m: 10n, scale: 0 } }],
    ['a tiny linear size', { contract_code: 'SHIB-USDT', contract_size: 1000 }, 'linear', { symbol: 'SHIBUSDT' }],
    ['a coin-margined contract not in USD', { contract_code: 'BTC-USDT', contract_size: 100 }, 'inverse', { unsupportedQuote: true }],
    ['no quote', { contract_code: 'BTC', contract_size: 1 }, 'linear', undefined],
    ['a date of four digits', { contract_code: 'BTC-USDT-2112', contract_size: 1 }, 'linear', undefined],
    ['a zero size', { contract_code: 'BTC-USD', contract_size: 0 }, 'inverse', undefined],
  ])('%s', (_name, info, margin, expected) => {
    const c = htxContractOf(info, margin);
    if (expected === undefined) expect(c).toBeUndefined();
    else expect(c).toMatchObject(expected);
  });
});

describe('htx capture and synth hooks', () => {
  const adapter = FEEDS.find((f) => f.feed.venue === 'htx-linear')!.adapter;
  const cap = adapter.capture!;

  it('routes liquidation frames by the wildcard topic, moves created_at and ts, serves recorded contracts again', () => {
    expect(cap.routeOf('htx-linear', LINEAR)).toBe('public.*.liquidation_orders');
    expect(cap.routeOf('htx-linear', '{"op":"ping","ts":"1"}')).toBeUndefined();
    const msg = JSON.parse(LINEAR) as { ts: number; data: Array<{ created_at: number; price: number }> };
    expect(cap.shift('htx-linear', msg, 60_000)).toBe(true);
    expect(msg.data[0].created_at).toBe(T + 60_000);
    expect(msg.ts).toBe(T + 40 + 60_000);
    expect(msg.data[0].price).toBe(23350.5);
    expect(cap.shift('htx-linear', { op: 'sub', ts: 1 }, 60_000)).toBe(false);
    const item = { contract_code: 'BTC-USD', contract_size: 100 };
    expect(cap.standinOptions({ 'htx-inverse': { contracts: { status: 'ok', data: [item] } } })).toEqual({ htxContracts: { linear: [], inverse: [item] } });
  });

  it('synthetic frames parse to the liquidations they say they hold, routed as the capture routes them', () => {
    const synth = adapter.synth!;
    const coins = [
      { base: 'BTC', rank: 0, price: 97000 },
      { base: 'ETH', rank: 1, price: 3400 },
      { base: 'DOGE', rank: 4, price: 0.34 },
      { base: 'PEPE', rank: 8, price: 0.000018 },
    ];
    const market = synth.market(coins, { delivery: 1_798_185_600_000 });
    const meta = new Map<string, HtxContract>();
    for (const [venue, margin] of [['htx-linear', 'linear'], ['htx-inverse', 'inverse']] as const) {
      for (const item of (market.rest[venue] as { contracts: { data: HtxContractInfo[] } }).contracts.data) meta.set(item.contract_code, htxContractOf(item, margin)!);
    }
    expect([...meta.keys()]).toContain('BTC-USDT-261225');
    const liqs = market.listings.map((listing, i) => ({ listing, ts: T - 10_000 + i, long: i % 2 === 0, price: (listing.coin.price * 1.01).toFixed(listing.priceDecimals), size: '3' }));
    const frames = synth.frames(liqs, () => 0.5);
    let events = 0;
    for (const f of frames) {
      const r = parseHtx(f.frame, BASE, meta);
      expect(r.rejections).toEqual([]);
      expect(r.events).toHaveLength(f.events);
      expect(cap.routeOf(f.venue, f.frame)).toBe(f.route);
      events += r.events.length;
    }
    expect(events).toBe(liqs.length);
  });
});
