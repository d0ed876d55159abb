// The daemon's Redis connection: reconnects forever with a capped, jittered backoff, and fails commands fast
// while disconnected (the engine holds the events instead of ioredis' offline queue, which has no bound).
import { Redis } from 'ioredis';
import type { Logger } from '../log.js';
import { backoffDelay } from '../core/backoff.js';

export const REDIS_RETRY_BASE_MS = 100;
export const REDIS_RETRY_MAX_MS = 5000;

export function createRedis(url: string, log: Logger, name = 'liqd'): Redis {
  const redis = new Redis(url, {
    connectionName: name,
    lazyConnect: true,
    enableOfflineQueue: false,
    autoResendUnfulfilledCommands: false,
    maxRetriesPerRequest: 0,
    commandTimeout: 15_000,
    connectTimeout: 5_000,
    enableReadyCheck: true,
    retryStrategy: (times) => backoffDelay(times - 1, REDIS_RETRY_BASE_MS, REDIS_RETRY_MAX_MS),
  });
  let state = 'connecting';
  const set = (next: string, extra: Record<string, unknown> = {}) => {
    if (next === state) return;
    state = next;
    const level = next === 'ready' ? 'info' : 'warn';
    log[level]({ redis: next, ...extra }, `redis ${next}`);
  };
  redis.on('ready', () => set('ready'));
  redis.on('close', () => set('disconnected'));
  redis.on('reconnecting', (delayMs: number) => set('reconnecting', { delayMs }));
  // ioredis emits 'error' on every failed attempt; the state line above is the log, this only keeps it from throwing.
  redis.on('error', (err: Error) => {
    if (state === 'ready') log.warn({ err }, 'redis error');
  });
  return redis;
}
