#!/usr/bin/env node
// liqd daemon entry: `npm start` (foreground) or under pm2 (ecosystem.config.cjs).
import { ConfigError, loadConfig } from './config.js';
import { startDaemon } from './daemon.js';
import { createLogger } from './log.js';
import { ManagedRedisError, provideRedis } from './managed-redis.js';

const HARD_EXIT_MS = 9_500;

async function main(): Promise<void> {
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    process.stdout.write(
      'liqd: listens to Binance, Bybit and OKX liquidation streams and writes exact 60-second buckets to Redis.\n' +
        'Usage: npm start   (or: MALLOC_ARENA_MAX=2 node --max-semi-space-size=4 dist/src/main.js)\n' +
        'All configuration is environment variables: see README.md ("Configuration") and .env.example.\n' +
        'Health: GET http://HEALTH_HOST:HEALTH_PORT/health and /metrics. SIGTERM/SIGINT: flush and exit 0.\n',
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
  const log = createLogger(cfg.LOG_LEVEL);
  process.on('uncaughtException', (err) => {
    log.fatal({ err }, 'uncaught exception');
    log.flush();
    process.exit(1);
  });
  process.on('unhandledRejection', (err) => {
    log.error({ err }, 'unhandled rejection');
  });
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
  const daemon = await startDaemon(Object.freeze({ ...cfg, REDIS_URL: redis.url }), log);
  // The managed Redis (if any) stops only after the daemon's final flush has been written into it.
  const shutdownDaemon = daemon.shutdown.bind(daemon);
  daemon.shutdown = (signal) => shutdownDaemon(signal).finally(() => redis.stop());
  const onSignal = (signal: string) => {
    // A second signal, or a flush that hangs, still ends the process within the 10 s promised to pm2.
    setTimeout(() => {
      log.error('shutdown took too long; exiting');
      log.flush();
      process.exit(0);
    }, HARD_EXIT_MS).unref();
    daemon.shutdown(signal).then(
      () => {
        log.flush();
        process.exit(0);
      },
      (err: unknown) => {
        log.error({ err }, 'shutdown failed');
        log.flush();
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => onSignal('SIGTERM'));
  process.once('SIGINT', () => onSignal('SIGINT'));
}

main().catch((err: unknown) => {
  process.stderr.write(`liqd: failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
