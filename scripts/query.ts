#!/usr/bin/env node
// liqd query: liquidation history from Redis at an interval of a minute, an hour or a day, as an exact table, CSV or
// JSON lines. Read only. `liqd query`, `npm run query --`, or the liqd-query bin.
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import {
  type Bucket,
  type History,
  INTERVALS,
  type Interval,
  type Retentions,
  DEFAULT_RETENTIONS,
  formatCents,
  readHistory,
  sortExchanges,
} from '../src/aggregator/index.js';
import { ALL, RESOLUTION_MS } from '../src/core/keys.js';
import { type RedisTarget, redisTargetFromEnv } from '../src/core/redis-target.js';
import { connectToRead } from './lib/redis.js';

const PROG = 'liqd-query';
export const HELP = `liqd-query: liquidation history at an interval, exact to the cent (read only)

Usage:
  liqd query [--symbol S | --coin C] [--from T] [--to T] [--interval 1m|1h|1d] [--by exchange|side|symbol]
             [--format table|csv|json]
  npm run query -- [options]

  --symbol S     one symbol (BTCUSDT), or ALL for the market (default)
  --coin C       every instrument of a coin (BTC: BTCUSDT, BTCUSD, BTCUSDT_261225, …)
  --from T       start: an ISO time (2026-11-01, 2026-11-01T12:00Z; UTC when no zone is given) or relative to now
                 (-90m, -24h, -30d) (default -24h)
  --to T         end, exclusive, the same way, or now (default now)
  --interval I   1m (minute buckets), 1h (hourly rollups) or 1d (daily rollups) (default 1h)
  --by B         one row per period and exchange, side or symbol
  --format F     table (default), csv (a header row, then one row per line) or json (one object per line)
  -h, --help     this help

  REDIS_URL      the daemon's Redis (default redis://127.0.0.1:6379); or REDIS_SENTINELS (host:port,…) and
                 REDIS_SENTINEL_NAME (default mymaster): its master, found through Sentinel; or
                 REDIS_CLUSTER_NODES (host:port,…): a Redis Cluster
  BUCKET_RETENTION_HOURS, ROLLUP_1H_RETENTION_DAYS, ROLLUP_1D_RETENTION_DAYS
                 the daemon's retentions (defaults 168, 90, 730): the part of the range beyond them has no data

Money is integer cents (value_cents) and exact dollars (usd); no floating point. Periods start at whole minutes,
hours or days UTC. What the range cannot show is said: periods beyond the retention of the interval (no data,
not zero) and minutes in which a feed was down (liq:down). With csv and json these notes go to stderr, so stdout
pipes into other tools. Exit 0, 2 when Redis cannot be reached or an option is wrong.
`;

const BY = ['exchange', 'side', 'symbol'] as const;
const FORMATS = ['table', 'csv', 'json'] as const;

export interface QueryOptions {
  symbol: string;
  coin?: string;
  from: number;
  to: number;
  interval: Interval;
  by?: (typeof BY)[number];
  format: (typeof FORMATS)[number];
}

/** An ISO time (UTC when it names no zone), `now`, or -N{m,h,d} before now. */
export function parseTime(text: string, now: number, what: string): number {
  const rel = /^-(\d+)(m|h|d)$/.exec(text);
  if (rel) return now - Number(rel[1]) * { m: 60_000, h: 3_600_000, d: 86_400_000 }[rel[2] as 'm' | 'h' | 'd'];
  if (text === 'now') return now;
  const zoned = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?$/.test(text) ? `${text.length === 10 ? `${text}T00:00` : text}Z` : text;
  const t = /^\d{4}-\d{2}-\d{2}/.test(zoned) ? Date.parse(zoned) : NaN;
  if (!Number.isFinite(t)) throw new Error(`${what} must be an ISO time (2026-11-01T12:00Z), now, or -N followed by m, h or d (got ${JSON.stringify(text)})`);
  return t;
}

export function parseQuery(argv: string[], now: number): QueryOptions | 'help' {
  // parseArgs takes `--from -24h` for a missing value followed by an option: a relative time is joined to its option
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if ((argv[i] === '--from' || argv[i] === '--to') && /^-\d/.test(argv[i + 1] ?? '')) args.push(`${argv[i]}=${argv[++i]}`);
    else args.push(argv[i]);
  }
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      symbol: { type: 'string' },
      coin: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      interval: { type: 'string' },
      by: { type: 'string' },
      format: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return 'help';
  if (values.symbol !== undefined && values.coin !== undefined) throw new Error('--symbol and --coin exclude each other');
  const symbol = (values.symbol ?? ALL).trim().toUpperCase();
  if (!/^[A-Z0-9_.\-\u0080-\uffff]{1,64}$/u.test(symbol)) throw new Error(`--symbol must be a symbol such as BTCUSDT, or ALL (got ${JSON.stringify(values.symbol)})`);
  const coin = values.coin?.trim().toUpperCase();
  if (coin !== undefined && !/^[A-Z0-9\u0080-\uffff]{1,32}$/u.test(coin)) throw new Error(`--coin must be a coin such as BTC (got ${JSON.stringify(values.coin)})`);
  const interval = values.interval ?? '1h';
  if (!Object.hasOwn(INTERVALS, interval)) throw new Error(`--interval must be one of ${Object.keys(INTERVALS).join(', ')} (got ${JSON.stringify(interval)})`);
  const by = values.by;
  if (by !== undefined && !(BY as readonly string[]).includes(by)) throw new Error(`--by must be one of ${BY.join(', ')} (got ${JSON.stringify(by)})`);
  const format = values.format ?? 'table';
  if (!(FORMATS as readonly string[]).includes(format)) throw new Error(`--format must be one of ${FORMATS.join(', ')} (got ${JSON.stringify(format)})`);
  const from = parseTime(values.from ?? '-24h', now, '--from');
  const to = parseTime(values.to ?? 'now', now, '--to');
  if (to <= from) throw new Error('--to must come after --from');
  // whole periods: the one holding `from`, up to the one holding `to` (its data so far)
  const step = RESOLUTION_MS[INTERVALS[interval as Interval]];
  return {
    symbol,
    coin,
    from: Math.floor(from / step) * step,
    to: Math.ceil(to / step) * step,
    interval: interval as Interval,
    by: by as QueryOptions['by'],
    format: format as QueryOptions['format'],
  };
}

function retentionsFrom(env: NodeJS.ProcessEnv): Retentions {
  const n = (name: string, def: number) => {
    const v = env[name];
    if (v === undefined || v === '') return def;
    if (!/^\d+$/.test(v.trim()) || Number(v) < 1) throw new Error(`${name} must be a whole number above 0 (got ${JSON.stringify(v)})`);
    return Number(v);
  };
  return {
    minuteHours: n('BUCKET_RETENTION_HOURS', DEFAULT_RETENTIONS.minuteHours),
    hourDays: n('ROLLUP_1H_RETENTION_DAYS', DEFAULT_RETENTIONS.hourDays),
    dayDays: n('ROLLUP_1D_RETENTION_DAYS', DEFAULT_RETENTIONS.dayDays),
  };
}

/** A row of output: the period, its group (exchange, side or symbol), and exact figures. */
interface Row {
  start: number;
  group?: string;
  count: number;
  longCount: number;
  shortCount: number;
  cents: number;
  longCents: number;
  shortCents: number;
}

function rowOf(start: number, b: { count: number; valueCents: number; long: { count: number; valueCents: number }; short: { count: number; valueCents: number } }, group?: string): Row {
  return { start, group, count: b.count, longCount: b.long.count, shortCount: b.short.count, cents: b.valueCents, longCents: b.long.valueCents, shortCents: b.short.valueCents };
}

export function rowsOf(h: History, by: QueryOptions['by']): Row[] {
  const rows: Row[] = [];
  for (const p of h.periods) {
    if (h.expiredBefore !== null && p.start < h.expiredBefore) continue;
    if (by === undefined) rows.push(rowOf(p.start, p.total));
    else if (by === 'exchange') for (const e of sortExchanges((p.total as Bucket).exchanges.values())) rows.push(rowOf(p.start, e, e.exchange));
    else if (by === 'side') {
      for (const side of ['long', 'short'] as const) {
        const t = p.total[side];
        if (t.count === 0) continue;
        rows.push({ start: p.start, group: side, count: t.count, longCount: side === 'long' ? t.count : 0, shortCount: side === 'short' ? t.count : 0, cents: t.valueCents, longCents: side === 'long' ? t.valueCents : 0, shortCents: side === 'short' ? t.valueCents : 0 });
      }
    } else for (const s of p.symbols ?? []) if (s.bucket.count > 0) rows.push(rowOf(p.start, s.bucket, s.symbol));
  }
  return rows;
}

const iso = (t: number) => new Date(t).toISOString().replace(':00.000Z', 'Z');
/** Exact decimal dollars from cents: 123456 → "1234.56". */
const usd = (cents: number) => formatCents(cents).replace(/[$,]/g, '');

export function notesOf(h: History, opts: QueryOptions, r: Retentions): string[] {
  const notes: string[] = [];
  const kept = { '60s': `minute buckets are kept ${r.minuteHours} h (BUCKET_RETENTION_HOURS)`, '1h': `hourly rollups are kept ${r.hourDays} days (ROLLUP_1H_RETENTION_DAYS)`, '1d': `daily rollups are kept ${r.dayDays} days (ROLLUP_1D_RETENTION_DAYS)` }[h.res];
  if (h.expiredBefore !== null) {
    const hint = h.res === '60s' ? '; --interval 1h reaches further' : h.res === '1h' ? '; --interval 1d reaches further' : '';
    notes.push(`no data from ${iso(opts.from)} to ${iso(h.expiredBefore)}: beyond the retention (${kept})${hint}`);
  }
  for (const d of h.down) {
    const spans = d.spans.slice(0, 5).map((s) => `${iso(s.from)}–${iso(s.to)}`).join(', ');
    notes.push(`feed ${d.venue} down during ${d.minutes} minute${d.minutes === 1 ? '' : 's'}: ${spans}${d.spans.length > 5 ? `, … (${d.spans.length} spans)` : ''}: figures there are lower bounds`);
  }
  if (h.downUnknownBefore !== null && h.expiredBefore === null) notes.push(`feed state unknown before ${iso(h.downUnknownBefore)} (the down marks are kept as long as the minute buckets)`);
  return notes;
}

const COLUMNS = ['period_start', 'count', 'long_count', 'short_count', 'value_cents', 'long_value_cents', 'short_value_cents', 'usd'] as const;

export function render(rows: readonly Row[], opts: QueryOptions, notes: readonly string[], h: History): { out: string; err: string } {
  const groupCol = opts.by;
  const record = (r: Row) => ({
    period_start: iso(r.start),
    ...(groupCol ? { [groupCol]: r.group } : {}),
    count: r.count,
    long_count: r.longCount,
    short_count: r.shortCount,
    value_cents: r.cents,
    long_value_cents: r.longCents,
    short_value_cents: r.shortCents,
    usd: usd(r.cents),
  });
  const noteText = notes.map((n) => `${PROG}: note: ${n}\n`).join('');
  if (opts.format === 'json') return { out: rows.map((r) => `${JSON.stringify(record(r))}\n`).join(''), err: noteText };
  if (opts.format === 'csv') {
    const cols = groupCol ? [COLUMNS[0], groupCol, ...COLUMNS.slice(1)] : [...COLUMNS];
    const esc = (v: unknown) => (/[",\n]/.test(String(v)) ? `"${String(v).replace(/"/g, '""')}"` : String(v));
    const lines = [cols.join(','), ...rows.map((r) => cols.map((c) => esc((record(r) as Record<string, unknown>)[c])).join(','))];
    return { out: `${lines.join('\n')}\n`, err: noteText };
  }
  const scope = opts.coin ? `coin ${opts.coin}` : opts.symbol;
  const source = { '60s': 'minute buckets', '1h': 'hourly rollups', '1d': 'daily rollups' }[h.res];
  const head = ['period (UTC)', ...(groupCol ? [groupCol] : []), 'count', 'long', 'short', 'total'];
  const body = rows.map((r) => [iso(r.start).replace('T', ' ').replace('Z', ''), ...(groupCol ? [r.group ?? ''] : []), String(r.count), formatCents(r.longCents), formatCents(r.shortCents), formatCents(r.cents)]);
  const sum = rows.reduce((a, r) => ({ c: a.c + r.count, l: a.l + BigInt(r.longCents), s: a.s + BigInt(r.shortCents) }), { c: 0, l: 0n, s: 0n });
  body.push(['total', ...(groupCol ? [''] : []), String(sum.c), formatCents(sum.l), formatCents(sum.s), formatCents(sum.l + sum.s)]);
  const widths = head.map((_, i) => Math.max(head[i].length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 || (groupCol && i === 1) ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  const out = [
    `${scope}, ${opts.interval} from ${source}, ${iso(opts.from)} to ${iso(opts.to)}`,
    line(head),
    ...body.slice(0, -1).map(line),
    line(widths.map((w) => '-'.repeat(w))),
    line(body[body.length - 1]),
    ...(rows.length === 0 ? ['(no liquidations in the range)'] : []),
    ...notes.map((n) => `note: ${n}`),
  ];
  return { out: `${out.join('\n')}\n`, err: '' };
}

/** Runs the command; resolves with the exit code. */
export async function run(argv: string[], env: NodeJS.ProcessEnv = process.env, now = Date.now()): Promise<number> {
  let opts;
  let retentions;
  let target: RedisTarget;
  try {
    opts = parseQuery(argv, now);
    retentions = retentionsFrom(env);
    target = redisTargetFromEnv(env);
  } catch (err) {
    process.stderr.write(`${PROG}: ${(err as Error).message} (see --help)\n`);
    return 2;
  }
  if (opts === 'help') {
    process.stdout.write(HELP);
    return 0;
  }
  const redis = await connectToRead(target);
  if (typeof redis === 'string') {
    process.stderr.write(`${PROG}: ${redis}\n`);
    return 2;
  }
  try {
    const h = await readHistory(redis, { symbol: opts.symbol, coin: opts.coin, from: opts.from, to: opts.to, interval: opts.interval, bySymbol: opts.by === 'symbol', retentions, now });
    const { out, err } = render(rowsOf(h, opts.by), opts, notesOf(h, opts, retentions), h);
    process.stdout.on('error', (e: NodeJS.ErrnoException) => process.exit(e.code === 'EPIPE' ? 0 : 1));
    process.stderr.write(err);
    await new Promise<void>((r) => process.stdout.write(out, () => r()));
    return 0;
  } catch (err) {
    process.stderr.write(`${PROG}: ${(err as Error).message}\n`);
    return 2;
  } finally {
    redis.disconnect();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  void run(process.argv.slice(2)).then((code) => (process.exitCode = code));
}
