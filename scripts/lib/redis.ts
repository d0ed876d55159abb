// Redis for the scripts: a private redis-server from PATH on a free port with a temporary directory (nothing
// persisted, removed at exit), for the demo and replay --with-daemon unless --redis names a Redis to write into.
import { mkdtempSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Cluster, Redis, type RedisOptions } from 'ioredis';
import { isCluster } from '../../src/core/pipe.js';
import { ConfigError } from '../../src/core/env.js';
import {
  type RedisTarget,
  adoptKeyLayout,
  describeTarget,
  parseRedisSpec,
  redisTargetFromEnv,
  sameTarget,
  targetSpec,
} from '../../src/core/redis-target.js';
import { spawnChild, trackTempDir, type ManagedChild } from './children.js';
import { UsageError } from './cli.js';

export const REDIS_INSTALL = 'install redis-server (apt-get install redis-server / brew install redis)';

export class NoRedisError extends Error {
  override name = 'NoRedisError';
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

/** A script's --redis (a URL, redis-sentinel://… or redis-cluster://…); UsageError when it is none of them. */
export function redisSpec(text: string, option = '--redis'): RedisTarget {
  try {
    return parseRedisSpec(text, option);
  } catch (err) {
    if (err instanceof ConfigError) throw new UsageError(err.message);
    throw err;
  }
}

/**
 * The scripts' ioredis client for a target: one Redis by URL, or the master through Sentinel. Each connection
 * attempt asks every Sentinel once; attempts are retried by retryStrategy (and sentinelRetryStrategy follows it
 * when given), so a script whose Sentinels are all down fails as one whose Redis is down instead of waiting for
 * ever. A Cluster gets an ioredis Cluster client typed as a Redis (the same commands; readers pipeline through
 * src/core/pipe.ts, which a Cluster needs), with auto-pipelining: one write per node per tick.
 */
export function redisClient(target: RedisTarget | string, options: RedisOptions = {}): Redis {
  const t = typeof target === 'string' ? parseRedisSpec(target) : target;
  adoptKeyLayout(t);
  if (t.mode === 'cluster') {
    const { retryStrategy, lazyConnect, enableOfflineQueue, maxRetriesPerRequest: _m, ...redisOptions } = options;
    const cluster = new Cluster(
      t.nodes.map((n) => ({ ...n })),
      {
        lazyConnect,
        enableOfflineQueue,
        scaleReads: 'master',
        redisOptions,
        clusterRetryStrategy: retryStrategy === undefined ? undefined : (times: number) => retryStrategy(times) ?? null,
        enableAutoPipelining: true,
        retryDelayOnFailover: 200,
        retryDelayOnClusterDown: 200,
        slotsRefreshTimeout: 2000,
      },
    );
    return cluster as unknown as Redis;
  }
  if (t.mode === 'single') return new Redis(t.url, options);
  return new Redis({ sentinelRetryStrategy: options.retryStrategy ?? (() => null), ...options, sentinels: t.sentinels.map((a) => ({ ...a })), name: t.name });
}

/** Every key matching `pattern`: SCAN of the Redis, or of every master of a Cluster (each holds its slots' keys). */
export async function scanKeys(r: Redis, pattern: string): Promise<string[]> {
  const out: string[] = [];
  for (const node of isCluster(r) ? (r as unknown as Cluster).nodes('master') : [r]) {
    let cursor = '0';
    do {
      const [next, batch] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      cursor = next;
      out.push(...batch);
    } while (cursor !== '0');
  }
  return out;
}

/**
 * A read-only command's connection (liqd query, liqd alerts): connected, failing fast rather than retrying; or the
 * one line that says why not (a Redis that cannot be reached).
 */
export async function connectToRead(target: RedisTarget): Promise<Redis | string> {
  let redis: Redis;
  try {
    redis = redisClient(target, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 3000, retryStrategy: () => null });
  } catch (err) {
    return (err as Error).message;
  }
  redis.on('error', () => {});
  try {
    await redis.connect();
  } catch (err) {
    return `cannot reach Redis at ${describeTarget(target)}: ${(err as Error).message}`;
  }
  return redis;
}

/** Whether the Redis at target (a URL, or the master through Sentinel) answers PING within timeoutMs. */
export async function pingRedis(target: RedisTarget | string, timeoutMs = 1000): Promise<boolean> {
  let client: Redis | undefined;
  try {
    client = redisClient(target, {
      lazyConnect: true,
      connectTimeout: timeoutMs,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
      enableOfflineQueue: false,
    });
    client.on('error', () => {});
    const c = client;
    const answer = await Promise.race([
      c.connect().then(() => c.ping()),
      sleep(timeoutMs, 'timeout' as const, { ref: false }),
    ]);
    return answer === 'PONG';
  } catch {
    return false;
  } finally {
    client?.disconnect();
  }
}

export interface PrivateRedis {
  readonly url: string;
  readonly port: number;
  readonly dir: string;
  readonly child: ManagedChild;
  stop(): Promise<void>;
}

/**
 * A redis-server from PATH on a free loopback port, in its own process group (a Ctrl-C on the terminal does not
 * kill it before the daemon has flushed: the script stops it last). Throws NoRedisError when there is none.
 */
export async function startPrivateRedis(extraArgs: string[] = []): Promise<PrivateRedis> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'liqd-redis-'));
  trackTempDir(dir);
  const port = await freePort();
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--daemonize', 'no', ...extraArgs];
  const { child, started } = spawnChild('redis-server', 'redis-server', args, { stdio: 'ignore', detached: true });
  try {
    await started;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new NoRedisError(code === 'ENOENT' ? 'no redis-server on PATH' : `cannot start redis-server: ${(err as Error).message}`);
  }
  const url = `redis://127.0.0.1:${port}`;
  const deadline = Date.now() + 10_000;
  while (!(await pingRedis(url, 500))) {
    if (!child.running || Date.now() > deadline) {
      await child.stop('SIGKILL', 1000);
      throw new NoRedisError(`redis-server did not answer on port ${port}`);
    }
    await sleep(50);
  }
  return { url, port, dir, child, stop: async () => void (await child.stop('SIGTERM', 5000)) };
}

export interface RedisChoice {
  target: RedisTarget;
  /** Set when a private redis-server was started. */
  private?: PrivateRedis;
  /** One line saying which Redis is used. */
  note: string;
}

/** A Redis the caller was not given: REDIS_URL set without --redis naming it. One line, exit 2. */
export class RedisNotGivenError extends Error {
  override name = 'RedisNotGivenError';
}

/** The Redis the environment names (REDIS_URL, REDIS_SENTINELS or REDIS_CLUSTER_NODES set), with the variable's name. */
function namedByEnv(env: NodeJS.ProcessEnv): { target: RedisTarget; variable: string } | undefined {
  const variable = ['REDIS_URL', 'REDIS_SENTINELS', 'REDIS_CLUSTER_NODES'].find((v) => (env[v] ?? '').trim() !== '');
  if (variable === undefined) return undefined;
  try {
    return { target: redisTargetFromEnv(env), variable };
  } catch (err) {
    if (err instanceof ConfigError) throw new RedisNotGivenError(err.message);
    throw err;
  }
}

/**
 * The Redis a script that WRITES made-up or replayed liquidations may use: the one named by `--redis` (after it
 * answers; a URL, or redis-sentinel://… for a master found through Sentinel), else a private redis-server it
 * starts (NoRedisError without one). Never one named by the environment alone, never the default 127.0.0.1:6379:
 * events written there would be counted with a user's real ones. A REDIS_URL (or REDIS_SENTINELS, …) in the
 * environment that `--redis` does not name is refused (RedisNotGivenError), so nobody is surprised by where the
 * events went.
 */
export async function redisToWrite(given: RedisTarget | undefined, what: string, env: NodeJS.ProcessEnv = process.env): Promise<RedisChoice> {
  const fromEnv = namedByEnv(env);
  if (fromEnv && (given === undefined || !sameTarget(fromEnv.target, given))) {
    const named = describeTarget(fromEnv.target);
    throw new RedisNotGivenError(
      `${fromEnv.variable} is set (${named}) but this writes ${what} and uses only a Redis named by --redis: ` +
        `unset ${fromEnv.variable} for a private redis-server, or pass --redis ${named} to write into it`,
    );
  }
  if (given !== undefined) {
    if (!(await pingRedis(given, 2000))) throw new NoRedisError(`no Redis answers at ${describeTarget(given)} (--redis)`);
    return { target: given, note: `writing into the Redis at ${describeTarget(given)} (--redis)` };
  }
  let priv: PrivateRedis;
  try {
    priv = await startPrivateRedis();
  } catch (err) {
    if (err instanceof NoRedisError) throw new NoRedisError(`${err.message}; ${REDIS_INSTALL}, or pass --redis <url>`);
    throw err;
  }
  return { target: { mode: 'single', url: priv.url }, private: priv, note: `started a private redis-server on port ${priv.port} (temporary, removed at exit)` };
}
