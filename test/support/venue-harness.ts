// What every end-to-end test against stand-ins sets up, once: the venues' stand-ins and the real daemon against them,
// everything a test started stopped after it (daemonsPerTest); for one venue's test file also its private Redis
// (venueHarness), so that the file keeps only its venue's frames, clients and expectations.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Redis } from 'ioredis';
import { afterEach } from 'vitest';
import { startStandins, type StandinOptions, type Standins } from '../../src/venues/standin/index.js';
import { startDaemon, waitUntil, type RunningDaemon } from './daemon.js';
import { freePort } from './redis.js';
import { type FileRedis, redisForFile } from './redis-file.js';

export interface TestDaemons {
  /** The stand-ins the running test started (start()); throws before. */
  readonly standins: Standins;
  /** Starts stand-ins for this test (those of `names`; all when omitted), closed after it. */
  start(opts?: StandinOptions, names?: readonly string[]): Promise<Standins>;
  /** The daemon against the stand-ins and the file's Redis, with its own spool directory; EXCHANGES as given. */
  launch(extra?: Record<string, string>): Promise<RunningDaemon>;
  /** A daemon started by hand, stopped (SIGKILL) after the test like launch()'s. */
  track(d: RunningDaemon): RunningDaemon;
  /** A temporary directory, removed after the test. */
  tmpDir(prefix: string): string;
}

/**
 * Stand-ins and daemons of each test, stopped after it: registers an afterEach where it is called (the file, or a
 * describe). `name` names the spool directories (liqd-<name>-spool-…).
 */
export function daemonsPerTest(redis: FileRedis, exchanges: string, name: string = exchanges): TestDaemons {
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
    if (standins === undefined) throw new Error('stand-ins not started (start())');
    return standins;
  };
  const tmpDir = (prefix: string): string => {
    const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
    dirs.push(dir);
    return dir;
  };
  const track = (d: RunningDaemon): RunningDaemon => {
    daemons.push(d);
    return d;
  };
  return {
    get standins() {
      return started();
    },
    async start(opts = {}, names) {
      standins = await startStandins(opts, names);
      return standins;
    },
    async launch(extra = {}) {
      const spool = tmpDir(`liqd-${name}-spool-`);
      return track(startDaemon({ ...started().env, REDIS_URL: redis.url, SPOOL_DIR: spool, EXCHANGES: exchanges, ...extra }, await freePort()));
    },
    track,
    tmpDir,
  };
}

export interface VenueHarness {
  /** A client of the file's private Redis (flushed before each test). */
  readonly client: Redis;
  readonly redisUrl: string;
  /** The stand-ins the running test started (start()); throws before. */
  readonly standins: Standins;
  /** Starts the venue's stand-ins for this test (closed after it). */
  start(opts?: StandinOptions): Promise<Standins>;
  /** The daemon with EXCHANGES=<venue> against the stand-ins, its own spool directory, the private Redis. */
  launch(extra?: Record<string, string>): Promise<RunningDaemon>;
  /** Liquidations counted in the ALL bucket of the minute starting at `min`. */
  allCount(min: number): Promise<number>;
}

/** One venue's end-to-end test file: its Redis and, per test, its stand-ins and daemons. Call once at the top level. */
export function venueHarness(exchange: string): VenueHarness {
  const redis = redisForFile({ flushEachTest: true });
  const daemons = daemonsPerTest(redis, exchange);
  return {
    get client() {
      return redis.db;
    },
    get redisUrl() {
      return redis.url;
    },
    get standins() {
      return daemons.standins;
    },
    start: (opts = {}) => daemons.start(opts, [exchange]),
    launch: (extra = {}) => daemons.launch(extra),
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
