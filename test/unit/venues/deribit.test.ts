// Deribit: the pure parser on trade notifications in the real wire shape (T, M and MT liquidations, inverse and linear
// instruments, dated futures), the JSON-RPC protocol frames that yield nothing, heartbeat answers, refusals, the topic
// plan (one channel per settlement currency) and the instrument metadata mapping. Expected cents and qty_e8 are worked
// out by hand in the comments.
import { describe, expect, it } from 'vitest';
import { idOf, ownIdentityOf, type LiquidationEvent } from '../../../src/core/event.js';
import type { ParseOptions, ParseResult, RejectReason } from '../../../src/core/parse.js';
import { FEEDS } from '../../../src/venues/registry.js';
import { deribitTopics } from '../../../src/venues/deribit/index.js';
import { type DeribitInstrumentInfo, deribitEntryOf, deribitInstrumentOf } from '../../../src/venues/deribit/metadata.js';
import { type DeribitInstrument, parseDeribit } from '../../../src/venues/deribit/parser.js';
import { deribitControl, deribitRefused } from '../../../src/venues/deribit/protocol.js';
import { deribitFrame, deribitHeartbeat } from '../../../src/venues/deribit/frames.js';
import { deribitFuture } from '../../../src/venues/deribit/fixtures.js';

const NOW = 1_798_000_000_000;
const T = NOW - 1_200;
const BASE: ParseOptions = { receivedAt: NOW, retentionMs: 168 * 3_600_000 };
const DEC27_2026 = 1_798_358_400_000; // 2026-12-27T08:00:00Z

/** get_instruments items as Deribit answered in 2021 (no settlement_currency nor future_type) and in 2022 (both). */
const INFOS: DeribitInstrumentInfo[] = [
  { instrument_name: 'BTC-PERPETUAL', kind: 'future', base_currency: 'BTC', quote_currency: 'USD', settlement_period: 'perpetual', expiration_timestamp: 32503708800000 },
  { instrument_name: 'ETH-PERPETUAL', kind: 'future', base_currency: 'ETH', quote_currency: 'USD', settlement_currency: 'ETH', future_type: 'reversed', instrument_type: 'reversed', settlement_period: 'perpetual' },
  { instrument_name: 'BTC-27DEC26', kind: 'future', base_currency: 'BTC', quote_currency: 'USD', settlement_currency: 'BTC', future_type: 'reversed', settlement_period: 'month', expiration_timestamp: DEC27_2026 },
  { instrument_name: 'SOL_USDC-PERPETUAL', kind: 'future', base_currency: 'SOL', quote_currency: 'USDC', settlement_currency: 'USDC', future_type: 'linear', settlement_period: 'perpetual', expiration_timestamp: 32503708800000 },
  { instrument_name: 'BTC_EURR-PERPETUAL', kind: 'future', base_currency: 'BTC', quote_currency: 'EURR', settlement_currency: 'EURR', instrument_type: 'linear', settlement_period: 'perpetual' },
];
const META = new Map<string, DeribitInstrument>(INFOS.map((i) => [i.instrument_name, deribitInstrumentOf(i)!]));

const parse = (text: string, opts: ParseOptions = BASE): ParseResult => parseDeribit(text, opts, META);

/** A notification written by hand (numbers keep exactly the text given). */
const note = (currency: string, trades: string) => `{"jsonrpc":"2.0","method":"subscription","params":{"channel":"trades.future.${currency}.100ms","data":[${trades}]}}`;
/** The tardis capture of 2020-03-13 (a taker long liquidated), moved to T. */
const tradeT = (over = '') =>
  `{"trade_seq":40781986,"trade_id":"66460463","timestamp":${T},"tick_direction":3,"price":4469.5,"liquidation":"T","instrument_name":"BTC-PERPETUAL","index_price":4805.41,"direction":"sell","amount":1120${over}}`;
const T_FRAME = note('BTC', tradeT());

function events(r: ParseResult): LiquidationEvent[] {
  expect(r.rejections).toEqual([]);
  expect(r.missing).toEqual([]);
  return r.events;
}

describe('deribit parser: liquidation trades', () => {
  it.each<[string, string, Array<Partial<LiquidationEvent>>]>([
    // T: the taker sold, so the taker was a long. Inverse: USD = amount = 1120 → 112000 cents; 1120 ÷ 4469.5 = 0.25058731 BTC.
    ['T, taker sold → long (tardis capture)', T_FRAME, [{ symbol: 'BTCUSD', side: 'long', price: '4469.5', valueCents: 112_000, qtyE8: 25_058_731n, usd: '1120' }]],
    // M: the taker bought from the liquidated maker, who sold: a long. 2500 ÷ 4458.5 = 0.56072670 BTC.
    [
      'M, taker bought → the maker was long (tardis capture)',
      note('BTC', `{"trade_seq":40782080,"trade_id":"66460626","timestamp":${T},"tick_direction":3,"price":4458.5,"liquidation":"M","instrument_name":"BTC-PERPETUAL","index_price":4793.6,"direction":"buy","amount":2500}`),
      [{ side: 'long', valueCents: 250_000, qtyE8: 56_072_670n }],
    ],
    ['T, taker bought → short', note('BTC', tradeT().replace('"direction":"sell"', '"direction":"buy"')), [{ side: 'short', valueCents: 112_000 }]],
    ['M, taker sold → the maker was short', note('BTC', tradeT().replace('"liquidation":"T"', '"liquidation":"M"')), [{ side: 'short', valueCents: 112_000 }]],
    // MT: both sides of one trade were liquidated: a long and a short, each of amount ($100 → 10000 cents, 0.002 BTC).
    [
      'MT → two events, one long and one short, each of amount',
      note('BTC', `{"trade_seq":1,"trade_id":"777","timestamp":${T},"tick_direction":0,"price":50000,"liquidation":"MT","instrument_name":"BTC-PERPETUAL","index_price":50000,"direction":"buy","amount":100}`),
      [
        { side: 'long', valueCents: 10_000, qtyE8: 200_000n },
        { side: 'short', valueCents: 10_000, qtyE8: 200_000n },
      ],
    ],
    // Linear (USDC-settled): amount is SOL. 12.3 × 150.25 = 1848.075 → 184808 cents (half-up).
    [
      'linear SOL_USDC-PERPETUAL → SOLUSDC, base = amount',
      note('USDC', `{"trade_seq":9,"trade_id":"USDC-1234","timestamp":${T},"tick_direction":1,"price":150.25,"liquidation":"T","instrument_name":"SOL_USDC-PERPETUAL","index_price":150.2,"direction":"sell","amount":12.3,"contracts":123}`),
      [{ symbol: 'SOLUSDC', side: 'long', valueCents: 184_808, qtyE8: 1_230_000_000n }],
    ],
    // Dated future: $30,000 at 60000.5 → 0.49999583 BTC.
    [
      'dated BTC-27DEC26 → BTCUSD_261227',
      note('BTC', tradeT().replace('"BTC-PERPETUAL"', '"BTC-27DEC26"').replace('"price":4469.5', '"price":60000.5').replace('"amount":1120', '"amount":30000')),
      [{ symbol: 'BTCUSD_261227', valueCents: 3_000_000, qtyE8: 49_999_583n }],
    ],
    ['a trade_id sent as a number', note('BTC', tradeT().replace('"trade_id":"66460463"', '"trade_id":66460463')), [{ side: 'long' }]],
    ['a price sent as a string is read exactly', note('BTC', tradeT().replace('"price":4469.5', '"price":"4469.5"')), [{ price: '4469.5', valueCents: 112_000 }]],
    [
      'only the liquidation among ordinary trades',
      note('BTC', [tradeT().replace(',"liquidation":"T"', '').replace('"66460463"', '"1"'), tradeT(), tradeT().replace(',"liquidation":"T"', '').replace('"66460463"', '"2"')].join(',')),
      [{ side: 'long' }],
    ],
  ])('%s', (_name, text, expected) => {
    const evs = events(parse(text));
    expect(evs).toHaveLength(expected.length);
    evs.forEach((e, i) => expect(e).toMatchObject({ exchange: 'deribit', ts: T, byId: true, ...expected[i] }));
  });

  it('the identity is (currency, trade_id); MT keeps its two events apart by side', () => {
    const [t] = events(parse(T_FRAME));
    expect(t.id).toBe(idOf(ownIdentityOf('deribit', 'BTC:66460463')));
    // the same trade later (a reconnect) or with another price text is the same liquidation
    expect(events(parse(T_FRAME.replace(`"timestamp":${T}`, `"timestamp":${T + 5}`)))[0].id).toBe(t.id);
    const mt = events(parse(note('BTC', tradeT().replace('"liquidation":"T"', '"liquidation":"MT"'))));
    expect(mt.map((e) => e.id)).toEqual([idOf(ownIdentityOf('deribit', 'BTC:66460463:long')), idOf(ownIdentityOf('deribit', 'BTC:66460463:short'))]);
    // the same trade id in another currency is another trade
    const usdc = events(parse(note('USDC', tradeT().replace('"BTC-PERPETUAL"', '"SOL_USDC-PERPETUAL"'))));
    expect(usdc[0].id).toBe(idOf(ownIdentityOf('deribit', 'USDC:66460463')));
  });

  it('the frame builder writes what the parser reads', () => {
    const f = deribitFrame('BTC', [{ instrument: 'BTC-PERPETUAL', tradeId: '66460463', direction: 'sell', price: '4469.5', amount: '1120', ts: T, liquidation: 'T' }]);
    expect(events(parse(f))).toMatchObject([{ symbol: 'BTCUSD', side: 'long', valueCents: 112_000 }]);
    expect(events(parse(deribitFrame('BTC', [{ instrument: 'BTC-PERPETUAL', tradeId: '1', direction: 'sell', price: '1', amount: '1', ts: T }])))).toEqual([]);
  });
});

describe('deribit: acks, heartbeats and errors yield nothing', () => {
  it.each([
    ['subscribe result (cryptofeed capture)', '{"jsonrpc":"2.0","id":0,"result":["trades.future.BTC.100ms","trades.future.ETH.100ms"],"usIn":1626993723846980,"usOut":1626993723847561,"usDiff":581,"testnet":false}'],
    ['raw channels refused (cryptofeed#768)', '{"jsonrpc":"2.0","id":"cryptofeed","error":{"message":"raw_subscriptions_not_available_for_unauthorized","code":13778},"usIn":1642494034550822,"usOut":1642494034551046,"usDiff":224,"testnet":false}'],
    ['set_heartbeat result', '{"jsonrpc":"2.0","id":1,"result":"ok","usIn":1,"usOut":2,"usDiff":1,"testnet":false}'],
    ['public/test result', '{"jsonrpc":"2.0","id":3,"result":{"version":"1.2.26"},"usIn":1,"usOut":2,"usDiff":1,"testnet":false}'],
    ['heartbeat', deribitHeartbeat('heartbeat')],
    ['test_request', deribitHeartbeat('test_request')],
    ['another channel', `{"jsonrpc":"2.0","method":"subscription","params":{"channel":"ticker.BTC-PERPETUAL.100ms","data":{"timestamp":${T}}}}`],
    ['an empty notification', note('BTC', '')],
  ])('%s', (_name, text) => {
    expect(parse(text)).toEqual({ events: [], rejections: [], missing: [] });
  });

  it('a test_request is answered with public/test; heartbeats and test answers are protocol frames', () => {
    const sent: string[] = [];
    expect(deribitControl(deribitHeartbeat('test_request'), (t) => sent.push(t))).toBe(true);
    expect(sent).toHaveLength(1);
    expect(JSON.parse(sent[0])).toMatchObject({ jsonrpc: '2.0', method: 'public/test', params: {} });
    expect(typeof JSON.parse(sent[0]).id).toBe('number');
    expect(deribitControl(deribitHeartbeat('heartbeat'), (t) => sent.push(t))).toBe(true);
    expect(deribitControl('{"jsonrpc":"2.0","id":3,"result":{"version":"1.2.26"},"usIn":1,"usOut":2,"usDiff":1,"testnet":false}', (t) => sent.push(t))).toBe(true);
    expect(sent).toHaveLength(1);
    for (const other of [T_FRAME, '{"jsonrpc":"2.0","id":0,"result":["trades.future.BTC.100ms"]}', '{"jsonrpc":"2.0","id":1,"result":"ok"}', 'heartbeat']) {
      expect(deribitControl(other, (t) => sent.push(t))).toBe(false);
    }
    expect(sent).toHaveLength(1);
  });

  it('an error answer is a refusal; results and notifications are not', () => {
    expect(deribitRefused('{"jsonrpc":"2.0","id":"x","error":{"message":"raw_subscriptions_not_available_for_unauthorized","code":13778}}')).toBe(true);
    expect(deribitRefused('{"jsonrpc":"2.0","id":1,"result":["trades.future.BTC.100ms"]}')).toBe(false);
    expect(deribitRefused(T_FRAME)).toBe(false);
  });
});

describe('deribit parser: every rejection', () => {
  const t = (a: string, b: string) => note('BTC', tradeT().replace(a, b));
  it.each<[RejectReason, string, string]>([
    ['invalid_json', 'not json', '{"jsonrpc":"2.0","method":"subscription",'],
    ['bad_shape', 'JSON that is not an object', '[{"jsonrpc":"2.0"}]'],
    ['bad_shape', 'a notification without params', '{"jsonrpc":"2.0","method":"subscription"}'],
    ['bad_shape', 'data not an array', '{"jsonrpc":"2.0","method":"subscription","params":{"channel":"trades.future.BTC.100ms","data":{}}}'],
    ['bad_shape', 'a trade that is not an object', note('BTC', '"x"')],
    ['bad_side', 'an unknown liquidation marker', t('"liquidation":"T"', '"liquidation":"X"')],
    ['bad_side', 'an unknown direction', t('"direction":"sell"', '"direction":"up"')],
    ['missing_field', 'no direction', t('"direction":"sell",', '')],
    ['missing_field', 'no instrument', t('"instrument_name":"BTC-PERPETUAL",', '')],
    ['bad_symbol', 'an instrument name with a dot', t('"BTC-PERPETUAL"', '"BTC.PERPETUAL"')],
    ['imprecise_number', 'a price of 16 significant digits', t('"price":4469.5', '"price":1234567.123456789')],
    ['imprecise_number', 'an amount of 17 significant digits', t('"amount":1120', '"amount":0.12345678901234567')],
    ['non_positive', 'a zero amount', t('"amount":1120', '"amount":0')],
    ['non_positive', 'a negative price', t('"price":4469.5', '"price":-4469.5')],
    ['non_numeric', 'a price that is not a number', t('"price":4469.5', '"price":"n/a"')],
    ['missing_field', 'no amount', t(',"amount":1120', '')],
    ['bad_ts', 'timestamp as a string', t(`"timestamp":${T}`, `"timestamp":"${T}"`)],
    ['missing_field', 'no timestamp', t(`"timestamp":${T},`, '')],
    ['ts_future', 'ten minutes ahead', t(`"timestamp":${T}`, `"timestamp":${NOW + 600_000}`)],
    ['ts_too_old', 'older than the retention', t(`"timestamp":${T}`, `"timestamp":${NOW - 169 * 3_600_000}`)],
    ['missing_field', 'no trade_id', t('"trade_id":"66460463",', '')],
    ['bad_shape', 'a trade_id that is an object', t('"trade_id":"66460463"', '"trade_id":{"a":1}')],
    ['bad_shape', 'a trade_id with spaces', t('"trade_id":"66460463"', '"trade_id":"66 460"')],
    ['unsupported_quote', 'a EURR-quoted perpetual', note('EURR', tradeT().replace('"BTC-PERPETUAL"', '"BTC_EURR-PERPETUAL"'))],
    ['zero_value', 'a linear trade worth under half a cent', note('USDC', tradeT().replace('"BTC-PERPETUAL"', '"SOL_USDC-PERPETUAL"').replace('"price":4469.5', '"price":0.001').replace('"amount":1120', '"amount":1'))],
  ])('%s: %s', (reason, _name, text) => {
    const r = parse(text);
    expect(r.events).toEqual([]);
    expect(r.rejections.map((x) => x.reason)).toEqual([reason]);
    expect(r.rejections[0].exchange).toBe('deribit');
  });

  it('an unknown instrument waits for a refetch, then is unknown_instrument; an ordinary trade of it asks nothing', () => {
    const text = note('BTC', tradeT().replace('"BTC-PERPETUAL"', '"BTC-3JAN27"'));
    expect(parse(text)).toMatchObject({ events: [], rejections: [], missing: ['BTC-3JAN27'] });
    expect(parse(text, { ...BASE, only: new Set(['BTC-3JAN27']), final: true }).rejections.map((x) => x.reason)).toEqual(['unknown_instrument']);
    expect(parse(text.replace(',"liquidation":"T"', ''))).toEqual({ events: [], rejections: [], missing: [] });
  });

  it('never throws on mutated frames', () => {
    for (const s of [T_FRAME, deribitHeartbeat('test_request')]) {
      for (let i = 0; i < s.length; i += 3) {
        for (const cut of [s.slice(0, i), s.slice(0, i) + '"' + s.slice(i + 1), s.slice(0, i) + 'null' + s.slice(i)]) expect(() => parse(cut)).not.toThrow();
      }
    }
  });
});

describe('deribit subscriptions: one channel per settlement currency', () => {
  const feed = FEEDS.find((f) => f.feed.venue === 'deribit')!.feed;

  it('the listing gives the channels; set_heartbeat (interval 10) goes with each subscribe', () => {
    const names = INFOS.map((i) => i.instrument_name);
    const topics = deribitTopics.topics(names, META);
    expect(topics).toEqual(['trades.future.BTC.100ms', 'trades.future.ETH.100ms', 'trades.future.EURR.100ms', 'trades.future.USDC.100ms']);
    const msgs = deribitTopics.subscribe(topics).map((m) => JSON.parse(m) as Record<string, unknown>);
    expect(msgs).toMatchObject([
      { jsonrpc: '2.0', method: 'public/set_heartbeat', params: { interval: 10 } },
      { jsonrpc: '2.0', method: 'public/subscribe', params: { channels: topics } },
    ]);
    expect(msgs[0].id).not.toBe(msgs[1].id);
    expect(deribitTopics.subscribe([])).toEqual([]);
    expect(JSON.parse(deribitTopics.unsubscribe!(['trades.future.ETH.100ms'])[0])).toMatchObject({ method: 'public/unsubscribe', params: { channels: ['trades.future.ETH.100ms'] } });
    expect(deribitTopics.fits({ count: 50, chars: 1000 }, 'trades.future.X.100ms', {} as never)).toBe(true);
    expect(feed.topics).toBe(deribitTopics);
  });
});

describe('deribit instrument metadata', () => {
  it.each<[string, DeribitInstrumentInfo, Partial<DeribitInstrument> | undefined]>([
    ['BTC-PERPETUAL of 2021 (no type, no settlement currency): inverse by its USD quote', INFOS[0], { symbol: 'BTCUSD', inverse: true, currency: 'BTC' }],
    ['BTC-27DEC26 → BTCUSD_261227 from expiration_timestamp', INFOS[2], { symbol: 'BTCUSD_261227', inverse: true }],
    ['SOL_USDC-PERPETUAL → SOLUSDC, linear, currency USDC', INFOS[3], { symbol: 'SOLUSDC', inverse: false, currency: 'USDC' }],
    ['a EURR quote is kept, marked unsupported', INFOS[4], { symbol: 'BTCEURR', unsupportedQuote: true }],
    ['BTC-25MAR22 of 2021 → BTCUSD_220325', { instrument_name: 'BTC-25MAR22', kind: 'future', base_currency: 'BTC', quote_currency: 'USD', settlement_period: 'month', expiration_timestamp: 1648195200000 }, { symbol: 'BTCUSD_220325' }],
    ['an option is not a future', { instrument_name: 'BTC-24SEP21-40000-P', kind: 'option', base_currency: 'BTC', quote_currency: 'BTC', expiration_timestamp: 1632470400000 }, undefined],
    ['a dated future without expiration', { instrument_name: 'BTC-1JAN27', kind: 'future', base_currency: 'BTC', quote_currency: 'USD', settlement_period: 'week' }, undefined],
  ])('%s', (_name, info, expected) => {
    const inst = deribitInstrumentOf(info);
    if (expected === undefined) expect(inst).toBeUndefined();
    else expect(inst).toMatchObject(expected);
  });

  it('the stand-in fixtures map as the real answers do', () => {
    expect(deribitEntryOf(deribitFuture({ base: 'BTC', quote: 'USD', contractSize: 10, tickSize: 0.5, expiry: DEC27_2026 }))).toEqual(['BTC-27DEC26', { symbol: 'BTCUSD_261227', inverse: true, currency: 'BTC' }]);
    expect(deribitEntryOf(deribitFuture({ base: 'SOL', quote: 'USDC', contractSize: 0.1, tickSize: 0.01 }))).toEqual(['SOL_USDC-PERPETUAL', { symbol: 'SOLUSDC', inverse: false, currency: 'USDC' }]);
    expect(deribitEntryOf({ instrument_name: 'X' })).toBeUndefined();
  });
});

describe('deribit capture and synth hooks', () => {
  const adapter = FEEDS.find((f) => f.feed.venue === 'deribit')!.adapter;
  const cap = adapter.capture!;

  it('routes notifications by channel, moves every trade timestamp, lists the channels of a recorded listing', () => {
    expect(cap.routeOf('deribit', T_FRAME)).toBe('trades.future.BTC.100ms');
    expect(cap.routeOf('deribit', '{"jsonrpc":"2.0","id":1,"result":"ok"}')).toBeUndefined();
    const msg = JSON.parse(T_FRAME) as { params: { data: Array<{ timestamp: number; amount: number }> } };
    expect(cap.shift('deribit', msg, -60_000)).toBe(true);
    expect(msg.params.data[0].timestamp).toBe(T - 60_000);
    expect(msg.params.data[0].amount).toBe(1120);
    const rest = { deribit: { instruments: { jsonrpc: '2.0', result: [deribitFuture({ base: 'BTC', quote: 'USD', contractSize: 10, tickSize: 0.5 }), deribitFuture({ base: 'SOL', quote: 'USDC', contractSize: 0.1, tickSize: 0.01 }), { bogus: true }] } } };
    expect([...cap.listedRoutes!('deribit', rest)!].sort()).toEqual(['trades.future.BTC.100ms', 'trades.future.USDC.100ms']);
    expect(cap.standinOptions(rest).deribitInstruments).toHaveLength(3);
    expect(cap.standinOptions({})).toEqual({ deribitInstruments: [] });
  });

  it('synthetic frames parse to the liquidations they say they hold, routed as the capture routes them', () => {
    const synth = adapter.synth!;
    const coins = [
      { base: 'BTC', rank: 0, price: 97000 },
      { base: 'ETH', rank: 1, price: 3400 },
      { base: 'SOL', rank: 2, price: 190 },
    ];
    const market = synth.market(coins, { delivery: 1_798_185_600_000 });
    const meta = new Map<string, DeribitInstrument>();
    for (const item of (market.rest.deribit as { instruments: { result: unknown[] } }).instruments.result) {
      const entry = deribitEntryOf(item)!;
      meta.set(entry[0], entry[1]);
    }
    expect([...meta.keys()]).toEqual(['BTC-PERPETUAL', 'BTC-25DEC26', 'ETH-PERPETUAL', 'BTC_USDC-PERPETUAL', 'ETH_USDC-PERPETUAL', 'SOL_USDC-PERPETUAL']);
    const liqs = market.listings.map((listing, i) => ({ listing, ts: T - 10_000 + i * 150, long: i % 2 === 0, price: (listing.coin.price * 0.99).toFixed(listing.priceDecimals), size: '5' }));
    let rnd = 0;
    const frames = synth.frames(liqs, () => ((rnd = (rnd + 0.37) % 1), rnd));
    let total = 0;
    for (const f of frames) {
      const r = parseDeribit(f.frame, BASE, meta);
      expect(r.rejections).toEqual([]);
      expect(r.events).toHaveLength(f.events);
      expect(cap.routeOf(f.venue, f.frame)).toBe(f.route);
      for (const e of r.events) expect(e.side).toBe(liqs.find((l) => l.ts === e.ts)!.long ? 'long' : 'short');
      total += r.events.length;
    }
    expect(total).toBe(liqs.length);
    // Coin-settled: 5 contracts of 10 USD.
    expect(parseDeribit(frames[0].frame, BASE, meta).events[0]).toMatchObject({ symbol: 'BTCUSD', valueCents: 5000 });
  });
});
