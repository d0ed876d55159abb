// The log half of the validator: reads liq:events (checks 6, and the per-minute aggregates that checks 5 and 8
// compare the buckets with). It runs in a worker thread (log-worker.ts) with its own Redis connection, so that
// parsing a day of log entries and reading the window's buckets use both cores instead of one after the other.
import { Worker } from 'node:worker_threads';
import { EVENTS_KEY, bucketKey, daysBack, eventsKey, keyLayout, seenKey } from '../core/keys.js';
import type { RedisTarget } from '../core/redis-target.js';
import type { EntryContext, SeenLookups } from './entries.js';
import { LogMinute, type LogMinuteData } from './log-minute.js';
import { Exchanges } from './fields.js';
import { IdSet } from './idset.js';
import { FUTURE_MS, type LogState, combineStates, logState, readLog, stateOf } from './log.js';
import { CHECKS, Check, type Failure } from './report.js';
import { readPage } from './page.js';
import { Interner, type Reply, ok } from './resp-codec.js';
import type { RespConnection } from './resp.js';

export interface LogParams {
  readonly redis: RedisTarget;
  readonly connectTimeoutMs: number;
  readonly now: number;
  /** First and last minute start of the window. */
  readonly from: number;
  readonly to: number;
  readonly symbol: string | undefined;
  readonly logRetentionHours: number;
}

export interface LogResult {
  readonly state: LogState;
  readonly logEntries: number;
  /** Check 6's tally. */
  readonly entries: { readonly passed: number; readonly failed: number; readonly examples: Failure[] };
  /** Exchanges in the order the log met them (the index of each in the aggregates). */
  readonly exchanges: string[];
  /** The window's minutes that have log entries, with their aggregates. */
  readonly minutes: Array<[number, LogMinuteData]>;
}

/** Messages from the worker: progress after each page, then exactly one of result or error. */
export type WorkerMessage =
  | { readonly type: 'progress'; readonly done: number; readonly total: number }
  | { readonly type: 'result'; readonly result: LogResult }
  | { readonly type: 'error'; readonly message: string; readonly connecting: boolean };

/** Reads and checks the log; `progress` after every page. */
export async function checkLog(client: RespConnection, p: LogParams, progress: (done: number, total: number) => void): Promise<LogResult> {
  const check = new Check(CHECKS[5].id, CHECKS[5].name, CHECKS[5].unit);
  const exchanges = new Exchanges();
  const { streams, state } = await logStreams(client, p);
  const minutes = new Map<number, LogMinute>();
  const ctx: EntryContext = {
    exchanges,
    validExchanges: new Set(),
    check,
    ids: new IdSet(state.length),
    from: p.from,
    to: p.to,
    symbol: p.symbol,
    minutes,
  };
  const intern = new Interner();
  let logEntries = 0;
  const lookups: Array<Promise<void>> = [];
  const onPage = (raw: Buffer) => {
    const seen: SeenLookups = new Map();
    const page = readPage(ctx, raw, seen, intern);
    logEntries += page.entries;
    progress(logEntries, state.length);
    // every entry's id must be in liq:seen of its minute: looked up while the next pages are read
    if (seen.size > 0) lookups.push(lookupSeen(client, seen, check));
    return page;
  };
  for (const s of streams) {
    ctx.logKey = s.key;
    await readLog(client, s.state, p.from - FUTURE_MS, onPage, s.key);
  }
  await Promise.all(lookups);
  for (const lm of minutes.values()) lm.finish();
  return {
    state,
    logEntries,
    entries: { passed: check.passed, failed: check.failed, examples: check.examples },
    exchanges: exchanges.names,
    minutes: [...minutes].map(([m, lm]) => [m, lm.toData()]),
  };
}

/**
 * The log's streams to read, oldest first, and their state as one log. One Redis: liq:events. A Cluster: the
 * streams of the window's UTC days, and of every day whose stream may still exist (a day's stream expires at the
 * day's end plus EVENT_LOG_RETENTION_HOURS): an entry inserted since the window began is in one of them, as it
 * would be in liq:events, whatever its day (an entry's ts is at most FUTURE_MS ahead of its insertion, and a late
 * event's day may be any of them).
 */
async function logStreams(client: RespConnection, p: LogParams): Promise<{ streams: Array<{ key: string; state: LogState }>; state: LogState }> {
  if (keyLayout() === 'single') {
    const state = await logState(client, p.now, p.logRetentionHours);
    return { streams: [{ key: EVENTS_KEY, state }], state };
  }
  const days = daysBack(p.now + FUTURE_MS, Math.min(p.from - FUTURE_MS, p.now - p.logRetentionHours * 3_600_000)).reverse();
  const replies = await client.pipeline(days.map((d) => ['XINFO', 'STREAM', eventsKey(d)]));
  const states = days.map((d, i) => [d, stateOf(replies[i], p.now, p.logRetentionHours, eventsKey(d))] as const);
  return {
    streams: states.filter(([, s]) => s.exists).map(([d, state]) => ({ key: eventsKey(d), state })),
    state: combineStates(states, p.now, p.logRetentionHours),
  };
}

/** HMGET of each minute's identities in liq:seen:60s:{minute}: each entry passes check 6 or fails as absent. */
async function lookupSeen(client: RespConnection, seen: SeenLookups, c6: Check): Promise<void> {
  const minutes = [...seen.keys()];
  const replies = await client.pipeline(minutes.map((m) => ['HMGET', seenKey(m), ...seen.get(m)!.ids]));
  minutes.forEach((m, i) => {
    const l = seen.get(m)!;
    (ok(replies[i]) as Reply[]).forEach((v, k) => {
      if (v === null) c6.fail(bucketKey(l.symbols[k], m), `entry id ${l.ids[k]}`, `in ${seenKey(m)}`, 'absent');
      else c6.pass();
    });
  });
}

/** The worker's failure to connect to Redis (reported like the main connection's). */
export class LogConnectError extends Error {
  override name = 'LogConnectError';
}

export interface LogWorker {
  /** The log's result; rejects with the worker's error (LogConnectError when it could not reach Redis). */
  readonly result: Promise<LogResult>;
  /** Stops the worker if it still runs, and waits until it has. */
  stop(): Promise<void>;
}

/** Starts checkLog in a worker thread. */
export function startLogWorker(p: LogParams, progress: (done: number, total: number) => void): LogWorker {
  // The pages of entries in flight are a few hundred thousand short-lived strings and arrays: with 64 MB semi-spaces
  // (a third of the young generation) they die there instead of being copied and promoted (measured: GC was a
  // fifth of the worker's time with the default 16 MB).
  const worker = new Worker(new URL('./log-worker.js', import.meta.url), { workerData: p, resourceLimits: { maxYoungGenerationSizeMb: 192 } });
  let settled = false;
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  const result = new Promise<LogResult>((resolve, reject) => {
    const settle = (f: () => void) => {
      if (settled) return;
      settled = true;
      f();
    };
    worker.on('message', (m: WorkerMessage) => {
      if (m.type === 'progress') progress(m.done, m.total);
      else if (m.type === 'result') settle(() => resolve(m.result));
      else settle(() => reject(m.connecting ? new LogConnectError(m.message) : new Error(`reading liq:events: ${m.message}`)));
    });
    worker.once('error', (err) => settle(() => reject(new Error(`log worker failed: ${err.message}`))));
    worker.once('messageerror', (err) => settle(() => reject(new Error(`log worker sent an unreadable message: ${err.message}`))));
    worker.once('exit', (code) => settle(() => reject(new Error(`log worker stopped (exit code ${code}) without a result`))));
  });
  result.catch(() => {}); // awaited by the caller; a failure while it is busy elsewhere must not go unhandled
  return {
    result,
    async stop() {
      settled = true;
      await worker.terminate();
      await exited;
    },
  };
}
