// The spool under faults, with the real daemon process: a disk that fills up while Redis is down (nothing lost:
// events stay in memory up to MAX_HELD_EVENTS and reading pauses), a spool directory that turns read-only before a
// shutdown with Redis down (retried, what is lost is counted and said, exit non-zero), and a SPOOL_DIR that cannot
// be written at start-up (refused with one line).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { sumMetric } from '../../scripts/lib/daemon.js';
import { binanceFrame } from '../support/venues.js';
import { startStandins, type Standins } from '../support/venues.js';
import { DAEMON, startDaemon, waitUntil, type RunningDaemon } from '../support/daemon.js';
import { freePort, startRedis, type PrivateRedis } from '../support/redis.js';
import { canMount, mountTmpfs, type Tmpfs } from '../support/tmpfs.js';

const mountable = canMount();
let redis: PrivateRedis;
let standins: Standins | undefined;
const daemons: RunningDaemon[] = [];
const mounts: Tmpfs[] = [];
const dirs: string[] = [];

beforeAll(async () => {
  redis = await startRedis();
  await redis.kill(); // Redis starts down in these tests; started again on the same port when a test wants it
});
afterAll(async () => {
  await redis.stop();
});
afterEach(async () => {
  for (const d of daemons.splice(0)) await d.stop('SIGKILL');
  await standins?.close();
  standins = undefined;
  for (const m of mounts.splice(0)) m.unmount();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  await redis.kill();
});

/** n distinct Binance USD-M liquidations in the last minutes: one frame each. */
function frames(n: number, base: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    out.push(binanceFrame({ symbol: ['BTCUSDT', 'ETHUSDT', 'SOLUSDT'][i % 3], side: i % 2 ? 'SELL' : 'BUY', price: `${100 + (i % 50)}.5`, qty: `${1 + (i % 7)}.${i}`, ts: base + i }));
  }
  return out;
}

async function counted(client: Redis, base: number, n: number): Promise<number> {
  let total = 0;
  for (let m = Math.floor(base / 60_000) * 60_000; m <= base + n; m += 60_000) total += Number((await client.hget(`liq:agg:ALL:60s:${m}`, 'count')) ?? 0);
  return total;
}

async function launch(spoolDir: string, extra: Record<string, string> = {}): Promise<RunningDaemon> {
  standins ??= await startStandins();
  const d = startDaemon(
    {
      ...standins.env,
      EXCHANGES: 'binance',
      REDIS_URL: redis.url,
      SPOOL_DIR: spoolDir,
      MAX_BUFFERED_EVENTS: '1000',
      FLUSH_MAX_EVENTS: '500',
      // A daemon that stops reading must not take its own silence for a dead socket: pinged every 0.5 s, a pong late
      // by 2 s (not 0.5 s: on a loaded machine a late pong dropped the connection, and the frames sent meanwhile,
      // before reading had paused) would reconnect within the 4 s the first test holds reading paused.
      PING_INTERVAL_MS: '500',
      PONG_TIMEOUT_MS: '2000',
      ...extra,
    },
    await freePort(),
  );
  daemons.push(d);
  await d.waitForLog((l) => l.msg === 'open' && l.conn === 'binance-usdm');
  return d;
}

describe.skipIf(!mountable)('spool faults (tmpfs mounts: needs root)', () => {
  it('a full spool disk with Redis down loses nothing: memory holds up to MAX_HELD_EVENTS, reading pauses, all is written when Redis returns', async () => {
    const disk = mountTmpfs(256);
    mounts.push(disk);
    const d = await launch(disk.dir);
    const N = 12_000;
    const base = Date.now() - 90_000;
    for (const f of frames(N, base)) standins!.send('binance-usdm', f);
    // 1,000 in memory, the spool until the 256 KB disk is full, then memory again up to 2,000: reading pauses.
    try {
      await waitUntil(async () => ((await d.health()).body.readPausedBy as string[]).includes('held_limit'), 30_000, 'reading paused at MAX_HELD_EVENTS');
    } catch (err) {
      const h = await d.health();
      throw new Error(`${(err as Error).message}: /health ${JSON.stringify(h.body).slice(0, 600)}; log: ${d.logs.filter((l) => l.level !== 'info').slice(-8).map((l) => JSON.stringify(l).slice(0, 300)).join(' | ')}`);
    }
    const h = await d.health();
    expect(h.status).toBe(503);
    expect(h.body).toMatchObject({ status: 'down', spool: { writable: false, code: 'ENOSPC' }, maxHeldEvents: 2000 });
    expect(h.body.bufferedEvents as number).toBeGreaterThanOrEqual(2000);
    expect((h.body.reasons as string[]).join(' ')).toMatch(/spool not writable: ENOSPC/);
    const failures = d.logs.filter((l) => l.msg === 'spool write failed: holding events in memory up to MAX_HELD_EVENTS');
    expect(failures).toHaveLength(1); // once per state change, not per event
    expect(failures[0].level).toBe('error');
    expect(sumMetric(await d.metrics(), 'liq_spool_writable')).toBe(0);
    // Hold it paused for several keepalive periods: the connection stays up (nothing the exchange sent is lost).
    await new Promise((r) => setTimeout(r, 4000));
    expect(d.logs.some((l) => l.msg === 'reconnect scheduled')).toBe(false);

    await redis.start();
    const client = redis.client();
    await waitUntil(async () => (await counted(client, base, N)) === N, 60_000, `all ${N} events counted`);
    expect(await client.xlen('liq:events')).toBe(N);
    const m = await d.metrics();
    expect(sumMetric(m, 'liq_dropped_total')).toBe(0);
    expect(sumMetric(m, 'liq_events_written_total')).toBe(N);
    await waitUntil(async () => (await d.health()).body.spooledEvents === 0, 30_000, 'spool replayed');
    expect(await d.stop()).toBe(0);
    expect(readdirSync(disk.dir).filter((f) => f.startsWith('spool-'))).toEqual([]);
  }, 150_000); // its waits add up past the default 60 s on a loaded machine (a full CI run)

  it('a spool turned read-only before a shutdown with Redis down: retried until the hard exit, the loss counted and said, exit 1', async () => {
    const disk = mountTmpfs(1024);
    mounts.push(disk);
    const d = await launch(disk.dir);
    const N = 700; // below MAX_BUFFERED_EVENTS: all held in memory
    const base = Date.now() - 60_000;
    for (const f of frames(N, base)) standins!.send('binance-usdm', f);
    await waitUntil(async () => (await d.health()).body.bufferedEvents === N, 20_000, 'events held');
    disk.readOnly(true);
    const t0 = Date.now();
    const code = await d.stop('SIGTERM');
    const took = Date.now() - t0;
    expect(code).toBe(1);
    expect(took).toBeGreaterThan(5_000); // it kept trying
    expect(took).toBeLessThan(11_000);
    const last = d.logs.filter((l) => l.level === 'error').map((l) => l.msg);
    expect(last).toContain('shutdown: the spool cannot be written; retrying until the hard exit');
    const lost = d.logs.find((l) => typeof l.msg === 'string' && /events could be neither written to Redis nor spooled/.test(l.msg as string));
    expect(lost).toMatchObject({ level: 'error', lost: N, spooled: 0 });
    expect(d.logs.at(-1), JSON.stringify(d.logs.slice(-4))).toMatchObject({ msg: 'stopped: events were lost', lost: N });
  });

  it('a disk that fills during a shutdown with Redis down: what fits is spooled and replayed by the next start, the rest counted as lost', async () => {
    const disk = mountTmpfs(64);
    mounts.push(disk);
    const d = await launch(disk.dir, { MAX_BUFFERED_EVENTS: '100000' });
    const N = 900; // about 250 bytes a line: some hundreds fit in 64 KB
    const base = Date.now() - 60_000;
    for (const f of frames(N, base)) standins!.send('binance-usdm', f);
    await waitUntil(async () => (await d.health()).body.bufferedEvents === N, 20_000, 'events held');
    expect(await d.stop('SIGTERM')).toBe(1);
    const gone = d.logs.find((l) => typeof l.msg === 'string' && /events could be neither written to Redis nor spooled/.test(l.msg as string));
    const spooled = gone!.spooled as number;
    expect(spooled).toBeGreaterThan(50);
    expect(gone!.lost).toBe(N - spooled);
    const files = readdirSync(disk.dir).filter((f) => f.startsWith('spool-'));
    const lines = files.flatMap((f) => readFileSync(path.join(disk.dir, f), 'utf8').split('\n').filter(Boolean));
    expect(lines).toHaveLength(spooled);

    await redis.start();
    const d2 = await launch(disk.dir);
    const client = redis.client();
    await waitUntil(async () => (await counted(client, base, N)) === spooled, 30_000, 'the spooled part replayed');
    expect(await d2.stop()).toBe(0);
  });

  it('a read-only SPOOL_DIR stops start-up with one line', () => {
    const disk = mountTmpfs(64);
    mounts.push(disk);
    disk.readOnly(true);
    const r = spawnSync(process.execPath, [DAEMON], { env: { PATH: process.env.PATH, SPOOL_DIR: disk.dir, HEALTH_PORT: '0', REDIS_URL: redis.url }, encoding: 'utf8', timeout: 10_000 });
    expect(r.status).toBe(1);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`SPOOL_DIR ${disk.dir} is not writable \\(EROFS`));
  });
});

describe('spool directory at start-up', () => {
  // REDIS_URL unset and a Redis of its own asked for (on a free port, never the machine's 6379): the spool is checked
  // before that Redis is started, so nothing is left running and nothing is created under DATA_DIR.
  it('a SPOOL_DIR that cannot be created stops start-up with one line, before a managed Redis is started', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'liqd-notdir-'));
    dirs.push(dir);
    writeFileSync(path.join(dir, 'file'), 'x');
    const port = await freePort();
    const env = { PATH: process.env.PATH, SPOOL_DIR: path.join(dir, 'file', 'spool'), HEALTH_PORT: '0', REDIS_MANAGED: 'always', LIQD_MANAGED_REDIS_PORT: String(port), DATA_DIR: path.join(dir, 'data') };
    const r = spawnSync(process.execPath, [DAEMON], { env, encoding: 'utf8', timeout: 10_000 });
    expect(r.status).toBe(1);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/SPOOL_DIR .*file\/spool is not writable \(ENOTDIR/);
    expect(readdirSync(dir)).toEqual(['file']); // no DATA_DIR/redis: no redis-server was started
    expect(await listening(port)).toBe(false);
  });
});

/** Whether something accepts connections on 127.0.0.1:port. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = net.connect(port, '127.0.0.1');
    sock.once('connect', () => {
      sock.destroy();
      resolve(true);
    });
    sock.once('error', () => resolve(false));
  });
}
