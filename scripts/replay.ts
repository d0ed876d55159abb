#!/usr/bin/env node
// npm run replay -- <capture> [--speed 1|10|max] [--with-daemon] [--keep-time | --shift-ms N]
// Serves a capture through the stand-in exchanges (scripts/standins), metadata from the capture, each frame only to
// the connections subscribed to what carries it, paced as recorded and scaled by --speed.
import { existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { ENV_SCHEMA } from '../src/config.js';
import type { Standins } from '../src/venues/standin/index.js';
import { loadCapture, type Capture } from './lib/capture.js';
import { cleanup, installSignalHandlers, onCleanup, signalExitCode } from './lib/children.js';
import { StatusLine, UsageError, die, duration, elapsed, int, parseOptions, usd } from './lib/cli.js';
import { parseCapture, minutesOf, totalsByExchange, type ParseOutcome } from './lib/expected.js';
import { lookupsFrom } from './lib/meta.js';
import { type RedisTarget, describeTarget } from '../src/core/redis-target.js';
import { NoRedisError, RedisNotGivenError, redisSpec, redisToWrite } from './lib/redis.js';
import {
  describeMissing,
  durationOf,
  missingSubscriptions,
  lastTOf,
  neededRoutes,
  parseSpeed,
  play,
  startCaptureStandins,
  waitForSubscribers,
  type PlayProgress,
  type Speed,
} from './lib/serve.js';
import { defaultShift } from './lib/shift.js';
import { StackError, makeTempDir, readAllBuckets, startStack } from './lib/stack.js';
import { sumMetric, type DaemonChild } from './lib/daemon.js';

const PROG = 'liqd-replay';

const HELP = `liqd-replay: serves a capture (npm run record, or samples/cascade.ndjson.gz) through the stand-in exchanges

Usage:
  npm run replay -- <capture> [--speed 1|10|max|<n>] [--with-daemon [--redis <redis>]] [--keep-time | --shift-ms <N>]

Options:
  --speed <s>        1 (as recorded, default), any factor (10 = ten times faster), or max (no pauses)
  --with-daemon      also run the daemon (dist/src/main.js) against the stand-ins, writing into a private
                     redis-server (started from PATH, removed at exit) or the Redis named by --redis; exit once the
                     whole capture is delivered and written, with a summary read from the ALL buckets
  --redis <redis>    with --with-daemon: write into this Redis instead of a private one (its events are kept and
                     counted like live ones there): redis://host:port, or redis-sentinel://host:port,…/name for
                     the master a Sentinel deployment names, or redis-cluster://host:port,… for a Redis
                     Cluster. REDIS_URL (or REDIS_SENTINELS, REDIS_CLUSTER_NODES) alone is refused
                     (exit 2) unless --redis names the same Redis.
  --keep-time        leave the timestamps in the frames as recorded (the daemon rejects events older than
                     BUCKET_RETENTION_HOURS)
  --shift-ms <N>     move every timestamp by exactly N ms (may be negative)
  --wait-seconds <s> how long to wait for a daemon to subscribe before giving up (default 300; 60 with --with-daemon)
  -h, --help         this help

Timestamps: by default the exchange timestamps inside the frames (each venue's own fields: Binance E and o.T, Bybit
ts and data[].T, OKX details[].ts, …) are moved by one constant offset, a whole number of minutes, so that the
capture ends when the replay ends. Only those fields change (decimals sent as JSON numbers are written back as the
same shortest text the parser reads, so prices and sizes keep their value). The shift used is printed. An event's
identity is the venue's own id or includes its timestamp, so a second replay of the same capture with the same shift
(--shift-ms <printed value>, or --keep-time) into the same Redis changes nothing: every event is already counted.

Without --with-daemon it prints the environment variables that point a daemon at the stand-ins (stdout, as
export lines), waits until a daemon has subscribed to everything the capture carries, delivers the capture, and
keeps serving until Ctrl-C.

Exit status: 0 done; 1 failure (daemon did not subscribe, capture not written in time); 2 bad option or capture.
`;

interface Options {
  capture: string;
  speed: Speed;
  withDaemon: boolean;
  keepTime: boolean;
  shiftMs: number | undefined;
  waitSeconds: number | undefined;
  redis: RedisTarget | undefined;
}

function parseCli(argv: string[]): Options | 'help' {
  const parsed = parseOptions({
    args: argv,
    strict: true,
    allowPositionals: true,
    options: {
      speed: { type: 'string' },
      'with-daemon': { type: 'boolean' },
      redis: { type: 'string' },
      'keep-time': { type: 'boolean' },
      'shift-ms': { type: 'string' },
      'wait-seconds': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const v = parsed.values;
  if (v.help) return 'help';
  if (parsed.positionals.length !== 1) throw new UsageError('give exactly one capture file');
  const speed = parseSpeed(v.speed ?? '1');
  if (speed === undefined) throw new UsageError(`--speed must be a positive number or max (got ${JSON.stringify(v.speed)})`);
  let shiftMs: number | undefined;
  if (v['shift-ms'] !== undefined) {
    if (!/^-?\d+$/.test(v['shift-ms'])) throw new UsageError(`--shift-ms must be an integer (got ${JSON.stringify(v['shift-ms'])})`);
    shiftMs = Number(v['shift-ms']);
  }
  if (shiftMs !== undefined && v['keep-time']) throw new UsageError('--keep-time and --shift-ms exclude each other');
  let waitSeconds: number | undefined;
  if (v['wait-seconds'] !== undefined) {
    waitSeconds = Number(v['wait-seconds']);
    if (!/^\d+(\.\d+)?$/.test(v['wait-seconds']) || !(waitSeconds > 0)) throw new UsageError('--wait-seconds must be a positive number');
  }
  const given = v.redis as string | undefined;
  if (given !== undefined && v['with-daemon'] !== true) throw new UsageError('--redis goes with --with-daemon');
  const redis = given === undefined ? undefined : redisSpec(given);
  return { capture: parsed.positionals[0], speed, withDaemon: v['with-daemon'] === true, keepTime: v['keep-time'] === true, shiftMs, waitSeconds, redis };
}

const speedText = (s: Speed) => (Number.isFinite(s) ? `${s}×` : 'max');

function chooseShift(opts: Options, capture: Capture): number {
  if (opts.keepTime) return 0;
  if (opts.shiftMs !== undefined) return opts.shiftMs;
  const playMs = Number.isFinite(opts.speed) ? durationOf(capture.frames) / opts.speed : 0;
  return defaultShift(lastTOf(capture.frames), Date.now() + playMs);
}

function progressLine(p: PlayProgress, startedAt: number): string {
  const pct = p.total === 0 ? 100 : Math.floor((p.sent / p.total) * 100);
  return `replaying ${int(p.sent)}/${int(p.total)} frames (${pct}%) ${elapsed(Date.now() - startedAt)}`;
}

/** Delivers the whole capture through the stand-ins with the chosen pacing and shift, with a progress line. */
async function deliver(
  standins: Standins,
  capture: Capture,
  opts: Options,
  shiftMs: number,
  signal: AbortSignal,
  say: (line: string) => void,
  status: StatusLine,
) {
  say(`subscribed; delivering ${int(capture.frames.length)} frames at ${speedText(opts.speed)}, timestamps shifted by ${shiftMs} ms`);
  const startedAt = Date.now();
  const p = await play(standins, capture.frames, {
    speed: opts.speed,
    shiftMs,
    signal,
    onProgress: (pr) => status.update(progressLine(pr, startedAt)),
  });
  return { p, startedAt };
}

async function main(): Promise<number> {
  let opts: Options | 'help';
  try {
    opts = parseCli(process.argv.slice(2));
  } catch (err) {
    die(PROG, `${(err as Error).message} (see --help)`, 2);
  }
  if (opts === 'help') {
    process.stdout.write(HELP);
    return 0;
  }
  if (!existsSync(opts.capture)) die(PROG, `no such capture: ${opts.capture}`, 2);
  let capture: Capture;
  try {
    capture = await loadCapture(opts.capture);
  } catch (err) {
    die(PROG, `cannot read ${opts.capture}: ${(err as Error).message}`, 2);
  }
  if (capture.frames.length === 0) die(PROG, `${opts.capture} holds no frames`, 2);

  const status = new StatusLine();
  const say = (line: string) => {
    status.clear();
    process.stderr.write(`${PROG}: ${line}\n`);
  };
  const abort = new AbortController();
  // Ctrl-C ends a serve-only replay normally; it interrupts a --with-daemon run (a failure).
  const withD = opts.withDaemon;
  installSignalHandlers(() => abort.abort(), (sig) => (withD ? signalExitCode(sig) : 0));
  if (!opts.withDaemon) return serveOnly(opts, capture, say, status, abort.signal);
  return withDaemon(opts, capture, say, status, abort.signal);
}

async function serveOnly(
  opts: Options,
  capture: Capture,
  say: (l: string) => void,
  status: StatusLine,
  signal: AbortSignal,
): Promise<number> {
  const standins: Standins = await startCaptureStandins(capture);
  onCleanup(() => standins.close());
  const lines = Object.entries(standins.env).map(([k, v]) => `export ${k}='${v}'`);
  process.stdout.write(`# point a daemon at these stand-in exchanges (e.g. eval these lines, then npm start):\n${lines.join('\n')}\n`);
  const needed = neededRoutes(capture);
  say(`waiting for a daemon to connect and subscribe (${[...needed.keys()].join(', ')})…`);
  const waitMs = (opts.waitSeconds ?? 300) * 1000;
  const ok = await waitForSubscribers(standins, needed, {
    timeoutMs: waitMs,
    slowMs: 15_000,
    onSlow: (m) => say(`still waiting for: ${describeMissing(m)}`),
    signal,
  });
  if (signal.aborted) return 0;
  if (!ok) {
    say(`no daemon subscribed to everything within ${waitMs / 1000} s (missing: ${describeMissing(missingSubscriptions(standins, needed))}); giving up`);
    return 1;
  }
  const shiftMs = chooseShift(opts, capture);
  const { p, startedAt } = await deliver(standins, capture, opts, shiftMs, signal, say, status);
  if (signal.aborted) return 0;
  say(
    `delivered ${int(p.sent)} frames in ${duration(Date.now() - startedAt)}` +
      (p.undelivered ? ` (${int(p.undelivered)} had no subscriber)` : '') +
      `; shift ${shiftMs} ms (a second replay with --shift-ms ${shiftMs} changes nothing). Serving until Ctrl-C.`,
  );
  await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve()));
  return 0;
}

interface Progress {
  parsed: number;
  settled: number;
  buffered: number;
  spooled: number;
}

async function daemonProgress(d: DaemonChild): Promise<Progress | undefined> {
  const [text, health] = await Promise.all([d.metrics(), d.health()]);
  if (text === undefined || health === undefined) return undefined;
  return {
    parsed: sumMetric(text, 'liq_events_total'),
    settled: sumMetric(text, 'liq_events_written_total') + sumMetric(text, 'liq_duplicates_total') + sumMetric(text, 'liq_expired_total'),
    buffered: Number(health.bufferedEvents ?? 0),
    spooled: Number(health.spooledEvents ?? 0),
  };
}

/**
 * Waits until the daemon has parsed as many events as the parsers find in the capture and every one of them is
 * settled (written, or found already counted), nothing held. If the count never matches, it settles for figures
 * that stopped changing for a few seconds, and says so.
 */
async function waitWritten(d: DaemonChild, expected: number, signal: AbortSignal, say: (l: string) => void): Promise<Progress | undefined> {
  const STABLE_MS = 5000;
  const deadline = Date.now() + 10 * 60_000;
  let last: Progress | undefined;
  let stableSince = Date.now();
  while (!signal.aborted && d.child.running && Date.now() < deadline) {
    const p = await daemonProgress(d);
    if (p) {
      const idle = p.buffered === 0 && p.spooled === 0 && p.settled >= p.parsed;
      if (idle && p.parsed >= expected) return p;
      if (!last || p.parsed !== last.parsed || p.settled !== last.settled) stableSince = Date.now();
      else if (idle && Date.now() - stableSince > STABLE_MS) {
        say(`the daemon parsed ${int(p.parsed)} events where the parsers find ${int(expected)} in the capture; figures stable, stopping`);
        return p;
      }
      last = p;
    }
    await sleep(100);
  }
  return undefined;
}

async function withDaemon(
  opts: Options,
  capture: Capture,
  say: (l: string) => void,
  status: StatusLine,
  signal: AbortSignal,
): Promise<number> {
  let redis;
  try {
    redis = await redisToWrite(opts.redis, 'the capture\'s liquidations');
  } catch (err) {
    if (err instanceof RedisNotGivenError) {
      say(err.message);
      return 2;
    }
    if (err instanceof NoRedisError) {
      say(err.message);
      return 1;
    }
    throw err;
  }
  say(redis.note);
  const dir = makeTempDir('liqd-replay-');
  let stack;
  try {
    say('starting the daemon against the stand-ins…');
    stack = await startStack(capture, {
      redis: redis.target,
      instance: 'liqd-replay',
      dir,
      subscribeTimeoutMs: (opts.waitSeconds ?? 60) * 1000,
      signal,
    });
  } catch (err) {
    if (err instanceof StackError) {
      say(err.message);
      return signal.aborted ? 130 : 1;
    }
    throw err;
  }
  const { standins, daemon } = stack;

  const shiftMs = chooseShift(opts, capture);
  const retentionMs = Number(ENV_SCHEMA.BUCKET_RETENTION_HOURS.def) * 3_600_000;
  const outcome: ParseOutcome = parseCapture(capture.frames, await lookupsFrom(standins.env), { shiftMs, retentionMs });
  const { p, startedAt } = await deliver(standins, capture, opts, shiftMs, signal, say, status);
  if (signal.aborted) return 130;
  status.update(`delivered ${int(p.sent)} frames; waiting for the daemon to write them…`);
  const done = await waitWritten(daemon, outcome.events.length, signal, say);
  status.clear();
  if (signal.aborted) return 130;
  if (!done) {
    say(`the daemon did not finish writing in time; its last log lines (${daemon.logFile}):\n${daemon.logTail()}`);
    return 1;
  }
  const written = (await daemon.metric('liq_events_written_total')) ?? 0;
  // A reconnect during a replay drops what was in flight on that socket (the totals below would then fall short).
  const streams = (((await daemon.health())?.streams ?? []) as Array<{ connection: string; reconnects: number }>).filter((s) => typeof s.reconnects === 'number');
  const reconnects = streams.filter((s) => s.reconnects > 0);
  // the capture's minutes, and those of the replay itself: a venue whose rows carry no time (BitMEX) is counted in
  // the minute the daemon received them, which the shifted capture cannot know
  const minutes = [...new Set([...minutesOf(outcome.unique), ...minuteRange(startedAt, Date.now())])].sort((a, b) => a - b);
  const inRedis = await readAllBuckets(redis.target, minutes);
  const fromCapture = totalsByExchange(outcome.unique);
  await cleanup();

  const out: string[] = [];
  out.push(
    `replayed ${opts.capture}: ${int(p.sent)} frames in ${duration(Date.now() - startedAt)} at ${speedText(opts.speed)}` +
      (p.undelivered ? ` (${int(p.undelivered)} had no subscriber)` : ''),
  );
  out.push(`timestamps shifted by ${shiftMs} ms: replaying again with --shift-ms ${shiftMs} into the same Redis changes nothing`);
  out.push(
    `daemon: ${int(done.parsed)} events parsed, ${int(written)} newly counted, ${int(done.parsed - written)} already counted or expired` +
      (outcome.rejections.length ? `; the parsers reject ${int(outcome.rejections.length)} items of the capture` : ''),
  );
  out.push(
    `streams: ${streams.length} connections, ${int(reconnects.reduce((n, s) => n + s.reconnects, 0))} reconnects` +
      (reconnects.length ? ` (${reconnects.map((s) => `${s.connection} ${s.reconnects}`).join(', ')})` : ''),
  );
  const first = minutes[0];
  const last = minutes[minutes.length - 1];
  const when = (m: number) => new Date(m).toISOString().slice(0, 16).replace('T', ' ');
  out.push(`Redis ${describeTarget(redis.target)}${redis.private ? ' (private, now removed)' : ''}, ALL buckets ${first !== undefined ? `${when(first)}–${when(last + 60_000).slice(11)} UTC` : '(none)'}:`);
  const rows: string[][] = [['exchange', 'events', 'USD', 'capture events', 'capture USD']];
  const names = [...new Set([...inRedis.byExchange.keys(), ...fromCapture.keys()])].sort();
  for (const ex of names) {
    const r = inRedis.byExchange.get(ex) ?? { events: 0, valueCents: 0n };
    const c = fromCapture.get(ex) ?? { events: 0, valueCents: 0n };
    rows.push([ex, int(r.events), usd(r.valueCents), int(c.events), usd(c.valueCents)]);
  }
  let ce = 0;
  let cv = 0n;
  for (const c of fromCapture.values()) {
    ce += c.events;
    cv += c.valueCents;
  }
  rows.push(['total', int(inRedis.events), usd(inRedis.valueCents), int(ce), usd(cv)]);
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  for (const r of rows) out.push('  ' + r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  '));
  process.stdout.write(out.join('\n') + '\n');
  return 0;
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

/** Every minute start from the one holding `from` to the one holding `to`. */
function minuteRange(from: number, to: number): number[] {
  const out: number[] = [];
  for (let m = from - (from % 60_000); m <= to; m += 60_000) out.push(m);
  return out;
}
