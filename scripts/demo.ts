#!/usr/bin/env node
// npm run demo: the whole system in one command. A Redis (REDIS_URL if it answers, else a private redis-server),
// the stand-in exchanges serving the sample capture, the real daemon writing it, and the pro dashboard on top.
// Quitting the dashboard (q) stops everything the demo started; so does Ctrl-C or SIGTERM to the demo.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadCapture, type Capture } from './lib/capture.js';
import { cleanup, installSignalHandlers, spawnChild } from './lib/children.js';
import { UsageError, die, int } from './lib/cli.js';
import { DIST } from './lib/daemon.js';
import { NoRedisError, chooseRedis } from './lib/redis.js';
import { durationOf, lastTOf, parseSpeed, play, type PlayProgress } from './lib/serve.js';
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
  npm run demo [-- --speed <n>] [-- --capture <file>]

What it does:
  1. Redis: REDIS_URL (default redis://127.0.0.1:6379) when it answers PING within 1 s; otherwise a private
     redis-server from PATH on a free port with a temporary directory; otherwise it stops and says how to get one.
  2. The stand-in exchanges (Binance USD-M and COIN-M, Bybit linear and inverse, OKX) serving the sample capture
     samples/cascade.ndjson.gz (ten minutes of a cascade), and the real daemon connected to them.
  3. The sample replayed at a speed that takes about two minutes (about 5×), timestamps moved so it ends now.
  4. The pro dashboard (dist/scripts/dashboard.js pro) on that Redis. Keys: q / Esc / Ctrl-C quit, w window, s symbol.

Quitting the dashboard stops the daemon, the stand-ins and a private redis-server, and removes the temporary
files; Ctrl-C or SIGTERM to the demo does the same. With a Redis of your own (REDIS_URL), the sample's events are
written into it like live ones (they expire after BUCKET_RETENTION_HOURS); use a private one to leave it untouched.

Options:
  --speed <n>       replay speed instead of the two-minute pace (max: no pauses)
  --capture <file>  another capture instead of the sample
  -h, --help        this help
`;

function parseCli(argv: string[]): { speed: number | undefined; capture: string } | 'help' {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: { speed: { type: 'string' }, capture: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (parsed.values.help) return 'help';
  let speed: number | undefined;
  if (parsed.values.speed !== undefined) {
    speed = parseSpeed(parsed.values.speed);
    if (speed === undefined) throw new UsageError('--speed must be a positive number or max');
  }
  return { speed, capture: parsed.values.capture ?? SAMPLE };
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
  let redis;
  try {
    redis = await chooseRedis();
  } catch (err) {
    if (err instanceof NoRedisError) die(PROG, err.message);
    throw err;
  }
  say(redis.note);
  const dir = makeTempDir('liqd-demo-');
  say('starting the stand-in exchanges and the daemon…');
  let stack: Stack;
  try {
    stack = await startStack(capture, { redisUrl: redis.url, instance: 'liqd-demo', dir, subscribeTimeoutMs: 60_000, signal: abort.signal });
  } catch (err) {
    if (err instanceof StackError) {
      say(err.message);
      return abort.signal.aborted ? 130 : 1;
    }
    throw err;
  }
  const duration = durationOf(capture.frames);
  const speed = opts.speed ?? Math.max(1, duration / TARGET_MS);
  const shiftMs = defaultShift(lastTOf(capture.frames), Date.now() + (Number.isFinite(speed) ? duration / speed : 0));
  say(`replaying ${int(capture.frames.length)} frames at ${Number.isFinite(speed) ? `${speed.toFixed(1)}×` : 'max'}; opening the pro dashboard (q quits)`);
  let progress: PlayProgress | undefined;
  const playing = play(stack.standins, capture.frames, { speed, shiftMs, signal: abort.signal, onProgress: (p) => (progress = p) });

  const { child: dash, started } = spawnChild('dashboard', process.execPath, [DASHBOARD, 'pro'], {
    stdio: 'inherit',
    env: { ...process.env, REDIS_URL: redis.url, LOG_FILE: path.join(dir, 'dashboard.log') },
  });
  await started;
  const code = await dash.exited;
  abort.abort();
  await playing;
  await cleanup();
  const sent = progress ? `${int(progress.sent)} of ${int(progress.total)} frames replayed` : 'nothing replayed';
  say(
    `stopped: ${sent}; the daemon, the stand-ins${redis.private ? ' and the private redis-server' : ''} are stopped and the temporary files removed`,
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
