// Environment → zod → frozen Config, once, at start-up. A bad value stops start-up with one line that names
// the variable and what it allows (see ConfigError).
import os from 'node:os';
import { z } from 'zod';
import { parseDecimal, toScaled } from './core/decimal.js';
import { ConfigError, type EnvVar, httpUrl, int, number, parseEnv } from './core/env.js';
import { ROLLUP_RETENTION_DAYS } from './core/keys.js';
import { REDIS_ENV, type RedisTarget, redisTargetFromEnv } from './core/redis-target.js';
import { ADAPTERS, EXCHANGE_NAMES } from './venues/registry.js';

export { ConfigError, EXCHANGE_NAMES };
export type ExchangeName = string;

/** A comma-separated list of registered exchange names, or `all` (every registered venue). */
const exchanges = z
  .string()
  .trim()
  .transform((v) => [...new Set(v.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean))])
  .refine(
    (list) => list.length > 0 && (list.join() === 'all' || list.every((e) => EXCHANGE_NAMES.includes(e))),
    `all, or a comma-separated list of ${EXCHANGE_NAMES.join(', ')}`,
  )
  .transform((list) => (list.join() === 'all' ? [...EXCHANGE_NAMES] : list));

/** An amount of USD written plainly (`5000000`, `2500.50`), as exact cents; '' = off. */
const usdCents = z
  .string()
  .trim()
  .refine((v) => v === '' || (/^\d+(\.\d{1,2})?$/.test(v) && toScaled(parseDecimal(v)!, 2) > 0n), 'empty (off) or an amount of USD above 0 with at most 2 decimals')
  .transform((v) => (v === '' ? undefined : Number(toScaled(parseDecimal(v)!, 2))))
  .refine((v) => v === undefined || Number.isSafeInteger(v), 'an amount of USD below 90 trillion');

/** Venues whose adapter can fetch a gap's liquidations over REST (their `backfill` hook): BACKFILL's default. */
const BACKFILL_VENUES = ADAPTERS.filter((a) => a.feeds.some((f) => f.backfill !== undefined)).map((a) => a.exchange);
const backfill = z
  .string()
  .trim()
  .transform((v) => [...new Set(v.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean))])
  .refine(
    (list) => list.join() === 'none' || (list.length > 0 && list.every((e) => BACKFILL_VENUES.includes(e))),
    `none, or a comma-separated list of ${BACKFILL_VENUES.join(', ') || '(no venue backfills)'}`,
  )
  .transform((list) => (list.join() === 'none' ? [] : list));

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export const REDIS_MANAGED_MODES = ['never', 'auto', 'always'] as const;

/** The daemon's own variables, its default and its parser; each venue declares its own (src/venues/<exchange>/). */
const BASE_SCHEMA = {
  // REDIS_URL, REDIS_SENTINELS, REDIS_SENTINEL_NAME, REDIS_CLUSTER_NODES: shared with every process (core/redis-target.ts)
  ...REDIS_ENV,
  // A batch counts as written once this many replicas have it (WAIT); 0: when the master has it.
  REDIS_WAIT_REPLICAS: { def: '0', parse: int(0, 100) },
  REDIS_WAIT_TIMEOUT_MS: { def: '2000', parse: int(10, 10_000) },
  REDIS_MANAGED: { def: 'auto', parse: z.enum(REDIS_MANAGED_MODES, `one of ${REDIS_MANAGED_MODES.join(', ')}`) },
  DATA_DIR: { def: './data', parse: z.string().trim().min(1, 'a directory path') },
  // For tests only: they run a managed Redis on a free port and never touch the 6379 of the machine.
  LIQD_MANAGED_REDIS_PORT: { def: '6379', parse: int(1, 65_535) },
  EXCHANGES: { def: 'all', parse: exchanges },
  LOG_LEVEL: { def: 'info', parse: z.enum(LOG_LEVELS, `one of ${LOG_LEVELS.join(', ')}`) },
  FLUSH_INTERVAL_MS: { def: '50', parse: int(1, 60_000) },
  FLUSH_MAX_EVENTS: { def: '5000', parse: int(1, 100_000) },
  MAX_BUFFERED_EVENTS: { def: '1000000', parse: int(1, 100_000_000) },
  // '' = twice MAX_BUFFERED_EVENTS: the memory ceiling when the spool cannot be written (see Config.maxHeldEvents)
  MAX_HELD_EVENTS: { def: '', parse: z.union([z.literal(''), int(1, 200_000_000)], 'an integer from 1 to 200000000 (at least MAX_BUFFERED_EVENTS)') },
  SPOOL_DIR: { def: './data/spool', parse: z.string().trim().min(1, 'a directory path') },
  BUCKET_RETENTION_HOURS: { def: '168', parse: int(1, 24 * 366) },
  EVENT_LOG_RETENTION_HOURS: { def: '24', parse: int(1, 24 * 366) },
  ROLLUP_1H_RETENTION_DAYS: { def: String(ROLLUP_RETENTION_DAYS['1h']), parse: int(1, 3660) },
  ROLLUP_1D_RETENTION_DAYS: { def: String(ROLLUP_RETENTION_DAYS['1d']), parse: int(1, 36_600) },
  ALERT_MIN_USD: { def: '', parse: usdCents },
  ALERT_MINUTE_USD: { def: '', parse: usdCents },
  ALERT_WEBHOOK_URL: { def: '', parse: z.union([z.literal(''), httpUrl], 'empty (none) or an http:// or https:// URL') },
  ALERT_WEBHOOK_SECRET: { def: '', parse: z.string() },
  ALERT_RETENTION_DAYS: { def: '30', parse: int(1, 3660) },
  BACKFILL: { def: BACKFILL_VENUES.join(',') || 'none', parse: backfill },
  HEALTH_PORT: { def: '9464', parse: int(0, 65_535) },
  HEALTH_HOST: { def: '127.0.0.1', parse: z.string().trim().min(1, 'a host name or address') },
  RECONNECT_BASE_MS: { def: '1000', parse: int(1, 3_600_000) },
  RECONNECT_MAX_MS: { def: '60000', parse: int(1, 3_600_000) },
  INSTRUMENT_REFRESH_MINUTES: { def: '60', parse: number('a number of minutes from 0.01 to 1440', { min: 0.01, max: 1440 }) },
  PING_INTERVAL_MS: { def: '20000', parse: int(100, 600_000) },
  PONG_TIMEOUT_MS: { def: '10000', parse: int(100, 600_000) },
  WS_MAX_PAYLOAD_BYTES: { def: '16777216', parse: int(1024, 1_073_741_824) },
  STATUS_INTERVAL_MS: { def: '5000', parse: int(100, 600_000) },
  STREAM_DOWN_AFTER_MS: { def: '60000', parse: int(100, 3_600_000) },
  SUMMARY_INTERVAL_MS: { def: '60000', parse: int(100, 3_600_000) },
  INSTANCE_ID: { def: '', parse: z.string().trim().regex(/^[A-Za-z0-9_.-]{0,64}$/, 'letters, digits, _ . - (at most 64)') },
} as const;

/** Every variable the daemon reads: its own and every registered venue's. README's table and .env.example list the same. */
export const ENV_SCHEMA: Readonly<Record<string, EnvVar>> = Object.freeze(Object.assign({}, BASE_SCHEMA, ...ADAPTERS.map((a) => a.env)));

type Schema = typeof BASE_SCHEMA;
type Parsed = { [K in keyof Schema]: z.output<Schema[K]['parse']> };

export interface Config extends Parsed {
  /** Each venue's own variables, parsed, by exchange name (src/venues/runtime.ts contextOf gives them typed). */
  readonly venues: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  /** Derived: the instance name under liq:status:{instance}. */
  readonly instance: string;
  /** Derived: MAX_HELD_EVENTS, or twice MAX_BUFFERED_EVENTS when it is not set. */
  readonly maxHeldEvents: number;
  /** REDIS_URL was given (not absent, not empty): the daemon then never starts a Redis of its own. */
  readonly redisUrlSet: boolean;
  /** Derived: the Redis deployment (REDIS_URL, REDIS_SENTINELS or REDIS_CLUSTER_NODES; see core/redis-target.ts). */
  readonly redis: RedisTarget;
}

/** Parses the environment once. Throws ConfigError with one line naming the first bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Readonly<Config> {
  const cfg = parseEnv(BASE_SCHEMA, env) as Parsed;
  const venues: Record<string, Record<string, unknown>> = {};
  for (const a of ADAPTERS) venues[a.exchange] = parseEnv(a.env, env);
  if (cfg.RECONNECT_MAX_MS < cfg.RECONNECT_BASE_MS) {
    throw new ConfigError(
      `invalid configuration: RECONNECT_MAX_MS must be at least RECONNECT_BASE_MS (${cfg.RECONNECT_BASE_MS}) (got ${cfg.RECONNECT_MAX_MS})`,
    );
  }
  const maxHeldEvents = cfg.MAX_HELD_EVENTS === '' ? 2 * cfg.MAX_BUFFERED_EVENTS : cfg.MAX_HELD_EVENTS;
  if (maxHeldEvents < cfg.MAX_BUFFERED_EVENTS) {
    throw new ConfigError(
      `invalid configuration: MAX_HELD_EVENTS must be at least MAX_BUFFERED_EVENTS (${cfg.MAX_BUFFERED_EVENTS}) (got ${maxHeldEvents})`,
    );
  }
  if (cfg.ROLLUP_1H_RETENTION_DAYS * 24 < cfg.BUCKET_RETENTION_HOURS) {
    throw new ConfigError(
      `invalid configuration: ROLLUP_1H_RETENTION_DAYS must cover BUCKET_RETENTION_HOURS (${cfg.BUCKET_RETENTION_HOURS} h) (got ${cfg.ROLLUP_1H_RETENTION_DAYS} days)`,
    );
  }
  if (cfg.ROLLUP_1D_RETENTION_DAYS < cfg.ROLLUP_1H_RETENTION_DAYS) {
    throw new ConfigError(
      `invalid configuration: ROLLUP_1D_RETENTION_DAYS must be at least ROLLUP_1H_RETENTION_DAYS (${cfg.ROLLUP_1H_RETENTION_DAYS}) (got ${cfg.ROLLUP_1D_RETENTION_DAYS})`,
    );
  }
  const redis = redisTargetFromEnv(env);
  const redisUrlSet = env.REDIS_URL !== undefined && env.REDIS_URL !== '';
  if (cfg.REDIS_MANAGED === 'always' && (redisUrlSet || redis.mode !== 'single')) {
    const other = redisUrlSet ? 'REDIS_URL' : redis.mode === 'sentinel' ? 'REDIS_SENTINELS' : 'REDIS_CLUSTER_NODES';
    throw new ConfigError(
      `invalid configuration: REDIS_MANAGED=always starts a Redis of its own and cannot be used with ${other}: unset one of them`,
    );
  }
  const instance = cfg.INSTANCE_ID || `${os.hostname().replace(/[^A-Za-z0-9_.-]/g, '_')}-${process.pid}`;
  return Object.freeze({ ...cfg, venues, instance, maxHeldEvents, redisUrlSet, redis });
}
