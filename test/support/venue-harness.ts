// What every venue's end-to-end test sets up, once: a private Redis for the file (flushed before each test), the
// venue's stand-ins and the real daemon against them, and everything a test started stopped after it. A venue's test
// file keeps only its own frames, clients and expectations.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Redis } from 'ioredis';
import { afterEach } from 'vitest';
import { startStandins, type StandinOptions, type Standins } from '../../src/venues/standin/index.js';
import { startDaemon, waitUntil, type RunningDaemon } from './daemon.js';
import { freePort } from './redis.js';
import { redisForFile } from './redis-file.js';

export interface VenueHarness {
  /** A client of the file's private Redis. */
  readonly client: Redis;
  readonly redisUrl: string;
  /** The stand-ins the running test started (start()); throws before. */
  readonly standins: Standins;
  /** Starts the venue's stand-ins for this test (stopped after it). */
  start(opts?: StandinOptions): Promise<Standins>;
  /** The daemon with EXCHANGES=<venue> against the stand-ins, its own spool directory, the private Redis. */
  launch(extra?: Record<string, string>): Promise<RunningDaemon>;
  /** Liquidations counted in the ALL bucket of the minute starting at `min`. */
  allCount(min: number): Promise<number>;
}

/** Registers the hooks of a venue's test file; call once at its top level. */
export function venueHarness(exchange: string): VenueHarness {
  const redis = redisForFile({ flushEachTest: true });
  let standins: Standins | undefined;
  const daemons: RunningDaemon[] = [];
  const dirs: string[] = [];

  afterEach(async () => {
    for (const d of daemons.splice(0)) await d.stop('SIGKILL');
    await standins?.close();
    standins = undefined;
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  const started = (): Standins => {
    if (standins === undefined) throw new Error('stand-ins not started (harness.start())');
    return standins;
  };
  return {
    get client() {
      return redis.db;
    },
    get redisUrl() {
      return redis.url;
    },
    get standins() {
      return started();
    },
    async start(opts = {}) {
      standins = await startStandins(opts, [exchange]);
      return standins;
    },
    async launch(extra = {}) {
      const spool = mkdtempSync(path.join(os.tmpdir(), `liqd-${exchange}-spool-`));
      dirs.push(spool);
      const env = { ...started().env, REDIS_URL: redis.url, SPOOL_DIR: spool, EXCHANGES: exchange, ...extra };
      const d = startDaemon(env, await freePort());
      daemons.push(d);
      return d;
    },
    async allCount(min) {
      return Number((await redis.db.hget(`liq:agg:ALL:60s:${min}`, 'count')) ?? 0);
    },
  };
}

/** The start of the minute two minutes ago: old enough that a burst stays inside it, recent enough to be kept. */
export const recentMinute = (): number => Math.floor((Date.now() - 120_000) / 60_000) * 60_000;

/** /health answers 200 (a loaded machine may take a moment; the body is shown when it never does). */
export async function healthy(d: RunningDaemon): Promise<void> {
  let last: unknown;
  await waitUntil(async () => {
    const h = await d.health();
    last = h.body;
    return h.status === 200;
  }, 10_000, 'health 200').catch((err: Error) => {
    throw new Error(`${err.message}: ${JSON.stringify(last)}`);
  });
}
