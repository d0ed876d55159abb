// Redis faults against the real daemon: a Redis out of memory (OOM), a read-only replica (READONLY), a wrong password,
// a Redis that lost its data (restarted without persistence), and streams that cannot connect. /health must never
// say "ok" while writes fail; every fault gets an error log line and a metric; nothing held is lost.
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { sumMetric } from '../../scripts/lib/daemon.js';
import { FaultRig, countRecent } from '../support/fault-rig.js';
import { startStandins, type Standins } from '../support/venues.js';
import { waitUntil } from '../support/daemon.js';
import { startRedis, type PrivateRedis } from '../support/redis.js';

let redis: PrivateRedis;
let client: Redis;
let standins: Standins;
const rig = new FaultRig(() => standins, 'liqd-faults-spool-');
const servers: PrivateRedis[] = [];

beforeAll(async () => {
  redis = await startRedis();
  client = redis.client();
  standins = await startStandins();
});
afterAll(async () => {
  await standins.close();
  await redis.stop();
});
afterEach(async () => {
  await rig.cleanup();
  for (const s of servers.splice(0)) await s.stop();
  await client.config('SET', 'maxmemory', '0');
  await client.config('SET', 'requirepass', '');
  await client.flushall();
});

describe('/health follows whether writes succeed, not the connection', () => {
  it('Redis out of memory (OOM): 503 down, writable false, the error named, liq_redis_writable 0; all counted once memory is back', async () => {
    const d = await rig.launch(redis.url);
    await d.waitForLog((l) => l.msg === 'open' && l.conn === 'binance-usdm');
    let sent = rig.send(10);
    await waitUntil(async () => (await countRecent(client)) === sent, 15_000, 'first events');
    expect((await d.health()).body).toMatchObject({ status: 'ok', redis: { writable: true } });

    await client.config('SET', 'maxmemory', '1');
    sent += rig.send(25);
    await waitUntil(async () => (await d.health()).status === 503, 15_000, '503');
    const h = await d.health();
    expect(h.body).toMatchObject({ status: 'down', redis: { connected: true, writable: false, code: 'OOM' } });
    expect(String((h.body.redis as { error: string }).error)).toMatch(/^OOM command not allowed/);
    expect((h.body.reasons as string[])[0]).toMatch(/^Redis refuses writes: OOM/);
    const m = await d.metrics();
    expect(sumMetric(m, 'liq_redis_writable')).toBe(0);
    expect(sumMetric(m, 'liq_write_errors_total')).toBeGreaterThan(0);
    // the gauge is read at scrape time: what is held now, as /health says
    expect(sumMetric(m, 'liq_buffered_events')).toBe((await d.health()).body.bufferedEvents);
    expect(sumMetric(m, 'liq_buffered_events')).toBe(25);
    expect(m).toMatch(/liq_write_errors_total\{error="OOM"\} [1-9]/);
    const refused = d.logs.filter((l) => l.msg === 'Redis refuses writes: events are held until it takes them again');
    expect(refused).toHaveLength(1);
    expect(refused[0]).toMatchObject({ level: 'error', code: 'OOM' });
    await d.waitForLog((l) => l.msg === 'summary' && l.level === 'warn' && l.status === 'down');
    expect((await fetch(`http://127.0.0.1:${d.healthPort}/livez`)).status).toBe(200);

    await client.config('SET', 'maxmemory', '0');
    await waitUntil(async () => (await countRecent(client)) === sent, 20_000, 'every event counted after OOM');
    await waitUntil(async () => (await d.health()).status === 200, 15_000, '200 again');
    expect((await d.health()).body).toMatchObject({ status: 'ok', redis: { writable: true } });
    expect(sumMetric(await d.metrics(), 'liq_redis_writable')).toBe(1);
    expect(sumMetric(await d.metrics(), 'liq_dropped_total')).toBe(0);
    expect(sumMetric(await d.metrics(), 'liq_buffered_events')).toBe(0);
    await d.waitForLog((l) => l.msg === 'Redis takes writes again');
  });

  it('a read-only replica (READONLY): 503 down from the first probe, with no traffic at all', async () => {
    const replica = await startRedis();
    servers.push(replica);
    const rc = replica.client();
    await rc.replicaof('127.0.0.1', String(redis.port));
    await waitUntil(async () => /master_link_status:up/.test(await rc.info('replication')), 15_000, 'replica in sync');
    const d = await rig.launch(replica.url, { EXCHANGES: 'okx', OKX_WS_URL: 'ws://127.0.0.1:1/ws', OKX_REST_URL: 'http://127.0.0.1:1' });
    await waitUntil(async () => ((await d.health()).body.redis as { code?: string }).code === 'READONLY', 15_000, 'READONLY named');
    expect((await d.health()).status).toBe(503);
    expect((await d.health()).body).toMatchObject({ status: 'down', redis: { state: 'ready', connected: true, writable: false, code: 'READONLY' } });
    expect(sumMetric(await d.metrics(), 'liq_redis_writable')).toBe(0);
  });

  it('a wrong password: "authentication failed" in the log at error, 503 with the code', async () => {
    await client.config('SET', 'requirepass', 'right-one');
    const d = await rig.launch(`redis://:wrong-one@127.0.0.1:${redis.port}`, { EXCHANGES: 'okx', OKX_WS_URL: 'ws://127.0.0.1:1/ws', OKX_REST_URL: 'http://127.0.0.1:1' });
    const line = await d.waitForLog((l) => l.msg === 'Redis authentication failed: check the user and password in REDIS_URL');
    expect(line.level).toBe('error');
    const h = await d.health();
    expect(h.status).toBe(503);
    expect(h.body).toMatchObject({ status: 'down', redis: { writable: false, code: 'WRONGPASS' } });
    // once per state, not per reconnect attempt
    await new Promise((r) => setTimeout(r, 1500));
    expect(d.logs.filter((l) => l.msg === line.msg)).toHaveLength(1);
  });
});

describe('Redis that lost its data', () => {
  it('a restart without persistence is noticed: error line with the count, metrics, /health degraded for a while, counted once', async () => {
    const volatile = await startRedis();
    servers.push(volatile);
    const c = volatile.client();
    const d = await rig.launch(volatile.url);
    await d.waitForLog((l) => l.msg === 'open' && l.conn === 'binance-usdm');
    const n = rig.send(40);
    await waitUntil(async () => (await countRecent(c)) === n, 15_000, 'events counted');
    await volatile.kill();
    await volatile.start(); // empty: nothing persisted
    const line = await d.waitForLog((l) => typeof l.msg === 'string' && (l.msg as string).startsWith('Redis lost data'), 20_000);
    expect(line).toMatchObject({ level: 'error', lost: n, restarted: true });
    const h = await d.health();
    expect(h.status).toBe(200);
    expect(h.body).toMatchObject({ status: 'degraded', redis: { writable: true, dataLoss: { lostEvents: n } } });
    const m = await d.metrics();
    expect(sumMetric(m, 'liq_redis_data_loss_total')).toBe(1);
    expect(sumMetric(m, 'liq_redis_lost_events_total')).toBe(n);
    // the marker is recreated: new events after the loss raise no new alarm
    const more = rig.send(5);
    const c2 = volatile.client();
    await waitUntil(async () => (await countRecent(c2)) === more, 15_000, 'events after the loss');
    await new Promise((r) => setTimeout(r, 1000));
    expect(d.logs.filter((l) => typeof l.msg === 'string' && (l.msg as string).startsWith('Redis lost data'))).toHaveLength(1);
  });

  it('a Redis restarted WITH persistence loses nothing and raises no alarm', async () => {
    const durable = await startRedis({ persist: true });
    servers.push(durable);
    const d = await rig.launch(durable.url);
    await d.waitForLog((l) => l.msg === 'open' && l.conn === 'binance-usdm');
    const n = rig.send(20);
    await waitUntil(async () => (await countRecent(durable.client())) === n, 15_000, 'events counted');
    await durable.kill();
    await durable.start();
    await d.waitForLog((l) => l.msg === 'Redis restarted (its run_id changed)', 20_000);
    await new Promise((r) => setTimeout(r, 1500));
    expect(d.logs.some((l) => typeof l.msg === 'string' && (l.msg as string).startsWith('Redis lost data'))).toBe(false);
    expect((await d.health()).body).toMatchObject({ status: 'ok' });
  });
});

describe('streams that cannot connect', () => {
  it('no stream open for longer than STREAM_DOWN_AFTER_MS: down (503); /livez stays 200', async () => {
    const t0 = Date.now();
    const d = await rig.launch(redis.url, { EXCHANGES: 'okx,bybit', OKX_WS_URL: 'ws://127.0.0.1:1/ws', OKX_REST_URL: 'http://127.0.0.1:1', BYBIT_REST_URL: 'http://127.0.0.1:1', STREAM_DOWN_AFTER_MS: '3000' });
    const first = await d.health();
    // Not yet: the grace period (when the machine let us ask in time). Only the streams are judged here: a loaded
    // machine can catch the daemon before its Redis connection is up, which /health rightly reports as well.
    const streamReasons = (b: Record<string, unknown>) => ((b.reasons as string[] | undefined) ?? []).filter((r) => /stream/.test(r));
    if (Date.now() - t0 < 2500) expect(streamReasons(first.body)).toEqual([]);
    await waitUntil(async () => {
      const h = await d.health();
      return h.status === 503 && streamReasons(h.body).length > 0 && (h.body.redis as { writable?: boolean }).writable === true;
    }, 15_000, '503 for the streams, Redis writable');
    const h = await d.health();
    expect(h.body).toMatchObject({ status: 'down', redis: { writable: true }, streamsOpen: 0 });
    expect((h.body.reasons as string[]).some((r) => /^no stream open for \d+ s$/.test(r))).toBe(true);
    expect((await fetch(`http://127.0.0.1:${d.healthPort}/livez`)).status).toBe(200);
  });

  it('some streams not open for longer than STREAM_DOWN_AFTER_MS: degraded (200), naming them', async () => {
    const d = await rig.launch(redis.url, { EXCHANGES: 'binance,okx', OKX_WS_URL: 'ws://127.0.0.1:1/ws', STREAM_DOWN_AFTER_MS: '1500' });
    await waitUntil(async () => (await d.health()).body.status === 'degraded', 15_000, 'degraded');
    const h = await d.health();
    expect(h.status).toBe(200);
    expect((h.body.reasons as string[])[0]).toMatch(/^1 of 3 streams not open for over 1.5 s: okx$/);
  });
});
