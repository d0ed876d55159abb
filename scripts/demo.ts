#!/usr/bin/env node
// npm run demo: the whole system in one command. A private redis-server (or the Redis named by --redis), the
// stand-in exchanges serving the sample capture, the real daemon writing it, and the pro dashboard on top.
// Quitting the dashboard (q) stops everything the demo started; so does Ctrl-C or SIGTERM to the demo.
// The demo writes tens of thousands of made-up liquidations timestamped now: it never writes into a Redis it was
// not explicitly given (not REDIS_URL, not the default 127.0.0.1:6379), where they would mix with real buckets.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { loadCapture, type Capture } from './lib/capture.js';
import { cleanup, installSignalHandlers, spawnChild } from './lib/children.js';
import { UsageError, die, int, parseOptions, usd } from './lib/cli.js';
import { DIST } from './lib/daemon.js';
import { minutesOf, parseCapture, totalsByExchange } from './lib/expected.js';
import { lookupsFrom } from './lib/meta.js';
import { NoRedisError, RedisNotGivenError, redisSpec, redisToWrite, type RedisChoice } from './lib/redis.js';
import { durationOf, lastTOf, parseSpeed, play, startCaptureStandins, type PlayProgress } from './lib/serve.js';
import { ENV_SCHEMA } from '../src/config.js';
import { type RedisTarget, describeTarget, targetEnv } from '../src/core/redis-target.js';
import { defaultShift } from './lib/shift.js';
import { StackError, makeTempDir, startStack, type Stack } from './lib/stack.js';

const PROG = 'liqd-demo';
const ROOT = path.resolve(DIST, '..');
const SAMPLE = path.join(ROOT, 'samples', 'cascade.ndjson.gz');
const DASHBOARD = path.join(DIST, 'scripts', 'dashboard.js');
/** The sample plays in about this long. */
const TARGET_MS = 120_000;

const HELP = `liqd-demo: the whole system in one command, on a recorded-style liquidation cascade

Usage:
  npm run demo [-- --speed <n>] [-- --capture <file>] [-- --redis <redis>]

What it does:
  1. Redis: a private redis-server from PATH on a free port with a temporary directory, removed at exit (without
     redis-server it stops and says how to get one). With --redis <redis>, that Redis instead: the demo first prints
     what it will write there (how many events, which keys, how long they are kept).
  2. The stand-in exchanges of every venue in the capture (the thirteen stream venues in the sample) serving
     samples/cascade.ndjson.gz (ten minutes of a cascade), and the real daemon connected to them.
  3. The sample replayed at a speed that takes about two minutes (about 5×), timestamps moved so it ends now.
  4. The pro dashboard (dist/scripts/dashboard.js pro) on that Redis. Keys: q / Esc / Ctrl-C quit, w window, s symbol.

Quitting the dashboard stops the daemon, the stand-ins and a private redis-server, and removes the temporary
files; Ctrl-C or SIGTERM to the demo does the same.

The demo's liquidations are made up but timestamped now: written into a Redis that holds real buckets they would
be counted with them. So it never uses a Redis it was not given: REDIS_URL (or REDIS_SENTINELS, REDIS_CLUSTER_NODES) in the environment
is refused (exit 2) unless --redis names the same Redis, and 127.0.0.1:6379 is never tried.

Options:
  --speed <n>       replay speed instead of the two-minute pace (max: no pauses)
  --capture <file>  another capture instead of the sample
  --redis <redis>   write into this Redis (redis:// or rediss://, or redis-sentinel://host:port,…/name for the
                    master a Sentinel deployment names) instead of a private one; its events are kept
                    like live ones (buckets ${ENV_SCHEMA.BUCKET_RETENTION_HOURS.def} h, the event log ${ENV_SCHEMA.EVENT_LOG_RETENTION_HOURS.def} h)
  -h, --help        this help

Exit status: 0 quit; 1 failure; 2 bad option (or REDIS_URL set without --redis naming it).
`;

/** Bucket and log retention of the daemon the demo starts (it gets no retention variables: the defaults). */
const BUCKET_HOURS = Number(ENV_SCHEMA.BUCKET_RETENTION_HOURS.def);
const LOG_HOURS = Number(ENV_SCHEMA.EVENT_LOG_RETENTION_HOURS.def);

interface Options {
  speed: number | undefined;
  capture: string;
  redis: RedisTarget | undefined;
}

function parseCli(argv: string[]): Options | 'help' {
  const parsed = parseOptions({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: { speed: { type: 'string' }, capture: { type: 'string' }, redis: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if (parsed.values.help) return 'help';
  let speed: number | undefined;
  if (parsed.values.speed !== undefined) {
    speed = parseSpeed(parsed.values.speed);
    if (speed === undefined) throw new UsageError('--speed must be a positive number or max');
  }
  const redis = parsed.values.redis === undefined ? undefined : redisSpec(parsed.values.redis);
  return { speed, capture: parsed.values.capture ?? SAMPLE, redis };
}

/**
 * What the demo will write into a Redis it was given, in a few lines: the capture's frames parsed with its own
 * metadata (read back from stand-ins serving it, as the daemon will) and counted once per identity.
 */
async function writePlan(capture: Capture, target: RedisTarget, shiftMs: number): Promise<string[]> {
  const standins = await startCaptureStandins(capture);
  let outcome;
  try {
    outcome = parseCapture(capture.frames, await lookupsFrom(standins.env), { shiftMs, retentionMs: BUCKET_HOURS * 3_600_000 });
  } finally {
    await standins.close();
  }
  const events = outcome.unique;
  let cents = 0n;
  for (const t of totalsByExchange(events).values()) cents += t.valueCents;
  const minutes = minutesOf(events);
  const symbols = new Set(events.map((e) => e.symbol)).size;
  const when = (m: number) => new Date(m).toISOString().slice(0, 16).replace('T', ' ');
  const span = minutes.length > 0 ? `, timestamped ${when(minutes[0])}–${when(minutes[minutes.length - 1] + 60_000).slice(11)} UTC,` : '';
  return [
    `--redis ${describeTarget(target)}: the demo will write ${int(events.length)} made-up liquidations (${usd(cents)})${span} into it:`,
    `  liq:agg:{SYMBOL|ALL}:60s:{minute} (${int(minutes.length)} minutes × ${int(symbols)} symbols + ALL), liq:seen:60s:*, liq:top:60s:*,` +
      ` liq:big:60s:*, liq:down:60s:*, kept ${BUCKET_HOURS} h after their minute;`,
    `  liq:events (one entry per event, trimmed after ${LOG_HOURS} h), liq:status:liqd-demo and liq:instances;` +
      ` anything reading that Redis counts them like live liquidations`,
  ];
}

async function main(): Promise<number> {
  let opts;
  try {
    opts = parseCli(process.argv.slice(2));
  } catch (err) {
    die(PROG, `${(err as Error).message} (see --help)`, 2);
  }
  if (opts === 'help') {
    process.stdout.write(HELP);
    return 0;
  }
  const say = (line: string) => process.stderr.write(`${PROG}: ${line}\n`);
  if (!existsSync(DASHBOARD)) die(PROG, `the pro dashboard is not built (${path.relative(process.cwd(), DASHBOARD) || DASHBOARD} missing): run npm run build`);
  if (!existsSync(opts.capture)) die(PROG, `no capture at ${opts.capture}`);

  const abort = new AbortController();
  installSignalHandlers(() => abort.abort());

  let capture: Capture;
  try {
    capture = await loadCapture(opts.capture);
  } catch (err) {
    die(PROG, `cannot read ${opts.capture}: ${(err as Error).message}`);
  }
  const duration = durationOf(capture.frames);
  const speed = opts.speed ?? Math.max(1, duration / TARGET_MS);
  let redis: RedisChoice;
  try {
    redis = await redisToWrite(opts.redis, 'made-up liquidations');
  } catch (err) {
    if (err instanceof RedisNotGivenError) die(PROG, err.message, 2);
    if (err instanceof NoRedisError) die(PROG, `${err.message}: the demo runs on a private redis-server`);
    throw err;
  }
  if (redis.private === undefined) {
    const plannedShift = defaultShift(lastTOf(capture.frames), Date.now() + (Number.isFinite(speed) ? duration / speed : 0));
    for (const line of await writePlan(capture, redis.target, plannedShift)) say(line);
  } else {
    say(redis.note);
  }
  const dir = makeTempDir('liqd-demo-');
  say('starting the stand-in exchanges and the daemon…');
  let stack: Stack;
  try {
    stack = await startStack(capture, { redis: redis.target, instance: 'liqd-demo', dir, subscribeTimeoutMs: 60_000, signal: abort.signal });
  } catch (err) {
    if (err instanceof StackError) {
      say(err.message);
      return abort.signal.aborted ? 130 : 1;
    }
    throw err;
  }
  const shiftMs = defaultShift(lastTOf(capture.frames), Date.now() + (Number.isFinite(speed) ? duration / speed : 0));
  say(`replaying ${int(capture.frames.length)} frames at ${Number.isFinite(speed) ? `${speed.toFixed(1)}×` : 'max'}; opening the pro dashboard (q quits)`);
  let progress: PlayProgress | undefined;
  const playing = play(stack.standins, capture.frames, { speed, shiftMs, signal: abort.signal, onProgress: (p) => (progress = p) });

  const { child: dash, started } = spawnChild('dashboard', process.execPath, [DASHBOARD, 'pro'], {
    stdio: 'inherit',
    env: { ...process.env, ...targetEnv(redis.target), LOG_FILE: path.join(dir, 'dashboard.log') },
  });
  await started;
  const code = await dash.exited;
  abort.abort();
  await playing;
  await cleanup();
  const sent = progress ? `${int(progress.sent)} of ${int(progress.total)} frames replayed` : 'nothing replayed';
  say(
    `stopped: ${sent}; the daemon${redis.private ? ', the stand-ins and the private redis-server' : ' and the stand-ins'} are stopped and the temporary files removed` +
      (redis.private ? '' : ` (the Redis at ${describeTarget(redis.target)} keeps what was written)`),
  );
  return typeof code === 'number' ? code : 1;
}

main().then(
  async (code) => {
    await cleanup();
    process.exit(code);
  },
  async (err: unknown) => {
    await cleanup();
    die(PROG, `failed: ${err instanceof Error ? err.message : String(err)}`);
  },
);
