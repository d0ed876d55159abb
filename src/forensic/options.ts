// Command line of liqd-forensic: options, windows, help text.
import { BUCKET_MS, minuteOf } from '../core/keys.js';
import { WINDOWS, WINDOW_NAMES, type WindowName as AnyWindow } from '../aggregator/window.js';

/** The minutes forensic can check: the dashboards' windows (one table, the aggregator's) up to the minutes' 7 days. */
const MAX_MINUTES = 7 * 1440;
export type WindowName = Exclude<AnyWindow, '30d' | '90d'>;
export const FORENSIC_WINDOWS = WINDOW_NAMES.filter((w): w is WindowName => WINDOWS[w] <= MAX_MINUTES);

export interface Options {
  window: WindowName;
  symbol?: string;
  json: boolean;
  strict: boolean;
  help: boolean;
}

export class UsageError extends Error {
  override name = 'UsageError';
}

export const HELP = `usage: liqd-forensic [--window 24h] [--symbol SYM] [--json] [--strict]
       npm run forensic -- [--window 24h] [--symbol SYM] [--json] [--strict]

Validates what the daemon wrote to Redis (REDIS_URL, default redis://127.0.0.1:6379), reading only: the buckets
of every minute of the window (found through liq:top:60s:{minute}, never KEYS or SCAN), their expiry, the event
log liq:events and the identities liq:seen:60s:{minute}. Sums use exact integer arithmetic.

Checks (over every symbol bucket and ALL bucket of the window):
  1. sides          count = long_count + short_count; the same for value_cents and (symbol buckets) qty_e8
  2. exchanges      count = Σ {ex}_count, value_cents = Σ {ex}_value_cents; per side, {side}_* = Σ {ex}_{side}_*
  3. each exchange  {ex}_count = {ex}_long_count + {ex}_short_count; the same for value_cents
  4. market-wide    every field of the minute's ALL bucket = the sum of that field over its symbol buckets;
                    each liq:top score = that bucket's value_cents (skipped with --symbol)
  5. raw log        for each minute wholly inside the log's retention, every bucket equals the aggregation of
                    the liq:events entries of its symbol and minute; no entry lacks its bucket
  6. entries        value_cents follows from price × quantity (or from usd, with quantity = usd ÷ price to
                    8 decimals); no two entries share an id; every id is in liq:seen:60s:{minute}
  7. sanity         every field a string of digits; value_cents > 0 where count > 0; buckets start on a minute
                    and expire at a minute end; exchange shares of the window total sum to 100% (±0.01 each)
  8. prices         the bucket's implied price (value ÷ quantity) lies within the minute's logged prices of its
                    symbol (±0.5% + rounding): a value or a quantity in the wrong unit lands far outside

Warnings (reported with their figures; they do not change the exit code unless --strict):
  cross-exchange prices  within a symbol and minute, each exchange's median logged price is within 2% of every
                    other exchange's. Not a failure: a cascade moves more than 2% in a minute, and the exchanges
                    publish different prices by design (Bybit p and OKX bkPx are bankruptcy prices, Binance ap the
                    average fill); medians much further apart point at a symbol mapped to the wrong instrument

Options:
  --window W    ${FORENSIC_WINDOWS.join(', ')} (default 24h): the window's full minutes ending with the current one
  --symbol SYM  check only this symbol's buckets and log entries (check 4 is skipped)
  --json        print the report as one JSON document (warnings under "warnings", each finding with its figures)
  --strict      a warning counts as a failure (exit 1)
  -h, --help    this text

Environment: REDIS_URL, or REDIS_SENTINELS (and REDIS_SENTINEL_NAME), or REDIS_CLUSTER_NODES, as the daemon's;
EVENT_LOG_RETENTION_HOURS (default 24, as the daemon's) bounds how much of the log may have been trimmed when an
entry was removed from inside it (on a Cluster: after how long a day's log, liq:events:{day}, may have expired).

Exit codes: 0 every check holds (warnings or not), 1 a check failed (or, with --strict, a warning was found),
2 cannot run (Redis unreachable, bad usage, nothing to check).
Progress goes to stderr when stderr is a terminal.
`;

export function parseCli(argv: readonly string[]): Options {
  const o: Options = { window: '24h', json: false, strict: false, help: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const eq = a.indexOf('=');
    const [name, inline] = a.startsWith('--') && eq > 0 ? [a.slice(0, eq), a.slice(eq + 1)] : [a, undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined || v === '') throw new UsageError(`${name} needs a value`);
      return v;
    };
    if (name === '--window' || name === '-w') {
      const v = value();
      if (!(FORENSIC_WINDOWS as readonly string[]).includes(v)) throw new UsageError(`--window must be one of ${FORENSIC_WINDOWS.join(', ')} (got ${JSON.stringify(v)})`);
      o.window = v as WindowName;
    } else if (name === '--symbol' || name === '-s') {
      const v = value().toUpperCase();
      if (!/^[\p{L}\p{N}_]{1,40}$/u.test(v)) throw new UsageError(`--symbol must be a symbol such as BTCUSDT (got ${JSON.stringify(v)})`);
      o.symbol = v;
    } else if (name === '--json') o.json = true;
    else if (name === '--strict') o.strict = true;
    else if (name === '--help' || name === '-h') o.help = true;
    else throw new UsageError(`unknown argument ${JSON.stringify(a)} (see --help)`);
  }
  return o;
}

/** The window's minute starts, oldest first: its full minutes ending with the current one. */
export function windowStarts(window: WindowName, now: number): number[] {
  const last = minuteOf(now);
  const minutes = WINDOWS[window];
  const out: number[] = [];
  for (let i = minutes - 1; i >= 0; i--) out.push(last - i * BUCKET_MS);
  return out;
}
