#!/usr/bin/env node
// liqd-import: loads a source's past files (a day of a node's fill files, a copy of an archive) into the buckets of
// REDIS_URL, exactly once and resumably (see --help). Exit 0 done, 1 failed or interrupted, 2 usage.
import { ConfigError, loadConfig } from '../src/config.js';
import { describeTarget } from '../src/core/redis-target.js';
import { redisClient } from './lib/redis.js';
import { ADAPTERS, adapterOf } from '../src/venues/registry.js';
import type { HistoryFile, HistorySpec } from '../src/venues/types.js';
import { parseUtcTime } from '../src/venues/parsing.js';
import { StatusLine, UsageError, duration, int, parseOptions, usd } from './lib/cli.js';
import { type ImportTotals, progressKey, runImport } from './lib/import.js';

const PROG = 'liqd-import';
const IMPORTABLE = ADAPTERS.flatMap((a) => (a.sources ?? []).filter((s) => s.history !== undefined).map((s) => ({ exchange: a.exchange, history: s.history! })));
const EXAMPLE = IMPORTABLE[0]?.exchange ?? '<exchange>';

const HELP = `${PROG}: loads past files of a venue into the buckets, each liquidation counted once

Usage:
  ${PROG} <exchange> <DIR> [--from <time>] [--to <time>] [--reread]
  npm run import -- <exchange> <DIR> [options]

  <exchange>        one of: ${IMPORTABLE.map((i) => i.exchange).join(', ') || '(none has files to import)'}
  <DIR>             where the files are (below)
  --from <time>     only the hours that end after this time: an ISO time with its zone (2025-10-10T06:00Z) or a UTC
                    date (2025-10-10)
  --to <time>       only the hours that begin before this time (same forms)
  --reread          forget what earlier runs recorded and read every file again (what is already counted still
                    counts once)
  -h, --help        this help

Where it writes: the Redis of REDIS_URL (default redis://127.0.0.1:6379, the daemon's managed Redis), or the master
that REDIS_SENTINELS (and REDIS_SENTINEL_NAME) find, or the Redis Cluster of REDIS_CLUSTER_NODES, through the same write script as the daemon, with BUCKET_RETENTION_HOURS and EVENT_LOG_RETENTION_HOURS from the environment.
Liquidations older than BUCKET_RETENTION_HOURS (default 168: the last 7 days) are not written (their minutes would
already have expired); the summary counts them. To load older days, raise it for the import and the daemon alike
(BUCKET_RETENTION_HOURS=2400 keeps 100 days of minutes, about 100 times the memory of one day).

Exactly once: every liquidation has its identity, so importing the same files twice, importing hours the daemon has
already tailed, or running two imports at once counts each liquidation once.

Resumable: after each 4 MiB of a file is written, the position is recorded in Redis (liq:import:{exchange}:{id}); run
the same command again after a stop (Ctrl-C, a crash, Redis gone) and it goes on from there. A file whose last line is
still being written is read up to that line, and the rest on a later run.

Progress: a bar on stderr on a terminal, a line per file otherwise; a summary on stdout at the end.
${IMPORTABLE.map((i) => `\n${i.exchange}: ${i.history.help}\n`).join('')}
Examples (dates in UTC; the last 7 days unless BUCKET_RETENTION_HOURS is raised):
  npm run import -- ${EXAMPLE} ~/hl/data                                   every file in the directory
  REDIS_URL=redis://10.0.0.5:6379 npm run import -- ${EXAMPLE} ~/hl/data --from 2026-11-25 --to 2026-11-27
`;

interface Cli {
  exchange: string;
  history: HistorySpec;
  dir: string;
  from: number | null;
  to: number | null;
  reread: boolean;
}

function parse(argv: string[]): Cli | 'help' {
  const r = parseOptions({
    args: argv,
    strict: true,
    allowPositionals: true,
    options: { from: { type: 'string' }, to: { type: 'string' }, reread: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
  });
  if (r.values.help) return 'help';
  const [exchange, dir, extra] = r.positionals;
  if (exchange === undefined || dir === undefined) throw new UsageError(`usage: ${PROG} <exchange> <DIR> [--from <time>] [--to <time>] (see --help)`);
  if (extra !== undefined) throw new UsageError(`one directory only (got also ${JSON.stringify(extra)})`);
  const found = IMPORTABLE.find((i) => i.exchange === exchange.toLowerCase());
  if (found === undefined) {
    const known = adapterOf(exchange.toLowerCase()) !== undefined;
    throw new UsageError(`${known ? `${exchange} has no files to import` : `no venue named ${exchange}`}: one of ${IMPORTABLE.map((i) => i.exchange).join(', ')}`);
  }
  const time = (name: string, v: string | undefined) => {
    if (v === undefined) return null;
    const ms = parseUtcTime(v);
    if (ms === undefined) throw new UsageError(`--${name} must be an ISO time with its zone (2025-10-10T06:00Z) or a UTC date (2025-10-10) (got ${JSON.stringify(v)})`);
    return ms;
  };
  const from = time('from', r.values.from);
  const to = time('to', r.values.to);
  if (from !== null && to !== null && to <= from) throw new UsageError('--to must be after --from');
  return { exchange: found.exchange, history: found.history, dir, from, to, reread: r.values.reread === true };
}

const gb = (n: number) => (n >= 1e9 ? `${(n / 1e9).toFixed(2)} GB` : n >= 1e6 ? `${(n / 1e6).toFixed(1)} MB` : `${int(n)} bytes`);

function bar(t: ImportTotals, startedAt: number): string {
  const frac = t.bytes === 0 ? 1 : Math.min(1, t.bytesDone / t.bytes);
  const width = 24;
  const full = Math.round(frac * width);
  const spent = Date.now() - startedAt;
  const eta = frac > 0.01 && frac < 1 ? `, ${duration((spent / frac) * (1 - frac))} left` : '';
  return `[${'#'.repeat(full)}${'.'.repeat(width - full)}] ${Math.floor(frac * 100)}%  ${t.filesDone}/${t.files} files  ${gb(t.bytesDone)}/${gb(t.bytes)}  ${int(t.counted)} counted, ${int(t.already)} already${eta}`;
}

function summary(t: ImportTotals, where: string, ms: number): string {
  // too old is said on its own line, with what to do about it
  const rejected = [...t.rejected].filter(([r]) => r !== 'ts_too_old').sort((a, b) => b[1] - a[1]).map(([r, n]) => `${int(n)} ${r}`);
  const old = t.expired + (t.rejected.get('ts_too_old') ?? 0);
  const out = [
    `${t.interrupted ? 'stopped after' : 'imported'} ${t.filesDone}/${t.files} files (${gb(t.bytesDone)}, ${int(t.lines)} lines) from ${where} in ${duration(ms)}` +
      (t.filesSkipped > 0 ? `; ${t.filesSkipped} already imported whole by an earlier run` : ''),
    `  liquidations read: ${int(t.found)} (${usd(t.foundCents)})`,
    `  counted now: ${int(t.counted)}; already counted: ${int(t.already)}; older than BUCKET_RETENTION_HOURS, not written: ${int(old)}`,
  ];
  if (old > 0) out.push('  to keep older days, raise BUCKET_RETENTION_HOURS (here and for the daemon) and import again');
  if (rejected.length > 0) out.push(`  rejected: ${rejected.join(', ')}`);
  if (t.unfinished.length > 0) out.push(`  last line still being written, read on a later run: ${t.unfinished.join(', ')}`);
  if (t.interrupted) out.push('  run the same command again to go on from here');
  return `${out.join('\n')}\n`;
}

async function main(): Promise<number> {
  let cli;
  try {
    cli = parse(process.argv.slice(2));
  } catch (err) {
    if (err instanceof UsageError) return fail(err.message, 2);
    throw err;
  }
  if (cli === 'help') {
    process.stdout.write(HELP);
    return 0;
  }
  let cfg;
  try {
    cfg = loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) return fail(err.message, 2);
    throw err;
  }
  let files: HistoryFile[];
  try {
    files = await cli.history.files(cli.dir, { from: cli.from, to: cli.to });
  } catch (err) {
    return fail((err as Error).message, 2);
  }
  let redis;
  try {
    redis = redisClient(cfg.redis, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 5_000, retryStrategy: () => null });
  } catch (err) {
    return fail((err as Error).message, 2);
  }
  redis.on('error', () => undefined); // the failing command says it
  try {
    await redis.connect();
  } catch (err) {
    return fail(`cannot reach Redis at ${describeTarget(cfg.redis)} (${(err as Error).message}): start it (npm start starts a managed one) or set REDIS_URL`, 1);
  }
  let stop = false;
  const onSignal = () => {
    stop = true;
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const status = new StatusLine();
  const startedAt = Date.now();
  let shownAt = 0;
  try {
    const totals = await runImport({
      exchange: cli.exchange,
      history: cli.history,
      files,
      redis,
      bucketRetentionHours: cfg.BUCKET_RETENTION_HOURS,
      eventLogRetentionHours: cfg.EVENT_LOG_RETENTION_HOURS,
      reread: cli.reread,
      stopped: () => stop,
      progress: (t, done) => {
        if (status.enabled) {
          if (Date.now() - shownAt < 100 && done === undefined) return;
          shownAt = Date.now();
          status.update(`${PROG} ${cli.exchange}: ${bar(t, startedAt)}`);
        } else if (done !== undefined) {
          const pct = t.bytes === 0 ? 100 : Math.floor((t.bytesDone / t.bytes) * 100);
          process.stderr.write(`${PROG}: ${t.filesDone}/${t.files} ${done.name} done (${pct}%): ${int(t.counted)} counted, ${int(t.already)} already counted so far\n`);
        }
      },
    });
    status.clear();
    process.stdout.write(summary(totals, files.length > 0 ? `${cli.dir} (${files[0].name} to ${files[files.length - 1].name}, resume record ${await progressKey(cli.exchange, files)})` : cli.dir, Date.now() - startedAt));
    return totals.interrupted ? 1 : 0;
  } catch (err) {
    status.clear();
    return fail(`stopped: ${(err as Error).message}; run the same command again to go on from the last recorded position`, 1);
  } finally {
    redis.disconnect();
  }
}

function fail(line: string, code: number): number {
  process.stderr.write(`${PROG}: ${line}\n`);
  return code;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.exitCode = fail(`unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`, 1);
  },
);
