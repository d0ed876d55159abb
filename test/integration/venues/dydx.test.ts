// dYdX v4 against its stand-in: the stand-in speaks the indexer's protocol (connected, subscribe per market with the
// recent trades replayed, its error answers, the 32-per-connection limit and the subscribe rate limit, server pings
// with a pong deadline, the market list), and the real daemon (EXCHANGES=dydx) counts a burst exactly, counts the
// snapshot replayed after a resubscribe once, spreads many markets over connections of at most 32, follows listings,
// and survives garbage.
import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { Standins } from '../../support/venues.js';
import { defaultDydxMarkets, dydxMarket, manyDydxMarkets } from '../../../src/venues/dydx/fixtures.js';
import { dydxTradesFrame } from '../../../src/venues/dydx/frames.js';
import { waitUntil } from '../../support/daemon.js';
import { recentMinute, venueHarness } from '../../support/venue-harness.js';

const MARKETS = ['AVAX-USD', 'BTC-USD', 'ETH-USD', 'SOL-USD'];
const harness = venueHarness('dydx');

const held = (s: Standins) => s.venues.dydx.subscriptions().flat().sort();
async function subscribed(s: Standins, markets = MARKETS): Promise<void> {
  await waitUntil(() => markets.every((m) => held(s).includes(m)), 15_000, 'dydx markets subscribed');
}

/** A raw client that keeps every message. */
class Client {
  readonly msgs: Array<Record<string, unknown>> = [];
  readonly closed: Promise<number>;
  private constructor(readonly ws: WebSocket) {
    ws.on('message', (d) => this.msgs.push(JSON.parse(d.toString()) as Record<string, unknown>));
    ws.on('error', () => {});
    this.closed = new Promise((resolve) => ws.on('close', (code) => resolve(code)));
  }
  static open(url: string, autoPong = true): Promise<Client> {
    const ws = new WebSocket(url, { autoPong });
    const c = new Client(ws);
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(c));
      ws.once('error', reject);
    });
  }
  sub(id: string): void {
    this.ws.send(JSON.stringify({ type: 'subscribe', channel: 'v4_trades', id }));
  }
  async next(pred: (m: Record<string, unknown>) => boolean, timeoutMs = 3000): Promise<Record<string, unknown>> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const i = this.msgs.findIndex(pred);
      if (i >= 0) return this.msgs.splice(i, 1)[0];
      if (Date.now() > end) throw new Error(`no such message; got ${JSON.stringify(this.msgs.slice(-3))}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }
}

const MIN = recentMinute();

describe('the dYdX stand-in', () => {
  it('connects, subscribes per market replaying recent trades, and answers errors as the indexer does', async () => {
    const s = await harness.start({ dydxChannelLimit: 3 });
    const c = await Client.open(s.env.DYDX_WS_URL);
    try {
      expect(await c.next((m) => m.type === 'connected')).toMatchObject({ message_id: 0 });
      s.send('dydx', dydxTradesFrame('BTC-USD', [{ id: 'a1', side: 'SELL', size: '1', price: '50000', type: 'LIQUIDATED', createdAt: MIN }]));
      c.sub('BTC-USD');
      const sub = await c.next((m) => m.type === 'subscribed');
      expect(sub).toMatchObject({ channel: 'v4_trades', id: 'BTC-USD', contents: { trades: [{ id: 'a1', type: 'LIQUIDATED' }] } });
      c.sub('NOPE-USD');
      expect((await c.next((m) => m.type === 'error')).message).toBe('Invalid subscription id for channel: (v4_trades-NOPE-USD)');
      c.sub('BTC-USD');
      expect((await c.next((m) => m.type === 'error')).message).toBe('Invalid subscribe message: already subscribed (v4_trades-BTC-USD)');
      c.sub('ETH-USD');
      c.sub('SOL-USD');
      await c.next((m) => m.type === 'subscribed' && m.id === 'SOL-USD');
      c.sub('AVAX-USD');
      expect((await c.next((m) => m.type === 'error')).message).toBe('Per-connection subscription limit reached for v4_trades (limit=3).');
      const frame = dydxTradesFrame('ETH-USD', [{ id: 'e1', side: 'BUY', size: '1', price: '3000', type: 'LIMIT', createdAt: MIN }]);
      expect(s.send('dydx', frame)).toBe(1);
      expect(await c.next((m) => m.type === 'channel_data')).toMatchObject({ id: 'ETH-USD' });
    } finally {
      c.ws.terminate();
    }
  });

  it('closes a client that subscribes one market more than twice a second, and one that does not pong', async () => {
    const s = await harness.start({ dydxPingIntervalMs: 100, dydxPongTimeoutMs: 250 });
    const eager = await Client.open(s.env.DYDX_WS_URL);
    const deaf = await Client.open(s.env.DYDX_WS_URL, false);
    const fine = await Client.open(s.env.DYDX_WS_URL);
    try {
      for (let i = 0; i < 3; i++) eager.sub('BTC-USD');
      expect(await eager.closed).toBe(1008);
      await deaf.closed;
      expect(fine.ws.readyState).toBe(WebSocket.OPEN);
    } finally {
      for (const c of [eager, deaf, fine]) c.ws.terminate();
    }
  });

  it('lists the markets and a market\'s recent trades over REST', async () => {
    const s = await harness.start();
    const body = (await (await fetch(`${s.env.DYDX_REST_URL}/v4/perpetualMarkets`)).json()) as { markets: Record<string, { ticker: string; status: string }> };
    expect(Object.keys(body.markets)).toEqual(['BTC-USD', 'ETH-USD', 'SOL-USD', 'AVAX-USD']);
    expect(body.markets['BTC-USD']).toMatchObject({ ticker: 'BTC-USD', status: 'ACTIVE', clobPairId: '0' });
    expect((await fetch(`${s.env.DYDX_REST_URL}/v4/perpetualMarkets?ticker=NOPE-USD`)).status).toBe(404);
    s.send('dydx', dydxTradesFrame('SOL-USD', [{ id: 's1', side: 'SELL', size: '2', price: '190', type: 'LIMIT', createdAt: MIN }]));
    const trades = (await (await fetch(`${s.env.DYDX_REST_URL}/v4/trades/perpetualMarket/SOL-USD`)).json()) as { trades: Array<{ id: string }> };
    expect(trades.trades.map((t) => t.id)).toEqual(['s1']);
  });
});

function burst(s: Standins, t0 = MIN): void {
  s.send('dydx', dydxTradesFrame('BTC-USD', [
    { id: '014f495a0000000200000001', side: 'SELL', size: '0.5', price: '60000', type: 'LIQUIDATED', createdAt: t0 + 100 }, // long $30,000
    { id: '014f495a0000000200000002', side: 'BUY', size: '0.0001', price: '60010.5', type: 'LIQUIDATED', createdAt: t0 + 200 }, // short $6.00105
    { id: '014f495a0000000200000003', side: 'BUY', size: '7', price: '60000', type: 'LIMIT', createdAt: t0 + 200 }, // not a liquidation
  ]));
  s.send('dydx', dydxTradesFrame('ETH-USD', [{ id: '014f495a0000000200000004', side: 'SELL', size: '2', price: '3000.5', liquidation: true, createdAt: t0 + 300 }])); // long $6001
  s.send('dydx', dydxTradesFrame('SOL-USD', [{ id: '014f495a0000000200000005', side: 'SELL', size: '9', price: '190', type: 'DELEVERAGED', createdAt: t0 + 400 }])); // not a liquidation
}
const EXPECTED_BTCUSD = {
  count: '2', long_count: '1', short_count: '1',
  value_cents: '3000600', long_value_cents: '3000000', short_value_cents: '600',
  dydx_count: '2', dydx_long_count: '1', dydx_short_count: '1',
  dydx_value_cents: '3000600', dydx_long_value_cents: '3000000', dydx_short_value_cents: '600',
  qty_e8: '50010000', long_qty_e8: '50000000', short_qty_e8: '10000',
};
const allCount = () => harness.allCount(MIN);

describe('the daemon with EXCHANGES=dydx', () => {
  it('counts a burst exactly; after a drop the snapshots replayed by the resubscribes are counted once', async () => {
    const s = await harness.start();
    const d = await harness.launch();
    await subscribed(s);
    burst(s);
    await waitUntil(async () => (await allCount()) === 3, 10_000, 'three events');
    expect(await harness.client.hgetall(`liq:agg:BTCUSD:60s:${MIN}`)).toEqual(EXPECTED_BTCUSD);
    expect(await harness.client.hgetall(`liq:agg:ETHUSD:60s:${MIN}`)).toMatchObject({ dydx_long_value_cents: '600100', qty_e8: '200000000' });
    expect(await harness.client.hget(`liq:agg:ALL:60s:${MIN}`, 'value_cents')).toBe('3600700');

    s.venues.dydx.dropAll();
    await waitUntil(() => s.venues.dydx.totalConnections() >= 2, 10_000, 'reconnected');
    await subscribed(s);
    // Each resubscribe replays the market's recent trades, the three liquidations among them.
    await waitUntil(async () => /liq_duplicates_total 3/.test(await d.metrics()), 10_000, 'the replayed liquidations seen as repeats');
    expect(await allCount()).toBe(3);
    s.send('dydx', dydxTradesFrame('AVAX-USD', [{ id: '014f495a0000000200000006', side: 'BUY', size: '10', price: '38', type: 'LIQUIDATED', createdAt: MIN + 900 }]));
    await waitUntil(async () => (await allCount()) === 4, 10_000, 'the new event');
    await new Promise((r) => setTimeout(r, 300));
    expect(await allCount()).toBe(4);
    expect(await harness.client.hgetall(`liq:agg:BTCUSD:60s:${MIN}`)).toEqual(EXPECTED_BTCUSD);
    expect(d.logs.some((l) => l.msg === 'dydx refused a request')).toBe(false);
    expect(d.garbage).toEqual([]);
  });

  it('spreads 70 markets over connections of at most 32, without one refusal', async () => {
    const markets = [...defaultDydxMarkets(), ...manyDydxMarkets(66)];
    const s = await harness.start({ dydxMarkets: markets });
    const d = await harness.launch();
    await subscribed(s, markets.map((m) => m.ticker));
    const subs = s.venues.dydx.subscriptions();
    expect(subs.map((t) => t.length).sort((a, b) => b - a)).toEqual([32, 32, 6]);
    expect(new Set(subs.flat()).size).toBe(70);
    const h = await d.health();
    expect((h.body.streams as Array<{ connection: string; topics: number }>).map((x) => [x.connection, x.topics])).toEqual([['dydx#0', 32], ['dydx#1', 32], ['dydx#2', 6]]);
    await new Promise((r) => setTimeout(r, 300));
    expect(d.logs.some((l) => l.msg === 'dydx refused a request')).toBe(false);
  });

  it('subscribes a new listing and unsubscribes a delisted market at refresh, without reconnecting', async () => {
    const s = await harness.start();
    await harness.launch({ INSTRUMENT_REFRESH_MINUTES: '0.02' });
    await subscribed(s);
    const before = s.venues.dydx.totalConnections();
    s.setInstruments({ dydxMarkets: [...defaultDydxMarkets().filter((m) => m.ticker !== 'SOL-USD'), dydxMarket('NEW-USD', 99, '0.0001', '1')] });
    await waitUntil(() => held(s).includes('NEW-USD') && !held(s).includes('SOL-USD'), 10_000, 'new listing subscribed, delisted unsubscribed');
    expect(s.venues.dydx.totalConnections()).toBe(before);
    s.send('dydx', dydxTradesFrame('NEW-USD', [{ id: 'n1', side: 'SELL', size: '70', price: '0.5', type: 'LIQUIDATED', createdAt: MIN + 10 }]));
    await waitUntil(async () => (await harness.client.hget(`liq:agg:NEWUSD:60s:${MIN}`, 'dydx_long_value_cents')) === '3500', 10_000, 'new listing counted');
  });

  it('keeps its connections through the server\'s pings; a silent server is replaced by the watchdog', async () => {
    const s = await harness.start({ dydxPingIntervalMs: 100, dydxPongTimeoutMs: 300 });
    await harness.launch({ PING_INTERVAL_MS: '300', PONG_TIMEOUT_MS: '400' });
    await subscribed(s);
    await new Promise((r) => setTimeout(r, 1000));
    expect(s.venues.dydx.totalConnections()).toBe(1);
    s.venues.dydx.setUnresponsive(true);
    await waitUntil(() => s.venues.dydx.totalConnections() > 1, 10_000, 'watchdog replaced the silent connection');
  });

  it('survives garbage and logs an error answer at error: rejections counted, nothing in the buckets', async () => {
    const s = await harness.start();
    const d = await harness.launch();
    await subscribed(s);
    s.send('dydx', 'garbage \u001b[2J');
    s.send('dydx', '[1,2,3]');
    s.send('dydx', JSON.stringify({ type: 'channel_data', id: 'BTC-USD', channel: 'v4_trades', version: '2.1.0', contents: { trades: [{ id: 'g1', side: 'SELL', size: '1', price: 60000, type: 'LIQUIDATED', createdAt: new Date(MIN).toISOString() }] } }));
    s.send('dydx', dydxTradesFrame('BTC-USD', [{ id: 'g2', side: 'LONG' as 'BUY', size: '1', price: '60000', type: 'LIQUIDATED', createdAt: MIN }]));
    s.send('dydx', '{"type":"error","message":"Internal error, could not fetch data for subscription: v4_trades.","connection_id":"c","message_id":9}');
    await waitUntil(async () => /liq_rejected_total\{exchange="dydx",reason="bad_side"\} 1/.test(await d.metrics()), 10_000, 'rejections counted');
    const m = await d.metrics();
    expect(m).toMatch(/liq_rejected_total\{exchange="dydx",reason="invalid_json"\} 1/);
    expect(m).toMatch(/liq_rejected_total\{exchange="dydx",reason="bad_shape"\} 1/);
    expect(m).toMatch(/liq_rejected_total\{exchange="dydx",reason="json_number"\} 1/);
    await d.waitForLog((l) => l.level === 'error' && l.msg === 'dydx refused a request');
    expect((await harness.client.keys('liq:agg:*')).length).toBe(0);
    expect((await d.health()).status).toBe(200);
  });
});
