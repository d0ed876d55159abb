// More Redis faults against the real daemon: a Redis whose last snapshot failed (MISCONF) and one that wants a
// password the daemon does not give (NOAUTH) are "down" with writable false; the periodic summary is a warn line
// while some streams are down; and the instance's marker deleted under a running Redis is noticed as lost data.
import { existsSync, rmSync } from 'node:fs';
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { sumMetric } from '../../scripts/lib/daemon.js';
import { FaultRig, countRecent } from '../support/fault-rig.js';
import { markerKey } from '../../src/core/keys.js';
import { waitUntil } from '../support/daemon.js';
import { startRedis, type PrivateRedis } from '../support/redis.js';
import { startStandins, type Standins } from '../support/venues.js';

let standins: Standins;
const rig = new FaultRig(() => standins, 'liqd-faults-more-');
const servers: PrivateRedis[] = [];

beforeAll(async () => {
  standins = await startStandins({}, ['binance']);
});
afterAll(async () => {
  await standins.close();
});
afterEach(async () => {
  await rig.cleanup();
  for (const s of servers.splice(0)) await s.stop();
});

async function privateRedis(): Promise<{ server: PrivateRedis; client: Redis }> {
  const server = await startRedis();
  servers.push(server);
  return { server, client: server.client() };
}

/** No venue reachable (a port nothing listens on): only Redis is judged. */
const NO_STREAMS = { EXCHANGES: 'okx', OKX_WS_URL: 'ws://127.0.0.1:1/ws', OKX_REST_URL: 'http://127.0.0.1:1' };

describe('/health under more Redis refusals', () => {
  it('MISCONF (a snapshot that failed, stop-writes-on-bgsave-error yes): down, writable false, held; back once allowed', async () => {
    const { server, client } = await privateRedis();
    const d = await rig.launch(server.url);
    await d.waitForLog((l) => l.msg === 'open' && l.conn === 'binance-usdm');
    let sent = rig.send(10);
    await waitUntil(async () => (await countRecent(client)) === sent, 15_000, 'first events');
    expect((await d.health()).body).toMatchObject({ status: 'ok', redis: { writable: true } });

    // the snapshot cannot be written: its directory (Redis's working directory) is gone. As root a read-only mode
    // would not stop it, and CONFIG SET dir is a protected setting in Redis 7.
    const dir = (await client.config('GET', 'dir'))[1] as string;
    rmSync(dir, { recursive: true, force: true });
    expect(existsSync(dir)).toBe(false);
    await client.config('SET', 'save', '3600 1');
    await client.config('SET', 'stop-writes-on-bgsave-error', 'yes');
    await client.bgsave();
    await waitUntil(async () => /rdb_last_bgsave_status:err/.test(await client.info('persistence')), 10_000, 'the snapshot failed');

    sent += rig.send(15);
    await waitUntil(async () => (await d.health()).status === 503, 15_000, '503');
    const h = await d.health();
    expect(h.body).toMatchObject({ status: 'down', redis: { connected: true, writable: false, code: 'MISCONF' } });
    expect(String((h.body.redis as { error: string }).error)).toMatch(/^MISCONF /);
    expect((h.body.reasons as string[])[0]).toMatch(/^Redis refuses writes: MISCONF /);
    const m = await d.metrics();
    expect(sumMetric(m, 'liq_redis_writable')).toBe(0);
    expect(m).toMatch(/liq_write_errors_total\{error="MISCONF"\} [1-9]/);
    expect(sumMetric(m, 'liq_buffered_events')).toBe(15);
    // once for the state, not per batch or probe (the lines about Redis shown if not)
    const refused = d.logs.filter((l) => l.msg === 'Redis refuses writes: events are held until it takes them again' && l.code === 'MISCONF');
    expect(refused, JSON.stringify(d.logs.filter((l) => /Redis/.test(String(l.msg))))).toHaveLength(1);
    expect(refused[0].level).toBe('error');
    await d.waitForLog((l) => l.msg === 'summary' && l.level === 'warn' && l.status === 'down');

    await client.config('SET', 'stop-writes-on-bgsave-error', 'no');
    await waitUntil(async () => (await countRecent(client)) === sent, 20_000, 'every event counted after MISCONF');
    await waitUntil(async () => (await d.health()).status === 200, 15_000, '200 again');
    expect(sumMetric(await d.metrics(), 'liq_redis_writable')).toBe(1);
    expect(sumMetric(await d.metrics(), 'liq_dropped_total')).toBe(0);
  });

  it('NOAUTH (Redis wants a password, REDIS_URL gives none): down, writable false, the code named, logged once at error', async () => {
    const { server, client } = await privateRedis();
    await client.config('SET', 'requirepass', 'only-this');
    const d = await rig.launch(server.url, NO_STREAMS);
    const line = await d.waitForLog((l) => l.msg === 'Redis authentication failed: check the user and password in REDIS_URL');
    expect(line).toMatchObject({ level: 'error', code: 'NOAUTH' });
    await waitUntil(async () => (await d.health()).status === 503, 15_000, '503');
    const h = await d.health();
    expect(h.body).toMatchObject({ status: 'down', redis: { connected: false, writable: false, code: 'NOAUTH', error: 'NOAUTH Authentication required.' } });
    // the connection never becomes ready: the reason says so, and names the code
    expect(h.body.reasons).toEqual([expect.stringMatching(/^Redis not connected \((connect|connecting|reconnecting): NOAUTH\)$/)]);
    expect(sumMetric(await d.metrics(), 'liq_redis_writable')).toBe(0);
    await new Promise((r) => setTimeout(r, 1500));
    expect(d.logs.filter((l) => l.msg === line.msg)).toHaveLength(1);
    expect(await client.dbsize()).toBe(0);
  });
});

describe('the periodic summary line', () => {
  it('info with status ok while every stream is open; warn with the reasons while some are down', async () => {
    const { server } = await privateRedis();
    const good = await rig.launch(server.url);
    await good.waitForLog((l) => l.msg === 'open' && l.conn === 'binance-usdm');
    // binance: its USDⓈ-M and COIN-M streams
    const ok = await good.waitForLog((l) => l.msg === 'summary' && l.status === 'ok' && l.streamsOpen === 2);
    expect(ok).toMatchObject({ level: 'info', streamsTotal: 2, redis: 'ready' });
    expect(ok.reasons).toBeUndefined();

    const d = await rig.launch(server.url, { EXCHANGES: 'binance,okx', OKX_WS_URL: 'ws://127.0.0.1:1/ws', OKX_REST_URL: 'http://127.0.0.1:1', STREAM_DOWN_AFTER_MS: '1000' });
    const warn = await d.waitForLog((l) => l.msg === 'summary' && l.status === 'degraded');
    expect(warn.level).toBe('warn');
    expect(warn.reasons).toEqual([expect.stringMatching(/^1 of 3 streams not open for over 1 s: okx$/)]);
    expect(warn.streamsOpen).toBe(2);
    expect(warn.streamsTotal).toBe(3);
    // never an info line that says degraded
    await new Promise((r) => setTimeout(r, 700));
    expect(d.logs.filter((l) => l.msg === 'summary' && l.status !== 'ok' && l.level !== 'warn')).toEqual([]);
  });
});

describe('the instance marker deleted while Redis runs', () => {
  it('is noticed as lost data: one error line with the count, the metrics, /health degraded; counted once', async () => {
    const { server, client } = await privateRedis();
    const d = await rig.launch(server.url, { INSTANCE_ID: 'marker-test' });
    await d.waitForLog((l) => l.msg === 'open' && l.conn === 'binance-usdm');
    const n = rig.send(30);
    await waitUntil(async () => (await countRecent(client)) === n, 15_000, 'events counted');
    expect(await client.hget(markerKey('marker-test'), 'written')).toBe(String(n));
    expect(d.logs.some((l) => typeof l.msg === 'string' && l.msg.startsWith('Redis lost data'))).toBe(false);

    expect(await client.del(markerKey('marker-test'))).toBe(1);
    // the next write (a batch, or the idle probe within 5 s) finds the count gone
    const more = rig.send(4);
    const line = await d.waitForLog((l) => typeof l.msg === 'string' && l.msg.startsWith('Redis lost data'), 15_000);
    expect(line).toMatchObject({ level: 'error', lost: n, restarted: false, marker: 'liq:marker:marker-test' });
    const h = await d.health();
    expect(h.status).toBe(200);
    expect(h.body).toMatchObject({ status: 'degraded', redis: { writable: true, dataLoss: { lostEvents: n } } });
    expect((h.body.reasons as string[]).some((r) => r.startsWith(`Redis lost ${n} events written by this instance`))).toBe(true);
    const m = await d.metrics();
    expect(sumMetric(m, 'liq_redis_data_loss_total')).toBe(1);
    expect(sumMetric(m, 'liq_redis_lost_events_total')).toBe(n);
    // the marker is recreated from what Redis holds: later events raise nothing new
    await waitUntil(async () => (await countRecent(client)) === n + more, 15_000, 'the events after the deletion');
    const after = rig.send(3);
    await waitUntil(async () => (await countRecent(client)) === n + more + after, 15_000, 'more events');
    await new Promise((r) => setTimeout(r, 1000));
    expect(d.logs.filter((l) => typeof l.msg === 'string' && l.msg.startsWith('Redis lost data'))).toHaveLength(1);
    expect(sumMetric(await d.metrics(), 'liq_redis_lost_events_total')).toBe(n);
  });
});
