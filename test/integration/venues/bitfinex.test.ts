// Bitfinex end to end: the stand-in speaks the protocol (info, subscribe to status/liq:global with a channel id and
// the recent records, heartbeats, ping/pong by cid, error codes), and the real daemon counts a burst exactly (the
// IS_MATCH 1 executions not), counts the records a resubscribe replays once, survives garbage, and replaces a
// connection whose pings go unanswered.
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import type { Standins } from '../../../src/venues/standin/index.js';
import { bitfinexFrame, type BitfinexRow } from '../../../src/venues/bitfinex/frames.js';
import { waitUntil } from '../../support/daemon.js';
import { recentMinute, venueHarness } from '../../support/venue-harness.js';
import { Probe } from '../../support/ws-probe.js';

const harness = venueHarness('bitfinex');

const subscribed = (s: Standins) => () => s.venues.bitfinex.subscriptions().some((t) => t.includes('liq:global'));
const MIN = recentMinute();
const row = (over: Partial<BitfinexRow>): BitfinexRow => ({ posId: 1, mts: MIN + 1, symbol: 'tBTCF0:USTF0', amount: '1', basePrice: '1', ...over });

/** Three positions counted, one execution not, one BTC-quoted position rejected. */
function burst(s: Standins) {
  s.send('bitfinex', bitfinexFrame([row({ posId: 5001, mts: MIN + 100, amount: '0.5', basePrice: '50000' })])); // long $25,000, PRICE null
  s.send('bitfinex', bitfinexFrame([row({ posId: 5001, mts: MIN + 150, amount: '0.2', basePrice: '50000', isMatch: 1, price: '49990' })])); // its execution
  s.send('bitfinex', bitfinexFrame([
    row({ posId: 5002, mts: MIN + 200, amount: '-0.1', basePrice: '50100', price: '50010' }), // short $5,001 at PRICE
    row({ posId: 5003, mts: MIN + 300, symbol: 'tETHF0:USDF0', amount: '2', basePrice: '3000.25' }), // long $6,000.50
    row({ posId: 5004, mts: MIN + 400, symbol: 'tETHF0:BTCF0', amount: '1', basePrice: '0.05' }), // quoted in BTC: rejected
  ]));
}

const EXPECTED_BTCUSDT = {
  count: '2', long_count: '1', short_count: '1',
  value_cents: '3000100', long_value_cents: '2500000', short_value_cents: '500100',
  bitfinex_count: '2', bitfinex_long_count: '1', bitfinex_short_count: '1',
  bitfinex_value_cents: '3000100', bitfinex_long_value_cents: '2500000', bitfinex_short_value_cents: '500100',
  qty_e8: '60000000', long_qty_e8: '50000000', short_qty_e8: '10000000',
};
const allCount = () => harness.allCount(MIN);

describe('bitfinex stand-in', () => {
  it('sends info, acks the liquidation channel with its id and recent records, beats, pongs by cid, refuses the rest', async () => {
    const s = await harness.start({ bitfinexHeartbeatMs: 100 });
    s.send('bitfinex', bitfinexFrame([row({ posId: 7, mts: 1 })])); // a record from before
    const p = await Probe.open(s.env.BITFINEX_WS_URL);
    try {
      expect(await p.nextJson()).toMatchObject({ event: 'info', version: 2, platform: { status: 1 } });
      p.send({ event: 'subscribe', channel: 'status', key: 'deriv:tBTCF0:USTF0' });
      expect(await p.nextJson()).toMatchObject({ event: 'error', code: 10300 });
      p.send({ event: 'subscribe', channel: 'status', key: 'liq:global' });
      const ack = (await p.nextJson()) as { event: string; chanId: number; key: string };
      expect(ack).toMatchObject({ event: 'subscribed', channel: 'status', key: 'liq:global' });
      const replay = (await p.nextJson()) as [number, unknown[][]];
      expect(replay[0]).toBe(ack.chanId);
      expect(replay[1].map((r) => r[1])).toEqual([7]);
      p.send({ event: 'subscribe', channel: 'status', key: 'liq:global' });
      expect(await p.nextJson()).toMatchObject({ event: 'error', code: 10301 });
      expect(await p.nextJson(1000)).toEqual([ack.chanId, 'hb']);
      p.send({ event: 'ping', cid: 1234 });
      let pong: unknown;
      do pong = await p.nextJson(); while (Array.isArray(pong));
      expect(pong).toMatchObject({ event: 'pong', cid: 1234 });
      expect(s.send('bitfinex', bitfinexFrame([row({ posId: 8 })]))).toBe(1);
      s.venues.bitfinex.setUnresponsive(true);
      await sleep(150);
      const seen = p.messages.length;
      p.send({ event: 'ping', cid: 1 });
      await sleep(300);
      expect(p.messages.slice(seen).filter((m) => m.includes('"pong"') || m.includes('"hb"'))).toEqual([]);
      p.send({ event: 'unsubscribe', chanId: ack.chanId });
      await waitUntil(() => p.messages.some((m) => m.includes('"unsubscribed"')), 2000, 'unsubscribed');
      expect(s.venues.bitfinex.subscriptions()).toEqual([[]]);
    } finally {
      p.close();
    }
  });
});

describe('daemon with EXCHANGES=bitfinex', () => {
  it('counts a burst exactly (executions not), and the records replayed after a dropped connection once', async () => {
    const s = await harness.start();
    const d = await harness.launch();
    await waitUntil(subscribed(s), 15_000, 'liq:global subscribed');
    burst(s);
    await waitUntil(async () => (await allCount()) === 3, 10_000, 'three liquidations');
    expect(await harness.client.hgetall(`liq:agg:BTCUSDT:60s:${MIN}`)).toEqual(EXPECTED_BTCUSDT);
    expect(await harness.client.hgetall(`liq:agg:ETHUSD:60s:${MIN}`)).toMatchObject({ count: '1', bitfinex_long_value_cents: '600050', qty_e8: '200000000' });
    await waitUntil(async () => /liq_rejected_total\{exchange="bitfinex",reason="unsupported_quote"\} 1/.test(await d.metrics()), 5_000, 'BTC quote rejected');

    const before = s.venues.bitfinex.totalConnections();
    s.venues.bitfinex.dropAll();
    await waitUntil(() => s.venues.bitfinex.totalConnections() > before && subscribed(s)(), 10_000, 'reconnected and resubscribed');
    await waitUntil(async () => /liq_duplicates_total 3\b/.test(await d.metrics()), 10_000, 'replayed records seen as duplicates');
    s.send('bitfinex', bitfinexFrame([row({ posId: 5005, mts: MIN + 500, amount: '-1', basePrice: '150' })]));
    await waitUntil(async () => (await allCount()) === 4, 10_000, 'the new liquidation');
    await sleep(300);
    expect(await allCount()).toBe(4);
    expect(await harness.client.hgetall(`liq:agg:BTCUSDT:60s:${MIN}`)).toMatchObject({ count: '3', short_value_cents: '515100' });
    const status = ((await d.health()).body.streams as Array<{ connection: string; state: string }>).map((x) => [x.connection, x.state]);
    expect(status).toEqual([['bitfinex', 'open']]);
  });

  it('survives garbage: nothing counted, rejections in metrics', async () => {
    const s = await harness.start();
    const d = await harness.launch();
    await waitUntil(subscribed(s), 15_000, 'subscribed');
    s.send('bitfinex', 'garbage \u001b[2J');
    s.send('bitfinex', '[91684,{"x":1}]');
    s.send('bitfinex', `[91684,[["pos",9,${MIN + 5},null,"tBTCF0:USTF0",1.0000000000000002,100,null,0,1,null,null]]]`);
    s.send('bitfinex', `[91684,[["pos",10,${MIN + 5},null,"tBTCUSD",1,100,null,0,1,null,null]]]`);
    await waitUntil(async () => /liq_rejected_total\{exchange="bitfinex",reason="unsupported_instrument"\} 1/.test(await d.metrics()), 10_000, 'rejections counted');
    const m = await d.metrics();
    expect(m).toMatch(/liq_rejected_total\{exchange="bitfinex",reason="invalid_json"\} 1/);
    expect(m).toMatch(/liq_rejected_total\{exchange="bitfinex",reason="bad_shape"\} 1/);
    expect(m).toMatch(/liq_rejected_total\{exchange="bitfinex",reason="imprecise_number"\} 1/);
    expect((await harness.client.keys('liq:agg:*')).length).toBe(0);
    expect((await d.health()).status).toBe(200);
  });

  it('replaces a connection whose pings go unanswered (watchdog), then counts again', async () => {
    const s = await harness.start();
    await harness.launch({ PING_INTERVAL_MS: '200', PONG_TIMEOUT_MS: '300' });
    await waitUntil(subscribed(s), 15_000, 'subscribed');
    const before = s.venues.bitfinex.totalConnections();
    s.venues.bitfinex.setUnresponsive(true);
    await waitUntil(() => s.venues.bitfinex.totalConnections() > before, 10_000, 'reconnected by the watchdog');
    s.venues.bitfinex.setUnresponsive(false);
    await waitUntil(subscribed(s), 10_000, 'subscribed again');
    s.send('bitfinex', bitfinexFrame([row({ posId: 6001, mts: MIN + 50, amount: '0.01', basePrice: '60000' })]));
    await waitUntil(async () => (await harness.client.hget(`liq:agg:BTCUSDT:60s:${MIN}`, 'bitfinex_long_value_cents')) === '60000', 10_000, 'counted after the watchdog');
  });
});
