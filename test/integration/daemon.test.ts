// The real daemon process against the stand-in exchanges and a private Redis: exact buckets after a mixed burst,
// repeats counted once, drops, silence, 429s, garbage, new listings and a REST outage.
import { describe, expect, it } from 'vitest';
import { DELIVERY, defaultOkxInstruments, okxInstrument, manyBybitLinear, type Standins } from '../support/venues.js';
import { binanceFrame, bybitFrame, okxFrame } from '../support/venues.js';
import { startDaemon, waitUntil } from '../support/daemon.js';
import { freePort, startRedis } from '../support/redis.js';
import { redisForFile } from '../support/redis-file.js';
import { daemonsPerTest } from '../support/venue-harness.js';

/**
 * The three venues of these cases (EXCHANGES=binance,bybit,okx, the behaviour before EXCHANGES=all): only their
 * stand-ins run, so "every venue" here means every venue the daemon connects to. Every venue at once:
 * all-venues.test.ts.
 */
const THREE = ['binance', 'bybit', 'okx'];

const redis = redisForFile({ flushEachTest: true });
const harness = daemonsPerTest(redis, THREE.join(','), 'daemon');

/** Waits until every venue has a connection subscribed to its liquidation stream. */
async function subscribed(s: Standins) {
  await waitUntil(
    () =>
      s.venues['binance-usdm'].connections() > 0 &&
      s.venues['binance-coinm'].connections() > 0 &&
      s.venues['bybit-linear'].subscriptions().some((t) => t.length > 0) &&
      s.venues['bybit-inverse'].subscriptions().some((t) => t.length > 0) &&
      s.venues.okx.subscriptions().some((t) => t.length === 2),
    15_000,
    'all venues subscribed',
  );
}

const MIN = Math.floor((Date.now() - 120_000) / 60_000) * 60_000;

/** One mixed burst over all five venues, with exact expected buckets (worked out by hand from the contract). */
function burst(s: Standins, t0 = MIN) {
  s.send('binance-usdm', binanceFrame({ symbol: 'BTCUSDT', side: 'SELL', price: '50000.10', qty: '0.014', ts: t0 + 100 })); // long $700.0014
  s.send('binance-usdm', binanceFrame({ symbol: 'BTCUSDT', side: 'BUY', price: '50001', qty: '0.002', orig: '0.010', status: 'EXPIRED', ts: t0 + 200 }, false)); // short $100.002, bare frame, part-filled
  s.send('binance-coinm', binanceFrame({ symbol: 'BTCUSD_PERP', side: 'SELL', price: '50000', qty: '3', ts: t0 + 300 })); // 3 × $100: long $300, 0.006 BTC
  s.send('bybit-linear', bybitFrame([
    { symbol: 'BTCUSDT', side: 'Buy', price: '50010.5', size: '0.5', ts: t0 + 400 }, // long $25,005.25
    { symbol: 'BTCUSDT', side: 'Sell', price: '50000', size: '0.1', ts: t0 + 500 }, // short $5,000
  ]));
  s.send('bybit-inverse', bybitFrame([{ symbol: 'BTCUSD', side: 'Sell', price: '50000', size: '1000', ts: t0 + 600 }])); // short $1,000, 0.02 BTC
  s.send('okx', okxFrame('SWAP', [
    { instId: 'BTC-USDT-SWAP', details: [{ posSide: 'long', side: 'sell', bkPx: '50000', sz: '2', ts: t0 + 700 }] }, // 0.02 BTC, $1,000
    { instId: 'BTC-USD-SWAP', details: [{ posSide: 'net', side: 'buy', bkPx: '50000', sz: '3', ts: t0 + 800 }] }, // net+buy = short, $300
  ]));
  s.send('okx', okxFrame('FUTURES', [{ instId: `BTC-USD-${DELIVERY.yymmdd}`, details: [{ posSide: 'short', side: 'buy', bkPx: '51000', sz: '1', ts: t0 + 900 }] }])); // $100, 0.00196078 BTC
}

const EXPECTED_BTCUSDT = {
  count: '5', long_count: '3', short_count: '2',
  value_cents: '3180525', long_value_cents: '2670525', short_value_cents: '510000',
  binance_count: '2', binance_long_count: '1', binance_short_count: '1',
  binance_value_cents: '80000', binance_long_value_cents: '70000', binance_short_value_cents: '10000',
  bybit_count: '2', bybit_long_count: '1', bybit_short_count: '1',
  bybit_value_cents: '3000525', bybit_long_value_cents: '2500525', bybit_short_value_cents: '500000',
  okx_count: '1', okx_long_count: '1', okx_value_cents: '100000', okx_long_value_cents: '100000',
  qty_e8: '63600000', long_qty_e8: '53400000', short_qty_e8: '10200000',
};
const EXPECTED_BTCUSD = {
  count: '3', long_count: '1', short_count: '2',
  value_cents: '160000', long_value_cents: '30000', short_value_cents: '130000',
  binance_count: '1', binance_long_count: '1', binance_value_cents: '30000', binance_long_value_cents: '30000',
  bybit_count: '1', bybit_short_count: '1', bybit_value_cents: '100000', bybit_short_value_cents: '100000',
  okx_count: '1', okx_short_count: '1', okx_value_cents: '30000', okx_short_value_cents: '30000',
  qty_e8: '3200000', long_qty_e8: '600000', short_qty_e8: '2600000',
};

async function allCount(minute = MIN): Promise<number> {
  return Number((await redis.db.hget(`liq:agg:ALL:60s:${minute}`, 'count')) ?? 0);
}

describe('daemon against stand-in exchanges', () => {
  it('writes exact buckets for a mixed burst from all five venues, and counts a repeated burst once', async () => {
    await harness.start({}, THREE);
    const d = await harness.launch();
    await subscribed(harness.standins);
    burst(harness.standins);
    await waitUntil(async () => (await allCount()) === 9, 10_000, 'nine events');
    expect(await redis.db.hgetall(`liq:agg:BTCUSDT:60s:${MIN}`)).toEqual(EXPECTED_BTCUSDT);
    expect(await redis.db.hgetall(`liq:agg:BTCUSD:60s:${MIN}`)).toEqual(EXPECTED_BTCUSD);
    expect(await redis.db.hgetall(`liq:agg:BTCUSD_${DELIVERY.yymmdd}:60s:${MIN}`)).toMatchObject({ count: '1', okx_short_value_cents: '10000', qty_e8: '196078' });
    expect(await redis.db.hget(`liq:agg:ALL:60s:${MIN}`, 'value_cents')).toBe('3350525');
    expect(await redis.db.xlen('liq:events')).toBe(9);

    burst(harness.standins); // the exchange repeats itself (e.g. OKX's first push after a subscribe)
    await waitUntil(async () => (await d.metrics()).includes('liq_duplicates_total 9'), 10_000, 'duplicates counted');
    expect(await allCount()).toBe(9);
    expect(await redis.db.xlen('liq:events')).toBe(9);
    // Feed health reaches Redis for dashboards on other machines.
    await waitUntil(async () => (await redis.db.scard('liq:instances')) === 1, 5_000, 'status written');
    const instances = await redis.db.smembers('liq:instances');
    const status = await redis.db.hgetall(`liq:status:${instances[0]}`);
    expect(Object.keys(status).sort()).toEqual(['binance-coinm', 'binance-usdm', 'bybit-inverse#0', 'bybit-linear#0', 'okx']);
    expect(JSON.parse(status.okx)).toMatchObject({ state: 'open', exchange: 'okx' });
    expect(d.garbage).toEqual([]);
    expect(await d.stop()).toBe(0);
  });

  it('subscribes every Bybit symbol past the first page, spread over connections under the args limit', async () => {
    await harness.start({ bybitInstruments: { linear: manyBybitLinear(1234), inverse: [] } });
    await harness.launch({ BYBIT_MAX_ARGS_CHARS: '4000', EXCHANGES: 'bybit' });
    const linear = harness.standins.venues['bybit-linear'];
    await waitUntil(() => linear.subscriptions().flat().length === 1234, 15_000, 'all 1234 topics subscribed');
    const subs = linear.subscriptions();
    expect(subs.length).toBeGreaterThan(3);
    for (const topics of subs) expect(JSON.stringify(topics).length).toBeLessThanOrEqual(4000);
    expect(new Set(subs.flat()).size).toBe(1234);
    // Pages were followed: the REST log shows a cursor request.
    expect(linear.restRequests().some((r) => r.includes('cursor='))).toBe(true);
  });

  it('follows Bybit listings: subscribes new symbols and unsubscribes delisted ones without reconnecting', async () => {
    await harness.start({}, THREE);
    await harness.launch({ EXCHANGES: 'bybit', INSTRUMENT_REFRESH_MINUTES: '0.02' });
    const linear = harness.standins.venues['bybit-linear'];
    await waitUntil(() => linear.subscriptions().flat().includes('allLiquidation.BTCUSDT'), 10_000, 'initial subscriptions');
    const connectionsBefore = linear.totalConnections();
    const listed = manyBybitLinear(6).filter((i) => i.symbol !== 'SOLUSDT');
    const fresh = manyBybitLinear(8).slice(6);
    harness.standins.setInstruments({ bybitInstruments: { linear: [...listed, ...fresh] } });
    await waitUntil(() => {
      const topics = linear.subscriptions().flat();
      return fresh.every((i) => topics.includes(`allLiquidation.${i.symbol}`)) && !topics.includes('allLiquidation.SOLUSDT');
    }, 10_000, 'new listings subscribed, delisted unsubscribed');
    expect(linear.totalConnections()).toBe(connectionsBefore);
    harness.standins.send('bybit-linear', bybitFrame([{ symbol: fresh[0].symbol, side: 'Sell', price: '2', size: '10', ts: MIN + 5 }]));
    await waitUntil(async () => (await redis.db.hget(`liq:agg:${fresh[0].baseCoin}${fresh[0].quoteCoin}:60s:${MIN}`, 'bybit_short_value_cents')) === '2000', 10_000, 'new listing counted');
  });

  it('reconnects after every connection is dropped mid-stream, resubscribes, and counts repeated frames once', async () => {
    await harness.start({}, THREE);
    const d = await harness.launch();
    await subscribed(harness.standins);
    burst(harness.standins);
    await waitUntil(async () => (await allCount()) === 9, 10_000, 'first burst');
    // the venues the daemon listens to (the stand-ins of every registered venue run, EXCHANGES picks)
    const live = Object.entries(harness.standins.venues).filter(([, v]) => v.totalConnections() > 0);
    const before = Object.fromEntries(live.map(([k, v]) => [k, v.totalConnections()]));
    for (const [, v] of live) v.dropAll();
    await waitUntil(
      () => live.every(([k, v]) => v.totalConnections() > before[k] && v.connections() > 0),
      10_000,
      'reconnects',
    );
    await subscribed(harness.standins);
    burst(harness.standins); // replayed frames after the reconnect
    harness.standins.send('bybit-linear', bybitFrame([{ symbol: 'ETHUSDT', side: 'Buy', price: '3000', size: '1', ts: MIN + 1000 }]));
    await waitUntil(async () => (await allCount()) === 10, 10_000, 'the new event');
    await new Promise((r) => setTimeout(r, 300));
    expect(await allCount()).toBe(10);
    const h = await d.health();
    expect(h.status).toBe(200);
    expect((h.body.streams as Array<{ reconnects: number }>).every((s) => s.reconnects >= 1)).toBe(true);
    expect(await d.metrics()).toMatch(/liq_stream_reconnects_total\{stream="okx"\} [1-9]/);
  });

  it('terminates and replaces connections whose keepalive goes unanswered (watchdog)', async () => {
    await harness.start({}, THREE);
    await harness.launch({ PING_INTERVAL_MS: '200', PONG_TIMEOUT_MS: '300' });
    await subscribed(harness.standins);
    const live = Object.entries(harness.standins.venues).filter(([, v]) => v.totalConnections() > 0);
    const before = Object.fromEntries(live.map(([k, v]) => [k, v.totalConnections()]));
    for (const [, v] of live) v.setUnresponsive(true);
    await waitUntil(
      () => live.every(([k, v]) => v.totalConnections() > before[k]),
      10_000,
      'every venue reconnected by the watchdog',
    );
    for (const [, v] of live) v.setUnresponsive(false);
    await subscribed(harness.standins);
    burst(harness.standins);
    await waitUntil(async () => (await allCount()) === 9, 10_000, 'events after the watchdog');
  });

  it('honours Retry-After on a 429 answer to the upgrade', async () => {
    await harness.start({}, THREE);
    harness.standins.venues.okx.rejectUpgrades(1, 429, 2);
    const started = Date.now();
    const d = await harness.launch({ EXCHANGES: 'okx' });
    await waitUntil(() => harness.standins.venues.okx.connections() > 0, 10_000, 'okx connected after the 429');
    expect(Date.now() - started).toBeGreaterThanOrEqual(1900);
    expect(harness.standins.venues.okx.upgradeAttempts()).toBe(2);
    await d.waitForLog((l) => JSON.stringify(l).includes('429'));
  });

  it('survives garbage frames: nothing counted, rejections in metrics, daemon up', async () => {
    await harness.start({}, THREE);
    const d = await harness.launch();
    await subscribed(harness.standins);
    harness.standins.send('binance-usdm', 'garbage \u001b[2J');
    // An escape sequence inside a well-formed JSON string: valid JSON, invalid symbol.
    harness.standins.send('binance-usdm', JSON.stringify({ stream: '!forceOrder@arr', data: { e: 'forceOrder', E: 1, o: { s: 'BTC\u001b[31mUSDT', S: 'SELL', ap: '1', z: '1', q: '1', T: MIN + 5 } } }));
    harness.standins.send('bybit-linear', '{"topic":"allLiquidation.BTCUSDT","data":[{"T":' + (MIN + 5) + ',"s":"BTCUSDT","S":"Buy","v":0.5,"p":"50000"}]}');
    harness.standins.send('okx', '{"arg":{"channel":"liquidation-orders","instType":"SWAP"},"data":[{"instId":"BTC-USDT-SWAP","details":[{"posSide":"sideways","side":"buy","bkPx":"1","sz":"1","ts":"' + (MIN + 5) + '"}]}]}');
    harness.standins.send('okx', '[1,2,3]');
    await waitUntil(async () => /liq_rejected_total\{exchange="okx",reason="bad_side"\} 1/.test(await d.metrics()), 10_000, 'rejections counted');
    const m = await d.metrics();
    expect(m).toMatch(/liq_rejected_total\{exchange="binance",reason="invalid_json"\} 1/);
    expect(m).toMatch(/liq_rejected_total\{exchange="binance",reason="bad_symbol"\} 1/);
    expect(m).toMatch(/liq_rejected_total\{exchange="bybit",reason="json_number"\} 1/);
    expect((await redis.db.keys('liq:agg:*')).length).toBe(0);
    expect((await d.health()).status).toBe(200);
    expect(d.proc.exitCode).toBeNull();
  });

  it('counts a new OKX listing that arrives before the cached metadata knows it', async () => {
    await harness.start({}, THREE);
    const d = await harness.launch({ EXCHANGES: 'okx' });
    await subscribed_okx(harness.standins);
    // The exchange lists a new instrument; our cache (refreshed hourly) does not know it yet.
    const { SWAP, FUTURES } = defaultOkxInstruments();
    harness.standins.setInstruments({ okxInstruments: { SWAP: [...SWAP, okxInstrument({ instId: 'NEW-USDT-SWAP', instType: 'SWAP', ctType: 'linear', ctVal: '10', tickSz: '0.0001', lotSz: '1' })], FUTURES } });
    harness.standins.send('okx', okxFrame('SWAP', [{ instId: 'NEW-USDT-SWAP', details: [{ posSide: 'long', side: 'sell', bkPx: '0.5', sz: '7', ts: MIN + 10 }] }]));
    await waitUntil(async () => (await redis.db.hget(`liq:agg:NEWUSDT:60s:${MIN}`, 'value_cents')) === '3500', 10_000, 'new listing counted'); // 7 × 10 × 0.5 = $35
    expect(await redis.db.hget(`liq:agg:NEWUSDT:60s:${MIN}`, 'qty_e8')).toBe('7000000000');
    // An instrument that does not exist even after the refetch is rejected, not guessed.
    harness.standins.send('okx', okxFrame('SWAP', [{ instId: 'GHOST-USDT-SWAP', details: [{ posSide: 'long', side: 'sell', bkPx: '1', sz: '1', ts: MIN + 20 }] }]));
    await waitUntil(async () => /reason="unknown_instrument"\} 1/.test(await d.metrics()), 10_000, 'unknown instrument rejected');
  });

  it('keeps running through a REST outage at start-up; metadata streams catch up when REST returns', async () => {
    await harness.start({}, THREE);
    for (const v of Object.values(harness.standins.venues)) v.setRestDown(true);
    const d = await harness.launch();
    await waitUntil(() => harness.standins.venues['binance-usdm'].connections() > 0 && harness.standins.venues.okx.subscriptions().some((t) => t.length === 2), 10_000, 'streams that need no metadata yet');
    const h = await d.health();
    const states = Object.fromEntries((h.body.streams as Array<{ connection: string; state: string }>).map((s) => [s.connection, s.state]));
    expect(states['bybit-linear']).toBe('waiting_metadata');
    await d.waitForLog((l) => l.msg === 'instrument metadata failing' && l.cache === 'okx');
    // USD-M needs no metadata: counted right away. OKX waits for its contract values.
    harness.standins.send('binance-usdm', binanceFrame({ symbol: 'ETHUSDT', side: 'SELL', price: '3000', qty: '1', ts: MIN + 50 }));
    harness.standins.send('okx', okxFrame('SWAP', [{ instId: 'ETH-USDT-SWAP', details: [{ posSide: 'short', side: 'buy', bkPx: '3000', sz: '10', ts: MIN + 60 }] }]));
    await waitUntil(async () => (await redis.db.hget(`liq:agg:ETHUSDT:60s:${MIN}`, 'binance_count')) === '1', 10_000, 'usd-m counted');
    expect(await redis.db.hget(`liq:agg:ETHUSDT:60s:${MIN}`, 'okx_count')).toBeNull();
    for (const v of Object.values(harness.standins.venues)) v.setRestDown(false);
    await waitUntil(async () => (await redis.db.hget(`liq:agg:ETHUSDT:60s:${MIN}`, 'okx_value_cents')) === '300000', 15_000, 'okx counted after REST returned'); // 10 × 0.1 ETH × 3000
    await waitUntil(() => harness.standins.venues['bybit-linear'].subscriptions().some((t) => t.length > 0), 15_000, 'bybit subscribed after REST returned');
    await d.waitForLog((l) => l.msg === 'instrument metadata ok' && l.cache === 'okx');
  });

  it('two daemons on one Redis count every liquidation once', async () => {
    await harness.start({}, THREE);
    await harness.launch({ INSTANCE_ID: 'a' });
    await harness.launch({ INSTANCE_ID: 'b' });
    await waitUntil(() => harness.standins.venues.okx.subscriptions().filter((t) => t.length === 2).length === 2 && harness.standins.venues['binance-usdm'].connections() === 2 && harness.standins.venues['bybit-inverse'].subscriptions().filter((t) => t.length > 0).length === 2, 15_000, 'both daemons subscribed');
    burst(harness.standins); // each frame reaches both daemons
    await waitUntil(async () => (await allCount()) === 9, 10_000, 'nine events');
    await new Promise((r) => setTimeout(r, 500));
    expect(await allCount()).toBe(9);
    expect(await redis.db.hgetall(`liq:agg:BTCUSDT:60s:${MIN}`)).toEqual(EXPECTED_BTCUSDT);
    expect((await redis.db.smembers('liq:instances')).sort()).toEqual(['a', 'b']);
  });

  it('SIGTERM with Redis down spools what it holds; the next start replays the spool', async () => {
    const own = await startRedis();
    try {
      await harness.start({}, THREE);
      const spool = harness.tmpDir('liqd-daemon-spool-');
      const env = { ...harness.standins.env, REDIS_URL: own.url, SPOOL_DIR: spool, EXCHANGES: 'binance' };
      const d1 = startDaemon(env, await freePort());
      harness.track(d1);
      await waitUntil(() => harness.standins.venues['binance-usdm'].connections() > 0, 10_000, 'usdm connected');
      await d1.waitForLog((l) => l.msg === 'ready');
      await own.kill();
      await d1.waitForLog((l) => l.redis === 'disconnected' || l.redis === 'reconnecting');
      for (let i = 0; i < 5; i++) harness.standins.send('binance-usdm', binanceFrame({ symbol: 'SOLUSDT', side: 'SELL', price: '150.5', qty: String(i + 1), ts: MIN + i }));
      await waitUntil(async () => /liq_events_total\{exchange="binance"\} 5/.test(await d1.metrics()), 10_000, 'events received while Redis is down');
      expect((await d1.health()).status).toBe(503);
      expect(await d1.stop()).toBe(0);
      expect(d1.logs.some((l) => String(l.msg).includes('spooled'))).toBe(true);

      await own.start();
      const d2 = startDaemon(env, await freePort());
      harness.track(d2);
      const c2 = own.client();
      await waitUntil(async () => (await c2.hget(`liq:agg:SOLUSDT:60s:${MIN}`, 'count')) === '5', 15_000, 'spool replayed');
      expect(await c2.hget(`liq:agg:SOLUSDT:60s:${MIN}`, 'value_cents')).toBe(String(150.5 * 15 * 100)); // 150.5 × (1+2+3+4+5)
      await d2.waitForLog((l) => l.msg === 'spool drained; holding events in memory again');
    } finally {
      await own.stop();
    }
  });
});

async function subscribed_okx(s: Standins) {
  await waitUntil(() => s.venues.okx.subscriptions().some((t) => t.length === 2), 10_000, 'okx subscribed');
}
