// The liq:alerts stream is kept ALERT_RETENTION_DAYS by age (the write script adds each alert with MINID ~ now minus
// the retention), and the webhook stays beside the write path: a receiver that never answers costs queue entries,
// never a write; past the queue's bound (10 000 waiting, 4 being sent) each alert is dropped, counted and logged.
// Real daemons against a stand-in Binance and a private Redis.
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DAY_MS, minuteOf } from '../../src/core/keys.js';
import { startDaemon, waitUntil, type RunningDaemon } from '../support/daemon.js';
import { freePort, startRedis, type PrivateRedis } from '../support/redis.js';
import { binanceFrame, startStandins, type Standins } from '../support/venues.js';

let redis: PrivateRedis;
let client: Redis;
let standins: Standins | undefined;
const daemons: RunningDaemon[] = [];
const dirs: string[] = [];
beforeAll(async () => {
  redis = await startRedis();
  client = redis.client();
});
afterAll(async () => {
  await redis.stop();
});
beforeEach(async () => {
  await client.flushall();
  await client.config('SET', 'stream-node-max-entries', '100');
});
afterEach(async () => {
  for (const d of daemons.splice(0)) await d.stop('SIGKILL');
  await standins?.close();
  standins = undefined;
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function launch(env: Record<string, string>): Promise<RunningDaemon> {
  standins = await startStandins({}, ['binance']);
  const spool = mkdtempSync(path.join(os.tmpdir(), 'liqd-alerts-more-'));
  dirs.push(spool);
  const d = startDaemon({ ...standins.env, REDIS_URL: redis.url, SPOOL_DIR: spool, EXCHANGES: 'binance', ...env }, await freePort());
  daemons.push(d);
  await waitUntil(() => standins!.venues['binance-usdm'].connections() === 1, 15_000, 'the daemon connected');
  return d;
}

// the minute before the test's: every event lands in the same minute bucket wherever the clock is in its minute
const M = minuteOf(Date.now()) - 60_000;
/** A $150.00 short liquidation `i` ms into minute M (distinct per i). */
const frame = (i: number) => binanceFrame({ symbol: 'BTCUSDT', side: 'BUY', price: '150', qty: '1', ts: M + i });

async function seed(ids: string[]): Promise<void> {
  for (const id of ids) await client.xadd('liq:alerts', id, 'id', `seed-${id}`, 'kind', 'liquidation');
}

describe('liq:alerts retention', () => {
  it('an alert trims the entries older than ALERT_RETENTION_DAYS, to the entry, and keeps the younger ones', async () => {
    // one entry per macro node: MINID ~ then trims exactly at the cutoff instead of at a node boundary
    await client.config('SET', 'stream-node-max-entries', '1');
    const now = Date.now();
    const old = Array.from({ length: 20 }, (_, i) => `${now - 2 * DAY_MS + i}-0`);
    const justPast = `${now - DAY_MS - 60_000}-0`;
    const young = [`${now - DAY_MS + 120_000}-0`, `${now - 3_600_000}-0`];
    await seed([...old, justPast, ...young]);
    expect(await client.xlen('liq:alerts')).toBe(23);
    await launch({ ALERT_MIN_USD: '100', ALERT_RETENTION_DAYS: '1' });
    standins!.send('binance-usdm', frame(1));
    await waitUntil(async () => (await client.xlen('liq:alerts')) !== 23, 10_000, 'the alert recorded');
    const ids = (await client.xrange('liq:alerts', '-', '+')).map(([id]) => id);
    expect(ids.slice(0, 2)).toEqual(young);
    expect(ids).toHaveLength(3);
    const [ms] = ids[2].split('-').map(Number);
    expect(ms).toBeGreaterThanOrEqual(now);
  });

  it('with the default macro nodes, what is left of the expired entries is less than one node (100), however many', async () => {
    const now = Date.now();
    const p = client.pipeline();
    for (let i = 0; i < 5_000; i++) p.xadd('liq:alerts', `${now - 3 * DAY_MS + i}-0`, 'id', `seed-${i}`, 'kind', 'liquidation');
    await p.exec();
    await launch({ ALERT_MIN_USD: '100', ALERT_RETENTION_DAYS: '1' });
    for (let i = 1; i <= 3; i++) standins!.send('binance-usdm', frame(i));
    await waitUntil(async () => (await client.xrevrange('liq:alerts', '+', '-', 'COUNT', 3)).every(([id]) => Number(id.split('-')[0]) >= now), 10_000, 'three alerts');
    const len = await client.xlen('liq:alerts');
    expect(len - 3).toBeGreaterThanOrEqual(0);
    expect(len - 3).toBeLessThan(100);
  });
});

/** A webhook receiver that reads each POST and never answers it. */
async function silentReceiver() {
  const arrived: number[] = [];
  const sockets = new Set<Socket>();
  const server = http.createServer((req) => {
    req.resume();
    arrived.push(Date.now());
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    arrived,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

describe('a webhook that never answers', () => {
  it('writes go on at full pace, 10 000 alerts wait, the rest are dropped: counted, logged, reported', async () => {
    const hook = await silentReceiver();
    try {
      const N = 10_100;
      const d = await launch({ ALERT_MIN_USD: '100', ALERT_WEBHOOK_URL: hook.url });
      const started = Date.now();
      for (let i = 0; i < N; i++) standins!.send('binance-usdm', frame(i));
      const all = `liq:agg:ALL:60s:${M}`;
      await waitUntil(async () => (await client.hget(all, 'count')) === String(N), 30_000, `${N} events written`);
      const writtenIn = Date.now() - started;
      // every event written and every alert recorded sooner than one POST could time out (5 s a try): no write
      // waited for the receiver, which answers nothing
      expect(writtenIn).toBeLessThan(5_000);
      expect(await client.xlen('liq:alerts')).toBe(N);
      // four deliveries at once, no more
      await waitUntil(() => hook.arrived.length === 4, 5_000, 'four POSTs');
      await new Promise((r) => setTimeout(r, 300));
      expect(hook.arrived).toHaveLength(4);
      // the bound: 4 being sent, 10 000 queued, the rest dropped
      const dropped = N - 4 - 10_000;
      const { body } = await d.health();
      // (lastError joins once the first try times out)
      expect((body.alerts as Record<string, unknown>).webhook).toMatchObject({ delivered: 0, failed: 0, dropped, queued: 10_000, sending: 4 });
      const m = await d.metrics();
      expect(m).toMatch(new RegExp(`^liq_alert_webhook_total\\{result="dropped"\\} ${dropped}$`, 'm'));
      expect(m).toMatch(/^liq_alert_webhook_total\{result="delivered"\} 0$/m);
      const full = d.logs.filter((l) => l.msg === 'alert webhook queue full: alert not posted (it is in the liq:alerts stream)');
      expect(full).toHaveLength(dropped);
      expect(full.every((l) => l.level === 'error' && l.queued === 10_000)).toBe(true);
      // the queue is given up at shutdown, said with its size
      expect(await d.stop('SIGTERM')).toBe(0);
      const gaveUp = d.logs.find((l) => l.msg === 'shutdown: alerts not posted to the webhook (they are in the liq:alerts stream)');
      expect(gaveUp).toMatchObject({ alerts: 10_004 });
    } finally {
      await hook.close();
    }
  });
});
