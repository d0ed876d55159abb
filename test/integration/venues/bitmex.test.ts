// BitMEX end to end: the stand-in speaks the realtime protocol (welcome, subscribe ack and partial, text ping/pong,
// refusals, instrument/active), and the real daemon (EXCHANGES=bitmex, a private Redis) counts a burst exactly, never
// counts update / delete / quanto rows, survives garbage, and counts an order once across a drop and reconnect whose
// partial lists it again, in a later minute, and when its insert is sent again.
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { minuteOf } from '../../../src/core/keys.js';
import { yymmddUtc } from '../../../src/venues/parsing.js';
import { BITMEX_EXPIRY_MS, bitmexInstrument, defaultBitmexInstruments, futureSuffix } from '../../../src/venues/bitmex/fixtures.js';
import { type BitmexRow, bitmexFrame } from '../../../src/venues/bitmex/frames.js';
import { fetchBitmexInstruments } from '../../../src/venues/bitmex/metadata.js';
import { waitUntil, type RunningDaemon } from '../../support/daemon.js';
import { venueHarness } from '../../support/venue-harness.js';
import { Probe } from '../../support/ws-probe.js';

const harness = venueHarness('bitmex');

const SUBSCRIBE = { op: 'subscribe', args: ['liquidation'] };
const insert = (...rows: BitmexRow[]) => bitmexFrame('insert', rows);

describe('the BitMEX stand-in', () => {
  it('welcomes, acks a subscription with the partial of open orders, answers ping, refuses what BitMEX refuses, serves instrument/active', async () => {
    await harness.start();
    const bitmex = harness.standins.venues.bitmex;
    const c = await Probe.open(harness.standins.env.BITMEX_WS_URL);
    expect(await c.nextObject()).toMatchObject({ info: 'Welcome to the BitMEX Realtime API.', docs: 'https://www.bitmex.com/app/wsAPI', limit: { remaining: 719 } });
    c.send(SUBSCRIBE);
    expect(await c.nextObject()).toEqual({ success: true, subscribe: 'liquidation', request: SUBSCRIBE });
    expect(await c.nextObject()).toMatchObject({ table: 'liquidation', action: 'partial', keys: ['orderID'], filter: {}, data: [] });
    c.send('ping');
    expect(await c.next()).toBe('pong');
    c.send(SUBSCRIBE);
    expect(await c.nextObject()).toMatchObject({ status: 400, error: 'You are already subscribed to this topic: liquidation' });
    c.send({ op: 'subscribe', args: ['trades'] });
    expect(await c.nextObject()).toMatchObject({ status: 400, error: 'Unknown table: trades', meta: {} });
    c.send('hello');
    expect(await c.nextObject()).toMatchObject({ status: 400 });

    // The table as BitMEX keeps it: inserts open orders, updates change them, deletes close them.
    expect(bitmex.send(insert({ orderID: 'a', symbol: 'XBTUSD', side: 'Sell', price: 90000, leavesQty: 5000 }, { orderID: 'b', symbol: 'XBTUSDT', side: 'Buy', price: 90000, leavesQty: 100 }))).toBe(1);
    bitmex.send(bitmexFrame('update', [{ orderID: 'a', symbol: 'XBTUSD', leavesQty: 4000 }]));
    bitmex.send(bitmexFrame('delete', [{ orderID: 'b', symbol: 'XBTUSDT' }]));
    expect(JSON.parse(await c.next())).toMatchObject({ action: 'insert' });
    expect(JSON.parse(await c.next())).toMatchObject({ action: 'update' });
    expect(JSON.parse(await c.next())).toMatchObject({ action: 'delete' });
    const late = await Probe.open(harness.standins.env.BITMEX_WS_URL);
    await late.next(); // welcome
    late.send(SUBSCRIBE);
    await late.next(); // ack
    expect(await late.nextObject()).toMatchObject({ action: 'partial', data: [{ orderID: 'a', symbol: 'XBTUSD', side: 'Sell', price: 90000, leavesQty: 4000 }] });

    bitmex.setUnresponsive(true);
    c.send('ping');
    expect(await c.quiet(300)).toBe(true);
    expect(bitmex.received().filter((m) => m === 'ping')).toHaveLength(2);

    const res = await fetch(`${harness.standins.env.BITMEX_REST_URL}/api/v1/instrument/active`);
    const body = (await res.json()) as Array<Record<string, unknown>>;
    expect(body.map((i) => i.symbol)).toEqual(defaultBitmexInstruments().map((i) => i.symbol));
    expect(body[0]).toMatchObject({ symbol: 'XBTUSD', typ: 'FFWCSX', isInverse: true, multiplier: -100_000_000, underlyingToSettleMultiplier: -100_000_000 });
    const meta = await fetchBitmexInstruments(harness.standins.env.BITMEX_REST_URL);
    expect(meta.get('XBTUSD')).toEqual({ kind: 'inverse', symbol: 'BTCUSD' });
    expect(meta.get(`XBT${futureSuffix(BITMEX_EXPIRY_MS)}`)).toEqual({ kind: 'inverse', symbol: `BTCUSD_${yymmddUtc(BITMEX_EXPIRY_MS)}` });
    expect(meta.get('ETHUSD')).toMatchObject({ reason: 'unsupported_quote' });
    c.ws.terminate();
    late.ws.terminate();
  });
});

/** Waits, when needed, so that at least `ms` are left in the current minute. */
async function awayFromMinuteEnd(ms: number): Promise<void> {
  const left = 60_000 - (Date.now() % 60_000);
  if (left < ms) await sleep(left + 50);
}

/** The counted events in the log, by symbol: [ts, value_cents] in order. */
async function logged(): Promise<Array<{ symbol: string; ts: number; cents: number }>> {
  return (await harness.client.xrange('liq:events', '-', '+')).map(([, f]) => {
    const o: Record<string, string> = {};
    for (let i = 0; i < f.length; i += 2) o[f[i]] = f[i + 1];
    return { symbol: o.symbol, ts: Number(o.ts), cents: Number(o.value_cents) };
  });
}

const metric = async (d: RunningDaemon, re: RegExp) => re.test(await d.metrics());

describe('the daemon on BitMEX', () => {
  it('counts inserts exactly and once: a burst, then a drop and reconnect whose partial repeats open orders a minute later', async () => {
    await harness.start();
    const bitmex = harness.standins.venues.bitmex;
    // An order open before the daemon connects: the first partial lists it, its orderID was never seen, so it counts.
    // 20000 contracts of 0.0001 SOL = 2 SOL × 150.5 = $301
    bitmex.send(insert({ orderID: 'p0000000-0000-0000-0000-000000000001', symbol: 'SOLUSDT', side: 'Sell', price: 150.5, leavesQty: 20000 }));
    const d = await harness.launch();
    await waitUntil(() => bitmex.subscriptions().some((t) => t.includes('liquidation')), 15_000, 'bitmex subscribed');
    await waitUntil(async () => (await harness.client.xlen('liq:events')) === 1, 10_000, "the partial's unseen order");
    const [p] = await logged();
    expect(p).toMatchObject({ symbol: 'SOLUSDT', cents: 30100 });
    expect(await harness.client.hgetall(`liq:agg:SOLUSDT:60s:${minuteOf(p.ts)}`)).toMatchObject({ bitmex_long_count: '1', bitmex_long_value_cents: '30100', qty_e8: '200000000' });

    // The burst, inside one minute (the receive time is the events' time).
    await awayFromMinuteEnd(15_000);
    const m1 = minuteOf(Date.now());
    const dated = `XBT${futureSuffix(BITMEX_EXPIRY_MS)}`;
    const A: BitmexRow = { orderID: '749134b5-8b4e-48d3-ab56-3495e8c58957', symbol: 'XBTUSD', side: 'Sell', price: 90396.3, leavesQty: 891800 };
    const B: BitmexRow = { orderID: '9a519e00-4fe7-4f17-9629-e48f6d3ab21d', symbol: 'XBTUSDT', side: 'Buy', price: 87785.3, leavesQty: 39700 };
    const C: BitmexRow = { orderID: 'a8a1118f-fafe-4d58-9530-064952019f58', symbol: 'XBTUSDT', side: 'Sell', price: 88502.3, leavesQty: 150000 };
    const D: BitmexRow = { orderID: '63689d12-d539-45f9-977f-deafdf5d3c41', symbol: dated, side: 'Sell', price: 88051.8, leavesQty: 1500 };
    bitmex.send(insert(A));
    bitmex.send(insert(B, C));
    bitmex.send(insert(D));
    bitmex.send(bitmexFrame('update', [{ orderID: A.orderID, symbol: 'XBTUSD', leavesQty: 855700 }]));
    bitmex.send(bitmexFrame('delete', [{ orderID: B.orderID, symbol: 'XBTUSDT' }]));
    bitmex.send(insert({ orderID: '190cb18e-f537-46b4-ac4b-25edaf28c677', symbol: 'ETHUSD', side: 'Buy', price: 3208.61, leavesQty: 40 })); // quanto
    bitmex.send('not json');
    bitmex.send('[1]');
    bitmex.send(insert({ orderID: 'x', symbol: 'XBTUSD', side: 'Long' as 'Sell', price: 1, leavesQty: 1 }));
    await waitUntil(async () => (await harness.client.xlen('liq:events')) === 5, 10_000, 'the burst');
    await waitUntil(() => metric(d, /liq_rejected_total\{exchange="bitmex",reason="bad_side"\} 1/), 10_000, 'rejections counted');
    const m = await d.metrics();
    for (const reason of ['unsupported_quote', 'invalid_json', 'bad_shape']) expect(m).toMatch(new RegExp(`liq_rejected_total\\{exchange="bitmex",reason="${reason}"\\} 1`));
    expect((await logged()).slice(1).every((e) => minuteOf(e.ts) === m1)).toBe(true);

    // A: 891800 USD long, 891800 ÷ 90396.3 = 9.86544802… BTC
    const BTCUSD_M1 = {
      count: '1', long_count: '1', bitmex_count: '1', bitmex_long_count: '1',
      value_cents: '89180000', long_value_cents: '89180000', bitmex_value_cents: '89180000', bitmex_long_value_cents: '89180000',
      qty_e8: '986544803', long_qty_e8: '986544803',
    };
    // B: 0.0397 BTC short × 87785.3 = 3485.07641 → 348508; C: 0.15 BTC long × 88502.3 = 13275.345 → 1327535
    const BTCUSDT_M1 = {
      count: '2', long_count: '1', short_count: '1', bitmex_count: '2', bitmex_long_count: '1', bitmex_short_count: '1',
      value_cents: '1676043', long_value_cents: '1327535', short_value_cents: '348508',
      bitmex_value_cents: '1676043', bitmex_long_value_cents: '1327535', bitmex_short_value_cents: '348508',
      qty_e8: '18970000', long_qty_e8: '15000000', short_qty_e8: '3970000',
    };
    const datedKey = `liq:agg:BTCUSD_${yymmddUtc(BITMEX_EXPIRY_MS)}:60s:${m1}`;
    expect(await harness.client.hgetall(`liq:agg:BTCUSD:60s:${m1}`)).toEqual(BTCUSD_M1);
    expect(await harness.client.hgetall(`liq:agg:BTCUSDT:60s:${m1}`)).toEqual(BTCUSDT_M1);
    // D: 1500 USD long, 1500 ÷ 88051.8 = 0.01703543… BTC
    expect(await harness.client.hgetall(datedKey)).toMatchObject({ count: '1', bitmex_long_value_cents: '150000', qty_e8: '1703543' });
    const withP = minuteOf(p.ts) === m1 ? 30100 : 0;
    expect(await harness.client.hget(`liq:agg:ALL:60s:${m1}`, 'bitmex_value_cents')).toBe(String(89180000 + 1676043 + 150000 + withP));

    // A minute later: every connection dropped; the reconnect's partial lists the orders still open (A as updated, C,
    // D and the first one; B was deleted), and C's insert arrives once more. None counts again; a new order does.
    await sleep(60_000 - (Date.now() % 60_000) + 50);
    const before = bitmex.totalConnections();
    bitmex.dropAll();
    await waitUntil(() => bitmex.totalConnections() > before && bitmex.subscriptions().some((t) => t.includes('liquidation')), 15_000, 'reconnected and subscribed');
    bitmex.send(insert(C));
    bitmex.send(insert({ orderID: '9df4825d-3a7e-41a5-b979-14bd98719fa7', symbol: 'XBTUSD', side: 'Buy', price: 90000, leavesQty: 1000 }));
    await waitUntil(async () => (await harness.client.xlen('liq:events')) === 6, 10_000, 'the new order');
    await waitUntil(() => metric(d, /liq_duplicates_total 5\b/), 10_000, 'four partial rows and the repeated insert as duplicates');
    const last = (await logged())[5];
    const m2 = minuteOf(last.ts);
    expect(m2).toBeGreaterThan(m1);
    // 1000 USD short, 1000 ÷ 90000 = 0.011111111 → 1111111
    expect(await harness.client.hgetall(`liq:agg:BTCUSD:60s:${m2}`)).toEqual({
      count: '1', short_count: '1', bitmex_count: '1', bitmex_short_count: '1',
      value_cents: '100000', short_value_cents: '100000', bitmex_value_cents: '100000', bitmex_short_value_cents: '100000',
      qty_e8: '1111111', short_qty_e8: '1111111',
    });
    expect(await harness.client.exists(`liq:agg:BTCUSDT:60s:${m2}`)).toBe(0);
    expect(await harness.client.hgetall(`liq:agg:BTCUSD:60s:${m1}`)).toEqual(BTCUSD_M1);
    expect(await harness.client.hgetall(`liq:agg:BTCUSDT:60s:${m1}`)).toEqual(BTCUSDT_M1);
    expect(await harness.client.zcard('liq:ids')).toBe(6);

    // Keepalive: a text ping at most every 5 s (PING_INTERVAL_MS is its default 20 s here), whatever arrives.
    expect(bitmex.received().filter((t) => t === 'ping').length).toBeGreaterThanOrEqual(2);
    const h = await d.health();
    expect(h.body.streams).toEqual([expect.objectContaining({ venue: 'bitmex', state: 'open', reconnects: 1 })]);
    expect(d.garbage).toEqual([]);
    expect(await d.stop()).toBe(0);
  }, 150_000);

  it('replaces a connection whose pings go unanswered (watchdog)', async () => {
    await harness.start();
    const bitmex = harness.standins.venues.bitmex;
    await harness.launch({ PING_INTERVAL_MS: '200', PONG_TIMEOUT_MS: '300' });
    await waitUntil(() => bitmex.subscriptions().some((t) => t.includes('liquidation')), 15_000, 'subscribed');
    const before = bitmex.totalConnections();
    bitmex.setUnresponsive(true);
    await waitUntil(() => bitmex.totalConnections() > before, 10_000, 'reconnected by the watchdog');
  });

  it('counts an instrument listed after start-up once the metadata is fetched again; logs a refusal at error', async () => {
    await harness.start();
    const bitmex = harness.standins.venues.bitmex;
    const d = await harness.launch();
    await waitUntil(() => bitmex.subscriptions().some((t) => t.includes('liquidation')), 15_000, 'subscribed');
    harness.standins.setInstruments({
      bitmexInstruments: [...defaultBitmexInstruments(), bitmexInstrument({ symbol: 'NEWUSDT', typ: 'FFWCSX', underlying: 'NEW', quoteCurrency: 'USDT', kind: 'linear', underlyingToPositionMultiplier: 100, tickSize: 0.0001, lotSize: 1 })],
    });
    bitmex.send(insert({ orderID: 'n', symbol: 'NEWUSDT', side: 'Sell', price: 0.5, leavesQty: 700 })); // 7 NEW × 0.5 = $3.50
    await waitUntil(async () => (await logged()).some((e) => e.symbol === 'NEWUSDT' && e.cents === 350), 10_000, 'the new listing counted');
    bitmex.send(insert({ orderID: 'g', symbol: 'GHOSTUSDT', side: 'Sell', price: 1, leavesQty: 1 }));
    await waitUntil(() => metric(d, /liq_rejected_total\{exchange="bitmex",reason="unknown_instrument"\} 1/), 10_000, 'an unknown instrument rejected');
    bitmex.send('{"status":400,"error":"Unknown table: liquidations","meta":{},"request":{"op":"subscribe","args":["liquidations"]}}');
    const line = await d.waitForLog((l) => l.msg === 'bitmex refused a request');
    expect(line.level).toBe('error');
  });
});
