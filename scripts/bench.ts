#!/usr/bin/env node
// npm run bench: end-to-end throughput and latency of the real daemon against the stand-in exchanges and a private
// Redis, the naive one-round-trip-per-field writer as the baseline, the parsers against bare JSON.parse, and
// latency under a steady 10,000 events/s. Prints a table on stdout, writes bench-results.json; progress on stderr.
// With --redis sentinel or cluster the end-to-end runs also go through that deployment (started here, on loopback),
// beside the single Redis, in the same table (scripts/bench/deployments.ts); the other sections use the single one.
//
//   node dist/scripts/bench.js [--sizes 10k,100k,1m] [--quick] [--redis single|sentinel|cluster] [--exchanges LIST] [--json <path>] [--profile <dir>]
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { cleanup, installSignalHandlers } from './lib/children.js';
import { redisClient, startPrivateRedis } from './lib/redis.js';
import { REDIS_MODES, type RedisMode, startDeployments } from './bench/deployments.js';
import { runThroughDaemon, type RunResult } from './bench/e2e.js';
import { runNaive, type NaiveResult } from './bench/naive.js';
import { benchParsers, type ParserFigure } from './bench/parsers.js';
import { formatScriptCost, measureScriptCost } from './bench/script-cost.js';
import { fmt, table } from './bench/stats.js';
import { buildUniverse, buildWorkload, synthExchanges } from './bench/workload.js';

const PROG = 'bench';
const USAGE = `usage: node dist/scripts/bench.js [--sizes 10k,100k,1m] [--quick] [--redis single|sentinel|cluster] [--exchanges LIST] [--json <path>] [--profile <dir>]
  --sizes   end-to-end run sizes in events (k = thousand, m = million); default 10k,100k,1m
  --quick   smoke run: 1k events end to end, naive baseline on 1k, steady load for 2 s
  --redis   sentinel: the end-to-end runs also go through a master, one replica and three Sentinels it starts,
            with REDIS_WAIT_REPLICAS=0 and =1, beside the single Redis (default single: that one only);
            cluster: also through a Redis Cluster it starts (3 masters, a replica each; REDIS_CLUSTER_NODES),
            with REDIS_WAIT_REPLICAS=0 and =1 likewise
  --exchanges  only these venues in the workload (comma-separated, e.g. binance,bybit,okx: the wave-1 workload,
            to compare builds like for like); default every WebSocket venue
  --json    where to write the results (default bench-results.json)
  --profile write a CPU profile of each daemon run into <dir> (daemon-<pid>.cpuprofile, for Chrome DevTools)
`;

interface Options {
  sizes: number[];
  quick: boolean;
  redis: RedisMode;
  json: string;
  profile?: string;
  exchanges?: string[];
}

function parseSize(text: string): number {
  const m = /^(\d+(?:\.\d+)?)([km]?)$/i.exec(text.trim());
  if (!m) throw new Error(`bad size "${text}" (e.g. 10k, 100k, 1m)`);
  const mult = m[2].toLowerCase() === 'k' ? 1e3 : m[2].toLowerCase() === 'm' ? 1e6 : 1;
  const n = Math.round(Number(m[1]) * mult);
  if (n < 1) throw new Error(`bad size "${text}"`);
  return n;
}

function parseArgs(argv: string[]): Options {
  let sizes: number[] | undefined;
  let quick = false;
  let json = 'bench-results.json';
  let profile: string | undefined;
  let redis: RedisMode = 'single';
  let exchanges: string[] | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--quick') quick = true;
    else if (a === '--sizes') sizes = value().split(',').filter(Boolean).map(parseSize);
    else if (a.startsWith('--sizes=')) sizes = a.slice(8).split(',').filter(Boolean).map(parseSize);
    else if (a === '--json') json = value();
    else if (a === '--redis' || a.startsWith('--redis=')) {
      const v = a === '--redis' ? value() : a.slice(8);
      if (!(REDIS_MODES as readonly string[]).includes(v)) throw new Error(`--redis must be one of ${REDIS_MODES.join(', ')} (got ${JSON.stringify(v)})`);
      redis = v as RedisMode;
    }
    else if (a === '--profile') profile = path.resolve(value());
    else if (a === '--exchanges') {
      exchanges = value().split(',').filter(Boolean);
      const known = synthExchanges();
      const bad = exchanges.filter((e) => !known.includes(e));
      if (bad.length > 0 || exchanges.length === 0) throw new Error(`--exchanges takes names from ${known.join(', ')} (got ${JSON.stringify(bad.join(','))})`);
    }
    else if (a.startsWith('--json=')) json = a.slice(7);
    else if (a === '--help' || a === '-h') {
      process.stdout.write(USAGE);
      process.exit(0);
    } else throw new Error(`unknown option ${a}`);
  }
  return { sizes: sizes ?? (quick ? [1000] : [10_000, 100_000, 1_000_000]), quick, redis, json, ...(profile ? { profile } : {}), ...(exchanges ? { exchanges } : {}) };
}

function label(n: number): string {
  if (n >= 1e6 && n % 1e6 === 0) return `${n / 1e6}m`;
  if (n >= 1e3 && n % 1e3 === 0) return `${n / 1e3}k`;
  return String(n);
}

const progress = (line: string) => process.stderr.write(`${PROG}: ${line}\n`);

async function main(): Promise<void> {
  let opts: Options;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`${PROG}: ${(err as Error).message}\n${USAGE}`);
    process.exit(2);
  }
  installSignalHandlers();
  let daemonEnv: Record<string, string> = {};
  if (opts.profile) {
    mkdirSync(opts.profile, { recursive: true });
    const hook = path.join(path.dirname(fileURLToPath(import.meta.url)), 'bench', 'cpu-profile-hook.js');
    daemonEnv = { NODE_OPTIONS: `--import ${pathToFileURL(hook).href}`, LIQD_BENCH_PROFILE_DIR: opts.profile };
  }
  const startedAt = new Date();
  const universe = await buildUniverse(opts.exchanges);

  // 3. Parsers alone (first, while nothing else runs on the machine).
  progress('parsers: building frames');
  const parserLoad = buildWorkload(universe, { events: opts.quick ? 10_000 : 100_000, samples: 1, seed: 7 });
  progress(`parsers: ${fmt(parserLoad.frames.length)} frames, measuring`);
  const parsers: ParserFigure[] = benchParsers(universe, parserLoad, opts.quick ? { msPerRound: 100, rounds: 1 } : { msPerRound: 700, rounds: 3 });

  const redis = await startPrivateRedis();
  const admin = redisClient(redis.url, { maxRetriesPerRequest: 2 });
  const redisVersion = /redis_version:(\S+)/.exec(await admin.info('server'))?.[1] ?? '?';
  admin.disconnect();
  progress(`private redis-server ${redisVersion} on port ${redis.port}`);
  // --redis sentinel|cluster: the same end-to-end runs through Sentinel or on a Cluster too, beside the single Redis.
  const { list: deployments, stop: stopDeployments } = await startDeployments(opts.redis, redis.url, progress);

  // 1. End to end, per size and deployment, a fresh daemon each (so VmHWM is that run's peak).
  const e2e: Array<RunResult & { size: string; mode: string }> = [];
  for (const n of opts.sizes) {
    progress(`end to end ${label(n)}: building ${fmt(n)} events`);
    const w = buildWorkload(universe, { events: n, samples: Math.min(1000, n) });
    for (const dep of deployments) {
      const name = `end to end ${label(n)}${deployments.length > 1 ? ` (${dep.mode})` : ''}`;
      progress(`${name}: ${fmt(w.frames.length)} frames, ${fmt(w.bytes / 1e6, 1)} MB; starting the daemon`);
      const r = await runThroughDaemon({
        redis: dep.redis,
        alsoRedis: dep.alsoRedis,
        universe,
        workload: w,
        probeMs: 2,
        progress,
        label: name,
        daemonEnv: { ...daemonEnv, ...dep.env },
        timeoutMs: 120_000 + n / 5,
      });
      if (r.visible !== n || r.duplicates !== 0 || r.rejected !== 0) {
        throw new Error(`${name}: ${r.visible} log entries for ${n} events, ${r.duplicates} duplicates, ${r.rejected} rejected`);
      }
      progress(`${name}: ${fmt(r.eventsPerSec)} events/s, p99 ${fmt(r.latencyMs.p99, 1)} ms, peak RSS ${fmt(r.peakRssMb, 1)} MB`);
      e2e.push({ size: label(n), mode: dep.mode, ...r });
    }
  }
  await stopDeployments();

  // 2. Naive baseline on a subset of the same frames.
  const naiveEvents = opts.quick ? 1000 : 10_000;
  progress(`naive baseline: ${fmt(naiveEvents)} events`);
  const naiveLoad = buildWorkload(universe, { events: naiveEvents, samples: 1 });
  const naive: NaiveResult = await runNaive(redis.url, universe, naiveLoad, naiveEvents, progress);
  progress(`naive baseline: ${fmt(naive.eventsPerSec)} events/s`);

  // 4. Latency under steady load.
  const rate = 10_000;
  const steadySeconds = opts.quick ? 2 : 30;
  progress(`steady load: ${fmt(rate)} events/s for ${steadySeconds} s`);
  const steadyLoad = buildWorkload(universe, { events: rate * steadySeconds, samples: Math.min(3000, (rate * steadySeconds) / 10), seed: 11 });
  const steady = await runThroughDaemon({
    redis: { mode: 'single', url: redis.url },
    universe,
    workload: steadyLoad,
    rate,
    probeMs: 1,
    progress,
    label: 'steady load',
    daemonEnv,
    timeoutMs: 60_000,
  });
  // 5. The write script inside Redis, by section: what bounds the end-to-end figure on the Redis side.
  progress('write script: cost inside Redis by section');
  const scriptCost = await measureScriptCost(redis.url, 5000, opts.quick ? 2 : 20);
  await redis.stop();

  // --- report ----------------------------------------------------------------------------------------------
  // The targets are the single Redis's figures.
  const single = e2e.filter((r) => r.mode === 'single');
  const big = single[single.length - 1];
  const best = single.reduce((m, r) => Math.max(m, r.eventsPerSec), 0);
  const rssGrowth = single.length >= 2 ? big.peakRssMb - single[single.length - 2].peakRssMb : 0;
  const parserMin = parsers.reduce((m, p) => Math.min(m, p.ofJsonParse), Infinity);
  const targets = {
    endToEndEventsPerSec: { target: 250_000, measured: big.eventsPerSec, met: big.eventsPerSec >= 250_000 },
    timesNaive: { target: 150, measured: big.eventsPerSec / naive.eventsPerSec, met: big.eventsPerSec / naive.eventsPerSec >= 150 },
    steadyP99Ms: { target: 100, measured: steady.latencyMs.p99, met: steady.latencyMs.p99 <= 100 },
    peakRssMb: { target: 200, measured: big.peakRssMb, met: big.peakRssMb <= 200 },
    parsersOfJsonParse: { target: 0.5, measured: parserMin, met: parserMin >= 0.5 },
  };
  const results = {
    meta: {
      startedAt: startedAt.toISOString(),
      node: process.version,
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model ?? '?',
      redis: redisVersion,
      quick: opts.quick,
      redisModes: deployments.map((d) => d.mode),
      daemon: { FLUSH_INTERVAL_MS: 50, FLUSH_MAX_EVENTS: 5000, LOG_LEVEL: 'warn' },
    },
    endToEnd: e2e.map((r) => ({ ...r, timesNaive: r.eventsPerSec / naive.eventsPerSec })),
    naive,
    parsers,
    steady: { rate, durationSeconds: steadySeconds, achievedEventsPerSec: steady.events / steady.sendSeconds, ...steady },
    targets,
    scriptCost,
    bestEventsPerSec: best,
    rssGrowthLastTwoRunsMb: rssGrowth,
  };
  const jsonPath = path.resolve(opts.json);
  writeFileSync(jsonPath, JSON.stringify(results, null, 2) + '\n');

  const out: string[] = [];
  out.push(`liqd bench: ${os.cpus().length} × ${os.cpus()[0]?.model ?? '?'}, node ${process.version}, redis ${redisVersion}${opts.quick ? ' (quick)' : ''}`);
  out.push('');
  out.push('1. End to end: stand-ins → WebSocket → daemon → Redis (first frame sent → last event visible)');
  const many = deployments.length > 1;
  if (opts.redis === 'sentinel') out.push('   sentinel: through Sentinel to a master with one replica (its CPU counted with Redis); WAIT 1: REDIS_WAIT_REPLICAS=1');
  if (opts.redis === 'cluster') {
    out.push('   cluster: 3 masters with a replica each (every node\'s CPU counted with Redis, commands counted on the masters);');
    out.push('   one write script call per UTC day, own ids claimed first in their shard; WAIT 1: REDIS_WAIT_REPLICAS=1');
  }
  out.push(
    table(
      [...(many ? ['redis'] : []), 'size', 'frames', 'events/s', '× naive', 'p50 ms', 'p99 ms', 'max ms', 'samples', 'peak RSS MB', 'max buffered', 'cmds/event', 'events/script'],
      e2e.map((r) => [
        ...(many ? [r.mode] : []),
        r.size,
        fmt(r.frames),
        fmt(r.eventsPerSec),
        `${fmt(r.eventsPerSec / naive.eventsPerSec, 0)}×`,
        fmt(r.latencyMs.p50, 1),
        fmt(r.latencyMs.p99, 1),
        fmt(r.latencyMs.max, 1),
        fmt(r.latencyMs.samples),
        fmt(r.peakRssMb, 1),
        fmt(r.maxBufferedEvents),
        fmt(r.redis.perEvent, 2),
        fmt(r.redis.eventsPerScriptCall, 0),
      ]),
    ),
  );
  const withCpu = e2e.filter((r) => r.cpuUsPerEvent !== undefined);
  if (withCpu.length > 0) {
    out.push('');
    out.push(`   CPU time per event over the same interval (/proc and INFO cpu); the ${os.cpus().length} cores bound events/s at cores ÷ the sum`);
    out.push(
      table(
        [...(many ? ['redis'] : []), 'size', 'daemon µs', 'redis µs', 'bench µs', 'sum µs', 'bound events/s'],
        withCpu.map((r) => {
          const c = r.cpuUsPerEvent!;
          const sum = c.daemon + c.redis + c.bench;
          return [...(many ? [r.mode] : []), r.size, fmt(c.daemon, 2), fmt(c.redis, 2), fmt(c.bench, 2), fmt(sum, 2), fmt((os.cpus().length * 1e6) / sum)];
        }),
      ),
    );
  }
  out.push('');
  out.push(`2. Naive baseline (parse, then ${fmt(naive.roundTripsPerEvent, 0)} awaited HINCRBY/HINCRBYFLOAT per event): ${fmt(naive.events)} events, ${fmt(naive.eventsPerSec)} events/s`);
  out.push('');
  out.push('3. Parsers alone (same frames; JSON.parse alone is the ceiling)');
  out.push(
    table(
      ['parser', 'frames', 'events/frame', 'frames/s', 'events/s', 'JSON.parse frames/s', 'of JSON.parse'],
      parsers.map((p) => [p.parser, fmt(p.frames), fmt(p.eventsPerFrame, 2), fmt(p.framesPerSec), fmt(p.eventsPerSec), fmt(p.jsonParseFramesPerSec), `${fmt(p.ofJsonParse * 100, 0)}%`]),
    ),
  );
  out.push('');
  out.push(`4. Steady load: ${fmt(rate)} events/s for ${steadySeconds} s (achieved ${fmt(steady.events / steady.sendSeconds)} events/s)`);
  out.push(
    table(
      ['p50 ms', 'p99 ms', 'max ms', 'samples', 'peak RSS MB', 'cmds/event', 'events/script'],
      [[fmt(steady.latencyMs.p50, 1), fmt(steady.latencyMs.p99, 1), fmt(steady.latencyMs.max, 1), fmt(steady.latencyMs.samples), fmt(steady.peakRssMb, 1), fmt(steady.redis.perEvent, 2), fmt(steady.redis.eventsPerScriptCall, 0)]],
    ),
  );
  out.push('');
  out.push('5. The write script inside Redis, by section (what bounds end to end on the Redis side)');
  for (const line of formatScriptCost(scriptCost)) out.push(line);
  out.push('');
  out.push('Targets');
  const mark = (ok: boolean) => (ok ? 'met' : 'MISSED');
  const bigCpu = big.cpuUsPerEvent;
  const cpuBound = bigCpu ? ` (CPU per event ${fmt(bigCpu.daemon + bigCpu.redis + bigCpu.bench, 1)} µs in all: at most ${fmt((os.cpus().length * 1e6) / (bigCpu.daemon + bigCpu.redis + bigCpu.bench))} on ${os.cpus().length} cores)` : '';
  out.push(`  end to end ≥ 250,000 events/s (${big.size}): ${fmt(targets.endToEndEventsPerSec.measured)} — ${mark(targets.endToEndEventsPerSec.met)}${cpuBound}`);
  out.push(`  ≥ 150× naive (${big.size}): ${fmt(targets.timesNaive.measured, 0)}× — ${mark(targets.timesNaive.met)}`);
  out.push(`  p99 ≤ 100 ms at 10,000 events/s: ${fmt(targets.steadyP99Ms.measured, 1)} ms — ${mark(targets.steadyP99Ms.met)}`);
  out.push(`  peak RSS ≤ 200 MB (${big.size}): ${fmt(targets.peakRssMb.measured, 1)} MB — ${mark(targets.peakRssMb.met)}${single.length >= 2 ? ` (growth from ${single[single.length - 2].size}: ${fmt(rssGrowth, 1)} MB)` : ''}`);
  out.push(`  parsers ≥ 50% of JSON.parse (slowest): ${fmt(parserMin * 100, 0)}% — ${mark(targets.parsersOfJsonParse.met)}`);
  out.push('');
  out.push(`results: ${jsonPath}`);
  process.stdout.write(out.join('\n') + '\n');
}

main().then(
  async () => {
    await cleanup();
    process.exit(0);
  },
  async (err: unknown) => {
    process.stderr.write(`${PROG}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    await cleanup();
    process.exit(1);
  },
);
