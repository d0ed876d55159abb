// The daemon's Redis connection: reconnects forever with a capped, jittered backoff, and fails commands fast
// while disconnected (the engine holds the events instead of ioredis' offline queue, which has no bound).
// With Sentinel, every (re)connection asks the Sentinels for the master and checks that the server it reaches is
// a master (ioredis' role check), so a failover is followed by reconnecting; the failover detector also drops the
// connection as soon as a Sentinel announces +switch-master, for a master that is cut off rather than dead.
import { Cluster, Redis, type RedisOptions } from 'ioredis';
import type { Logger } from '../log.js';
import { backoffDelay } from '../core/backoff.js';
import { type RedisTarget, adoptKeyLayout, describeTarget } from '../core/redis-target.js';

export const REDIS_RETRY_BASE_MS = 100;
export const REDIS_RETRY_MAX_MS = 5000;

/** A client for the target (a string is one Redis's URL). */
export function createRedis(to: RedisTarget | string, log: Logger, name = 'liqd'): Redis {
  const target: RedisTarget = typeof to === 'string' ? { mode: 'single', url: to } : to;
  adoptKeyLayout(target);
  const retryStrategy = (times: number) => backoffDelay(times - 1, REDIS_RETRY_BASE_MS, REDIS_RETRY_MAX_MS);
  const options: RedisOptions = {
    connectionName: name,
    lazyConnect: true,
    enableOfflineQueue: false,
    autoResendUnfulfilledCommands: false,
    maxRetriesPerRequest: 0,
    commandTimeout: 15_000,
    connectTimeout: 5_000,
    enableReadyCheck: true,
    retryStrategy,
  };
  const redis =
    target.mode === 'cluster'
      ? clusterClient(target.nodes, options, retryStrategy)
      : target.mode === 'single'
        ? new Redis(target.url, options)
        : new Redis({ ...options, sentinels: target.sentinels.map((s) => ({ ...s })), name: target.name, sentinelRetryStrategy: retryStrategy, failoverDetector: true });
  let state = 'connecting';
  if (target.mode === 'cluster') {
    // A node that fails is reported here as it happens; the cluster client itself stays up across a failover.
    (redis as unknown as Cluster).on('node error', (err: Error, node: string) => log.warn({ err: err.message, node }, 'redis cluster node error'));
  }
  const set = (next: string, extra: Record<string, unknown> = {}) => {
    if (next === state) return;
    state = next;
    const level = next === 'ready' ? 'info' : 'warn';
    log[level]({ redis: next, target: describeTarget(target), ...extra }, `redis ${next}`);
  };
  // With Sentinel, which server is the master now (it changes at a failover).
  const address = () => {
    const sock = (redis as unknown as { stream?: { remoteAddress?: string; remotePort?: number } }).stream;
    return target.mode === 'sentinel' && sock?.remoteAddress ? { master: `${sock.remoteAddress}:${sock.remotePort}` } : {};
  };
  redis.on('ready', () => set('ready', address()));
  redis.on('close', () => set('disconnected'));
  redis.on('reconnecting', (delayMs: number) => set('reconnecting', { delayMs }));
  // ioredis emits 'error' on every failed attempt; the state line above is the log, this only keeps it from throwing.
  redis.on('error', (err: Error) => {
    if (state === 'ready') log.warn({ err }, 'redis error');
  });
  keepConnecting(redis, (delayMs) => set('ended', { delayMs }), retryStrategy);
  return redis;
}

/**
 * Connects again whenever the client ends without being asked to (quit() or disconnect()). ioredis ends a client for
 * good when its connector fails a connect instead of retrying it. With Sentinel this happens when the failover
 * detector of the previous connection hears +switch-master while the client is reconnecting: the connector is told
 * to disconnect mid-connect, the connect fails with "Connection is closed.", and the client stays in "end". That was
 * seen in a CI run of test/faults/sentinel.test.ts: the daemon stayed blind after the failover ("Redis not connected
 * (end)"). The daemon must never stay blind, so an end it did not ask for is followed by a new connect, with backoff.
 */
export function keepConnecting(redis: Redis, onEnd: (delayMs: number) => void, delay: (times: number) => number): void {
  let closing = false;
  const quit = redis.quit.bind(redis);
  redis.quit = ((...args: Parameters<Redis['quit']>) => {
    closing = true;
    return quit(...args);
  }) as Redis['quit'];
  const disconnect = redis.disconnect.bind(redis);
  redis.disconnect = ((reconnect?: boolean) => {
    if (!reconnect) closing = true;
    return disconnect(reconnect);
  }) as Redis['disconnect'];
  let ends = 0;
  redis.on('ready', () => {
    ends = 0;
  });
  redis.on('end', () => {
    if (closing) return;
    const delayMs = delay(++ends);
    onEnd(delayMs);
    setTimeout(() => {
      if (!closing && redis.status === 'end') redis.connect().catch(() => undefined);
    }, delayMs).unref();
  });
}

/**
 * A Redis Cluster client shaped as the daemon's single client (the same commands; the write path routes every call
 * by its keys, see writer.ts). Commands fail fast while a slot has no master (no offline queue): the engine holds
 * the events and sends them again, to the promoted replica once the cluster has moved the slot.
 */
export function clusterClient(nodes: readonly { host: string; port: number }[], options: RedisOptions, retryStrategy: (times: number) => number): Redis {
  const { retryStrategy: _r, lazyConnect, enableOfflineQueue, ...redisOptions } = options;
  const cluster = new Cluster(
    nodes.map((n) => ({ ...n })),
    {
      lazyConnect,
      enableOfflineQueue,
      enableReadyCheck: true,
      scaleReads: 'master',
      redisOptions,
      clusterRetryStrategy: retryStrategy,
      retryDelayOnFailover: 200,
      retryDelayOnClusterDown: 200,
      retryDelayOnTryAgain: 200,
      maxRedirections: 16,
      slotsRefreshTimeout: 2000,
      slotsRefreshInterval: 2000,
      enableAutoPipelining: true,
    },
  );
  return cluster as unknown as Redis;
}
