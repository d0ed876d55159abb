// `npm start` on a machine with no Redis: the daemon starts redis-server as its own child, writes into it, stops it
// after the final flush, finds the same data at the next start, restarts it when it dies, and starts none when
// REDIS_URL is set or another instance's answers. Every managed Redis here runs on a free port (the test-only
// LIQD_MANAGED_REDIS_PORT), never on the machine's 6379.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { bybitFrame } from '../support/venues.js';
import { startStandins, type Standins } from '../support/venues.js';
import { ENV_SCHEMA } from '../../src/config.js';
import { parseCli } from '../../src/dashboards/options.js';
import { probeRedis } from '../../src/redis-probe.js';
import { DAEMON, startDaemon, waitUntil, type RunningDaemon } from '../support/daemon.js';
import { childrenOf, running } from '../support/procs.js';
import { freePort, startRedis, type PrivateRedis } from '../support/redis.js';

let standins: Standins | undefined;
const daemons: RunningDaemon[] = [];
const redisPids: number[] = [];
const clients: Redis[] = [];
const dirs: string[] = [];
const privates: PrivateRedis[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) c.disconnect();
  for (const d of daemons.splice(0)) {
    // A daemon killed here leaves its redis-server behind (it runs in its own process group): stop it by PID,
    // also one the test did not expect.
    if (d.proc.exitCode === null) redisPids.push(...childrenOf(d.proc.pid!).filter((c) => c.name === 'redis-server').map((c) => c.pid));
    await d.stop('SIGKILL');
  }
  for (const pid of redisPids.splice(0)) if (running(pid)) process.kill(pid, 'SIGKILL');
  for (const p of privates.splice(0)) await p.stop();
  await standins?.close();
  standins = undefined;
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempDir(prefix: string): string {
  const d = mkdtempSync(path.join(os.tmpdir(), prefix));
  dirs.push(d);
  return d;
}

const MIN = Math.floor((Date.now() - 120_000) / 60_000) * 60_000;
const ALL = `liq:agg:ALL:60s:${MIN}`;

// Bybit linear BTCUSDT, Buy = a long liquidated. Three events close a batch (FLUSH_MAX_EVENTS=3)…
const FIRST = bybitFrame([
  { symbol: 'BTCUSDT', side: 'Buy', price: '50000', size: '0.1', ts: MIN + 1000 }, // long $5,000
  { symbol: 'BTCUSDT', side: 'Sell', price: '50000', size: '0.2', ts: MIN + 2000 }, // short $10,000
  { symbol: 'BTCUSDT', side: 'Buy', price: '40000', size: '0.05', ts: MIN + 3000 }, // long $2,000
]);
// …two more stay held until a flush (the interval is a minute: in these tests, only the final flush at SIGTERM).
const SECOND = bybitFrame([
  { symbol: 'BTCUSDT', side: 'Sell', price: '50000', size: '0.01', ts: MIN + 4000 }, // short $500
  { symbol: 'BTCUSDT', side: 'Buy', price: '60000', size: '0.1', ts: MIN + 5000 }, // long $6,000
]);
const AFTER_BOTH = { count: '5', long_count: '3', short_count: '2', value_cents: '2350000', long_value_cents: '1300000', short_value_cents: '1050000', bybit_count: '5' };

interface Setup {
  port: number;
  dataDir: string;
  env: Record<string, string>;
}

async function setup(): Promise<Setup> {
  standins = await startStandins();
  const port = await freePort();
  expect(await probeRedis('127.0.0.1', port)).toBe('free');
  const dataDir = tempDir('liqd-managed-data-');
  const env = {
    ...standins.env,
    EXCHANGES: 'bybit',
    LIQD_MANAGED_REDIS_PORT: String(port),
    DATA_DIR: dataDir,
    SPOOL_DIR: path.join(dataDir, 'spool'),
    FLUSH_INTERVAL_MS: '60000',
    FLUSH_MAX_EVENTS: '3',
  };
  return { port, dataDir, env };
}

async function launch(env: Record<string, string>): Promise<RunningDaemon> {
  // No REDIS_URL unless the test sets one: startDaemon passes only PATH and what it is given.
  expect(env.LIQD_MANAGED_REDIS_PORT ?? env.REDIS_URL).toBeDefined();
  const d = startDaemon(env, await freePort());
  daemons.push(d);
  return d;
}

/** Waits for the managed Redis start-up line; returns the redis-server's PID (a child of the daemon). */
async function managedStarted(d: RunningDaemon, msg = /^managed Redis started/): Promise<number> {
  const line = await d.waitForLog((l) => typeof l.msg === 'string' && msg.test(l.msg) && !redisPids.includes(l.redisPid as number));
  const pid = line.redisPid as number;
  redisPids.push(pid);
  expect(childrenOf(d.proc.pid!)).toContainEqual({ pid, name: 'redis-server' });
  return pid;
}

function client(port: number): Redis {
  const c = new Redis({ host: '127.0.0.1', port, maxRetriesPerRequest: 2 });
  c.on('error', () => {}); // refused while a redis-server is restarted; ioredis reconnects
  clients.push(c);
  return c;
}

async function subscribed(): Promise<void> {
  await waitUntil(() => standins!.venues['bybit-linear'].subscriptions().flat().includes('allLiquidation.BTCUSDT'), 15_000, 'BTCUSDT subscribed');
}

describe('managed Redis (REDIS_URL not set)', () => {
  it('starts redis-server, counts the events in it, flushes then stops it on SIGTERM, and the next start finds the same buckets', async () => {
    const { port, dataDir, env } = await setup();
    const a = await launch(env);
    const pid = await managedStarted(a);
    const started = a.logs.find((l) => l.redisPid === pid)!;
    expect(started).toMatchObject({ level: 'info', url: `redis://127.0.0.1:${port}`, dataDir: path.join(dataDir, 'redis') });
    expect(started.msg).toMatch(/REDIS_URL/);
    const c = client(port);
    expect(await c.config('GET', 'appendonly')).toEqual(['appendonly', 'yes']);
    expect(await c.config('GET', 'appendfsync')).toEqual(['appendfsync', 'everysec']);
    expect(await c.config('GET', 'dir')).toEqual(['dir', path.join(dataDir, 'redis')]);
    expect(await c.config('GET', 'bind')).toEqual(['bind', '127.0.0.1']);

    await subscribed();
    standins!.send('bybit-linear', FIRST);
    await waitUntil(async () => (await c.hget(ALL, 'count')) === '3', 10_000, 'three events counted');

    // A second instance (the pm2 gapless-restart recipe) finds this Redis answering and starts none.
    const b = await launch({ ...env, INSTANCE_ID: 'liqd-b', SPOOL_DIR: path.join(dataDir, 'spool-b') });
    await b.waitForLog((l) => l.msg === 'a Redis answers at the default address: writing to it, starting none');
    await waitUntil(async () => (await b.health().catch(() => ({ status: 0 }))).status === 200, 10_000, 'second instance writable');
    expect(childrenOf(b.proc.pid!)).toEqual([]);
    expect(await b.stop()).toBe(0);
    expect(running(pid)).toBe(true);

    standins!.send('bybit-linear', SECOND);
    await waitUntil(async () => (await a.health()).body.bufferedEvents === 2, 10_000, 'two events held');
    expect(await c.hget(ALL, 'count')).toBe('3');
    c.disconnect();

    expect(await a.stop()).toBe(0);
    // The daemon's own last line (not a stream's 'stopped'): nothing spooled, so the final flush reached Redis.
    const stopped = a.logs.findIndex((l) => l.msg === 'stopped' && l.mod === undefined);
    expect(a.logs[stopped]).toMatchObject({ spooled: 0 });
    expect(a.logs.findIndex((l) => l.msg === 'managed Redis stopped')).toBeGreaterThan(stopped);
    expect(a.logs.find((l) => l.msg === 'managed Redis stopped')).toMatchObject({ redisPid: pid, code: 0 });
    expect(running(pid)).toBe(false);
    expect(await probeRedis('127.0.0.1', port)).toBe('free');
    expect(a.garbage).toEqual([]);

    // The next start: a new redis-server on the same data, holding all five events (the last two from the final flush).
    const a2 = await launch(env);
    const pid2 = await managedStarted(a2);
    expect(pid2).not.toBe(pid);
    const c2 = client(port);
    expect(await c2.hgetall(ALL)).toMatchObject(AFTER_BOTH);
    expect(await c2.xlen('liq:events')).toBe(5);
    await a2.waitForLog((l) => l.msg === 'ready'); // main() handles SIGTERM once the daemon has started
    expect(await a2.stop()).toBe(0);
    expect(running(pid2)).toBe(false);
    expect(await probeRedis('127.0.0.1', port)).toBe('free');
  });

  it('restarts the redis-server when it dies while the daemon runs; the daemon reconnects and keeps counting', async () => {
    const { port, env } = await setup();
    const d = await launch({ ...env, FLUSH_INTERVAL_MS: '20' });
    const pid = await managedStarted(d);
    const c = client(port);
    await subscribed();
    standins!.send('bybit-linear', FIRST);
    await waitUntil(async () => (await c.hget(ALL, 'count')) === '3', 10_000, 'three events counted');

    process.kill(pid, 'SIGKILL');
    const died = await d.waitForLog((l) => l.redisPid === pid && l.level === 'error');
    expect(died.msg).toMatch(/^managed Redis exited while the daemon runs; restarting it/);
    expect(died).toMatchObject({ signal: 'SIGKILL' });
    const pid2 = await managedStarted(d, /^managed Redis restarted$/);
    expect(pid2).not.toBe(pid);

    // What Redis acknowledged before the kill is in its append-only file; new events reach the new server.
    await waitUntil(async () => (await d.health()).status === 200, 15_000, 'daemon writable again');
    standins!.send('bybit-linear', SECOND);
    await waitUntil(async () => (await c.hget(ALL, 'count').catch(() => null)) === '5', 10_000, 'five events counted');
    expect(await c.hgetall(ALL)).toMatchObject(AFTER_BOTH);
    expect(await d.stop()).toBe(0);
    expect(running(pid2)).toBe(false);
  });

  it('starts none when REDIS_URL is set, even to a Redis that does not answer', async () => {
    const { port, dataDir, env } = await setup();
    const closed = await freePort();
    const d = await launch({ ...env, REDIS_URL: `redis://127.0.0.1:${closed}` });
    await d.waitForLog((l) => l.msg === 'health server listening');
    await waitUntil(async () => (await d.health()).status === 503, 10_000, '503 (down)');
    await new Promise((r) => setTimeout(r, 1500));
    expect(childrenOf(d.proc.pid!)).toEqual([]);
    expect(await probeRedis('127.0.0.1', port)).toBe('free');
    expect(existsSync(path.join(dataDir, 'redis'))).toBe(false);
    expect(d.logs.filter((l) => l.mod === 'managed-redis')).toEqual([]);
    expect((await d.health()).body).toMatchObject({ status: 'down', redis: { connected: false, writable: false } });
    expect(await d.stop()).toBe(0);
  });
});

describe('managed Redis at start-up, failing with one line', () => {
  /** Runs the daemon to its exit; one that does not stop within 10 s is killed (SIGKILL) and fails the test. */
  async function run(env: Record<string, string>): Promise<{ status: number | null; stdout: string; stderr: string }> {
    const proc = spawn(process.execPath, [DAEMON], { env: { HEALTH_PORT: '0', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => proc.kill('SIGKILL'), 10_000);
    const status = await new Promise<number | null>((resolve) => proc.once('close', (code) => resolve(code)));
    clearTimeout(timer);
    return { status, stdout, stderr };
  }

  it('names the package to install and REDIS_URL when redis-server is not on PATH', async () => {
    const port = await freePort();
    const dataDir = tempDir('liqd-managed-nopath-');
    const r = await run({ PATH: tempDir('liqd-empty-path-'), LIQD_MANAGED_REDIS_PORT: String(port), DATA_DIR: dataDir });
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^liqd: no Redis answers at 127\.0\.0\.1:\d+ and redis-server is not on PATH: /);
    expect(lines[0]).toContain('apt-get install redis-server');
    expect(lines[0]).toContain('brew install redis');
    expect(lines[0]).toContain('set REDIS_URL to an existing Redis');
  });

  it('refuses REDIS_MANAGED=always together with REDIS_URL', async () => {
    const r = await run({ PATH: process.env.PATH ?? '', REDIS_MANAGED: 'always', REDIS_URL: 'redis://127.0.0.1:1' });
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toEqual([
      'liqd: invalid configuration: REDIS_MANAGED=always starts a Redis of its own and cannot be used with REDIS_URL: unset one of them',
    ]);
  });

  it('refuses REDIS_MANAGED=always when a Redis already answers there, and auto when something else listens', async () => {
    const other = await startRedis();
    privates.push(other);
    const always = await run({ PATH: process.env.PATH ?? '', REDIS_MANAGED: 'always', LIQD_MANAGED_REDIS_PORT: String(other.port), DATA_DIR: tempDir('liqd-managed-always-') });
    expect(always.status).toBe(1);
    expect(always.stderr.trim().split('\n')).toEqual([
      `liqd: REDIS_MANAGED=always but 127.0.0.1:${other.port} is taken (a Redis answers there): stop it, or set REDIS_MANAGED=auto to use a Redis there`,
    ]);

    const server = net.createServer((s) => s.end('HTTP/1.1 400 Bad Request\r\n\r\n'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const port = (server.address() as net.AddressInfo).port;
      const auto = await run({ PATH: process.env.PATH ?? '', LIQD_MANAGED_REDIS_PORT: String(port), DATA_DIR: tempDir('liqd-managed-http-') });
      expect(auto.status).toBe(1);
      expect(auto.stderr.trim().split('\n')).toEqual([
        `liqd: something listens at 127.0.0.1:${port} but does not answer PING as a Redis: set REDIS_URL to your Redis, or free the port`,
      ]);
    } finally {
      server.close();
    }
  });
});

describe('the other tools', () => {
  it('default to the managed Redis address, so they read it with no option', () => {
    const managed = `redis://127.0.0.1:${ENV_SCHEMA.LIQD_MANAGED_REDIS_PORT.def}`;
    expect(ENV_SCHEMA.REDIS_URL.def).toBe(managed); // the scripts' chooseRedis reads this default too
    expect(parseCli(['pro'], {}).redis).toEqual({ mode: 'single', url: managed });
  });
});

describe('probeRedis', () => {
  it.each([
    ['a Redis that wants a password', '-NOAUTH Authentication required.\r\n', 'auth'],
    ['a Redis loading its data', '-LOADING Redis is loading the dataset in memory\r\n', 'redis'],
    ['an HTTP server', 'HTTP/1.1 400 Bad Request\r\n\r\n', 'other'],
    ['a server that closes at once', '', 'other'],
  ])('tells %s apart', async (_what, answer, expected) => {
    const server = net.createServer((s) => s.once('data', () => s.end(answer)));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      expect(await probeRedis('127.0.0.1', (server.address() as net.AddressInfo).port)).toBe(expected);
    } finally {
      server.close();
    }
  });

  it('finds a real Redis, and nothing on a closed port', async () => {
    const r = await startRedis();
    privates.push(r);
    expect(await probeRedis('127.0.0.1', r.port)).toBe('redis');
    expect(await probeRedis('127.0.0.1', await freePort())).toBe('free');
  });
});
