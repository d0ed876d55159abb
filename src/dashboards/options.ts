// Command-line options of liqd-dashboard: parsed strictly; a bad option is one line and a pointer to --help.
import { parseArgs } from 'node:util';
import { WINDOW_NAMES, type WindowName, isWindowName } from '../aggregator/index.js';
import { ConfigError } from '../core/env.js';
import { ALL } from '../core/keys.js';
import { DEFAULT_REDIS_URL, DEFAULT_SENTINEL_NAME, type RedisTarget, redisTargetFromEnv } from '../core/redis-target.js';
import { DASHBOARD_NAMES, type DashboardName, normalizeSymbol } from './index.js';
import { COLOR_MODES, type ColorMode } from './theme.js';

export class UsageError extends Error {
  override name = 'UsageError';
}

export interface CliOptions {
  readonly help: boolean;
  readonly name: DashboardName;
  readonly window: WindowName;
  readonly symbol: string;
  readonly coin: string | undefined;
  readonly exchanges: readonly string[] | undefined;
  readonly minUsdCents: number;
  readonly group: 'symbol' | 'coin';
  readonly color: ColorMode;
  readonly refreshMs: number;
  readonly once: boolean;
  /** REDIS_URL, or REDIS_SENTINELS and REDIS_SENTINEL_NAME, or REDIS_CLUSTER_NODES, as the daemon reads them (core/redis-target.ts). */
  readonly redis: RedisTarget;
  readonly logFile: string;
}

export const DEFAULT_LOG_FILE = './data/dashboard.log';

export const HELP = `liqd-dashboard: terminal dashboards of the liquidations liqd counts in Redis

Usage:
  npm run dashboard -- <name> [options]
  liqd-dashboard <name> [options]

Dashboards (<name>):
  simple       per exchange: events, long, short, total, share and L/S split, a total row; the rate (last
               minute, sparkline of USD per minute)
  compact      exchange × side table, top 10 symbols (or coins), the rate, the largest liquidations
  pro          USD per minute (long/short lines), USD per exchange (bars), top symbols, live feed of the
               latest liquidations (largest highlighted), largest liquidations, the latest alerts, feed health
               of every stream
  cumulative   cumulative USD since the window's start per exchange and side, and the totals of the
               last 1h, 4h, 12h and 24h side by side
  Every dashboard shows the feed status (streams open / total, which are down) and fits 80×24 and up.

Options:
  --window <w>       15m, 1h, 4h, 12h, 24h (minutes), 7d (hours of the hourly rollups), 30d or 90d (days of the
                     daily rollups) (default 1h): the last <w> up to now, the current minute (hour, day) included
  --symbol <s>       one symbol, e.g. BTCUSDT (default ALL: every symbol)
  --coin <c>         every instrument of one coin, e.g. BTC: BTCUSDT, BTCUSD, BTCUSDC, BTCUSDT_261225
  --exchange <list>  only these exchanges, comma-separated, e.g. okx,bybit (any name found in the data)
  --min-usd <usd>    the live feed and the largest list only show liquidations of at least this many USD,
                     e.g. 100000, 250k or 1.5M
  --group <g>        top lists by symbol (default) or coin
  --color <when>     auto (default: what the terminal supports; off when NO_COLOR is set), always or never
  --refresh <sec>    seconds between refreshes, 0.2 to 3600 (default 2)
  --once             print one frame as plain text to stdout and exit 0 (no escape codes; for scripts, cron, tests)
  -h, --help         this help

Keys (interactive):
  q, Esc, Ctrl-C   quit
  w                next window (15m → 1h → 4h → 12h → 24h → 7d → 30d → 90d → 15m)
  s                type a symbol (Enter on empty: all symbols)
  c                type a coin (Enter on empty: all)
  g                top lists by symbol or by coin

Environment:
  REDIS_URL        Redis of the daemon (default ${DEFAULT_REDIS_URL})
  REDIS_SENTINELS  instead: Sentinels (host:port,…) that name the daemon's master, REDIS_SENTINEL_NAME
                   (default ${DEFAULT_SENTINEL_NAME}); as the daemon reads them
  REDIS_CLUSTER_NODES  instead: a Redis Cluster's nodes (host:port,…), read in the cluster key layout
  LOG_FILE         the dashboard's log file (default ${DEFAULT_LOG_FILE}); nothing is logged to the terminal
  NO_COLOR         set and not empty: no colour (as --color never, unless --color always)

Figures: on screen USD reads $1,234 below $10k, then $12.3k, $912k, $9.50M; --once prints exact dollars
($9,501,234). Both come from exact integer cents; counts are events; times are UTC.
Totals marked * include a venue that publishes only a sample of its liquidations (Binance: at most one per symbol
per second): lower bounds. The notes under the figures name them.
A window with minutes in which a feed was down says so below the figures.

Exit status: 0 done; 2 bad option, or Redis unreachable with --once (one line on stderr). On screen, an
unreachable Redis shows "Redis unreachable, retrying" until it answers.

Examples:
  npm run dashboard -- pro
  npm run dashboard -- compact --window 4h --symbol BTCUSDT
  npm run dashboard -- compact --coin BTC --exchange okx,bybit --min-usd 100k
  liqd-dashboard simple --window 24h --once
  REDIS_URL=redis://10.0.0.5:6379 liqd-dashboard cumulative --refresh 5
`;

/** "100000", "250k", "1.5M", "$2,000" → integer cents (exact); undefined when it is not an amount. */
export function parseUsd(text: string): number | undefined {
  const m = /^\$?(\d{1,15}(?:,\d{3})*|\d+)(?:\.(\d{1,2}))?([kKmMbB]?)$/.exec(text.trim());
  if (!m) return undefined;
  const cents = BigInt(m[1].replace(/,/g, '')) * 100n + BigInt((m[2] ?? '').padEnd(2, '0') || '0');
  const unit = { '': 1n, k: 1_000n, m: 1_000_000n, b: 1_000_000_000n }[m[3].toLowerCase() as '' | 'k' | 'm' | 'b'];
  const v = cents * unit;
  return v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : undefined;
}

export function parseCli(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): CliOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        window: { type: 'string' },
        symbol: { type: 'string' },
        coin: { type: 'string' },
        exchange: { type: 'string' },
        'min-usd': { type: 'string' },
        group: { type: 'string' },
        color: { type: 'string' },
        refresh: { type: 'string' },
        once: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    throw new UsageError(String((err as Error).message).split('\n')[0].replace(/\. To specify a positional.*$/, ''));
  }
  const { values, positionals } = parsed;
  const logFile = env.LOG_FILE || DEFAULT_LOG_FILE;
  const defaults = { coin: undefined, exchanges: undefined, minUsdCents: 0, group: 'symbol' as const, color: 'auto' as const };
  if (values.help) {
    const redis: RedisTarget = { mode: 'single', url: DEFAULT_REDIS_URL };
    return { help: true, name: 'simple', window: '1h', symbol: ALL, refreshMs: 2000, once: false, ...defaults, redis, logFile };
  }

  if (positionals.length === 0) throw new UsageError(`missing dashboard name: ${DASHBOARD_NAMES.join(', ')}`);
  if (positionals.length > 1) throw new UsageError(`one dashboard at a time (got ${positionals.map((p) => JSON.stringify(p)).join(' ')})`);
  const name = positionals[0];
  if (!(DASHBOARD_NAMES as string[]).includes(name)) throw new UsageError(`unknown dashboard ${JSON.stringify(name)}: ${DASHBOARD_NAMES.join(', ')}`);

  const window = values.window ?? '1h';
  if (!isWindowName(window)) throw new UsageError(`--window must be one of ${WINDOW_NAMES.join(', ')} (got ${JSON.stringify(window)})`);

  const symbol = normalizeSymbol(values.symbol ?? ALL);
  if (symbol === undefined) throw new UsageError(`--symbol must be ALL or a symbol of letters, digits and _ such as BTCUSDT (got ${JSON.stringify(values.symbol)})`);

  let coin: string | undefined;
  if (values.coin !== undefined) {
    const c = normalizeSymbol(values.coin);
    if (c === undefined || c === ALL) throw new UsageError(`--coin must be a coin of letters and digits such as BTC (got ${JSON.stringify(values.coin)})`);
    if (symbol !== ALL) throw new UsageError('--coin and --symbol cannot be used together: --coin BTC already covers BTCUSDT, BTCUSD, …');
    coin = c;
  }

  let exchanges: string[] | undefined;
  if (values.exchange !== undefined) {
    exchanges = [...new Set(values.exchange.split(',').map((e) => e.trim().toLowerCase()).filter(Boolean))];
    // The names the buckets can hold: exchanges are found as `{ex}_count` fields, `^[a-z0-9]+$`.
    const bad = exchanges.find((e) => !/^[a-z0-9]+$/.test(e) || e === 'long' || e === 'short');
    if (exchanges.length === 0 || bad !== undefined) {
      throw new UsageError(`--exchange must be exchange names of lower-case letters and digits, comma-separated, e.g. okx,bybit (got ${JSON.stringify(values.exchange)})`);
    }
  }

  let minUsdCents = 0;
  if (values['min-usd'] !== undefined) {
    const v = parseUsd(values['min-usd']);
    if (v === undefined) throw new UsageError(`--min-usd must be an amount of USD such as 100000, 250k or 1.5M (got ${JSON.stringify(values['min-usd'])})`);
    minUsdCents = v;
  }

  const group = values.group ?? 'symbol';
  if (group !== 'symbol' && group !== 'coin') throw new UsageError(`--group must be symbol or coin (got ${JSON.stringify(group)})`);
  const color = values.color ?? 'auto';
  if (!(COLOR_MODES as string[]).includes(color)) throw new UsageError(`--color must be auto, always or never (got ${JSON.stringify(color)})`);

  let refreshMs = 2000;
  if (values.refresh !== undefined) {
    const sec = /^\d+(\.\d+)?$/.test(values.refresh.trim()) ? Number(values.refresh) : NaN;
    if (!(sec >= 0.2 && sec <= 3600)) throw new UsageError(`--refresh must be a number of seconds from 0.2 to 3600 (got ${JSON.stringify(values.refresh)})`);
    refreshMs = Math.round(sec * 1000);
  }

  let redis: RedisTarget;
  try {
    redis = redisTargetFromEnv(env);
  } catch (err) {
    if (err instanceof ConfigError) throw new UsageError(err.message.replace(/^invalid configuration: /, ''));
    throw err;
  }

  return {
    help: false,
    name: name as DashboardName,
    window,
    symbol,
    coin,
    exchanges,
    minUsdCents,
    group,
    color: color as ColorMode,
    refreshMs,
    once: values.once ?? false,
    redis,
    logFile,
  };
}
