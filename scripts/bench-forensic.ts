#!/usr/bin/env node
// Benchmark of the forensic validator: generates HOURS × SYMBOLS buckets (default 24 h × 500 symbols = 720,000
// symbol buckets) through the real BucketWriter (so buckets, ALL buckets, indexes, identities and the event log
// are exactly what the daemon writes), then runs `dist/scripts/forensic.js` against them and prints the figures.
//
//   node dist/scripts/bench-forensic.js [--hours 24] [--symbols 500] [--extra 0.5] [--redis-url URL] [--json]
//
// Without --redis-url a private redis-server is started and removed afterwards. With --redis-url the database
// must be empty (the benchmark refuses to write into a database holding keys). Exit code: the validator's.
import { EXCHANGE_NAMES } from '../src/venues/registry.js';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Redis } from 'ioredis';
import { parseDecimal } from '../src/core/decimal.js';
import { type LiquidationEvent, type Side, makeInverseEvent, makeLinearEvent } from '../src/core/event.js';
import { BUCKET_MS, minuteOf } from '../src/core/keys.js';
import { BucketWriter } from '../src/engine/writer.js';
import { targetEnv } from '../src/core/redis-target.js';
import { redisClient, redisSpec, startPrivateRedis } from './lib/redis.js';
import { mulberry32 } from './lib/prng.js';
import { letters } from '../src/venues/standin/fixtures.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const FORENSIC = path.join(HERE, 'forensic.js');
/** Three of the registered venues' names (bucket fields per exchange). */
const EXCHANGES = EXCHANGE_NAMES.slice(0, 3);

interface Options {
  hours: number;
  symbols: number;
  extra: number;
  redisUrl?: string;
  json: boolean;
}

function parseArgs(argv: string[]): Options {
  const o: Options = { hours: 24, symbols: 500, extra: 0.5, json: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--hours') o.hours = Number(next());
    else if (a === '--symbols') o.symbols = Number(next());
    else if (a === '--extra') o.extra = Number(next());
    else if (a === '--redis-url') o.redisUrl = next();
    else if (a === '--json') o.json = true;
    else if (a === '--help' || a === '-h') {
      process.stdout.write(
        'usage: bench-forensic [--hours 24] [--symbols 500] [--extra 0.5] [--redis-url URL] [--json]\n' +
          '  --extra  average number of additional events per bucket beyond the first (0..2)\n',
      );
      process.exit(0);
    } else throw new Error(`unknown argument ${a}`);
  }
  if (!(o.hours > 0 && o.hours <= 168 && Number.isInteger(o.hours))) throw new Error('--hours must be an integer 1..168');
  if (!(o.symbols > 0 && Number.isInteger(o.symbols))) throw new Error('--symbols must be a positive integer');
  if (!(o.extra >= 0 && o.extra <= 2)) throw new Error('--extra must be 0..2');
  return o;
}

const rng = mulberry32;

function symbolName(i: number): string {
  return `B${letters(i)}USDT`;
}

/** One event: linear (price × base quantity) or, one in four, inverse (USD notional at a price). */
function makeEvent(rand: () => number, symbol: string, basePrice: number, minute: number, k: number): LiquidationEvent {
  const exchange = EXCHANGES[Math.floor(rand() * 3)];
  const side: Side = rand() < 0.5 ? 'long' : 'short';
  const ts = minute + Math.floor(rand() * BUCKET_MS);
  const price = (basePrice * (1 + (rand() - 0.5) * 0.004)).toFixed(4);
  const inverse = rand() < 0.25;
  const size = inverse ? String(100 * (1 + Math.floor(rand() * 50))) : (0.001 + rand() * 20).toFixed(3);
  const common = { exchange, symbol, side, ts, priceText: price, sizeText: `${size}#${k}` };
  const p = parseDecimal(price)!;
  const s = parseDecimal(size)!;
  const e = inverse ? makeInverseEvent(common, p, s) : makeLinearEvent(common, p, s);
  if (typeof e === 'string') throw new Error(`generator built an invalid event: ${e}`);
  return e;
}

export async function generate(redis: Redis, hours: number, symbols: number, extra: number, now: number): Promise<number> {
  const writer = new BucketWriter(redis, { bucketRetentionHours: 168, eventLogRetentionHours: 24 });
  const rand = rng(42);
  const last = minuteOf(now);
  const minutes = hours * 60;
  const prices = Array.from({ length: symbols }, () => 0.01 + rand() * 60_000);
  let batch: LiquidationEvent[] = [];
  let total = 0;
  let k = 0;
  const flush = async () => {
    const r = await writer.write(batch, now);
    if (r.written !== batch.length) throw new Error(`writer wrote ${r.written} of ${batch.length} events`);
    total += r.written;
    batch = [];
  };
  for (let m = 0; m < minutes; m++) {
    const minute = last - (minutes - 1 - m) * BUCKET_MS;
    for (let s = 0; s < symbols; s++) {
      const sym = symbolName(s);
      let n = 1;
      for (let x = extra; x > 0; x -= 1) if (rand() < Math.min(1, x)) n++;
      for (let j = 0; j < n; j++) {
        const e = makeEvent(rand, sym, prices[s], minute, k++);
        // Events of the current minute must not be in the future of `now` by more than the contract allows.
        batch.push(e.ts > now ? makeEvent(rand, sym, prices[s], minute - BUCKET_MS, k++) : e);
      }
      // 1,000 per write: a 5,000-event batch over thousands of distinct buckets overflows the call stack when the
      // writer spreads its ~150,000 script arguments (reported to the lead).
      if (batch.length >= 1000) await flush();
    }
  }
  if (batch.length > 0) await flush();
  return total;
}

interface RunResult {
  code: number | null;
  ms: number;
  stdout: string;
  stderr: string;
}

function runForensic(url: string, args: string[]): Promise<RunResult> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [FORENSIC, ...args], { env: { ...process.env, ...targetEnv(redisSpec(url)) }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    p.once('error', reject);
    p.once('exit', (code) => resolve({ code, ms: performance.now() - t0, stdout, stderr }));
  });
}

async function main(): Promise<number> {
  const o = parseArgs(process.argv.slice(2));
  const server = o.redisUrl === undefined ? await startPrivateRedis() : undefined;
  const url = o.redisUrl ?? server!.url;
  const redis = redisClient(url, { maxRetriesPerRequest: 2 });
  try {
    if ((await redis.dbsize()) !== 0) throw new Error('the database is not empty: refusing to write benchmark data into it');
    const now = Date.now();
    const t0 = performance.now();
    const events = await generate(redis, o.hours, o.symbols, o.extra, now);
    const genMs = performance.now() - t0;
    const window = o.hours === 24 ? '24h' : o.hours <= 1 ? '1h' : o.hours <= 4 ? '4h' : o.hours <= 12 ? '12h' : o.hours <= 24 ? '24h' : '7d';
    const run = await runForensic(url, ['--window', window, '--json']);
    let report: {
      ok?: boolean;
      buckets?: number;
      logEntries?: number;
      elapsedMs?: number;
      checks?: Array<{ id: number; name: string; passed: number; failed: number }>;
      warnings?: Array<{ name: string; compared: number; warned: number }>;
    } = {};
    try {
      report = JSON.parse(run.stdout) as typeof report;
    } catch {
      process.stderr.write(`bench-forensic: the validator did not print JSON (exit ${run.code}): ${run.stderr.trim()}\n`);
    }
    const figures = {
      hours: o.hours,
      symbols: o.symbols,
      symbolBuckets: o.hours * 60 * o.symbols,
      events,
      generateMs: Math.round(genMs),
      window,
      validatorExit: run.code,
      validatorWallMs: Math.round(run.ms),
      validatorReportedMs: report.elapsedMs,
      bucketsChecked: report.buckets,
      logEntriesRead: report.logEntries,
      checks: report.checks?.map((c) => ({ id: c.id, name: c.name, passed: c.passed, failed: c.failed })),
      warnings: report.warnings?.map((w) => ({ name: w.name, compared: w.compared, warned: w.warned })),
    };
    if (o.json) process.stdout.write(`${JSON.stringify(figures)}\n`);
    else {
      process.stdout.write(
        `generated ${figures.symbolBuckets.toLocaleString('en-US')} symbol buckets (${o.hours} h × ${o.symbols} symbols), ` +
          `${events.toLocaleString('en-US')} events, in ${(genMs / 1000).toFixed(1)} s\n` +
          `forensic --window ${window}: exit ${run.code}, ${(run.ms / 1000).toFixed(2)} s wall` +
          (report.elapsedMs !== undefined ? ` (${(report.elapsedMs / 1000).toFixed(2)} s reported)` : '') +
          `, ${report.buckets ?? '?'} buckets, ${report.logEntries ?? '?'} log entries\n`,
      );
      for (const c of figures.checks ?? []) process.stdout.write(`  ${c.id}. ${c.name}: ${c.passed} passed, ${c.failed} failed\n`);
      for (const w of figures.warnings ?? []) process.stdout.write(`  warning ${w.name}: ${w.compared} compared, ${w.warned} warned\n`);
      if (run.code !== 0) process.stdout.write(run.stderr);
    }
    return run.code ?? 2;
  } finally {
    redis.disconnect();
    await server?.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`bench-forensic: ${err instanceof Error ? (process.env.DEBUG ? err.stack : err.message) : String(err)}\n`);
    process.exit(2);
  },
);
