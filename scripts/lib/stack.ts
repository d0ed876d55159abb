// The replay stack shared by `replay --with-daemon` and the demo: stand-ins serving a capture, the real daemon
// pointed at them and at a Redis, and the wait until the daemon has subscribed to everything the capture carries.
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EXCHANGE_NAMES } from '../../src/config.js';
import { ALL, bucketKey, exchangesInFields } from '../../src/core/keys.js';
import { type RedisTarget, targetEnv } from '../../src/core/redis-target.js';
import { pipe } from '../../src/core/pipe.js';
import type { Standins } from '../../src/venues/standin/index.js';
import type { Capture } from './capture.js';
import { onCleanup, trackTempDir } from './children.js';
import { startDaemonChild, type DaemonChild } from './daemon.js';
import { redisClient } from './redis.js';
import { describeMissing, neededRoutes, startCaptureStandins, waitForSubscribers } from './serve.js';

export function makeTempDir(prefix: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  trackTempDir(dir);
  return dir;
}

/** The exchanges a capture covers: its metadata's list, else the venues of its frames. */
export function exchangesOf(capture: Capture): string[] {
  const fromMeta = (capture.meta.exchanges ?? []).filter((e) => (EXCHANGE_NAMES as readonly string[]).includes(e));
  if (fromMeta.length > 0) return fromMeta;
  const seen = new Set(capture.frames.map((f) => f.venue.split('-')[0]));
  return EXCHANGE_NAMES.filter((e) => seen.has(e));
}

export interface Stack {
  standins: Standins;
  daemon: DaemonChild;
  dir: string;
}

export class StackError extends Error {
  override name = 'StackError';
}

/**
 * Starts the stand-ins (closed at cleanup) and the daemon (stopped at cleanup), and waits until the daemon has
 * subscribed to what the capture needs. Throws StackError (with the daemon's last log lines) when it does not.
 */
export async function startStack(
  capture: Capture,
  opts: { redis: RedisTarget; instance: string; dir: string; subscribeTimeoutMs?: number; signal?: AbortSignal },
): Promise<Stack> {
  const standins = await startCaptureStandins(capture);
  onCleanup(() => standins.close());
  const daemon = await startDaemonChild({
    dir: opts.dir,
    instance: opts.instance,
    env: { ...standins.env, ...targetEnv(opts.redis), EXCHANGES: exchangesOf(capture).join(',') || EXCHANGE_NAMES.join(',') },
  });
  const needed = neededRoutes(capture);
  let exited = false;
  void daemon.child.exited.then(() => (exited = true));
  const controller = new AbortController();
  const stopWaiting = () => controller.abort();
  opts.signal?.addEventListener('abort', stopWaiting);
  void daemon.child.exited.then(stopWaiting);
  let lastMissing = '';
  const ok = await waitForSubscribers(standins, needed, {
    timeoutMs: opts.subscribeTimeoutMs ?? 60_000,
    slowMs: 1000,
    onSlow: (m) => (lastMissing = describeMissing(m)),
    signal: controller.signal,
  });
  opts.signal?.removeEventListener('abort', stopWaiting);
  if (!ok) {
    if (opts.signal?.aborted) throw new StackError('interrupted');
    const why = exited ? 'the daemon exited' : `the daemon did not subscribe to everything (${lastMissing || 'no connection'})`;
    throw new StackError(`${why}; its last log lines (${daemon.logFile}):\n${daemon.logTail()}`);
  }
  return { standins, daemon, dir: opts.dir };
}

export interface RedisTotals {
  minutes: number;
  events: number;
  valueCents: bigint;
  byExchange: Map<string, { events: number; valueCents: bigint }>;
}

/** Sums the ALL buckets of the given minutes, per exchange (fields {exchange}_count and {exchange}_value_cents). */
export async function readAllBuckets(redis: RedisTarget, minutes: readonly number[]): Promise<RedisTotals> {
  const client = redisClient(redis, { lazyConnect: true, maxRetriesPerRequest: 2 });
  client.on('error', () => {});
  try {
    await client.connect();
    const p = pipe(client);
    for (const m of minutes) p.hgetall(bucketKey(ALL, m));
    const results = (await p.exec()) ?? [];
    const totals: RedisTotals = { minutes: 0, events: 0, valueCents: 0n, byExchange: new Map() };
    for (const [err, value] of results) {
      if (err) throw err;
      const h = value as Record<string, string>;
      if (Object.keys(h).length === 0) continue;
      totals.minutes++;
      totals.events += Number(h.count ?? 0);
      totals.valueCents += BigInt(h.value_cents ?? '0');
      for (const ex of exchangesInFields(Object.keys(h))) {
        const t = totals.byExchange.get(ex) ?? { events: 0, valueCents: 0n };
        t.events += Number(h[`${ex}_count`] ?? 0);
        t.valueCents += BigInt(h[`${ex}_value_cents`] ?? '0');
        totals.byExchange.set(ex, t);
      }
    }
    return totals;
  } finally {
    client.disconnect();
  }
}
