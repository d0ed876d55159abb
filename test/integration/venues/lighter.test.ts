// Lighter end to end: the stand-in speaks the protocol (connected, one subscribe per market answered by the market's
// recent liquidations, errors, pings both ways with 1008 "no pong", the 2-minute idle rule, REST), and the real daemon
// counts a burst exactly, counts the snapshot a resubscribe replays once, answers the server's pings, survives
// garbage, spreads markets over connections and follows new markets.
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import type { Standins } from '../../../src/venues/standin/index.js';
import { defaultLighterMarkets, lighterMarket } from '../../../src/venues/lighter/fixtures.js';
import { lighterFrame, type LighterLiq } from '../../../src/venues/lighter/frames.js';
import { waitUntil } from '../../support/daemon.js';
import { recentMinute, venueHarness } from '../../support/venue-harness.js';
import { Probe } from '../../support/ws-probe.js';

const harness = venueHarness('lighter');

const ACTIVE = ['trade/0', 'trade/1', 'trade/2', 'trade/3', 'trade/4'];
const subscribedTo = (s: Standins, topics: readonly string[]) => () => {
  const have = new Set(s.venues.lighter.subscriptions().flat());
  return topics.every((t) => have.has(t));
};
const MIN = recentMinute();
const liq = (over: Partial<LighterLiq>): LighterLiq => ({ tradeId: 1, marketId: 1, size: '1', price: '1', isMakerAsk: true, timestamp: MIN + 1, ...over });

function burst(s: Standins) {
  s.send('lighter', lighterFrame(1, [
    liq({ tradeId: 9001, size: '0.01664', price: '75602.8', isMakerAsk: true, timestamp: MIN + 100 }), // short $1,258.030592
    liq({ tradeId: 9002, size: '0.50000', price: '75000.0', isMakerAsk: false, timestamp: MIN + 200 }), // long $37,500
  ]));
  s.send('lighter', lighterFrame(0, [liq({ tradeId: 9003, marketId: 0, size: '2.5000', price: '3550.69', isMakerAsk: false, timestamp: MIN + 300 })])); // long $8,876.725
  s.send('lighter', JSON.stringify({ type: 'update/trade', channel: 'trade:1', nonce: 2, trades: [] })); // no liquidations
}

const EXPECTED_BTCUSD = {
  count: '2', long_count: '1', short_count: '1',
  value_cents: '3875803', long_value_cents: '3750000', short_value_cents: '125803',
  lighter_count: '2', lighter_long_count: '1', lighter_short_count: '1',
  lighter_value_cents: '3875803', lighter_long_value_cents: '3750000', lighter_short_value_cents: '125803',
  qty_e8: '51664000', long_qty_e8: '50000000', short_qty_e8: '1664000',
};
const allCount = () => harness.allCount(MIN);

describe('lighter stand-in', () => {
  it('says connected, answers each subscribe with the market’s recent liquidations, refuses unknown markets, serves REST', async () => {
    const s = await harness.start({ lighterPingIntervalMs: 0 });
    s.send('lighter', lighterFrame(1, [liq({ tradeId: 5, timestamp: 1 })])); // kept for the snapshot
    const p = await Probe.open(s.env.LIGHTER_WS_URL);
    try {
      expect(await p.nextJson()).toMatchObject({ type: 'connected' });
      p.send({ type: 'subscribe', channel: 'trade/1' });
      const snap = (await p.nextJson()) as { type: string; channel: string; liquidation_trades: Array<{ trade_id: number }> };
      expect(snap).toMatchObject({ type: 'subscribed/trade', channel: 'trade:1' });
      expect(snap.liquidation_trades.map((t) => t.trade_id)).toEqual([5]);
      p.send({ type: 'subscribe', channel: 'trade/77' });
      expect(await p.nextJson()).toEqual({ error: { code: 30005, message: 'Invalid Channel: trade/77' } });
      p.send({ type: 'ping' });
      expect(await p.nextJson()).toEqual({ type: 'pong' });
      expect(s.send('lighter', lighterFrame(1, [liq({ tradeId: 6 })]))).toBe(1);
      expect(s.send('lighter', lighterFrame(0, [liq({ tradeId: 7, marketId: 0 })]))).toBe(0);
      expect(await p.nextJson()).toMatchObject({ type: 'update/trade', channel: 'trade:1' });
      p.send({ type: 'unsubscribe', channel: 'trade/1' });
      expect(await p.nextJson()).toEqual({ type: 'unsubscribed', channel: 'trade:1' });
      for (let i = 0; i < 100; i++) p.send({ type: 'subscribe', channel: 'trade/0' }); // the same market: one subscription
      await waitUntil(() => p.messages.filter((m) => m.startsWith('{"type":"subscribed/trade","channel":"trade:0"')).length === 100, 2000, 'every subscribe answered');
      expect(s.venues.lighter.subscriptions()).toEqual([['trade/0']]);
    } finally {
      p.close();
    }
    const body = (await (await fetch(`${s.env.LIGHTER_REST_URL}/api/v1/orderBookDetails`)).json()) as { code: number; order_book_details: Array<{ symbol: string }>; spot_order_book_details: Array<{ symbol: string }> };
    expect(body.code).toBe(200);
    expect(body.order_book_details.map((m) => m.symbol)).toEqual(defaultLighterMarkets().map((m) => m.symbol));
    expect(body.spot_order_book_details.map((m) => m.symbol)).toEqual(['ETH/USDC']);
  });

  it('closes a client that leaves its ping unanswered (1008 no pong) and one silent past the idle limit', async () => {
    const s = await harness.start({ lighterPingIntervalMs: 150, lighterIdleCloseMs: 0 });
    const deaf = await Probe.open(s.env.LIGHTER_WS_URL);
    const polite = await Probe.open(s.env.LIGHTER_WS_URL);
    const answer = setInterval(() => {
      if (polite.messages.some((m) => m === '{"type":"ping"}')) {
        polite.messages.length = 0;
        polite.send({ type: 'pong' });
      }
    }, 20);
    try {
      expect(await deaf.closed).toBe(1008);
      expect(deaf.closeReason).toBe('no pong');
      await sleep(500);
      expect(polite.closeCode).toBeUndefined();
    } finally {
      clearInterval(answer);
      polite.close();
    }
    await s.close();
    const idle = await harness.start({ lighterPingIntervalMs: 0, lighterIdleCloseMs: 300 });
    const silent = await Probe.open(idle.env.LIGHTER_WS_URL);
    expect(await silent.closed).toBe(1000);
  });
});

describe('daemon with EXCHANGES=lighter', () => {
  it('counts a burst exactly, answers the server’s pings, and counts the snapshot after a dropped connection once', async () => {
    const s = await harness.start({ lighterPingIntervalMs: 200 });
    const d = await harness.launch();
    await waitUntil(subscribedTo(s, ACTIVE), 15_000, 'every active market subscribed');
    expect(s.venues.lighter.subscriptions().flat()).not.toContain('trade/9'); // inactive
    burst(s);
    await waitUntil(async () => (await allCount()) === 3, 10_000, 'three liquidations');
    expect(await harness.client.hgetall(`liq:agg:BTCUSD:60s:${MIN}`)).toEqual(EXPECTED_BTCUSD);
    expect(await harness.client.hgetall(`liq:agg:ETHUSD:60s:${MIN}`)).toMatchObject({ count: '1', lighter_long_value_cents: '887673', qty_e8: '250000000' });
    // the server pings every 200 ms and drops a connection that does not answer: still the first one
    await sleep(800);
    expect(s.venues.lighter.totalConnections()).toBe(1);

    s.venues.lighter.dropAll();
    await waitUntil(() => s.venues.lighter.totalConnections() > 1 && subscribedTo(s, ACTIVE)(), 10_000, 'reconnected and resubscribed');
    await waitUntil(async () => /liq_duplicates_total 3\b/.test(await d.metrics()), 10_000, 'snapshot repeats seen as duplicates');
    s.send('lighter', lighterFrame(2, [liq({ tradeId: 9004, marketId: 2, size: '4.000', price: '150.125', isMakerAsk: true, timestamp: MIN + 400 })]));
    await waitUntil(async () => (await allCount()) === 4, 10_000, 'the new liquidation');
    await sleep(300);
    expect(await allCount()).toBe(4);
    expect(await harness.client.hget(`liq:agg:SOLUSD:60s:${MIN}`, 'lighter_short_value_cents')).toBe('60050');
  });

  it('survives garbage: nothing counted, rejections in metrics', async () => {
    const s = await harness.start();
    const d = await harness.launch();
    await waitUntil(subscribedTo(s, ACTIVE), 15_000, 'subscribed');
    s.send('lighter', 'garbage \u001b[2J');
    s.send('lighter', '[1,2,3]');
    s.send('lighter', JSON.stringify({ type: 'update/trade', channel: 'trade:1', liquidation_trades: [{ trade_id: 1, market_id: 1, size: '1', price: 75000.5, is_maker_ask: true, timestamp: MIN + 5 }] }));
    s.send('lighter', JSON.stringify({ type: 'update/trade', channel: 'trade:1', liquidation_trades: [{ trade_id: 2, market_id: 1, size: '1', price: '1', is_maker_ask: 'yes', timestamp: MIN + 5 }] }));
    await waitUntil(async () => /liq_rejected_total\{exchange="lighter",reason="bad_side"\} 1/.test(await d.metrics()), 10_000, 'rejections counted');
    const m = await d.metrics();
    expect(m).toMatch(/liq_rejected_total\{exchange="lighter",reason="invalid_json"\} 1/);
    expect(m).toMatch(/liq_rejected_total\{exchange="lighter",reason="bad_shape"\} 1/);
    expect(m).toMatch(/liq_rejected_total\{exchange="lighter",reason="json_number"\} 1/);
    expect((await harness.client.keys('liq:agg:*')).length).toBe(0);
    expect((await d.health()).status).toBe(200);
  });

  it('spreads markets over connections of at most 90 and subscribes a new market at refresh', async () => {
    const perp = Array.from({ length: 150 }, (_, i) => lighterMarket({ symbol: `Q${i}`, marketId: i, price: 1.5, sizeDecimals: 1, priceDecimals: 4 }));
    const s = await harness.start({ lighterMarkets: { perp } });
    await harness.launch({ INSTRUMENT_REFRESH_MINUTES: '0.02' });
    await waitUntil(() => s.venues.lighter.subscriptions().flat().length === 150, 15_000, '150 markets subscribed');
    expect(s.venues.lighter.subscriptions().map((t) => t.length).sort((a, b) => a - b)).toEqual([60, 90]);
    const connections = s.venues.lighter.totalConnections();
    s.setInstruments({ lighterMarkets: { perp: [...perp, lighterMarket({ symbol: 'NEW', marketId: 150, price: 2, sizeDecimals: 1, priceDecimals: 4 })] } });
    await waitUntil(subscribedTo(s, ['trade/150']), 10_000, 'the new market subscribed');
    expect(s.venues.lighter.totalConnections()).toBe(connections);
    s.send('lighter', lighterFrame(150, [liq({ tradeId: 1, marketId: 150, size: '10.0', price: '2.0000', isMakerAsk: false, timestamp: MIN + 10 })]));
    await waitUntil(async () => (await harness.client.hget(`liq:agg:NEWUSD:60s:${MIN}`, 'lighter_long_value_cents')) === '2000', 10_000, 'new market counted');
  });
});
