// Gate's pure parser on frames in the real wire shapes (the docs' examples before and after 2026-08-20 and the live
// frames quoted in gateio/WebSocket-API#132, written here): `result` as an array and as a bare object, sizes with and
// without decimals, the sign rule, both settle currencies, identical items of one frame, the number rule, acks and
// garbage; and the contract listing's mapping. Cents and qty_e8 worked out by hand.
import { describe, expect, it } from 'vitest';
import { parseDecimal } from '../../../src/core/decimal.js';
import { idOf, identityOf } from '../../../src/core/event.js';
import type { ParseOptions, RejectReason } from '../../../src/core/parse.js';
import { gateContract } from '../../../src/venues/gate/fixtures.js';
import { gateFrame } from '../../../src/venues/gate/frames.js';
import { gate, gateSubscribe, isGateUpgrade } from '../../../src/venues/gate/index.js';
import { type GateContract, gateContractOf, gateSymbolOf } from '../../../src/venues/gate/metadata.js';
import { parseGate } from '../../../src/venues/gate/parser.js';

const NOW = 1_798_000_000_000; // a fixed receive time: parsers never read the clock
const T = NOW - 800;
const base: ParseOptions = { receivedAt: NOW, retentionMs: 168 * 3_600_000 };
const DEC25_2026_MS = 1_798_185_600_000; // 2026-12-25T08:00:00Z, a delivery for the synthetic market
const linear = (symbol: string, m: string): GateContract => ({ symbol, kind: 'linear', multiplier: parseDecimal(m)! });

const CONTRACTS = new Map<string, GateContract>([
  ['BTC_USDT', linear('BTCUSDT', '0.0001')],
  ['HEI_USDT', linear('HEIUSDT', '10')],
  ['LAB_USDT', linear('LABUSDT', '1')],
  ['BTC_USD', { symbol: 'BTCUSD', kind: 'inverse' }],
  ['ETH_USD', { symbol: 'ETHUSD', kind: 'unsupported' }],
]);
const parse = (text: string, extra: Partial<ParseOptions> = {}) => parseGate(text, { ...base, ...extra, contracts: CONTRACTS });

type Fields = Record<string, unknown>;
const item = (over: Fields = {}): Fields => ({ price: '215.1', size: '-124.5', time: T, contract: 'BTC_USDT', ...over });
const update = (result: unknown) => JSON.stringify({ channel: 'futures.public_liquidates', event: 'update', time: Math.floor(NOW / 1000), time_ms: NOW, result });

describe('gate parser: events', () => {
  it.each<[string, string, string, 'long' | 'short', number, bigint]>([
    // [case, frame, symbol, side, valueCents, qtyE8]
    ['header on: size a decimal string; base = 124.5 × 0.0001, USD = 215.1 × 0.01245 = 2.677995', update([item()]), 'BTCUSDT', 'long', 268, 1_245_000n],
    ['header off: size an integer number', update([item({ size: -124 })]), 'BTCUSDT', 'long', 267, 1_240_000n], // 2.66724
    ['size > 0: a short was liquidated', update([item({ size: '30', price: '50000' })]), 'BTCUSDT', 'short', 15000, 300_000n],
    ['live 2026-08-10: result a bare object; 23 × 10 × 0.13827 = 31.8021', update({ contract: 'HEI_USDT', price: '0.13827', time: T, size: -23 }), 'HEIUSDT', 'long', 3180, 23_000_000_000n],
    ['BTC-settled: USD = |size|, base = USD ÷ price', update([item({ contract: 'BTC_USD', price: '50000', size: '-1000' })]), 'BTCUSD', 'long', 100000, 2_000_000n],
    ['older docs: price a number, item time named time_ms', update([{ price: 215.1, size: -124, time_ms: T, contract: 'BTC_USD' }]), 'BTCUSD', 'long', 12400, 57_647_606n], // 124 ÷ 215.1 = 0.5764760(5765)
    ['a decimal size as a JSON number (number rule)', update([item({ size: -1.5, price: '100' })]), 'BTCUSDT', 'long', 2, 15_000n], // 0.00015 × 100 = 0.015
  ])('%s', (_case, text, symbol, side, valueCents, qtyE8) => {
    const r = parse(text);
    expect(r.rejections).toEqual([]);
    expect(r.missing).toEqual([]);
    expect(r.events).toHaveLength(1);
    expect(r.events[0]).toMatchObject({ exchange: 'gate', symbol, side, ts: T, valueCents, qtyE8 });
  });

  it('the docs example of 2026-08-20: two orders of one contract in one push, with and without the header', () => {
    const withHeader = parse(update([item(), item({ price: '215.2', size: '-10.5', time: T + 333 })]));
    expect(withHeader.events.map((e) => [e.side, e.valueCents, e.qtyE8])).toEqual([['long', 268, 1_245_000n], ['long', 23, 105_000n]]); // 0.22596
    const without = parse(update([item({ size: -124 }), item({ price: '215.2', size: -10, time: T + 333 })]));
    expect(without.events.map((e) => [e.side, e.valueCents, e.qtyE8])).toEqual([['long', 267, 1_240_000n], ['long', 22, 100_000n]]); // 0.2152
  });

  it('identical items of one frame are separate liquidations; the same frame again is the same ones', () => {
    const text = update([item(), item(), item({ size: '-1' })]);
    const first = parse(text);
    expect(first.events).toHaveLength(3);
    const ids = first.events.map((e) => e.id);
    expect(new Set(ids).size).toBe(3);
    expect(ids[0]).toBe(idOf(identityOf('gate', 'BTCUSDT', T, 'long', '215.1', '-124.5#1')));
    expect(ids[1]).toBe(idOf(identityOf('gate', 'BTCUSDT', T, 'long', '215.1', '-124.5#2')));
    expect(ids[2]).toBe(idOf(identityOf('gate', 'BTCUSDT', T, 'long', '215.1', '-1#1')));
    expect(parse(text).events.map((e) => e.id)).toEqual(ids);
    // Pushed as a bare object, the first is the same liquidation as the first of an array.
    expect(parse(update(item())).events[0].id).toBe(ids[0]);
    expect(parse(gateFrame([{ contract: 'BTC_USDT', price: '215.1', size: '-124.5', ts: T }])).events[0].id).toBe(ids[0]);
  });

  it('an unknown contract waits for a refetch, then is unknown_instrument', () => {
    const text = update([item({ contract: 'NEW_USDT' }), item()]);
    const first = parse(text);
    expect(first.missing).toEqual(['NEW_USDT']);
    expect(first.events).toHaveLength(1);
    const final = parse(text, { only: new Set(['NEW_USDT']), final: true });
    expect(final.rejections.map((r) => r.reason)).toEqual(['unknown_instrument']);
    expect(final.events).toEqual([]);
  });
});

describe('gate parser: frames that yield nothing', () => {
  it.each([
    ['subscribe ack', '{"time":1545459681,"time_ms":1545459681123,"channel":"futures.public_liquidates","event":"subscribe","result":{"status":"success"}}'],
    ['refused subscribe', '{"time":1,"time_ms":1,"channel":"futures.public_liquidates","event":"subscribe","error":{"code":2,"message":"unknown contract"},"result":{"status":"fail"}}'],
    ['pong', '{"time":1545404023,"time_ms":1545404023123,"channel":"futures.pong","event":"","result":null}'],
    ['another channel', '{"time":1684930165,"time_ms":0,"channel":"futures.trades","event":"update","result":[{"size":1,"contract":"BTC_USDT"}]}'],
    ['the restart notice', '{"type":"upgrade","msg":"server upgrade"}'],
    ['an empty batch', update([])],
  ])('%s', (_case, text) => {
    expect(parse(text)).toEqual({ events: [], rejections: [], missing: [] });
  });
});

describe('gate parser: rejections', () => {
  it.each<[string, string, RejectReason]>([
    ['invalid JSON', '{"channel":', 'invalid_json'],
    ['JSON that is not an object', '[]', 'bad_shape'],
    ['result null on an update', update(null), 'bad_shape'],
    ['result a string', update('BTC_USDT'), 'bad_shape'],
    ['an item that is not an object', update([7]), 'bad_shape'],
    ['contract missing', update([item({ contract: undefined })]), 'missing_field'],
    ['contract with a space', update([item({ contract: 'BTC USDT' })]), 'bad_symbol'],
    ['a BTC-settled contract that is not inverse', update([item({ contract: 'ETH_USD' })]), 'unsupported_instrument'],
    ['size 0', update([item({ size: 0 })]), 'non_positive'],
    ['size "0"', update([item({ size: '0' })]), 'non_positive'],
    ['size "--5"', update([item({ size: '--5' })]), 'non_numeric'],
    ['size "-"', update([item({ size: '-' })]), 'non_numeric'],
    ['size "+5"', update([item({ size: '+5' })]), 'non_numeric'],
    ['size a boolean', update([item({ size: true })]), 'non_numeric'],
    ['size missing', update([item({ size: undefined })]), 'missing_field'],
    ['size a number with 17 significant digits', update([item({ size: -0.30000000000000004 })]), 'imprecise_number'],
    ['size a number with an exponent', update([item({ size: -1e21 })]), 'imprecise_number'],
    ['price a number with 16 significant digits', update([item({ price: 1234567.123456789 })]), 'imprecise_number'],
    ['price negative', update([item({ price: '-215.1' })]), 'non_positive'],
    ['price missing', update([item({ price: undefined })]), 'missing_field'],
    ['price not a decimal', update([item({ price: '2e2' })]), 'non_numeric'],
    ['no time nor time_ms', update([item({ time: undefined })]), 'missing_field'],
    ['time a string', update([item({ time: String(T) })]), 'bad_ts'],
    ['time in seconds (far in the past)', update([item({ time: Math.floor(T / 1000) })]), 'ts_too_old'],
    ['time ahead', update([item({ time: NOW + 5 * 60_000 + 1 })]), 'ts_future'],
    ['value rounds to 0 cents', update([item({ size: '-1', price: '0.001' })]), 'zero_value'],
  ])('%s → %s', (_case, text, reason) => {
    const r = parse(text);
    expect(r.events).toEqual([]);
    expect(r.rejections.map((x) => [x.exchange, x.reason])).toEqual([['gate', reason]]);
  });
});

describe('gate contracts: mapping', () => {
  it.each<[string, Parameters<typeof gateContractOf>[0], 'usdt' | 'btc', GateContract | undefined]>([
    ['the 2023 capture (KNC_USDT, quanto "1")', gateContract({ name: 'KNC_USDT', type: 'direct', quanto: '1', price: '0.61' }), 'usdt', linear('KNCUSDT', '1')],
    ['BTC_USDT in 0.0001 BTC', gateContract({ name: 'BTC_USDT', type: 'direct', quanto: '0.0001', price: '50000' }), 'usdt', linear('BTCUSDT', '0.0001')],
    ['quanto_multiplier as a JSON number', { name: 'ETH_USDT', type: 'direct', quanto_multiplier: 0.01 }, 'usdt', linear('ETHUSDT', '0.01')],
    ['USDT-settled without a multiplier is left out', { name: 'X_USDT', type: 'direct', quanto_multiplier: '0' }, 'usdt', undefined],
    ['BTC_USD, inverse', gateContract({ name: 'BTC_USD', type: 'inverse', quanto: '0', price: '50000' }), 'btc', { symbol: 'BTCUSD', kind: 'inverse' }],
    ['BTC-settled quanto contract: unsupported', { name: 'ETH_USD', type: 'direct', quanto_multiplier: '0.000001' }, 'btc', { symbol: 'ETHUSD', kind: 'unsupported' }],
    ['a name that is not BASE_QUOTE', { name: 'BTCUSDT', type: 'direct', quanto_multiplier: '1' }, 'usdt', undefined],
  ])('%s', (_case, info, settle, want) => {
    expect(gateContractOf(info, settle)).toEqual(want);
  });

  it('names symbols BASEQUOTE', () => {
    expect([gateSymbolOf('BTC_USDT'), gateSymbolOf('BTC_USD'), gateSymbolOf('btc_usd1'), gateSymbolOf('A_B_C'), gateSymbolOf('_USDT')]).toEqual(['BTCUSDT', 'BTCUSD', 'BTCUSD1', undefined, undefined]);
  });
});

describe('gate adapter', () => {
  it('subscribes !all, sends the size-decimal header, pings futures.ping, skips pongs and restarts on the upgrade notice', () => {
    const sub = JSON.parse(gateSubscribe()) as Record<string, unknown>;
    expect(sub).toMatchObject({ channel: 'futures.public_liquidates', event: 'subscribe', payload: ['!all'] });
    expect(Number.isSafeInteger(sub.time)).toBe(true);
    expect(gate.feeds.map((f) => f.venue)).toEqual(['gate-usdt', 'gate-btc']);
    const feed = gate.feeds[0];
    expect(feed.headers?.({} as never)).toEqual({ 'X-Gate-Size-Decimal': '1' });
    const ka = feed.keepalive({ cfg: { PING_INTERVAL_MS: 15_000, PONG_TIMEOUT_MS: 10_000 } } as never);
    expect(JSON.parse(ka.message!())).toMatchObject({ channel: 'futures.ping' });
    expect(ka.isPong?.('{"time":1,"time_ms":1,"channel":"futures.pong","event":"","result":null}')).toBe(true);
    const restarts: string[] = [];
    const control = (t: string) => feed.control!(t, () => undefined, (why) => restarts.push(why));
    expect(control('{"time":1,"time_ms":1,"channel":"futures.pong","event":"","result":null}')).toBe(true);
    expect(restarts).toEqual([]);
    expect(control('{"type":"upgrade","msg":"the server will restart"}')).toBe(true);
    expect(restarts).toHaveLength(1);
    expect(control(update([item()]))).toBe(false);
    expect(isGateUpgrade('{"type":"update","msg":"upgrade"}')).toBe(false);
    expect(feed.refused?.('{"time":1,"channel":"futures.public_liquidates","event":"subscribe","error":{"code":2,"message":"x"},"result":{"status":"fail"}}')).toBe(true);
    expect(feed.refused?.('{"time":1,"channel":"futures.public_liquidates","event":"subscribe","result":{"status":"success"}}')).toBe(false);
    expect(gate.sampled).toBeUndefined();
  });
});

describe('gate capture and synth hooks', () => {
  it('routes a push by its channel and moves the items\' time (and time_ms), array or bare', async () => {
    const { gateCapture } = await import('../../../src/venues/gate/capture.js');
    expect(gateCapture.routeOf('gate-usdt', update([item()]))).toBe('futures.public_liquidates');
    expect(gateCapture.routeOf('gate-usdt', 'garbage')).toBeUndefined();
    for (const result of [[item()], item(), [{ price: '215.1', size: '-1', time_ms: T, contract: 'BTC_USDT' }]]) {
      const msg = JSON.parse(update(result)) as Record<string, unknown>;
      expect(gateCapture.shift('gate-usdt', msg, 120_000)).toBe(true);
      expect(msg.time_ms).toBe(NOW + 120_000);
      expect(msg.time).toBe(Math.floor(NOW / 1000) + 120);
      expect(parseGate(JSON.stringify(msg), { receivedAt: NOW + 120_000, retentionMs: base.retentionMs, contracts: CONTRACTS }).events[0].ts).toBe(T + 120_000);
    }
    expect(gateCapture.shift('gate-usdt', JSON.parse('{"time":1,"time_ms":1,"channel":"futures.pong","event":"","result":null}') as Record<string, unknown>, 1000)).toBe(false);
  });

  it('synthetic pushes parse into exactly their liquidations with the contracts they list', async () => {
    const { gateSynth } = await import('../../../src/venues/gate/synth.js');
    const { sizeForUsd } = await import('../../../src/venues/synth-types.js');
    const coins = [{ base: 'BTC', rank: 0, price: 50_000 }, { base: 'ETH', rank: 1, price: 3_000 }, { base: 'DOGE', rank: 4, price: 0.15 }];
    const market = gateSynth.market(coins, { delivery: DEC25_2026_MS });
    const lookup = (venue: string, settle: 'usdt' | 'btc') => {
      const m = new Map<string, GateContract>();
      for (const row of (market.rest[venue] as { contracts: Array<Parameters<typeof gateContractOf>[0]> }).contracts) m.set(row.name, gateContractOf(row, settle)!);
      return m;
    };
    const metas: Record<string, Map<string, GateContract>> = { 'gate-usdt': lookup('gate-usdt', 'usdt'), 'gate-btc': lookup('gate-btc', 'btc') };
    const liqs = market.listings.map((l, i) => ({ listing: l, ts: T + i, long: i % 2 === 0, price: l.coin.price.toFixed(l.priceDecimals), size: sizeForUsd(l.size, 1000, l.coin.price) }));
    const frames = gateSynth.frames(liqs, () => 0.5);
    const results = frames.map((f) => parseGate(f.frame, { ...base, receivedAt: NOW + 5_000, contracts: metas[f.venue] }));
    expect(results.flatMap((r) => r.rejections)).toEqual([]);
    expect(results.flatMap((r) => r.events.map((e) => `${e.symbol}:${e.side}`)).sort()).toEqual(['BTCUSD:short', 'BTCUSDT:long', 'DOGEUSDT:short', 'ETHUSDT:long'].sort());
    // Each about $1000: whole contracts of quanto_multiplier (ETH: 33 of $30 = $990).
    for (const r of results) for (const e of r.events) expect(Math.abs(e.valueCents - 100_000)).toBeLessThanOrEqual(1_000);
  });
});
