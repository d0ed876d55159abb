// `npm start` as a real process with nothing to connect to: it stays up, logs JSON lines, answers /health,
// and exits 0 on SIGTERM. A bad configuration value stops start-up with one line naming the variable.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DAEMON, waitUntil } from '../support/daemon.js';
import { freePort, startRedis, type PrivateRedis } from '../support/redis.js';
import { ENV_SCHEMA } from '../../src/config.js';
import { FEEDS } from '../../src/venues/registry.js';

/** Every venue's WebSocket and REST endpoint variables pointed at a port nothing listens on. */
function deadEndpoints(port: number): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of Object.keys(ENV_SCHEMA)) {
    if (name.endsWith('_WS_URL')) out[name] = `ws://127.0.0.1:${port}/ws`;
    else if (name.endsWith('_REST_URL')) out[name] = `http://127.0.0.1:${port}`;
  }
  return out;
}

let redis: PrivateRedis;
let spool: string;
beforeAll(async () => {
  redis = await startRedis();
  spool = mkdtempSync(path.join(os.tmpdir(), 'liqd-proc-'));
});
afterAll(async () => {
  await redis.stop();
  rmSync(spool, { recursive: true, force: true });
});

async function closedPort(): Promise<number> {
  return freePort(); // nothing listens there once freePort has closed it
}

describe('npm start', () => {
  it('stays up with every exchange unreachable, logs JSON, answers /health and exits 0 on SIGTERM', async () => {
    const dead = await closedPort();
    const healthPort = await freePort();
    const env = {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? os.tmpdir(),
      REDIS_URL: redis.url,
      HEALTH_PORT: String(healthPort),
      SPOOL_DIR: spool,
      // every venue's endpoints at a port nothing listens on (EXCHANGES=all is the default)
      ...deadEndpoints(dead),
      RECONNECT_BASE_MS: '100',
      RECONNECT_MAX_MS: '400',
    };
    const proc = spawn('npm', ['start'], { cwd: path.resolve(path.dirname(DAEMON), '../..'), env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((r) => proc.once('exit', (c) => r(c)));
    try {
      let health: { status: number; body: Record<string, unknown> } | undefined;
      await waitUntil(async () => {
        try {
          const res = await fetch(`http://127.0.0.1:${healthPort}/health`);
          health = { status: res.status, body: (await res.json()) as Record<string, unknown> };
          return true;
        } catch {
          return false;
        }
      }, 20_000, '/health');
      // Let it go through several reconnect rounds.
      await new Promise((r) => setTimeout(r, 1500));
      expect(proc.exitCode).toBeNull();
      const res = await fetch(`http://127.0.0.1:${healthPort}/health`);
      health = { status: res.status, body: (await res.json()) as Record<string, unknown> };
      expect(health.status).toBe(200);
      expect(health.body).toMatchObject({ status: 'ok', redis: { writable: true }, bufferedEvents: 0 });
      const streams = health.body.streams as Array<{ connection: string; state: string }>;
      // one connection per stream feed of every registered venue (a file source without its directory is skipped)
      expect(streams.map((s) => s.connection).sort()).toEqual(FEEDS.map((f) => f.feed.venue).sort());
      expect(streams.length).toBeGreaterThanOrEqual(17);
      expect(streams.every((s) => s.state !== 'open')).toBe(true);
      const metrics = await (await fetch(`http://127.0.0.1:${healthPort}/metrics`)).text();
      expect(metrics).toContain('liq_redis_writable');
      // process and Node.js metrics under their standard names, so the usual dashboards work
      expect(metrics).toMatch(/^process_cpu_user_seconds_total \d/m);
      expect(metrics).toMatch(/^nodejs_heap_size_used_bytes \d/m);
      expect(metrics).not.toContain('liq_process_');
      expect(metrics).toMatch(/^liq_dropped_total\{reason="spool_failed"\} 0$/m);
      // SIGTERM to the daemon itself (as pm2 or systemd would send it); npm then exits with the daemon's code.
      const daemonPid = Number(JSON.parse(out.split('\n').find((l) => l.startsWith('{'))!).pid);
      expect(daemonPid).toBeGreaterThan(0);
      process.kill(daemonPid, 'SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      if (proc.exitCode === null) proc.kill('SIGKILL');
    }
    // npm prints its own "> liqd@… start" header; every line of the daemon's is JSON.
    const lines = out.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('> '));
    expect(lines.length).toBeGreaterThan(3);
    const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(parsed.every((l) => typeof l.level === 'string' && typeof l.msg === 'string' && typeof l.time === 'string')).toBe(true);
    expect(parsed.some((l) => l.msg === 'reconnect scheduled')).toBe(true);
    expect(parsed.some((l) => l.msg === 'instrument metadata failing')).toBe(true);
    expect(parsed.at(-1)?.msg).toBe('stopped');
  });

  it('SIGTERM to the npm process alone (docker stop, systemd KillMode=process) reaches the daemon: it flushes and exits, no orphan', async () => {
    const dead = await closedPort();
    const env = {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? os.tmpdir(),
      REDIS_URL: redis.url,
      HEALTH_PORT: '0',
      SPOOL_DIR: spool,
      EXCHANGES: 'okx',
      OKX_WS_URL: `ws://127.0.0.1:${dead}/ws/v5/public`,
      OKX_REST_URL: `http://127.0.0.1:${dead}`,
    };
    const proc = spawn('npm', ['start'], { cwd: path.resolve(path.dirname(DAEMON), '../..'), env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((r) => proc.once('exit', (c) => r(c)));
    let daemonPid = 0;
    try {
      await waitUntil(() => out.includes('"msg":"ready"'), 20_000, 'ready');
      daemonPid = Number(JSON.parse(out.split('\n').find((l) => l.startsWith('{'))!).pid);
      expect(daemonPid).not.toBe(proc.pid);
      proc.kill('SIGTERM'); // npm only
      expect(await exited).toBe(0);
    } finally {
      if (proc.exitCode === null) proc.kill('SIGKILL');
    }
    expect(out).toContain('"msg":"shutting down: stopping streams, flushing held events"');
    expect(out).toContain('"msg":"stopped"');
    const alive = () => {
      try {
        process.kill(daemonPid, 0);
        return true;
      } catch {
        return false;
      }
    };
    await waitUntil(() => !alive(), 5_000, 'the daemon gone');
  });

  it.each([
    ['FLUSH_INTERVAL_MS', 'abc', /FLUSH_INTERVAL_MS must be an integer from 1 to 60000/],
    ['EXCHANGES', 'binance,nope', /EXCHANGES must be all, or a comma-separated list of binance, bybit, okx/],
    ['REDIS_URL', 'http://x', /REDIS_URL must be a redis:\/\/ or rediss:\/\/ URL/],
    ['OKX_WS_URL', 'not a url', /OKX_WS_URL must be a ws:\/\/ or wss:\/\/ URL/],
    ['LOG_LEVEL', 'loud', /LOG_LEVEL must be one of fatal, error/],
  ])('a bad %s stops start-up with one line naming it', (name, value, message) => {
    const r = spawnSync(process.execPath, [DAEMON], { env: { PATH: process.env.PATH, [name]: value, HEALTH_PORT: '0' }, encoding: 'utf8', timeout: 10_000 });
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(message);
  });
});
