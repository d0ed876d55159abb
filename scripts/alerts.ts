#!/usr/bin/env node
// liqd alerts: the alerts stream (liq:alerts) in the terminal: the latest ones, then each new one as it is recorded
// (XREAD BLOCK), until Ctrl-C. Read only. `liqd alerts`, `npm run alerts --`, or the liqd-alerts bin.
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { type AlertEntry, alertLine, alertOf, readAlerts } from '../src/aggregator/index.js';
import { ALERTS_KEY } from '../src/core/keys.js';
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
              REDIS_SENTINEL_NAME (default mymaster): its master, found through Sentinel

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
    const latest = opts.count > 0 ? await readAlerts(redis, opts.count) : [];
    for (const a of latest.reverse()) process.stdout.write(`${render(a, opts.json)}\n`);
    if (opts.once) return 0;
    if (!opts.json && latest.length === 0) process.stderr.write(`${PROG}: no alerts yet; waiting for new ones (Ctrl-C to stop)\n`);
    // new entries from the last one shown ('$' when none: only what comes from now on)
    let last = latest.length > 0 ? latest[latest.length - 1].streamId : '$';
    for (;;) {
      const got = (await redis.xread('BLOCK', 5000, 'STREAMS', ALERTS_KEY, last)) as Array<[string, Array<[string, string[]]>]> | null;
      for (const [, entries] of got ?? []) {
        for (const [id, flat] of entries) {
          last = id;
          const a = alertOf(id, flat);
          if (a !== undefined) process.stdout.write(`${render(a, opts.json)}\n`);
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

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  void run(process.argv.slice(2)).then((code) => (process.exitCode = code));
}
