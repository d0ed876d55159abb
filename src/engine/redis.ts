// The daemon's Redis connection: reconnects forever with a capped, jittered backoff, and fails commands fast
// while disconnected (the engine holds the events instead of ioredis' offline queue, which has no bound).
// With Sentinel, every (re)connection asks the Sentinels for the master and checks that the server it reaches is
// a master (ioredis' role check), so a failover is followed by reconnecting; the failover detector also drops the
// connection as soon as a Sentinel announces +switch-master, for a master that is cut off rather than dead.
import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from '../log.js';
import { backoffDelay } from '../core/backoff.js';
import { type RedisTarget, describeTarget } from '../core/redis-target.js';

export const REDIS_RETRY_BASE_MS = 100;
export const REDIS_RETRY_MAX_MS = 5000;

/** A client for the target (a string is one Redis's URL). */
export function createRedis(to: RedisTarget | string, log: Logger, name = 'liqd'): Redis {
  const target: RedisTarget = typeof to === 'string' ? { mode: 'single', url: to } : to;
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
  if (target.mode === 'cluster') throw new Error('cluster mode is not available yet'); // refused at start-up (main.ts)
  const redis =
    target.mode === 'single'
      ? new Redis(target.url, options)
      : new Redis({ ...options, sentinels: target.sentinels.map((s) => ({ ...s })), name: target.name, sentinelRetryStrategy: retryStrategy, failoverDetector: true });
  let state = 'connecting';
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
  return redis;
}
