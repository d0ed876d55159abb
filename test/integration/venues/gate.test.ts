// Gate: the stand-in speaks the protocol (subscribe acks and refusals, futures.ping/futures.pong, the size-decimal
// header recorded, the contracts of both settle currencies), and the real daemon against it sends the header, counts a
// burst of both settles exactly (arrays, a bare object, identical orders in one push), repeats once across a drop of
// every connection, replaces its socket without a gap on Gate's restart notice, survives garbage, and counts a new
// listing that arrives before the cached metadata knows it.
import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { defaultGateContracts, gateContract } from '../../../src/venues/gate/fixtures.js';
import { gateFrame } from '../../../src/venues/gate/frames.js';
import { gateSubscribe } from '../../../src/venues/gate/index.js';
import { fetchGateContracts } from '../../../src/venues/gate/metadata.js';
import type { GateVenue } from '../../../src/venues/gate/standin.js';
import type { Standins } from '../../../src/venues/standin/index.js';
import { waitUntil } from '../../support/daemon.js';
import { healthy, recentMinute, venueHarness } from '../../support/venue-harness.js';

const harness = venueHarness('gate');

const usdtOf = (s: Standins) => s.venues['gate-usdt'] as GateVenue;
const btcOf = (s: Standins) => s.venues['gate-btc'] as GateVenue;
const subscribed = (s: Standins) =>
  waitUntil(() => usdtOf(s).subscriptions().some((t) => t.length === 1) && btcOf(s).subscriptions().some((t) => t.length === 1), 10_000, 'gate subscribed');

const MIN = recentMinute();

function burst(s: Standins, t0 = MIN) {
  s.send('gate-usdt', gateFrame([
    { contract: 'BTC_USDT', price: '50000', size: '-30', ts: t0 + 100 }, // 0.003 BTC, long $150
    { contract: 'BTC_USDT', price: '50000', size: '-30', ts: t0 + 100 }, // the same again in one push: another liquidation
    { contract: 'ETH_USDT', price: '3000', size: '12', ts: t0 + 200 }, // 0.12 ETH, short $360
  ]));
  s.send('gate-usdt', gateFrame([{ contract: 'HEI_USDT', price: '0.13827', size: -23, ts: t0 + 300 }], { bare: true })); // 230 HEI, long $31.8021
  s.send('gate-btc', gateFrame([{ contract: 'BTC_USD', price: '50000', size: '-1000', ts: t0 + 400 }])); // long $1,000, 0.02 BTC
}
const BURST_CENTS = 30000 + 36000 + 3180 + 100000;

const allCount = () => harness.allCount(MIN);

describe('gate stand-in', () => {
  it('acks the subscription, refuses an unknown channel, answers futures.ping and records the size-decimal header', async () => {
    await harness.start();
    const usdt = usdtOf(harness.standins);
    const open = async (headers?: Record<string, string>) => {
      const ws = new WebSocket(harness.standins.env.GATE_USDT_WS_URL, { headers });
      const messages: string[] = [];
      ws.on('message', (d) => messages.push(d.toString()));
      await new Promise((r) => ws.once('open', r));
      return { ws, messages };
    };
    const a = await open({ 'X-Gate-Size-Decimal': '1' });
    const b = await open();
    expect(usdt.sizeDecimalHeaders()).toEqual([true, false]);
    a.ws.send(gateSubscribe());
    a.ws.send(JSON.stringify({ time: 1, channel: 'futures.liquidates', event: 'subscribe', payload: ['!all'] }));
    a.ws.send(JSON.stringify({ time: 1, channel: 'futures.ping' }));
    await waitUntil(() => a.messages.length === 3, 2000, 'answers');
    expect(JSON.parse(a.messages[0])).toMatchObject({ channel: 'futures.public_liquidates', event: 'subscribe', result: { status: 'success' } });
    expect(JSON.parse(a.messages[1])).toMatchObject({ error: { code: 2 }, result: { status: 'fail' } });
    expect(JSON.parse(a.messages[2])).toMatchObject({ channel: 'futures.pong', event: '', result: null });
    // Only the subscribed connection gets the channel's pushes; a notice without a channel goes to every connection.
    expect(usdt.send(gateFrame([{ contract: 'BTC_USDT', price: '1', size: '-1', ts: Date.now() }]))).toBe(1);
    expect(usdt.send('{"type":"upgrade","msg":"restart"}')).toBe(2);
    a.ws.terminate();
    b.ws.terminate();
  });

  it('serves both settles\' contracts; the daemon loader maps them', async () => {
    await harness.start();
    const base = harness.standins.env.GATE_REST_URL;
    const rows = (await (await fetch(`${base}/api/v4/futures/usdt/contracts`)).json()) as Array<{ name: string }>;
    expect(rows.map((r) => r.name)).toEqual(defaultGateContracts().usdt.map((r) => r.name));
    const usdt = await fetchGateContracts(base, 'usdt', { attempts: 1 });
    expect(usdt.get('BTC_USDT')).toMatchObject({ symbol: 'BTCUSDT', kind: 'linear' });
    const btc = await fetchGateContracts(base, 'btc', { attempts: 1 });
    expect(btc.get('BTC_USD')).toEqual({ symbol: 'BTCUSD', kind: 'inverse' });
    expect(btcOf(harness.standins).restRequests()).toEqual(['/api/v4/futures/btc/contracts']);
  });
});

describe('daemon against the gate stand-in', () => {
  it('sends the header, counts a burst of both settles exactly, and repeats once across a drop of every connection', async () => {
    await harness.start();
    const d = await harness.launch();
    await subscribed(harness.standins);
    expect([...usdtOf(harness.standins).sizeDecimalHeaders(), ...btcOf(harness.standins).sizeDecimalHeaders()]).toEqual([true, true]);
    burst(harness.standins);
    await waitUntil(async () => (await allCount()) === 5, 10_000, 'five events');
    expect(await harness.client.hgetall(`liq:agg:BTCUSDT:60s:${MIN}`)).toEqual({
      count: '2', long_count: '2', value_cents: '30000', long_value_cents: '30000',
      gate_count: '2', gate_long_count: '2', gate_value_cents: '30000', gate_long_value_cents: '30000',
      qty_e8: '600000', long_qty_e8: '600000',
    });
    expect(await harness.client.hgetall(`liq:agg:ETHUSDT:60s:${MIN}`)).toMatchObject({ count: '1', gate_short_value_cents: '36000', qty_e8: '12000000' });
    expect(await harness.client.hgetall(`liq:agg:HEIUSDT:60s:${MIN}`)).toMatchObject({ count: '1', gate_long_value_cents: '3180', qty_e8: '23000000000' });
    expect(await harness.client.hgetall(`liq:agg:BTCUSD:60s:${MIN}`)).toMatchObject({ count: '1', gate_long_value_cents: '100000', qty_e8: '2000000' });
    expect(await harness.client.hget(`liq:agg:ALL:60s:${MIN}`, 'value_cents')).toBe(String(BURST_CENTS));

    const before = [usdtOf(harness.standins).totalConnections(), btcOf(harness.standins).totalConnections()];
    usdtOf(harness.standins).dropAll();
    btcOf(harness.standins).dropAll();
    await waitUntil(() => usdtOf(harness.standins).totalConnections() > before[0] && btcOf(harness.standins).totalConnections() > before[1], 10_000, 'reconnects');
    await subscribed(harness.standins);
    burst(harness.standins); // the same pushes again
    harness.standins.send('gate-btc', gateFrame([{ contract: 'BTC_USD', price: '50000', size: '500', ts: MIN + 500 }])); // short $500
    await waitUntil(async () => (await allCount()) === 6, 10_000, 'the new event');
    await waitUntil(async () => (await d.metrics()).includes('liq_duplicates_total 5'), 10_000, 'repeats counted as duplicates');
    expect(await allCount()).toBe(6);
    expect(usdtOf(harness.standins).sizeDecimalHeaders().every(Boolean)).toBe(true);
    const streams = (await d.health()).body.streams as Array<{ connection: string; state: string; reconnects: number }>;
    expect(streams.map((s) => [s.connection, s.state]).sort()).toEqual([['gate-btc', 'open'], ['gate-usdt', 'open']]);
    expect(d.garbage).toEqual([]);
  });

  it('replaces its socket at once on the restart notice, keeping the old one until the new one receives', async () => {
    await harness.start();
    const d = await harness.launch();
    await subscribed(harness.standins);
    const usdt = usdtOf(harness.standins);
    expect(usdt.totalConnections()).toBe(1);
    harness.standins.send('gate-usdt', '{"type":"upgrade","msg":"the server will be upgraded"}');
    await waitUntil(() => usdt.totalConnections() === 2, 10_000, 'a replacement');
    // Its subscribe ack is its first message: then the old socket is closed.
    await waitUntil(() => usdt.connections() === 1 && usdt.subscriptions().length === 1, 10_000, 'the old socket closed');
    harness.standins.send('gate-usdt', gateFrame([{ contract: 'SOL_USDT', price: '150', size: '-2', ts: MIN + 50 }])); // long $300
    await waitUntil(async () => (await harness.client.hget(`liq:agg:SOLUSDT:60s:${MIN}`, 'gate_long_value_cents')) === '30000', 10_000, 'counted on the new socket');
    await d.waitForLog((l) => l.msg === 'restart: opening a replacement now' && l.conn === 'gate-usdt');
    const streams = (await d.health()).body.streams as Array<{ connection: string; reconnects: number }>;
    expect(streams.find((s) => s.connection === 'gate-usdt')?.reconnects).toBe(0); // a handover, not a reconnect
  });

  it('survives garbage and a refused subscription: nothing counted, rejections in metrics, daemon up', async () => {
    await harness.start();
    const d = await harness.launch();
    await subscribed(harness.standins);
    harness.standins.send('gate-usdt', 'garbage \u001b[2J');
    harness.standins.send('gate-usdt', '[1,2,3]');
    harness.standins.send('gate-usdt', JSON.stringify({ channel: 'futures.public_liquidates', event: 'update', result: null }));
    harness.standins.send('gate-usdt', gateFrame([{ contract: 'BTC_USDT', price: 0.30000000000000004, size: '-1', ts: MIN + 5 }]));
    harness.standins.send('gate-btc', gateFrame([{ contract: 'BTC_USD', price: '50000', size: 0, ts: MIN + 5 }]));
    harness.standins.send('gate-btc', '{"time":1,"time_ms":1,"channel":"futures.public_liquidates","event":"subscribe","error":{"code":2,"message":"x"},"result":{"status":"fail"}}');
    await waitUntil(async () => /liq_rejected_total\{exchange="gate",reason="non_positive"\} 1/.test(await d.metrics()), 10_000, 'rejections counted');
    const m = await d.metrics();
    expect(m).toMatch(/liq_rejected_total\{exchange="gate",reason="invalid_json"\} 1/);
    expect(m).toMatch(/liq_rejected_total\{exchange="gate",reason="bad_shape"\} 2/);
    expect(m).toMatch(/liq_rejected_total\{exchange="gate",reason="imprecise_number"\} 1/);
    await d.waitForLog((l) => l.msg === 'gate refused a request' && l.level === 'error');
    expect((await harness.client.keys('liq:agg:*')).length).toBe(0);
    await healthy(d);
  });

  it('counts a new listing that arrives before the cached metadata knows it; an unlisted contract is unknown_instrument', async () => {
    await harness.start();
    const d = await harness.launch();
    await subscribed(harness.standins);
    await d.waitForLog((l) => l.msg === 'instrument metadata ok' && l.cache === 'gate-usdt');
    harness.standins.setInstruments({ gateContracts: { usdt: [...defaultGateContracts().usdt, gateContract({ name: 'NEW_USDT', type: 'direct', quanto: '10', price: '0.5' })] } });
    harness.standins.send('gate-usdt', gateFrame([{ contract: 'NEW_USDT', price: '0.5', size: '-7', ts: MIN + 10 }]));
    await waitUntil(async () => (await harness.client.hget(`liq:agg:NEWUSDT:60s:${MIN}`, 'gate_long_value_cents')) === '3500', 10_000, 'new listing counted'); // 7 × 10 × 0.5
    expect(await harness.client.hget(`liq:agg:NEWUSDT:60s:${MIN}`, 'qty_e8')).toBe('7000000000');
    harness.standins.send('gate-usdt', gateFrame([{ contract: 'GHOST_USDT', price: '1', size: '-1', ts: MIN + 20 }]));
    await waitUntil(async () => /liq_rejected_total\{exchange="gate",reason="unknown_instrument"\} 1/.test(await d.metrics()), 10_000, 'unknown contract rejected');
  });
});
