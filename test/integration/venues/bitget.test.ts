// Bitget: the stand-in speaks the v3 protocol (one ack per subscribe arg, errors for what does not exist, text
// ping/pong, a connection that never pings closed, the instruments endpoint per category), and the real daemon against
// it counts a burst over the three product types exactly, repeats once across a drop of every connection, survives
// garbage, and counts a new listing that arrives before the cached metadata knows it.
import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { bitgetInstrument, defaultBitgetInstruments } from '../../../src/venues/bitget/fixtures.js';
import { bitgetFrame } from '../../../src/venues/bitget/frames.js';
import { bitgetSubscribe } from '../../../src/venues/bitget/index.js';
import { fetchBitgetAll } from '../../../src/venues/bitget/metadata.js';
import { DELIVERY, type Standins } from '../../../src/venues/standin/index.js';
import { waitUntil } from '../../support/daemon.js';
import { healthy, recentMinute, venueHarness } from '../../support/venue-harness.js';

const harness = venueHarness('bitget');

const subscribed = (s: Standins) => waitUntil(() => s.venues.bitget.subscriptions().some((t) => t.length === 3), 10_000, 'bitget subscribed');

const MIN = recentMinute();

function burst(s: Standins, t0 = MIN) {
  s.send('bitget', bitgetFrame('usdt-futures', [
    { symbol: 'BTCUSDT', side: 'buy', price: '50000', amount: '700.01', ts: t0 + 100 }, // long $700.01, 0.0140002 BTC
    { symbol: 'ETHUSDT', side: 'sell', price: '3000', amount: '45', ts: t0 + 200 }, // short $45, 0.015 ETH
  ]));
  s.send('bitget', bitgetFrame('coin-futures', [
    { symbol: 'BTCUSD', side: 'sell', price: '50000', amount: '1000', ts: t0 + 300 }, // short $1,000, 0.02 BTC
    { symbol: `BTCUSD${DELIVERY.bybitInverse}`, side: 'buy', price: '51000', amount: '100', ts: t0 + 400 }, // long $100, 0.00196078 BTC
  ]));
  s.send('bitget', bitgetFrame('usdc-futures', [{ symbol: 'BTCPERP', side: 'buy', price: '50000', amount: '250.5', ts: t0 + 500 }])); // long $250.50, 0.00501 BTC
}

const allCount = () => harness.allCount(MIN);

describe('bitget stand-in', () => {
  it('acks each subscribe arg, refuses unknown ones, answers ping with pong, and closes a client that never pings', async () => {
    await harness.start({ bitgetIdleCloseMs: 300 });
    const server = harness.standins.venues.bitget;
    const ws = new WebSocket(harness.standins.env.BITGET_WS_URL);
    const messages: string[] = [];
    ws.on('message', (d) => messages.push(d.toString()));
    await new Promise((r) => ws.once('open', r));
    ws.send(bitgetSubscribe());
    ws.send(JSON.stringify({ op: 'subscribe', args: [{ instType: 'usdt-futures', topic: 'liqudation' }] }));
    ws.send('ping');
    await waitUntil(() => messages.length === 5, 2000, 'answers');
    expect(messages.slice(0, 3).map((m) => JSON.parse(m) as Record<string, unknown>)).toEqual(
      ['usdt-futures', 'coin-futures', 'usdc-futures'].map((instType) => ({ event: 'subscribe', arg: { instType, topic: 'liquidation' }, connId: expect.any(String) })),
    );
    expect(JSON.parse(messages[3])).toMatchObject({ event: 'error', code: '30001' });
    expect(messages[4]).toBe('pong');
    expect(server.subscriptions()).toEqual([['liquidation:usdt-futures', 'liquidation:coin-futures', 'liquidation:usdc-futures']]);
    expect(harness.standins.send('bitget', bitgetFrame('coin-futures', [{ symbol: 'BTCUSD', side: 'buy', price: '1', amount: '1', ts: Date.now() }]))).toBe(1);
    // The ping above restarted the clock; with no more pings the connection is closed.
    const code = await new Promise<number>((r) => ws.once('close', r));
    expect(code).toBe(1000);
  });

  it('serves the instruments per category; the daemon loader keys them by product type', async () => {
    await harness.start();
    const base = harness.standins.env.BITGET_REST_URL;
    const coin = (await (await fetch(`${base}/api/v3/market/instruments?category=COIN-FUTURES`)).json()) as { code: string; data: Array<{ symbol: string }> };
    expect(coin.code).toBe('00000');
    expect(coin.data.map((i) => i.symbol)).toEqual(defaultBitgetInstruments()['COIN-FUTURES'].map((i) => i.symbol));
    const bad = await fetch(`${base}/api/v3/market/instruments?category=NOPE`);
    expect(bad.status).toBe(400);
    const map = await fetchBitgetAll(base, { attempts: 1 });
    expect(Object.fromEntries([...map].map(([k, v]) => [k, v.symbol]))).toMatchObject({
      'usdt-futures-BTCUSDT': 'BTCUSDT',
      'coin-futures-BTCUSD': 'BTCUSD',
      [`coin-futures-BTCUSD${DELIVERY.bybitInverse}`]: `BTCUSD_${DELIVERY.yymmdd}`,
      'usdc-futures-BTCPERP': 'BTCUSDC',
    });
  });
});

describe('daemon against the bitget stand-in', () => {
  it('counts a burst over the three product types exactly, and repeats once across a drop of every connection', async () => {
    await harness.start();
    const d = await harness.launch();
    await subscribed(harness.standins);
    burst(harness.standins);
    await waitUntil(async () => (await allCount()) === 5, 10_000, 'five events');
    expect(await harness.client.hgetall(`liq:agg:BTCUSDT:60s:${MIN}`)).toEqual({
      count: '1', long_count: '1', value_cents: '70001', long_value_cents: '70001',
      bitget_count: '1', bitget_long_count: '1', bitget_value_cents: '70001', bitget_long_value_cents: '70001',
      qty_e8: '1400020', long_qty_e8: '1400020',
    });
    expect(await harness.client.hgetall(`liq:agg:ETHUSDT:60s:${MIN}`)).toMatchObject({ count: '1', bitget_short_value_cents: '4500', qty_e8: '1500000' });
    expect(await harness.client.hgetall(`liq:agg:BTCUSD:60s:${MIN}`)).toMatchObject({ count: '1', bitget_short_value_cents: '100000', qty_e8: '2000000' });
    expect(await harness.client.hgetall(`liq:agg:BTCUSD_${DELIVERY.yymmdd}:60s:${MIN}`)).toMatchObject({ count: '1', bitget_long_value_cents: '10000', qty_e8: '196078' });
    expect(await harness.client.hgetall(`liq:agg:BTCUSDC:60s:${MIN}`)).toMatchObject({ count: '1', bitget_long_value_cents: '25050', qty_e8: '501000' });
    expect(await harness.client.hget(`liq:agg:ALL:60s:${MIN}`, 'value_cents')).toBe(String(70001 + 4500 + 100000 + 10000 + 25050));

    const before = harness.standins.venues.bitget.totalConnections();
    harness.standins.venues.bitget.dropAll();
    await waitUntil(() => harness.standins.venues.bitget.totalConnections() > before, 10_000, 'reconnect');
    await subscribed(harness.standins);
    burst(harness.standins); // the same pushes again after the reconnect
    harness.standins.send('bitget', bitgetFrame('usdt-futures', [{ symbol: 'SOLUSDT', side: 'sell', price: '150', amount: '300', ts: MIN + 600 }])); // short $300
    await waitUntil(async () => (await allCount()) === 6, 10_000, 'the new event');
    await waitUntil(async () => (await d.metrics()).includes('liq_duplicates_total 5'), 10_000, 'repeats counted as duplicates');
    expect(await allCount()).toBe(6);
    const status = (await d.health()).body.streams as Array<{ connection: string; state: string; reconnects: number }>;
    expect(status.find((s) => s.connection === 'bitget')).toMatchObject({ state: 'open' });
    expect(status.find((s) => s.connection === 'bitget')!.reconnects).toBeGreaterThanOrEqual(1);
    expect(d.garbage).toEqual([]);
  });

  it('keeps its connection with text pings under the idle rule, and replaces it when pongs stop (watchdog)', async () => {
    await harness.start({ bitgetIdleCloseMs: 700 });
    await harness.launch({ PING_INTERVAL_MS: '200', PONG_TIMEOUT_MS: '300' });
    await subscribed(harness.standins);
    const server = harness.standins.venues.bitget;
    await new Promise((r) => setTimeout(r, 1500)); // twice the idle limit: pings keep it open
    expect(server.totalConnections()).toBe(1);
    expect(server.received().filter((m) => m === 'ping').length).toBeGreaterThanOrEqual(3);
    server.setUnresponsive(true);
    await waitUntil(() => server.totalConnections() > 1, 10_000, 'watchdog replaced the connection');
    server.setUnresponsive(false);
    await subscribed(harness.standins);
  });

  it('survives garbage and a refused subscription: nothing counted, rejections in metrics, daemon up', async () => {
    await harness.start();
    const d = await harness.launch();
    await subscribed(harness.standins);
    harness.standins.send('bitget', 'garbage \u001b[2J');
    harness.standins.send('bitget', '[1,2,3]');
    harness.standins.send('bitget', bitgetFrame('usdt-futures', [{ symbol: 'BTCUSDT', side: 'long' as 'buy', price: '1', amount: '1', ts: MIN + 5 }]));
    harness.standins.send('bitget', JSON.stringify({ action: 'update', arg: { instType: 'usdt-futures', topic: 'liquidation' }, data: [{ symbol: 'BTCUSDT', side: 'buy', price: 50000, amount: '1', ts: String(MIN + 5) }] }));
    harness.standins.send('bitget', '{"event":"error","arg":{"instType":"usdt-futures","topic":"liquidation"},"code":"30001","msg":"doesn\'t exist"}');
    await waitUntil(async () => /liq_rejected_total\{exchange="bitget",reason="json_number"\} 1/.test(await d.metrics()), 10_000, 'rejections counted');
    const m = await d.metrics();
    expect(m).toMatch(/liq_rejected_total\{exchange="bitget",reason="invalid_json"\} 1/);
    expect(m).toMatch(/liq_rejected_total\{exchange="bitget",reason="bad_shape"\} 1/);
    expect(m).toMatch(/liq_rejected_total\{exchange="bitget",reason="bad_side"\} 1/);
    await d.waitForLog((l) => l.msg === 'bitget refused a request' && l.level === 'error');
    expect((await harness.client.keys('liq:agg:*')).length).toBe(0);
    await healthy(d);
  });

  it('counts a new listing that arrives before the cached metadata knows it; an unlisted symbol is unknown_instrument', async () => {
    await harness.start();
    const d = await harness.launch();
    await subscribed(harness.standins);
    await d.waitForLog((l) => l.msg === 'instrument metadata ok' && l.cache === 'bitget');
    const usdt = defaultBitgetInstruments()['USDT-FUTURES'];
    harness.standins.setInstruments({ bitgetInstruments: { 'USDT-FUTURES': [...usdt, bitgetInstrument({ symbol: 'NEWUSDT', category: 'USDT-FUTURES', baseCoin: 'NEW', quoteCoin: 'USDT', pricePrecision: 4, quantityPrecision: 0 })] } });
    harness.standins.send('bitget', bitgetFrame('usdt-futures', [{ symbol: 'NEWUSDT', side: 'buy', price: '0.5', amount: '35', ts: MIN + 10 }]));
    await waitUntil(async () => (await harness.client.hget(`liq:agg:NEWUSDT:60s:${MIN}`, 'bitget_long_value_cents')) === '3500', 10_000, 'new listing counted');
    expect(await harness.client.hget(`liq:agg:NEWUSDT:60s:${MIN}`, 'qty_e8')).toBe('7000000000'); // 35 ÷ 0.5 = 70
    harness.standins.send('bitget', bitgetFrame('usdt-futures', [{ symbol: 'GHOSTUSDT', side: 'buy', price: '1', amount: '1', ts: MIN + 20 }]));
    await waitUntil(async () => /liq_rejected_total\{exchange="bitget",reason="unknown_instrument"\} 1/.test(await d.metrics()), 10_000, 'unknown instrument rejected');
  });
});
