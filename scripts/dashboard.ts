#!/usr/bin/env node
// liqd-dashboard: the four terminal dashboards (simple, compact, pro, cumulative) or one plain frame (--once).
import { pino } from 'pino';
import { loadSnapshot } from '../src/aggregator/index.js';
import { DASHBOARDS, renderPlain, runInteractive } from '../src/dashboards/index.js';
import { HELP, UsageError, parseCli } from '../src/dashboards/options.js';
import { type Logger, fileLogger } from '../src/log.js';
import { describeTarget } from '../src/core/redis-target.js';
import { redisClient } from './lib/redis.js';
import { configureVenueFacts } from './lib/venue-facts.js';

const CONNECT_TIMEOUT_MS = 3000;

function fail(line: string): never {
  process.stderr.write(`liqd-dashboard: ${line}\n`);
  process.exit(2);
}

/**
 * Waits (briefly) until the log file is open, then flushes it: fileLogger's asynchronous destination throws from
 * its exit hook when the process exits before the file is open.
 */
async function flushLog(log: Logger): Promise<void> {
  const stream = (log as unknown as Record<symbol, unknown>)[pino.symbols.streamSym] as
    | { _opening?: boolean; once?: (ev: string, fn: () => void) => void; flush?: (cb: () => void) => void }
    | undefined;
  await new Promise<void>((resolve) => {
    const t = setTimeout(resolve, 1000);
    const done = () => {
      clearTimeout(t);
      resolve();
    };
    const flush = () => {
      try {
        stream?.flush ? stream.flush(done) : done();
      } catch {
        done();
      }
    };
    if (stream?._opening && stream.once) {
      stream.once('ready', flush);
      stream.once('error', done);
    } else flush();
  });
}

async function main(): Promise<number> {
  configureVenueFacts();
  let opts;
  try {
    opts = parseCli(process.argv.slice(2));
  } catch (err) {
    if (err instanceof UsageError) fail(`${err.message} (see --help)`);
    throw err;
  }
  if (opts.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (!opts.once && !(process.stdout.isTTY && process.stdin.isTTY)) {
    fail('not a terminal: run it in a terminal, or use --once for plain text (see --help)');
  }

  const def = DASHBOARDS[opts.name];
  const state = {
    window: opts.window,
    symbol: opts.symbol,
    coin: opts.coin,
    exchanges: opts.exchanges,
    minUsdCents: opts.minUsdCents,
    group: opts.group,
  };
  const log = fileLogger(opts.logFile);
  log.info({ dashboard: opts.name, ...state, once: opts.once }, 'dashboard start');
  let lastError: Error | undefined;
  // --once: no retry, an unreachable Redis is one line and exit 2. On screen: retry for as long as it runs (the
  // overlay says so), at most a second apart, so a Redis that comes up is drawn within one refresh.
  const retryMs = Math.min(1000, opts.refreshMs);
  const redis = redisClient(opts.redis, {
    lazyConnect: true,
    connectTimeout: CONNECT_TIMEOUT_MS,
    commandTimeout: 10_000,
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    retryStrategy: (times) => (opts.once ? null : Math.min(100 * times, retryMs)),
  });
  redis.on('error', (err: Error) => {
    lastError = err;
    log.debug({ err: err.message }, 'redis error');
  });

  if (opts.once) {
    try {
      await redis.connect();
    } catch (err) {
      redis.disconnect();
      await flushLog(log);
      fail(`Redis unreachable at ${describeTarget(opts.redis)}: ${(lastError ?? (err as Error)).message || 'connection failed'}`);
    }
    try {
      const snap = await loadSnapshot(redis, def.request(state));
      process.stdout.write(renderPlain(opts.name, snap));
    } catch (err) {
      redis.disconnect();
      log.error({ err }, 'once failed');
      await flushLog(log);
      fail(`cannot read Redis at ${describeTarget(opts.redis)}: ${(err as Error).message}`);
    }
    redis.disconnect();
    await flushLog(log);
    return 0;
  }

  // Not awaited: the screen comes up at once and says "Redis unreachable, retrying" until Redis answers.
  redis.connect().catch((err: Error) => log.warn({ err: err.message }, 'redis not reachable yet, retrying'));
  const code = await runInteractive(def, { redis, state, refreshMs: opts.refreshMs, color: opts.color, log, redisLabel: describeTarget(opts.redis) });
  log.info('dashboard quit');
  redis.disconnect();
  await flushLog(log);
  return code;
}

main().then(
  (code) => {
    // Let stdout drain before exiting.
    process.stdout.write('', () => process.exit(code));
  },
  (err) => {
    process.stderr.write(`liqd-dashboard: ${(err as Error)?.message ?? err}\n`);
    process.exit(1);
  },
);
