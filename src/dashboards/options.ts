// Command-line options of liqd-dashboard: parsed strictly; a bad option is one line and a pointer to --help.
import { parseArgs } from 'node:util';
import { WINDOW_NAMES, type WindowName, isWindowName } from '../aggregator/index.js';
import { ENV_SCHEMA } from '../config.js';
import { ALL } from '../core/keys.js';
import { DASHBOARD_NAMES, type DashboardName, normalizeSymbol } from './index.js';

export class UsageError extends Error {
  override name = 'UsageError';
}

export interface CliOptions {
  readonly help: boolean;
  readonly name: DashboardName;
  readonly window: WindowName;
  readonly symbol: string;
  readonly refreshMs: number;
  readonly once: boolean;
  readonly redisUrl: string;
  readonly logFile: string;
}

export const DEFAULT_LOG_FILE = './data/dashboard.log';

export const HELP = `liqd-dashboard: terminal dashboards of the liquidations liqd counts in Redis

Usage:
  npm run dashboard -- <name> [options]
  liqd-dashboard <name> [options]

Dashboards (<name>):
  simple       one table: per exchange events, long USD, short USD, total USD and share, plus a total row
  compact      exchange × side table, top 10 symbols by USD, the last minute's rate, the largest liquidation
  pro          USD per minute (long/short lines), USD per exchange (bars), top symbols, live feed of the
               latest liquidations (largest highlighted), feed health of every stream (dead ones in red)
  cumulative   cumulative USD since the window's start per exchange and side, and the totals of the
               last 1h, 4h, 12h and 24h side by side

Options:
  --window <w>     15m, 1h, 4h, 12h or 24h (default 1h): the last <w> up to now, current minute included
  --symbol <s>     one symbol, e.g. BTCUSDT (default ALL: every symbol)
  --refresh <sec>  seconds between refreshes, 0.2 to 3600 (default 2)
  --once           print one frame as plain text to stdout and exit 0 (no escape codes; for scripts, cron, tests)
  -h, --help       this help

Keys (interactive):
  q, Esc, Ctrl-C   quit
  w                next window (15m → 1h → 4h → 12h → 24h → 15m)
  s                type a symbol (empty = all symbols)

Environment:
  REDIS_URL        Redis of the daemon (default ${ENV_SCHEMA.REDIS_URL.def})
  LOG_FILE         the dashboard's log file (default ${DEFAULT_LOG_FILE}); nothing is logged to the terminal

Figures: USD to the dollar ($1,234,567) from exact integer cents; counts are events; times are UTC.
Totals marked * include Binance, which publishes at most one liquidation per symbol per second: lower bounds.
A window with minutes in which a feed was down says so below the figures.

Exit status: 0 done; 2 bad option or Redis unreachable (one line on stderr).

Examples:
  npm run dashboard -- pro
  npm run dashboard -- compact --window 4h --symbol BTCUSDT
  liqd-dashboard simple --window 24h --once
  REDIS_URL=redis://10.0.0.5:6379 liqd-dashboard cumulative --refresh 5
`;

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
        refresh: { type: 'string' },
        once: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    throw new UsageError(String((err as Error).message).split('\n')[0].replace(/\. To specify a positional.*$/, ''));
  }
  const { values, positionals } = parsed;
  const redisUrl = env.REDIS_URL === undefined || env.REDIS_URL === '' ? ENV_SCHEMA.REDIS_URL.def : env.REDIS_URL;
  const logFile = env.LOG_FILE || DEFAULT_LOG_FILE;
  const base = { redisUrl, logFile };
  if (values.help) return { help: true, name: 'simple', window: '1h', symbol: ALL, refreshMs: 2000, once: false, ...base };

  if (positionals.length === 0) throw new UsageError(`missing dashboard name: ${DASHBOARD_NAMES.join(', ')}`);
  if (positionals.length > 1) throw new UsageError(`one dashboard at a time (got ${positionals.map((p) => JSON.stringify(p)).join(' ')})`);
  const name = positionals[0];
  if (!(DASHBOARD_NAMES as string[]).includes(name)) throw new UsageError(`unknown dashboard ${JSON.stringify(name)}: ${DASHBOARD_NAMES.join(', ')}`);

  const window = values.window ?? '1h';
  if (!isWindowName(window)) throw new UsageError(`--window must be one of ${WINDOW_NAMES.join(', ')} (got ${JSON.stringify(window)})`);

  const symbol = normalizeSymbol(values.symbol ?? ALL);
  if (symbol === undefined) throw new UsageError(`--symbol must be ALL or a symbol of letters, digits and _ such as BTCUSDT (got ${JSON.stringify(values.symbol)})`);

  let refreshMs = 2000;
  if (values.refresh !== undefined) {
    const sec = /^\d+(\.\d+)?$/.test(values.refresh.trim()) ? Number(values.refresh) : NaN;
    if (!(sec >= 0.2 && sec <= 3600)) throw new UsageError(`--refresh must be a number of seconds from 0.2 to 3600 (got ${JSON.stringify(values.refresh)})`);
    refreshMs = Math.round(sec * 1000);
  }

  const url = ENV_SCHEMA.REDIS_URL.parse.safeParse(redisUrl);
  if (!url.success) throw new UsageError(`REDIS_URL must be a redis:// or rediss:// URL (got ${JSON.stringify(redisUrl)})`);

  return { help: false, name: name as DashboardName, window, symbol, refreshMs, once: values.once ?? false, ...base };
}
