// REDIS_MANAGED=never starts nothing, even with nothing at the address (the daemon says Redis is not connected and
// keeps trying); REDIS_MANAGED=always with a free LIQD_MANAGED_REDIS_PORT starts its own redis-server there as a
// child, writes into it, and stops it at SIGTERM. Every port here is a free one from the OS (never 6379).
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { probeRedis } from '../../src/redis-probe.js';
import { startDaemon, waitUntil, type RunningDaemon } from '../support/daemon.js';
import { childrenOf, running } from '../support/procs.js';
import { freePort } from '../support/redis.js';
import { bybitFrame, startStandins, type Standins } from '../support/venues.js';

let standins: Standins | undefined;
const daemons: RunningDaemon[] = [];
const redisPids: number[] = [];
const clients: Redis[] = [];
const dirs: string[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) c.disconnect();
  for (const d of daemons.splice(0)) {
    // a daemon killed here leaves its redis-server behind (its own process group): stopped by PID below
    if (d.proc.exitCode === null) redisPids.push(...childrenOf(d.proc.pid!).filter((c) => c.name === 'redis-server').map((c) => c.pid));
    await d.stop('SIGKILL');
  }
  for (const pid of redisPids.splice(0)) if (running(pid)) process.kill(pid, 'SIGKILL');
  await standins?.close();
  standins = undefined;
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function setup(mode: 'never' | 'always') {
  standins = await startStandins({}, ['bybit']);
  const port = await freePort();
  expect(port).not.toBe(6379);
  expect(await probeRedis('127.0.0.1', port)).toBe('free');
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'liqd-managed-more-'));
  dirs.push(dataDir);
  // no REDIS_URL: startDaemon passes only PATH and what it is given
  const env = { ...standins.env, EXCHANGES: 'bybit', REDIS_MANAGED: mode, LIQD_MANAGED_REDIS_PORT: String(port), DATA_DIR: dataDir, SPOOL_DIR: path.join(dataDir, 'spool') };
  const d = startDaemon(env, await freePort());
  daemons.push(d);
  return { port, dataDir, d };
}

describe('REDIS_MANAGED', () => {
  it('never: starts no redis-server when nothing answers; down (503), Redis not connected, still trying', async () => {
    const { port, dataDir, d } = await setup('never');
    await d.waitForLog((l) => l.msg === 'health server listening');
    await waitUntil(async () => (await d.health()).status === 503, 10_000, '503 (down)');
    await new Promise((r) => setTimeout(r, 1500));
    const h = await d.health();
    expect(h.body).toMatchObject({ status: 'down', redis: { connected: false, writable: false } });
    expect((h.body.reasons as string[])[0]).toMatch(/^Redis not connected \((connecting|connect|reconnecting)(: ECONNREFUSED)?\)$/);
    // the log says it keeps trying the address it was given
    const retry = await d.waitForLog((l) => l.msg === 'redis reconnecting');
    expect(retry.level).toBe('warn');
    expect(String(retry.target)).toContain(`127.0.0.1:${port}`);
    expect(childrenOf(d.proc.pid!)).toEqual([]);
    expect(await probeRedis('127.0.0.1', port)).toBe('free');
    expect(existsSync(path.join(dataDir, 'redis'))).toBe(false);
    expect(d.logs.filter((l) => l.mod === 'managed-redis')).toEqual([]);
    expect(d.proc.exitCode).toBeNull();
    expect(await d.stop()).toBe(0);
  });

  it('always: starts its own redis-server on the free port as a child, writes into it, stops it at SIGTERM', async () => {
    const { port, dataDir, d } = await setup('always');
    const line = await d.waitForLog((l) => typeof l.msg === 'string' && l.msg.startsWith('managed Redis started'));
    const pid = line.redisPid as number;
    redisPids.push(pid);
    expect(line).toMatchObject({ level: 'info', mod: 'managed-redis', url: `redis://127.0.0.1:${port}`, dataDir: path.join(dataDir, 'redis') });
    expect(childrenOf(d.proc.pid!)).toContainEqual({ pid, name: 'redis-server' });
    expect(await probeRedis('127.0.0.1', port)).toBe('redis');

    await waitUntil(() => standins!.venues['bybit-linear'].subscriptions().flat().includes('allLiquidation.BTCUSDT'), 15_000, 'BTCUSDT subscribed');
    const min = Math.floor((Date.now() - 120_000) / 60_000) * 60_000;
    standins!.send('bybit-linear', bybitFrame([{ symbol: 'BTCUSDT', side: 'Buy', price: '50000', size: '0.1', ts: min + 1000 }])); // long $5,000
    const c = new Redis({ host: '127.0.0.1', port, maxRetriesPerRequest: 2 });
    c.on('error', () => {});
    clients.push(c);
    await waitUntil(async () => (await c.hget(`liq:agg:ALL:60s:${min}`, 'value_cents')) === '500000', 15_000, 'the event in the managed Redis');
    expect((await d.health()).body).toMatchObject({ status: 'ok', redis: { writable: true } });
    c.disconnect();

    expect(await d.stop()).toBe(0);
    await waitUntil(() => !running(pid), 5_000, 'redis-server stopped');
    expect(await probeRedis('127.0.0.1', port)).toBe('free');
    // its data stays in DATA_DIR/redis (append-only file) for the next start
    expect(existsSync(path.join(dataDir, 'redis'))).toBe(true);
  });
});
