#!/usr/bin/env node
// liqd alerts: the alerts stream (liq:alerts) in the terminal: the latest ones, then each new one as it is recorded
// (XREAD BLOCK; in a Cluster, whose alerts are kept per UTC day, the recent days' streams polled), until Ctrl-C.
// Read only. `liqd alerts`, `npm run alerts --`, or the liqd-alerts bin.
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import { type AlertEntry, type StreamEntry, alertLine, alertOf, compareIds, readLatest } from '../src/aggregator/index.js';
import { ALERTS_KEY, DAY_MS, alertsKey, keyLayout } from '../src/core/keys.js';
import { type RedisTarget, redisTargetFromEnv } from '../src/core/redis-target.js';
import { connectToRead } from './lib/redis.js';

const PROG = 'liqd-alerts';
export const HELP = `liqd-alerts: the alerts recorded by the daemons (the liq:alerts stream), then new ones as they come

Usage:
  liqd alerts [--count N] [--json] [--once]
  npm run alerts -- [options]

  --count N   how many of the latest alerts to print first (default 20; 0: only new ones)
  --json      one JSON object per line (the alert's fields as stored, with stream_id), for other tools
  --once      print the latest and exit, without waiting for new ones
  -h, --help  this help

  REDIS_URL   the daemon's Redis (default redis://127.0.0.1:6379); or REDIS_SENTINELS (host:port,…) and
              REDIS_SENTINEL_NAME (default mymaster): its master, found through Sentinel; or REDIS_CLUSTER_NODES
              (host:port,…): a Redis Cluster, whose alerts are kept in one stream per UTC day

Alerts come from ALERT_MIN_USD (one liquidation at or above it) and ALERT_MINUTE_USD (a symbol's or the market's
minute reaching it), set on the daemon; each is recorded once however many daemons run. Exit 0, 2 when Redis cannot
be reached or an option is wrong.
`;

interface Options {
  count: number;
  json: boolean;
  once: boolean;
  redis: RedisTarget;
}

function parse(argv: string[], env: NodeJS.ProcessEnv): Options | 'help' {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: { count: { type: 'string' }, json: { type: 'boolean' }, once: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) return 'help';
  const count = values.count === undefined ? 20 : Number(values.count);
  if (!Number.isSafeInteger(count) || count < 0 || count > 100_000) throw new Error(`--count must be an integer from 0 to 100000 (got ${JSON.stringify(values.count)})`);
  const redis = redisTargetFromEnv(env);
  return { count, json: values.json === true, once: values.once === true, redis };
}

function render(a: AlertEntry, json: boolean): string {
  if (json) return JSON.stringify({ stream_id: a.streamId, ...a.fields });
  return `${new Date(a.at).toISOString().slice(0, 19)}Z  ${a.kind === 'liquidation' ? 'LIQUIDATION' : 'MINUTE     '}  ${alertLine(a)}`;
}

/** Runs the command; resolves with the exit code. */
export async function run(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let opts;
  try {
    opts = parse(argv, env);
  } catch (err) {
    process.stderr.write(`${PROG}: ${(err as Error).message} (see --help)\n`);
    return 2;
  }
  if (opts === 'help') {
    process.stdout.write(HELP);
    return 0;
  }
  const redis = await connectToRead(opts.redis);
  if (typeof redis === 'string') {
    process.stderr.write(`${PROG}: ${redis}\n`);
    return 2;
  }
  // `| head` closing the pipe early is an ordinary end
  process.stdout.on('error', (err: NodeJS.ErrnoException) => process.exit(err.code === 'EPIPE' ? 0 : 1));
  let stopped = false;
  const stop = () => {
    stopped = true;
    redis.disconnect();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    const write = (e: StreamEntry): boolean => {
      const a = alertOf(e.id, e.fields);
      if (a !== undefined) process.stdout.write(`${render(a, opts.json)}\n`);
      return a !== undefined;
    };
    // a Cluster's polled day streams, where they stood before the latest were read: what comes after is new
    const tops = keyLayout() === 'cluster' && !opts.once ? await streamTops(redis, tailDays(Date.now())) : undefined;
    const latest = opts.count > 0 ? await readLatest(redis, 'alerts', opts.count) : [];
    const shown = [...latest].reverse().filter(write).length;
    if (opts.once) return 0;
    if (!opts.json && shown === 0) process.stderr.write(`${PROG}: no alerts yet; waiting for new ones (Ctrl-C to stop)\n`);
    if (tops !== undefined) {
      for (const e of latest) if (tops.has(e.key) && compareIds(e.id, tops.get(e.key)!) > 0) tops.set(e.key, e.id);
      await tailDayStreams(redis, tops, write, () => stopped);
      return 0;
    }
    // new entries from the last one shown ('$' when none: only what comes from now on)
    let last = latest.length > 0 ? latest[0].id : '$';
    for (;;) {
      const got = (await redis.xread('BLOCK', 5000, 'STREAMS', ALERTS_KEY, last)) as Array<[string, Array<[string, string[]]>]> | null;
      for (const [, entries] of got ?? []) {
        for (const [id, fields] of entries) {
          last = id;
          write({ key: ALERTS_KEY, id, fields });
        }
      }
    }
  } catch (err) {
    if (stopped) return 0;
    process.stderr.write(`${PROG}: ${(err as Error).message}\n`);
    return 2;
  } finally {
    redis.disconnect();
  }
}

/** How often the day streams of a Cluster are polled for new alerts. */
const POLL_MS = 500;

/**
 * The day streams a Cluster's new alerts can be written to: yesterday's (a late event of before midnight), today's
 * and tomorrow's (a clock a little ahead at midnight).
 */
function tailDays(now: number): string[] {
  return [now - DAY_MS, now, now + DAY_MS].map(alertsKey);
}

/** The last id of each stream now ('0-0' for one that does not exist yet: all it will hold is new). */
async function streamTops(redis: Redis, keys: readonly string[]): Promise<Map<string, string>> {
  const tops = await Promise.all(keys.map(async (k) => ((await redis.xrevrange(k, '+', '-', 'COUNT', 1)) as [string, string[]][])[0]?.[0] ?? '0-0'));
  return new Map(keys.map((k, i) => [k, tops[i]]));
}

/**
 * New alerts of a Cluster, until stopped. A blocking XREAD names keys of one slot only and every day's stream has its
 * own, so the streams of tailDays are polled, each after the last id seen in it; the set moves on at UTC midnight, a
 * day that joins it read from its start. Entries of one poll print in stream id order. XRANGE rather than XREAD:
 * the Cluster client's auto-pipelining groups a command by the slot of its first argument, which for XREAD is
 * COUNT, not the key (the polls of several nodes would then share one pipeline, which ioredis refuses).
 */
async function tailDayStreams(redis: Redis, last: Map<string, string>, write: (e: StreamEntry) => unknown, stopped: () => boolean): Promise<void> {
  while (!stopped()) {
    const keys = tailDays(Date.now());
    for (const k of [...last.keys()]) if (!keys.includes(k)) last.delete(k);
    for (const k of keys) if (!last.has(k)) last.set(k, '0-0');
    const got = await Promise.all(
      keys.map(async (key) => {
        const r = (await redis.xrange(key, `(${last.get(key)!}`, '+', 'COUNT', 1000)) as Array<[string, string[]]>;
        return r.map(([id, fields]) => ({ key, id, fields }));
      }),
    );
    const entries = got.flat().sort((a, b) => compareIds(a.id, b.id));
    for (const e of entries) {
      last.set(e.key, e.id);
      write(e);
    }
    // a full page: more may be waiting
    if (got.every((g) => g.length < 1000)) await sleep(POLL_MS);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  void run(process.argv.slice(2)).then((code) => (process.exitCode = code));
}
