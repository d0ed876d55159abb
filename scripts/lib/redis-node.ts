// One redis-server process of a Sentinel or Cluster set-up (scripts/lib/sentinel.ts, cluster.ts): on a loopback
// port, in a directory of the caller's, in its own process group (a Ctrl-C on the terminal reaches the script,
// which stops it), and restartable with the same arguments after a kill, as a supervisor would restart it.
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis, type RedisOptions } from 'ioredis';
import type { HostPort } from '../../src/core/redis-target.js';
import { spawnChild, type ManagedChild } from './children.js';
import { NoRedisError, REDIS_INSTALL, pingRedis } from './redis.js';

export const HOST = '127.0.0.1';

export interface RedisNode {
  readonly name: string;
  readonly port: number;
  readonly address: HostPort;
  readonly url: string;
  readonly running: boolean;
  readonly pid: number | undefined;
  /**
   * Starts it again with the same arguments and `extra` ones (a master restarted this way comes back empty without
   * persistence; `['--replicaof', host, port]` brings it back as a replica at once, instead of waiting for Sentinel).
   */
  start(extra?: readonly string[]): Promise<void>;
  /** Kills it (SIGKILL by default, as a crash would) and waits until it has exited. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** A client on this very server (no Sentinel), disconnected by stop(). */
  client(options?: RedisOptions): Redis;
  /** SIGTERM (SIGKILL after 5 s), and its clients disconnected. */
  stop(): Promise<void>;
}

/**
 * Starts `redis-server [configFile] ...args` on 127.0.0.1:port and waits until it answers PING. `args` must hold
 * the port unless the config file does. Throws NoRedisError when redis-server is missing or does not answer.
 */
export async function startRedisNode(name: string, port: number, args: readonly string[]): Promise<RedisNode> {
  let child: ManagedChild | undefined;
  const clients: Redis[] = [];
  const url = `redis://${HOST}:${port}`;
  const start = async (extra: readonly string[] = []) => {
    if (child?.running) return;
    const spawned = spawnChild(name, 'redis-server', [...args, ...extra], { stdio: 'ignore', detached: true });
    child = spawned.child;
    try {
      await spawned.started;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new NoRedisError(code === 'ENOENT' ? `no redis-server on PATH; ${REDIS_INSTALL}` : `cannot start redis-server: ${(err as Error).message}`);
    }
    const deadline = Date.now() + 10_000;
    while (!(await pingRedis(url, 500))) {
      if (!child.running || Date.now() > deadline) {
        await child.stop('SIGKILL', 1000);
        throw new NoRedisError(`${name} (redis-server on port ${port}) did not answer`);
      }
      await sleep(50);
    }
  };
  await start();
  return {
    name,
    port,
    address: { host: HOST, port },
    url,
    get running() {
      return child?.running ?? false;
    },
    get pid() {
      return child?.running ? child.proc.pid : undefined;
    },
    start,
    async kill(signal: NodeJS.Signals = 'SIGKILL') {
      await child?.stop(signal, 1000);
    },
    client(options: RedisOptions = {}) {
      const c = new Redis({ host: HOST, port, maxRetriesPerRequest: 2, ...options });
      // the node may be killed under its clients: their reconnect errors are expected
      c.on('error', () => undefined);
      clients.push(c);
      return c;
    },
    async stop() {
      for (const c of clients.splice(0)) c.disconnect();
      await child?.stop('SIGTERM', 5000);
    },
  };
}

/** Polls until `pred` holds; throws with `what` (and `detail()`) after timeoutMs. */
export async function until(pred: () => Promise<boolean> | boolean, timeoutMs: number, what: string, detail?: () => Promise<string> | string): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await pred()) return;
    } catch {
      // not yet: a node that does not answer yet
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${detail ? `: ${await detail()}` : ''}`);
    await sleep(50);
  }
}

/** One command to one node over a short-lived connection (no retries: a node that is down throws). */
export async function query(node: RedisNode, cmd: string[]): Promise<unknown> {
  const c = new Redis({ ...node.address, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 1000, enableOfflineQueue: false });
  c.on('error', () => undefined);
  try {
    await c.connect();
    return await c.call(cmd[0], ...cmd.slice(1));
  } finally {
    c.disconnect();
  }
}
