// Deribit against its stand-in: the stand-in speaks Deribit's JSON-RPC (subscribe results, raw channels refused,
// set_heartbeat and test_requests with their close rule, get_instruments), and the real daemon (EXCHANGES=deribit)
// subscribes one channel per settlement currency, answers every test_request, counts a burst of T, M and MT
// liquidations exactly, counts repeats once across a reconnect, survives garbage, and follows the listing.
import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { DELIVERY, type Standins } from '../../support/venues.js';
import { defaultDeribitInstruments, deribitDate, deribitFuture } from '../../../src/venues/deribit/fixtures.js';
import { deribitFrame } from '../../../src/venues/deribit/frames.js';
import { waitUntil } from '../../support/daemon.js';
import { recentMinute, venueHarness } from '../../support/venue-harness.js';

const CHANNELS = ['trades.future.BTC.100ms', 'trades.future.ETH.100ms', 'trades.future.USDC.100ms'];
const harness = venueHarness('deribit');

async function subscribed(s: Standins, channels = CHANNELS): Promise<void> {
  await waitUntil(() => s.venues.deribit.subscriptions().some((t) => channels.every((c) => t.includes(c))), 15_000, 'deribit channels subscribed');
}

/** A JSON-RPC client that keeps every answer and notification. */
class RpcClient {
  readonly msgs: Array<Record<string, unknown>> = [];
  readonly closed: Promise<number>;
  private id = 0;
  private constructor(readonly ws: WebSocket) {
    ws.on('message', (d) => this.msgs.push(JSON.parse(d.toString()) as Record<string, unknown>));
    ws.on('error', () => {});
    this.closed = new Promise((resolve) => ws.on('close', (code) => resolve(code)));
  }
  static open(url: string): Promise<RpcClient> {
    const ws = new WebSocket(url);
    const c = new RpcClient(ws);
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(c));
      ws.once('error', reject);
    });
  }
  async call(method: string, params: Record<string, unknown>): Promise<Record<string, unknown>> {
    const id = ++this.id;
    this.ws.send(JSON.stringify({ jsonrpc: '2.0', id, method, params }));
    return this.next((m) => m.id === id);
  }
  async next(pred: (m: Record<string, unknown>) => boolean, timeoutMs = 3000): Promise<Record<string, unknown>> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.msgs.find(pred);
      if (hit) return hit;
      if (Date.now() > end) throw new Error(`no such message; got ${JSON.stringify(this.msgs.slice(-3))}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }
}

const MIN = recentMinute();
const DATED = `BTC-${deribitDate(DELIVERY.ms)}`;

describe('the Deribit stand-in', () => {
  it('answers JSON-RPC: accepted channels, raw refused with 13778, set_heartbeat bounds, public/test', async () => {
    const s = await harness.start();
    const c = await RpcClient.open(s.env.DERIBIT_WS_URL);
    try {
      expect((await c.call('public/subscribe', { channels: ['trades.future.BTC.raw'] })).error).toMatchObject({ code: 13778, message: 'raw_subscriptions_not_available_for_unauthorized' });
      expect((await c.call('public/subscribe', { channels: [...CHANNELS, 'trades.future.XYZ.100ms'] })).result).toEqual(CHANNELS);
      expect((await c.call('public/set_heartbeat', { interval: 5 })).error).toMatchObject({ code: 11029 });
      expect((await c.call('public/test', {})).result).toEqual({ version: '1.2.26' });
      expect((await c.call('public/nope', {})).error).toMatchObject({ code: -32601 });
      const frame = deribitFrame('ETH', [{ instrument: 'ETH-PERPETUAL', tradeId: 'ETH-1', direction: 'buy', price: '3000', amount: '10', ts: MIN, liquidation: 'T' }]);
      expect(s.send('deribit', frame)).toBe(1);
      expect(s.send('deribit', deribitFrame('EURR', []))).toBe(0);
      await c.next((m) => m.method === 'subscription');
    } finally {
      c.ws.terminate();
    }
  });

  it('sends a test_request every interval and closes a connection that left one unanswered', async () => {
    const s = await harness.start({ deribitHeartbeatUnitMs: 10 });
    const good = await RpcClient.open(s.env.DERIBIT_WS_URL);
    const mute = await RpcClient.open(s.env.DERIBIT_WS_URL);
    try {
      good.ws.on('message', (d) => {
        const m = JSON.parse(d.toString()) as { method?: string; params?: { type?: string } };
        if (m.method === 'heartbeat' && m.params?.type === 'test_request') good.ws.send(JSON.stringify({ jsonrpc: '2.0', id: 99, method: 'public/test', params: {} }));
      });
      expect((await good.call('public/set_heartbeat', { interval: 10 })).result).toBe('ok');
      expect((await mute.call('public/set_heartbeat', { interval: 10 })).result).toBe('ok');
      await mute.closed;
      await good.next((m) => m.method === 'heartbeat');
      await new Promise((r) => setTimeout(r, 400));
      expect(good.ws.readyState).toBe(WebSocket.OPEN);
      expect(good.msgs.filter((m) => m.method === 'heartbeat').length).toBeGreaterThanOrEqual(3);
    } finally {
      good.ws.terminate();
      mute.ws.terminate();
    }
  });

  it('lists futures from get_instruments?currency=any&kind=future; currency is required', async () => {
    const s = await harness.start();
    const res = await fetch(`${s.env.DERIBIT_REST_URL}/api/v2/public/get_instruments?currency=any&kind=future`);
    const body = (await res.json()) as { result: Array<{ instrument_name: string }> };
    expect(body.result.map((i) => i.instrument_name)).toEqual(['BTC-PERPETUAL', 'ETH-PERPETUAL', DATED, 'SOL_USDC-PERPETUAL', 'BTC_USDC-PERPETUAL']);
    expect((await fetch(`${s.env.DERIBIT_REST_URL}/api/v2/public/get_instruments`)).status).toBe(400);
  });
});

/** A burst over the three channels: T, M and MT liquidations, inverse and linear, and an ordinary trade. */
function burst(s: Standins, t0 = MIN): void {
  s.send('deribit', deribitFrame('BTC', [
    { instrument: 'BTC-PERPETUAL', tradeId: '66460463', direction: 'sell', price: '4469.5', amount: '1120', ts: t0 + 100, liquidation: 'T' }, // long $1120, 0.25058731 BTC
    { instrument: 'BTC-PERPETUAL', tradeId: '66460626', direction: 'buy', price: '4458.5', amount: '2500', ts: t0 + 200, liquidation: 'M' }, // long $2500, 0.56072670 BTC
    { instrument: 'BTC-PERPETUAL', tradeId: '66460700', direction: 'buy', price: '50000', amount: '100', ts: t0 + 300, liquidation: 'MT' }, // long $100 and short $100
    { instrument: 'BTC-PERPETUAL', tradeId: '66460701', direction: 'buy', price: '50000', amount: '999990', ts: t0 + 300 }, // not a liquidation
  ]));
  s.send('deribit', deribitFrame('BTC', [{ instrument: DATED, tradeId: '66460800', direction: 'sell', price: '50000', amount: '1000', ts: t0 + 350, liquidation: 'M' }])); // short $1000, 0.02 BTC
  s.send('deribit', deribitFrame('ETH', [{ instrument: 'ETH-PERPETUAL', tradeId: 'ETH-9', direction: 'buy', price: '3000', amount: '3000', ts: t0 + 400, liquidation: 'T' }])); // short $3000, 1 ETH
  s.send('deribit', deribitFrame('USDC', [{ instrument: 'SOL_USDC-PERPETUAL', tradeId: 'USDC-5', direction: 'sell', price: '150.25', amount: '12.3', ts: t0 + 500, liquidation: 'T' }])); // long 12.3 SOL, $1848.075
}
const EXPECTED_BTCUSD = {
  count: '4', long_count: '3', short_count: '1',
  value_cents: '382000', long_value_cents: '372000', short_value_cents: '10000',
  deribit_count: '4', deribit_long_count: '3', deribit_short_count: '1',
  deribit_value_cents: '382000', deribit_long_value_cents: '372000', deribit_short_value_cents: '10000',
  qty_e8: '81531401', long_qty_e8: '81331401', short_qty_e8: '200000',
};
const allCount = () => harness.allCount(MIN);

describe('the daemon with EXCHANGES=deribit', () => {
  it('subscribes a channel per currency, answers test_requests, counts T, M and MT exactly, and a repeat once', async () => {
    const s = await harness.start({ deribitHeartbeatUnitMs: 20 });
    const d = await harness.launch();
    await subscribed(s);
    const sent = s.venues.deribit.received().map((m) => JSON.parse(m) as { method: string; params: Record<string, unknown> });
    expect(sent.find((m) => m.method === 'public/set_heartbeat')?.params).toEqual({ interval: 10 });
    expect(sent.find((m) => m.method === 'public/subscribe')?.params).toEqual({ channels: CHANNELS });
    burst(s);
    await waitUntil(async () => (await allCount()) === 7, 10_000, 'seven events');
    expect(await harness.client.hgetall(`liq:agg:BTCUSD:60s:${MIN}`)).toEqual(EXPECTED_BTCUSD);
    expect(await harness.client.hgetall(`liq:agg:BTCUSD_${DELIVERY.yymmdd}:60s:${MIN}`)).toMatchObject({ deribit_short_value_cents: '100000', qty_e8: '2000000' });
    expect(await harness.client.hgetall(`liq:agg:ETHUSD:60s:${MIN}`)).toMatchObject({ deribit_short_value_cents: '300000', qty_e8: '100000000' });
    expect(await harness.client.hgetall(`liq:agg:SOLUSDC:60s:${MIN}`)).toMatchObject({ deribit_long_value_cents: '184808', qty_e8: '1230000000' });
    expect(await harness.client.hget(`liq:agg:ALL:60s:${MIN}`, 'value_cents')).toBe('966808');
    burst(s);
    await waitUntil(async () => (await d.metrics()).includes('liq_duplicates_total 7'), 10_000, 'duplicates counted');
    expect(await allCount()).toBe(7);
    // test_requests every 200 ms: each answered, the one connection kept.
    await waitUntil(() => s.venues.deribit.received().filter((m) => m.includes('public/test')).length >= 3, 10_000, 'test_requests answered');
    expect(s.venues.deribit.totalConnections()).toBe(1);
    expect(d.garbage).toEqual([]);
  });

  it('reconnects after a drop, resubscribes, counts repeated trades once; a silent server is replaced by the watchdog', async () => {
    const s = await harness.start();
    const d = await harness.launch({ PING_INTERVAL_MS: '300', PONG_TIMEOUT_MS: '400' });
    await subscribed(s);
    burst(s);
    await waitUntil(async () => (await allCount()) === 7, 10_000, 'first burst');
    s.venues.deribit.dropAll();
    await waitUntil(() => s.venues.deribit.totalConnections() >= 2, 10_000, 'reconnected');
    await subscribed(s);
    burst(s);
    s.send('deribit', deribitFrame('ETH', [{ instrument: 'ETH-PERPETUAL', tradeId: 'ETH-10', direction: 'sell', price: '3000', amount: '30', ts: MIN + 900, liquidation: 'T' }]));
    await waitUntil(async () => (await allCount()) === 8, 10_000, 'the new event');
    await new Promise((r) => setTimeout(r, 300));
    expect(await allCount()).toBe(8);
    expect(await d.metrics()).toMatch(/liq_stream_reconnects_total\{stream="deribit#0"\} [1-9]/);
    const before = s.venues.deribit.totalConnections();
    s.venues.deribit.setUnresponsive(true);
    await waitUntil(() => s.venues.deribit.totalConnections() > before, 10_000, 'watchdog replaced the silent connection');
  });

  it('survives garbage and logs a refusal at error: rejections counted, nothing in the buckets', async () => {
    const s = await harness.start();
    const d = await harness.launch();
    await subscribed(s);
    s.send('deribit', 'garbage \u001b[2J');
    s.send('deribit', '[1,2,3]');
    s.send('deribit', `{"jsonrpc":"2.0","method":"subscription","params":{"channel":"trades.future.BTC.100ms","data":[{"trade_id":"1","timestamp":${MIN + 5},"price":1234567.123456789,"instrument_name":"BTC-PERPETUAL","direction":"sell","amount":10,"liquidation":"T"}]}}`);
    s.send('deribit', deribitFrame('BTC', [{ instrument: 'BTC-PERPETUAL', tradeId: '2', direction: 'sell', price: '1', amount: '10', ts: MIN + 5, liquidation: 'X' as 'T' }]));
    s.send('deribit', '{"jsonrpc":"2.0","id":7,"error":{"message":"raw_subscriptions_not_available_for_unauthorized","code":13778},"usIn":1,"usOut":2,"usDiff":1,"testnet":false}');
    await waitUntil(async () => /liq_rejected_total\{exchange="deribit",reason="bad_side"\} 1/.test(await d.metrics()), 10_000, 'rejections counted');
    const m = await d.metrics();
    expect(m).toMatch(/liq_rejected_total\{exchange="deribit",reason="invalid_json"\} 1/);
    expect(m).toMatch(/liq_rejected_total\{exchange="deribit",reason="bad_shape"\} 1/);
    expect(m).toMatch(/liq_rejected_total\{exchange="deribit",reason="imprecise_number"\} 1/);
    await d.waitForLog((l) => l.level === 'error' && l.msg === 'deribit refused a request');
    expect((await harness.client.keys('liq:agg:*')).length).toBe(0);
    expect((await d.health()).status).toBe(200);
  });

  it('follows the listing: a new instrument before its metadata is counted, a new currency is subscribed at refresh', async () => {
    const s = await harness.start();
    const d = await harness.launch({ INSTRUMENT_REFRESH_MINUTES: '0.02' });
    await subscribed(s);
    const listed = [...defaultDeribitInstruments(), deribitFuture({ base: 'XRP', quote: 'USDC', contractSize: 1, tickSize: 0.0001 })];
    s.setInstruments({ deribitInstruments: listed });
    // On the USDC channel already held: known only after a refetch.
    s.send('deribit', deribitFrame('USDC', [{ instrument: 'XRP_USDC-PERPETUAL', tradeId: 'USDC-77', direction: 'buy', price: '0.5', amount: '70', ts: MIN + 10, liquidation: 'T' }]));
    await waitUntil(async () => (await harness.client.hget(`liq:agg:XRPUSDC:60s:${MIN}`, 'deribit_short_value_cents')) === '3500', 10_000, 'new instrument counted'); // 70 × 0.5 = $35
    // A USDT-settled perpetual brings a new currency: its channel is added on the open connection.
    s.setInstruments({ deribitInstruments: [...listed, deribitFuture({ base: 'BTC', quote: 'USDT', contractSize: 0.001, tickSize: 1 })] });
    await subscribed(s, [...CHANNELS, 'trades.future.USDT.100ms']);
    expect(s.venues.deribit.totalConnections()).toBe(1);
    s.send('deribit', deribitFrame('USDT', [{ instrument: 'BTC_USDT-PERPETUAL', tradeId: 'USDT-1', direction: 'sell', price: '50000', amount: '0.01', ts: MIN + 20, liquidation: 'T' }]));
    await waitUntil(async () => (await harness.client.hget(`liq:agg:BTCUSDT:60s:${MIN}`, 'deribit_long_value_cents')) === '50000', 10_000, 'new currency counted');
    s.send('deribit', deribitFrame('BTC', [{ instrument: 'BTC-GHOST', tradeId: '3', direction: 'sell', price: '1', amount: '1', ts: MIN + 30, liquidation: 'T' }]));
    await waitUntil(async () => /liq_rejected_total\{exchange="deribit",reason="unknown_instrument"\} 1/.test(await d.metrics()), 10_000, 'unknown instrument rejected');
  });
});
