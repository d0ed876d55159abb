#!/usr/bin/env node
// liqd daemon entry: `npm start` (foreground) or under pm2 (ecosystem.config.cjs).
import { ConfigError, loadConfig } from './config.js';
import { adoptKeyLayout } from './core/redis-target.js';
import { startDaemon } from './daemon.js';
import { createLogger, type Logger } from './log.js';
import { ManagedRedisError, provideRedis } from './managed-redis.js';
import { SpoolDirError, checkSpoolDir } from './engine/spool.js';

const HARD_EXIT_MS = 9_500;

/** `liqd query …` and `liqd alerts …`: the read-only commands, run instead of the daemon. */
const COMMANDS: Record<string, () => Promise<{ run(argv: string[]): Promise<number> }>> = {
  query: () => import('../scripts/query.js'),
  alerts: () => import('../scripts/alerts.js'),
};

async function main(): Promise<void> {
  // `liqd import …` loads historical files (scripts/import.ts, which runs on import); `liqd query|alerts …` read.
  if (process.argv[2] === 'import') {
    process.argv.splice(2, 1);
    await import('../scripts/import.js');
    return;
  }
  const command = process.argv[2];
  if (command !== undefined && Object.hasOwn(COMMANDS, command)) {
    process.exitCode = await (await COMMANDS[command]()).run(process.argv.slice(3));
    return;
  }
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    process.stdout.write(
      'liqd: listens to the derivatives venues\' liquidation streams and writes exact 60-second buckets to Redis.\n' +
        'Usage: npm start   (or: MALLOC_ARENA_MAX=2 node --max-semi-space-size=4 dist/src/main.js)\n' +
        '       liqd import hyperliquid DIR [--from ISO] [--to ISO]   historical files (see liqd import --help)\n' +
        '       liqd query [options]    history at 1m, 1h or 1d as a table, CSV or JSON lines (liqd query --help)\n' +
        '       liqd alerts [options]   the alerts stream, then new alerts as they come (liqd alerts --help)\n' +
        'All configuration is environment variables: see README.md ("Configuration") and .env.example.\n' +
        'Health: GET http://HEALTH_HOST:HEALTH_PORT/health, /livez and /metrics. SIGTERM/SIGINT/SIGHUP: flush and exit\n' +
        '(0, or 1 when held events could be neither written nor spooled).\n',
    );
    return;
  }
  let cfg;
  try {
    cfg = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`liqd: ${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  // A Redis Cluster: every key in the cluster layout (keys.ts), one hash slot per day.
  adoptKeyLayout(cfg.redis);
  const log = createLogger(cfg.LOG_LEVEL);
  process.on('uncaughtException', (err) => {
    log.fatal({ err }, 'uncaught exception');
    exitAfterLog(log, 1);
  });
  process.on('unhandledRejection', (err) => {
    log.error({ err }, 'unhandled rejection');
  });
  // Signals are taken from the start: one that arrives while Redis or the daemon is starting ends the process once
  // they are up (or straight away when nothing is up yet), never leaving a managed redis-server behind.
  let onSignal: (signal: string) => void = (signal) => {
    pending ??= signal;
  };
  let pending: string | undefined;
  for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.once(sig, () => onSignal(sig));

  // A spool that cannot be written stops start-up before anything is started or asked (a managed Redis, a PING to
  // the default address): one line, exit 1. (startDaemon checks again, for callers that start it themselves.)
  try {
    checkSpoolDir(cfg.SPOOL_DIR);
  } catch (err) {
    if (err instanceof SpoolDirError) {
      process.stderr.write(`liqd: ${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }

  let redis;
  try {
    redis = await provideRedis(cfg, log.child({ mod: 'managed-redis' }));
  } catch (err) {
    if (err instanceof ManagedRedisError) {
      process.stderr.write(`liqd: ${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  if (pending !== undefined) {
    log.info({ signal: pending }, 'signal during start-up: stopping');
    await redis.stop();
    exitAfterLog(log, 0);
    return;
  }
  const daemon = await startDaemon(Object.freeze({ ...cfg, redis: redis.target }), log);
  const managed = redis;
  onSignal = (signal: string) => {
    // A second signal, or a flush that hangs, still ends the process within the 10 s promised to pm2.
    setTimeout(() => {
      log.error({ held: daemon.held }, 'shutdown took too long; exiting');
      exitAfterLog(log, 1);
    }, HARD_EXIT_MS).unref();
    // The managed Redis (if any) stops only after the daemon's final flush has been written into it.
    const stopped = daemon.shutdown(signal).finally(() => managed.stop());
    stopped.then(
      ({ lost }) => {
        // Events that could be neither written nor spooled were lost: say so with the exit code too.
        exitAfterLog(log, lost > 0 ? 1 : 0);
      },
      (err: unknown) => {
        log.error({ err }, 'shutdown failed');
        exitAfterLog(log, 1);
      },
    );
  };
  if (pending !== undefined) onSignal(pending);
}

/**
 * Exits once the log has reached stdout. The logger writes asynchronously: exiting at once would let pino's exit hook
 * write the last lines synchronously while an earlier write is still in flight, so the final lines could land out of
 * order (or, under a slow pipe, not at all). Bounded: a stuck stdout does not keep the process alive.
 */
function exitAfterLog(log: Logger, code: number): void {
  const exit = () => process.exit(code);
  setTimeout(exit, 300).unref();
  try {
    log.flush(() => exit());
  } catch {
    exit();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`liqd: failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
