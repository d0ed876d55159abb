// Kraken Futures end to end: the stand-in speaks the protocol (info, subscribe with one ack and a trade_snapshot per
// product, errors, the 60 s rule kept by ping frames, REST), and the real daemon counts a burst exactly, counts the
// snapshot a resubscribe replays once, survives garbage, spreads products over connections and follows listings.
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { DELIVERY, type Standins } from '../../../src/venues/standin/index.js';
import { defaultKrakenInstruments, krakenInstrument } from '../../../src/venues/kraken/fixtures.js';
import { krakenTradeFrame, type KrakenTrade } from '../../../src/venues/kraken/frames.js';
import { waitUntil } from '../../support/daemon.js';
import { recentMinute, venueHarness } from '../../support/venue-harness.js';
import { Probe } from '../../support/ws-probe.js';

const harness = venueHarness('kraken');

const TRADEABLE = ['PF_XBTUSD', 'PF_ETHUSD', 'PF_SOLUSD', 'PI_XBTUSD', 'PI_ETHUSD', `FI_XBTUSD_${DELIVERY.yymmdd}`, `FF_XBTUSD_${DELIVERY.yymmdd}`];
const subscribedTo = (s: Standins, ids: readonly string[]) => () => {
  const have = new Set(s.venues.kraken.subscriptions().flat());
  return ids.every((id) => have.has(id));
};

const MIN = recentMinute();
const liq = (over: Partial<KrakenTrade>): string => krakenTradeFrame({ productId: 'PF_XBTUSD', uid: 'x', side: 'sell', qty: '1', price: '1', time: MIN + 1, ...over });

/** Four liquidations and a fill; expected buckets worked out by hand below. */
function burst(s: Standins) {
  const send = (f: string) => s.send('kraken', f);
  send(liq({ uid: 'k-1', productId: 'PF_XBTUSD', side: 'sell', qty: '0.0123', price: '61234.5', time: MIN + 100 })); // long $753.18435, 0.0123 BTC
  send(liq({ uid: 'k-2', productId: 'PI_XBTUSD', side: 'buy', qty: '1000', price: '50000.5', time: MIN + 200 })); // short $1,000, 0.0199998 BTC
  send(liq({ uid: 'k-3', productId: 'PF_ETHUSD', side: 'buy', qty: '2', price: '3000.5', time: MIN + 300 })); // short $6,001, 2 ETH
  send(liq({ uid: 'k-4', productId: `FI_XBTUSD_${DELIVERY.yymmdd}`, side: 'sell', qty: '500', price: '50000', time: MIN + 400 })); // long $500, 0.01 BTC
  send(liq({ uid: 'k-fill', productId: 'PF_XBTUSD', type: 'fill', qty: '5', price: '61000', time: MIN + 500 })); // not a liquidation
}

const EXPECTED_BTCUSD = {
  count: '2', long_count: '1', short_count: '1',
  value_cents: '175318', long_value_cents: '75318', short_value_cents: '100000',
  kraken_count: '2', kraken_long_count: '1', kraken_short_count: '1',
  kraken_value_cents: '175318', kraken_long_value_cents: '75318', kraken_short_value_cents: '100000',
  qty_e8: '3229980', long_qty_e8: '1230000', short_qty_e8: '1999980',
};
const EXPECTED_ETHUSD = {
  count: '1', short_count: '1', value_cents: '600100', short_value_cents: '600100',
  kraken_count: '1', kraken_short_count: '1', kraken_value_cents: '600100', kraken_short_value_cents: '600100',
  qty_e8: '200000000', short_qty_e8: '200000000',
};

const allCount = () => harness.allCount(MIN);

describe('kraken stand-in', () => {
  it('sends info, acks each product and follows it with its trade_snapshot, refuses unknown ids, serves REST', async () => {
    const s = await harness.start({ krakenIdleCloseMs: 0 });
    s.send('kraken', liq({ uid: 'before', productId: 'PF_XBTUSD', time: 1 })); // kept for the snapshot
    const p = await Probe.open(s.env.KRAKEN_WS_URL);
    try {
      expect(await p.nextJson()).toEqual({ event: 'info', version: 1 });
      p.send({ event: 'subscribe', feed: 'trade', product_ids: ['PF_XBTUSD', 'PF_NOPEUSD'] });
      expect(await p.nextJson()).toEqual({ event: 'error', message: 'Invalid product id' });
      expect(await p.nextJson()).toEqual({ event: 'subscribed', feed: 'trade', product_ids: ['PF_XBTUSD'] });
      const snap = (await p.nextJson()) as { feed: string; product_id: string; trades: Array<{ uid: string }> };
      expect(snap).toMatchObject({ feed: 'trade_snapshot', product_id: 'PF_XBTUSD' });
      expect(snap.trades.map((t) => t.uid)).toEqual(['before']);
      expect(s.venues.kraken.subscriptions()).toEqual([['PF_XBTUSD']]);
      // frames go to the product's subscribers only
      expect(s.send('kraken', liq({ uid: 'a', productId: 'PF_XBTUSD' }))).toBe(1);
      expect(s.send('kraken', liq({ uid: 'b', productId: 'PF_ETHUSD' }))).toBe(0);
      expect(JSON.parse(await p.next())).toMatchObject({ feed: 'trade', uid: 'a' });
      p.send({ event: 'subscribe', feed: 'book', product_ids: ['PF_XBTUSD'] });
      expect(await p.nextJson()).toEqual({ event: 'error', message: 'Invalid feed' });
      p.send('not json');
      expect(await p.nextJson()).toEqual({ event: 'error', message: 'Json Error' });
      p.send({ event: 'unsubscribe', feed: 'trade', product_ids: ['PF_XBTUSD'] });
      expect(await p.nextJson()).toEqual({ event: 'unsubscribed', feed: 'trade', product_ids: ['PF_XBTUSD'] });
      expect(s.venues.kraken.subscriptions()).toEqual([[]]);
    } finally {
      p.close();
    }
    const res = await fetch(`${s.env.KRAKEN_REST_URL}/derivatives/api/v3/instruments`);
    const body = (await res.json()) as { result: string; instruments: Array<{ symbol: string }> };
    expect(body.result).toBe('success');
    expect(body.instruments.map((i) => i.symbol)).toEqual(defaultKrakenInstruments().map((i) => i.symbol));
  });

  it('closes a connection that sent nothing for krakenIdleCloseMs; ping frames keep it open', async () => {
    const s = await harness.start({ krakenIdleCloseMs: 400 });
    const silent = await Probe.open(s.env.KRAKEN_WS_URL);
    const pinging = await Probe.open(s.env.KRAKEN_WS_URL);
    const timer = setInterval(() => pinging.ws.ping(), 100);
    try {
      expect(await silent.closed).toBe(1000);
      await sleep(600);
      expect(pinging.closeCode).toBeUndefined();
      expect(pinging.pongs).toBeGreaterThan(3);
      s.venues.kraken.setUnresponsive(true);
      const before = pinging.pongs;
      await sleep(300);
      expect(pinging.pongs).toBe(before);
    } finally {
      clearInterval(timer);
      pinging.close();
    }
  });
});

describe('daemon with EXCHANGES=kraken', () => {
  it('counts a burst exactly, and the trade_snapshot after a dropped connection once', async () => {
    const s = await harness.start();
    const d = await harness.launch();
    await waitUntil(subscribedTo(s, TRADEABLE), 15_000, 'every tradeable product subscribed');
    burst(s);
    await waitUntil(async () => (await allCount()) === 4, 10_000, 'four liquidations');
    expect(await harness.client.hgetall(`liq:agg:BTCUSD:60s:${MIN}`)).toEqual(EXPECTED_BTCUSD);
    expect(await harness.client.hgetall(`liq:agg:ETHUSD:60s:${MIN}`)).toEqual(EXPECTED_ETHUSD);
    expect(await harness.client.hgetall(`liq:agg:BTCUSD_${DELIVERY.yymmdd}:60s:${MIN}`)).toMatchObject({ count: '1', kraken_long_value_cents: '50000', qty_e8: '1000000' });
    expect(await harness.client.hget(`liq:agg:ALL:60s:${MIN}`, 'value_cents')).toBe('825418');

    const before = s.venues.kraken.totalConnections();
    s.venues.kraken.dropAll();
    await waitUntil(() => s.venues.kraken.totalConnections() > before && subscribedTo(s, TRADEABLE)(), 10_000, 'reconnected and resubscribed');
    // each subscribe was answered by the product's snapshot: the four liquidations came again
    await waitUntil(async () => /liq_duplicates_total 4\b/.test(await d.metrics()), 10_000, 'snapshot repeats seen as duplicates');
    s.send('kraken', liq({ uid: 'k-5', productId: 'PF_SOLUSD', side: 'sell', qty: '3', price: '150', time: MIN + 600 }));
    await waitUntil(async () => (await allCount()) === 5, 10_000, 'the new liquidation');
    await sleep(300);
    expect(await allCount()).toBe(5);
    expect(await harness.client.hgetall(`liq:agg:BTCUSD:60s:${MIN}`)).toEqual(EXPECTED_BTCUSD);
    expect(d.garbage).toEqual([]);
  });

  it('survives garbage: nothing counted, rejections in metrics', async () => {
    const s = await harness.start();
    const d = await harness.launch();
    await waitUntil(subscribedTo(s, TRADEABLE), 15_000, 'subscribed');
    s.send('kraken', 'garbage \u001b[2J');
    s.send('kraken', '[1,2,3]');
    s.send('kraken', '{"feed":"trade","product_id":"PF_XBTUSD","uid":"g-1","side":"sell","type":"liquidation","time":' + (MIN + 5) + ',"qty":1.0000000000000002,"price":100}');
    s.send('kraken', liq({ uid: 'g-2', side: 'sideways' as never }));
    await waitUntil(async () => /liq_rejected_total\{exchange="kraken",reason="bad_side"\} 1/.test(await d.metrics()), 10_000, 'rejections counted');
    const m = await d.metrics();
    expect(m).toMatch(/liq_rejected_total\{exchange="kraken",reason="invalid_json"\} 1/);
    expect(m).toMatch(/liq_rejected_total\{exchange="kraken",reason="bad_shape"\} 1/);
    expect(m).toMatch(/liq_rejected_total\{exchange="kraken",reason="imprecise_number"\} 1/);
    expect((await harness.client.keys('liq:agg:*')).length).toBe(0);
    expect((await d.health()).status).toBe(200);
  });

  it('spreads products over connections of at most 100, and subscribes a new listing at refresh', async () => {
    const many = Array.from({ length: 150 }, (_, i) => krakenInstrument({ symbol: `PF_Q${i}USD`, base: `Q${i}`, tickSize: 0.001 }));
    const s = await harness.start({ krakenInstruments: many });
    const d = await harness.launch({ INSTRUMENT_REFRESH_MINUTES: '0.02' });
    await waitUntil(() => s.venues.kraken.subscriptions().flat().length === 150, 15_000, '150 products subscribed');
    const subs = s.venues.kraken.subscriptions();
    expect(subs.map((t) => t.length).sort((a, b) => a - b)).toEqual([50, 100]);
    const fresh = krakenInstrument({ symbol: 'PF_NEWUSD', base: 'NEW', tickSize: 0.001 });
    const connections = s.venues.kraken.totalConnections();
    s.setInstruments({ krakenInstruments: [...many, fresh] });
    await waitUntil(subscribedTo(s, ['PF_NEWUSD']), 10_000, 'the new listing subscribed');
    expect(s.venues.kraken.totalConnections()).toBe(connections);
    s.send('kraken', liq({ uid: 'new-1', productId: 'PF_NEWUSD', side: 'buy', qty: '10', price: '2.5', time: MIN + 10 }));
    await waitUntil(async () => (await harness.client.hget(`liq:agg:NEWUSD:60s:${MIN}`, 'kraken_short_value_cents')) === '2500', 10_000, 'new listing counted');
    const statuses = (await d.health()).body.streams as Array<{ connection: string; topics: number }>;
    expect(statuses.map((x) => x.connection).sort()).toEqual(['kraken#0', 'kraken#1']);
  });

  it('keeps the connection alive with ping frames inside Kraken’s idle limit', async () => {
    const s = await harness.start({ krakenIdleCloseMs: 1_000 });
    await harness.launch({ PING_INTERVAL_MS: '300' });
    await waitUntil(subscribedTo(s, TRADEABLE), 15_000, 'subscribed');
    const opened = s.venues.kraken.totalConnections();
    await sleep(2_500);
    expect(s.venues.kraken.totalConnections()).toBe(opened);
    expect(s.venues.kraken.connections()).toBe(opened);
  });
});
