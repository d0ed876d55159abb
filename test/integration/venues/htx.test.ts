// HTX against its stand-in: the stand-in speaks HTX's protocol (gzip frames, sub acks and refusals, the op ping/pong
// heartbeat with its close rule, the contract lists), and the real daemon (EXCHANGES=htx) counts a burst exactly,
// answers every heartbeat with the ts it was sent, counts repeats once across a reconnect, survives garbage and
// counts a new contract that arrives before its metadata.
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { DELIVERY, type Standins } from '../../support/venues.js';
import { defaultHtxLinear, htxLinearContract } from '../../../src/venues/htx/fixtures.js';
import { htxFrame, htxPing } from '../../../src/venues/htx/frames.js';
import { waitUntil } from '../../support/daemon.js';
import { recentMinute, venueHarness } from '../../support/venue-harness.js';

const TOPIC = 'public.*.liquidation_orders';
const harness = venueHarness('htx');

async function subscribed(s: Standins): Promise<void> {
  await waitUntil(
    () => s.venues['htx-linear'].subscriptions().some((t) => t.includes(TOPIC)) && s.venues['htx-inverse'].subscriptions().some((t) => t.includes(TOPIC)),
    15_000,
    'both HTX endpoints subscribed',
  );
}

/** A raw client: every frame HTX sends is binary gzip; kept inflated, in order. */
class GzipClient {
  readonly texts: string[] = [];
  binaryOnly = true;
  readonly closed: Promise<number>;
  private constructor(readonly ws: WebSocket) {
    ws.on('message', (d: Buffer, isBinary: boolean) => {
      if (!isBinary) this.binaryOnly = false;
      this.texts.push(gunzipSync(d).toString('utf8'));
    });
    ws.on('error', () => {});
    this.closed = new Promise((resolve) => ws.on('close', (code) => resolve(code)));
  }
  static open(url: string): Promise<GzipClient> {
    const ws = new WebSocket(url);
    const c = new GzipClient(ws);
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(c));
      ws.once('error', reject);
    });
  }
  async next(pred: (m: Record<string, unknown>) => boolean, timeoutMs = 3000): Promise<Record<string, unknown>> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.texts.map((t) => JSON.parse(t) as Record<string, unknown>).find(pred);
      if (hit) return hit;
      if (Date.now() > end) throw new Error(`no such message; got ${JSON.stringify(this.texts.slice(-3))}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }
}

const MIN = recentMinute();

describe('the HTX stand-in', () => {
  it('sends every frame gzip: sub acks with the cid, refusals with err-code, and data to the wildcard subscribers', async () => {
    const s = await harness.start();
    const c = await GzipClient.open(s.env.HTX_LINEAR_WS_URL);
    try {
      c.ws.send(JSON.stringify({ op: 'sub', cid: 'x1', topic: TOPIC }));
      expect(await c.next((m) => m.cid === 'x1')).toMatchObject({ op: 'sub', topic: TOPIC, 'err-code': 0 });
      c.ws.send(JSON.stringify({ op: 'sub', cid: 'x2', topic: 'public.BTC-USDT.liquidation_orders' }));
      expect(await c.next((m) => m.cid === 'x2')).toMatchObject({ 'err-code': 2014 });
      c.ws.send(JSON.stringify({ op: 'sub', cid: 'x3', topic: 'public.*.funding_rate' }));
      expect(await c.next((m) => m.cid === 'x3')).toMatchObject({ 'err-code': 2011 });
      c.ws.send('not json');
      await c.next((m) => m.op === 'error');
      const frame = htxFrame([{ code: 'BTC-USDT', direction: 'sell', price: '50000', volume: '1', amount: '0.001', ts: MIN }]);
      expect(s.send('htx-linear', frame)).toBe(1);
      await c.next((m) => m.op === 'notify');
      expect(c.binaryOnly).toBe(true);
      expect(c.texts).toContain(frame);
    } finally {
      c.ws.terminate();
    }
  });

  it('pings with a string ts; an echo keeps the connection, silence or a ts of another type closes it', async () => {
    const s = await harness.start({ htxPingIntervalMs: 100, htxMaxMissedPings: 3 });
    const good = await GzipClient.open(s.env.HTX_LINEAR_WS_URL);
    const mute = await GzipClient.open(s.env.HTX_LINEAR_WS_URL);
    const wrong = await GzipClient.open(s.env.HTX_INVERSE_WS_URL);
    good.ws.on('message', (d: Buffer) => {
      const m = JSON.parse(gunzipSync(d).toString('utf8')) as { op: string; ts: unknown };
      if (m.op === 'ping') good.ws.send(JSON.stringify({ op: 'pong', ts: m.ts }));
    });
    wrong.ws.on('message', (d: Buffer) => {
      const m = JSON.parse(gunzipSync(d).toString('utf8')) as { op: string; ts: unknown };
      if (m.op === 'ping') wrong.ws.send(JSON.stringify({ op: 'pong', ts: Number(m.ts) }));
    });
    try {
      const ping = await good.next((m) => m.op === 'ping');
      expect(typeof ping.ts).toBe('string');
      expect(ping.ts).toMatch(/^\d{13}$/);
      await mute.closed;
      await wrong.closed;
      expect(good.ws.readyState).toBe(WebSocket.OPEN);
      expect(good.texts.filter((t) => t.includes('"ping"')).length).toBeGreaterThanOrEqual(4);
    } finally {
      for (const c of [good, mute, wrong]) c.ws.terminate();
    }
  });

  it('lists USDT-margined swaps by default, futures with business_type, coin-margined swaps on their own path', async () => {
    const s = await harness.start();
    const get = async (p: string) => (await (await fetch(`${s.env.HTX_REST_URL}${p}`)).json()) as { status: string; data: Array<{ contract_code: string }> };
    const swaps = await get('/linear-swap-api/v1/swap_contract_info');
    expect(swaps.status).toBe('ok');
    expect(swaps.data.map((c) => c.contract_code)).not.toContain(`BTC-USDT-${DELIVERY.yymmdd}`);
    const all = await get('/linear-swap-api/v1/swap_contract_info?business_type=all');
    expect(all.data.map((c) => c.contract_code)).toContain(`BTC-USDT-${DELIVERY.yymmdd}`);
    expect((await get('/linear-swap-api/v1/swap_contract_info?business_type=nope')).status).toBe('error');
    const inverse = await get('/swap-api/v1/swap_contract_info');
    expect(inverse.data.map((c) => c.contract_code)).toEqual(['BTC-USD', 'ETH-USD', 'SOL-USD']);
  });
});

/** One burst over both endpoints, with its buckets worked out by hand. */
function burst(s: Standins, t0 = MIN): void {
  s.send('htx-linear', htxFrame([
    { code: 'BTC-USDT', direction: 'sell', price: '23350.5', volume: '227', amount: '0.227', ts: t0 + 100 }, // long: 0.227 × 23350.5 = $5300.5635
    { code: 'BTC-USDT', direction: 'buy', price: '50000', volume: '500', amount: '0.5', ts: t0 + 200 }, // short $25,000
  ]));
  s.send('htx-linear', htxFrame([{ code: `BTC-USDT-${DELIVERY.yymmdd}`, direction: 'sell', price: '60000.1', volume: '10', amount: '0.01', ts: t0 + 300 }])); // long $600.001
  s.send('htx-inverse', htxFrame([{ code: 'BTC-USD', direction: 'sell', price: '50000', volume: '3', ts: t0 + 400 }])); // 3 × $100: long, 0.006 BTC
  s.send('htx-inverse', htxFrame([{ code: 'ETH-USD', direction: 'buy', price: '229.95', volume: '231', ts: t0 + 500 }])); // short $2310, 10.0456621 ETH
}
const EXPECTED_BTCUSDT = {
  count: '2', long_count: '1', short_count: '1',
  value_cents: '3030056', long_value_cents: '530056', short_value_cents: '2500000',
  htx_count: '2', htx_long_count: '1', htx_short_count: '1',
  htx_value_cents: '3030056', htx_long_value_cents: '530056', htx_short_value_cents: '2500000',
  qty_e8: '72700000', long_qty_e8: '22700000', short_qty_e8: '50000000',
};
const EXPECTED_BTCUSD = {
  count: '1', long_count: '1', value_cents: '30000', long_value_cents: '30000',
  htx_count: '1', htx_long_count: '1', htx_value_cents: '30000', htx_long_value_cents: '30000',
  qty_e8: '600000', long_qty_e8: '600000',
};
const allCount = () => harness.allCount(MIN);

describe('the daemon with EXCHANGES=htx', () => {
  it('counts a burst over both endpoints exactly, and a repeated burst once', async () => {
    const s = await harness.start();
    const d = await harness.launch();
    await subscribed(s);
    burst(s);
    await waitUntil(async () => (await allCount()) === 5, 10_000, 'five events');
    expect(await harness.client.hgetall(`liq:agg:BTCUSDT:60s:${MIN}`)).toEqual(EXPECTED_BTCUSDT);
    expect(await harness.client.hgetall(`liq:agg:BTCUSD:60s:${MIN}`)).toEqual(EXPECTED_BTCUSD);
    expect(await harness.client.hgetall(`liq:agg:BTCUSDT_${DELIVERY.yymmdd}:60s:${MIN}`)).toMatchObject({ htx_long_value_cents: '60000', qty_e8: '1000000' });
    expect(await harness.client.hgetall(`liq:agg:ETHUSD:60s:${MIN}`)).toMatchObject({ htx_short_value_cents: '231000', qty_e8: '1004566210' });
    expect(await harness.client.hget(`liq:agg:ALL:60s:${MIN}`, 'value_cents')).toBe('3351056');
    burst(s);
    await waitUntil(async () => (await d.metrics()).includes('liq_duplicates_total 5'), 10_000, 'duplicates counted');
    expect(await allCount()).toBe(5);
    const h = await d.health();
    expect((h.body.streams as Array<{ connection: string; state: string }>).map((x) => [x.connection, x.state]).sort()).toEqual([['htx-inverse', 'open'], ['htx-linear', 'open']]);
    expect(d.garbage).toEqual([]);
  });

  it('answers every heartbeat with the ts it was sent (a string, and a number when one comes), and stays connected', async () => {
    const s = await harness.start({ htxPingIntervalMs: 150, htxMaxMissedPings: 2 });
    await harness.launch();
    await subscribed(s);
    const linear = s.venues['htx-linear'];
    await waitUntil(() => linear.received().filter((m) => m.includes('"pong"')).length >= 5, 10_000, 'five pongs');
    for (const m of linear.received().filter((x) => x.includes('"pong"'))) expect(m).toMatch(/^\{"op":"pong","ts":"\d{13}"\}$/);
    s.send('htx-linear', htxPing(1234567890123));
    await waitUntil(() => linear.received().includes('{"op":"pong","ts":1234567890123}'), 5_000, 'a number echoed as a number');
    expect(linear.totalConnections()).toBe(1);
    expect(s.venues['htx-inverse'].totalConnections()).toBe(1);
  });

  it('reconnects after a drop, resubscribes, counts the repeated frames once; a silent server is replaced by the watchdog', async () => {
    const s = await harness.start();
    const d = await harness.launch({ PING_INTERVAL_MS: '300', PONG_TIMEOUT_MS: '400' });
    await subscribed(s);
    burst(s);
    await waitUntil(async () => (await allCount()) === 5, 10_000, 'first burst');
    for (const v of Object.values(s.venues)) v.dropAll();
    await waitUntil(() => Object.values(s.venues).every((v) => v.totalConnections() >= 2), 10_000, 'reconnected');
    await subscribed(s);
    burst(s);
    s.send('htx-inverse', htxFrame([{ code: 'SOL-USD', direction: 'sell', price: '150', volume: '2', ts: MIN + 900 }])); // $20
    await waitUntil(async () => (await allCount()) === 6, 10_000, 'the new event');
    await new Promise((r) => setTimeout(r, 300));
    expect(await allCount()).toBe(6);
    expect(await d.metrics()).toMatch(/liq_stream_reconnects_total\{stream="htx-linear"\} [1-9]/);

    const before = s.venues['htx-linear'].totalConnections();
    s.venues['htx-linear'].setUnresponsive(true);
    await waitUntil(() => s.venues['htx-linear'].totalConnections() > before, 10_000, 'watchdog replaced the silent connection');
  });

  it('survives garbage: rejections counted in metrics, nothing in the buckets', async () => {
    const s = await harness.start();
    const d = await harness.launch();
    await subscribed(s);
    s.send('htx-linear', 'garbage \u001b[2J');
    s.send('htx-linear', '[1,2,3]');
    s.send('htx-linear', `{"op":"notify","topic":"public.BTC-USDT.liquidation_orders","ts":1,"data":[{"contract_code":"BTC-USDT","direction":"sell","volume":1,"price":1234567.123456789,"created_at":${MIN + 5},"amount":0.001}]}`);
    s.send('htx-inverse', htxFrame([{ code: 'BTC-USD', direction: 'sideways' as 'buy', price: '50000', volume: '1', ts: MIN + 5 }]));
    await waitUntil(async () => /liq_rejected_total\{exchange="htx",reason="bad_side"\} 1/.test(await d.metrics()), 10_000, 'rejections counted');
    const m = await d.metrics();
    expect(m).toMatch(/liq_rejected_total\{exchange="htx",reason="invalid_json"\} 1/);
    expect(m).toMatch(/liq_rejected_total\{exchange="htx",reason="bad_shape"\} 1/);
    expect(m).toMatch(/liq_rejected_total\{exchange="htx",reason="imprecise_number"\} 1/);
    expect((await harness.client.keys('liq:agg:*')).length).toBe(0);
    expect((await d.health()).status).toBe(200);
  });

  it('counts a new contract that arrives before the cached metadata knows it; a ghost is rejected', async () => {
    const s = await harness.start();
    const d = await harness.launch();
    await subscribed(s);
    s.setInstruments({ htxContracts: { linear: [...defaultHtxLinear(), htxLinearContract('NEW-USDT', 10, 0.0001)] } });
    s.send('htx-linear', htxFrame([{ code: 'NEW-USDT', direction: 'sell', price: '0.5', volume: '7', amount: '70', ts: MIN + 10 }]));
    await waitUntil(async () => (await harness.client.hget(`liq:agg:NEWUSDT:60s:${MIN}`, 'value_cents')) === '3500', 10_000, 'new listing counted'); // 70 × 0.5 = $35
    s.send('htx-linear', htxFrame([{ code: 'GHOST-USDT', direction: 'sell', price: '1', volume: '1', amount: '1', ts: MIN + 20 }]));
    await waitUntil(async () => /liq_rejected_total\{exchange="htx",reason="unknown_instrument"\} 1/.test(await d.metrics()), 10_000, 'unknown contract rejected');
    expect(s.venues['htx-linear'].restRequests().filter((r) => r.includes('business_type=all')).length).toBeGreaterThanOrEqual(2);
  });
});
