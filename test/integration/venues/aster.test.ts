// Aster: the stand-in speaks the protocol (stream in the URL, SUBSCRIBE acks, server pings, a client that stops
// answering dropped), and the real daemon against it counts a burst exactly, repeats once across a drop of every
// connection, and survives garbage.
import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { asterFrame } from '../../../src/venues/aster/frames.js';
import type { Standins } from '../../../src/venues/standin/index.js';
import { waitUntil } from '../../support/daemon.js';
import { healthy, recentMinute, venueHarness } from '../../support/venue-harness.js';

const harness = venueHarness('aster');

const MIN = recentMinute();

/** Four liquidations, one frame each (Aster pushes one order per frame). */
function burst(s: Standins, t0 = MIN) {
  s.send('aster', asterFrame({ symbol: 'BTCUSDT', side: 'SELL', price: '50000.10', qty: '0.014', ts: t0 + 100 })); // long $700.0014
  s.send('aster', asterFrame({ symbol: 'BTCUSDT', side: 'BUY', price: '50001', qty: '0.002', orig: '0.010', status: 'EXPIRED', ts: t0 + 200 }, false)); // short $100.002, bare
  s.send('aster', asterFrame({ symbol: 'ETHUSDT', side: 'SELL', price: '3000.55', qty: '1.5', ts: t0 + 300 })); // long $4,500.825
  s.send('aster', asterFrame({ symbol: 'BTCUSDT', side: 'SELL', price: '49999.9', qty: '0.001', ts: t0 + 400 })); // long $49.9999
}

const allCount = () => harness.allCount(MIN);

describe('aster stand-in', () => {
  it('carries the stream in the URL, acks SUBSCRIBE, pings, and drops a client that stops answering', async () => {
    await harness.start({ asterPingIntervalMs: 50, asterPongTimeoutMs: 200 });
    const server = harness.standins.venues.aster;
    const ws = new WebSocket(harness.standins.env.ASTER_WS_URL, { autoPong: false });
    const messages: string[] = [];
    let pings = 0;
    ws.on('message', (d) => messages.push(d.toString()));
    ws.on('ping', () => pings++);
    await new Promise((r) => ws.once('open', r));
    expect(server.subscriptions()).toEqual([['!forceOrder@arr']]);
    ws.send(JSON.stringify({ method: 'SUBSCRIBE', params: ['btcusdt@forceOrder'], id: 7 }));
    await waitUntil(() => messages.length === 1, 2000, 'ack');
    expect(JSON.parse(messages[0])).toEqual({ result: null, id: 7 });
    expect(harness.standins.send('aster', asterFrame({ symbol: 'BTCUSDT', side: 'SELL', price: '1', qty: '1', ts: Date.now() }))).toBe(1);
    // No pongs (autoPong off): pinged, then terminated after the pong timeout.
    const closed = new Promise((r) => ws.once('close', r));
    await closed;
    expect(pings).toBeGreaterThan(0);
    await waitUntil(() => server.connections() === 0, 2000, 'the server forgot the connection');
  });
});

describe('daemon against the aster stand-in', () => {
  it('counts a burst exactly, a repeated burst once, and again once after every connection is dropped', async () => {
    await harness.start();
    const d = await harness.launch();
    await waitUntil(() => harness.standins.venues.aster.connections() > 0, 10_000, 'aster connected');
    burst(harness.standins);
    await waitUntil(async () => (await allCount()) === 4, 10_000, 'four events');
    expect(await harness.client.hgetall(`liq:agg:BTCUSDT:60s:${MIN}`)).toEqual({
      count: '3', long_count: '2', short_count: '1',
      value_cents: '85000', long_value_cents: '75000', short_value_cents: '10000', // longs 70000 + 5000 (each event rounded), short 10000
      aster_count: '3', aster_long_count: '2', aster_short_count: '1',
      aster_value_cents: '85000', aster_long_value_cents: '75000', aster_short_value_cents: '10000',
      qty_e8: '1700000', long_qty_e8: '1500000', short_qty_e8: '200000',
    });
    expect(await harness.client.hgetall(`liq:agg:ETHUSDT:60s:${MIN}`)).toMatchObject({ count: '1', aster_long_value_cents: '450083', qty_e8: '150000000' });

    burst(harness.standins); // the same frames again
    await waitUntil(async () => (await d.metrics()).includes('liq_duplicates_total 4'), 10_000, 'duplicates counted');
    const before = harness.standins.venues.aster.totalConnections();
    harness.standins.venues.aster.dropAll();
    await waitUntil(() => harness.standins.venues.aster.totalConnections() > before && harness.standins.venues.aster.connections() > 0, 10_000, 'reconnect');
    burst(harness.standins); // repeated after the reconnect
    harness.standins.send('aster', asterFrame({ symbol: 'SOLUSDT', side: 'BUY', price: '150.5', qty: '2', ts: MIN + 500 })); // short $301
    await waitUntil(async () => (await allCount()) === 5, 10_000, 'the new event');
    await new Promise((r) => setTimeout(r, 300));
    expect(await allCount()).toBe(5);
    expect(await harness.client.hget(`liq:agg:ALL:60s:${MIN}`, 'value_cents')).toBe(String(85000 + 450083 + 30100));
    await healthy(d);
    const h = await d.health();
    expect((h.body.streams as Array<{ connection: string; reconnects: number }>).find((s) => s.connection === 'aster')?.reconnects).toBeGreaterThanOrEqual(1);
    expect(d.garbage).toEqual([]);
  });

  it('survives garbage: nothing counted, rejections in metrics, daemon up', async () => {
    await harness.start();
    const d = await harness.launch();
    await waitUntil(() => harness.standins.venues.aster.connections() > 0, 10_000, 'aster connected');
    harness.standins.send('aster', 'garbage \u001b[2J');
    harness.standins.send('aster', '[1,2,3]');
    harness.standins.send('aster', asterFrame({ symbol: 'BTCUSDT', side: 'SELL', price: '1', qty: '0', status: 'EXPIRED', ts: MIN + 5 }));
    harness.standins.send('aster', JSON.stringify({ stream: '!forceOrder@arr', data: { e: 'forceOrder', E: 1, o: { s: 'BTCUSDT', S: 'SELL', ap: 50000, z: '1', T: MIN + 5 } } }));
    await waitUntil(async () => /liq_rejected_total\{exchange="aster",reason="json_number"\} 1/.test(await d.metrics()), 10_000, 'rejections counted');
    const m = await d.metrics();
    expect(m).toMatch(/liq_rejected_total\{exchange="aster",reason="invalid_json"\} 1/);
    expect(m).toMatch(/liq_rejected_total\{exchange="aster",reason="bad_shape"\} 1/);
    expect(m).toMatch(/liq_rejected_total\{exchange="aster",reason="unfilled"\} 1/);
    expect((await harness.client.keys('liq:agg:*')).length).toBe(0);
    await healthy(d);
    expect(d.proc.exitCode).toBeNull();
  });
});
