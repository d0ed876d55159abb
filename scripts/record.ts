#!/usr/bin/env node
// npm run record -- --out <file> [--minutes N] [--exchanges binance,bybit,okx]
// Records the exchanges' raw liquidation frames with the daemon's own feeds (src/venues: same URLs from
// the same environment variables, same subscriptions, keepalive, reconnects), plus the instrument metadata, into a
// capture file that `npm run replay` serves again without anything from outside.
import { pino } from 'pino';
import { ConfigError, EXCHANGE_NAMES, loadConfig, type Config } from '../src/config.js';
import { createLogger } from '../src/log.js';
import type { Venue } from '../src/core/parse.js';
import { FEEDS } from '../src/venues/registry.js';
import { createStreams } from '../src/venues/runtime.js';
import { CAPTURE_FORMAT, CaptureWriter, type CaptureMeta } from './lib/capture.js';
import { StatusLine, UsageError, die, elapsed, int, parseOptions } from './lib/cli.js';
import { fetchRestMeta, standinOptionsOf } from './lib/meta.js';

const PROG = 'liqd-record';

const HELP = `liqd-record: records the exchanges' raw liquidation frames into a capture file for npm run replay

Usage:
  npm run record -- --out <file> [--minutes N] [--exchanges binance,bybit,okx]

Options:
  --out <file>          capture to write (NDJSON; gzip when the name ends in .gz); an existing file is replaced
  --minutes <N>         stop after N minutes (decimals allowed); default: until Ctrl-C
  --exchanges <list>    comma-separated subset of ${EXCHANGE_NAMES.join(', ')} (default: EXCHANGES, else all);
                        a venue read from files (hyperliquid) has no stream and is not recorded
  -h, --help            this help

What is recorded:
  line 1     {"meta":{…}}: the raw REST instrument metadata of the recorded exchanges (e.g. Binance COIN-M
             exchangeInfo, Bybit instruments-info pages, OKX instruments), so a replay needs nothing from outside; a
             later {"meta":…} line follows when the listing changes during the recording
  then       one line per frame received, untouched: {"t":<receivedAt ms>,"venue":"<feed>","frame":"<text>"} with the
             feed's name (${FEEDS.map((f) => f.feed.venue).join(', ')}), subscribe answers included.
  Keepalive answers (pongs: Bybit {"op":"ping","ret_msg":"pong"…}, OKX "pong", WebSocket pong frames) and other
  protocol frames (heartbeats) are not data frames and are not recorded.

The connections are the daemon's: the venues' URL variables (*_WS_URL, *_REST_URL), keepalive and reconnects from
PING_INTERVAL_MS, PONG_TIMEOUT_MS, RECONNECT_BASE_MS, RECONNECT_MAX_MS (see README).
Nothing is written to Redis. Log lines (warnings, reconnects) go to stderr as JSON (LOG_LEVEL, default warn).
On a terminal a status line shows the frames per venue and the time elapsed.

Ctrl-C (or SIGTERM) ends the recording cleanly: the connections are closed and the file is complete.
A venue that delivered no frame at all is named at the end; when none did, the file holds only the metadata and
the exit status is 1.
Exit status: 0 recorded; 1 nothing captured, or the file could not be written; 2 bad option or configuration.
`;

interface Options {
  out: string;
  minutes: number | undefined;
  exchanges: string | undefined;
}

function parseCli(argv: string[]): Options | 'help' {
  const parsed = parseOptions({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      out: { type: 'string', short: 'o' },
      minutes: { type: 'string' },
      exchanges: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const v = parsed.values;
  if (v.help) return 'help';
  if (!v.out) throw new UsageError('--out <file> is required');
  let minutes: number | undefined;
  if (v.minutes !== undefined) {
    minutes = Number(v.minutes);
    if (!/^\d+(\.\d+)?$/.test(v.minutes) || !(minutes > 0)) throw new UsageError(`--minutes must be a positive number (got ${JSON.stringify(v.minutes)})`);
  }
  return { out: v.out, minutes, exchanges: v.exchanges };
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
  let cfg: Readonly<Config>;
  try {
    const env = { ...process.env };
    if (opts.exchanges !== undefined) env.EXCHANGES = opts.exchanges;
    cfg = loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) die(PROG, err.message.replace('EXCHANGES must', '--exchanges / EXCHANGES must'), 2);
    throw err;
  }
  const log = createLogger(process.env.LOG_LEVEL || 'warn', pino.destination({ fd: 2, sync: true }));
  const status = new StatusLine();
  const say = (line: string) => {
    status.clear();
    process.stderr.write(`${PROG}: ${line}\n`);
  };

  // A venue read from files (Hyperliquid's node fills) has no stream to record: `all` leaves it out quietly, a list
  // that names it says so.
  const streamed = cfg.EXCHANGES.filter((e) => FEEDS.some((f) => f.exchange === e));
  const fileOnly = cfg.EXCHANGES.filter((e) => !streamed.includes(e));
  const named = (opts.exchanges ?? process.env.EXCHANGES ?? 'all').trim() !== 'all';
  if (streamed.length === 0) die(PROG, `${fileOnly.join(', ')}: read from a node's files, not a stream; nothing to record (liqd-import loads past files)`, 2);
  if (fileOnly.length > 0 && named) say(`not recorded: ${fileOnly.join(', ')} (read from a node's files, not a stream)`);
  cfg = { ...cfg, EXCHANGES: streamed };

  let writer: CaptureWriter;
  try {
    writer = new CaptureWriter(opts.out);
  } catch (err) {
    die(PROG, `cannot write ${opts.out}: ${(err as Error).message}`);
  }

  let stopping = false;
  let stopRequested: (why: string) => void = () => {};
  const stopped = new Promise<string>((resolve) => (stopRequested = resolve));
  const onSignal = (s: NodeJS.Signals) => {
    if (stopping) {
      say(`${s} again: exiting now (the file may be incomplete)`);
      process.exit(130);
    }
    stopRequested(s);
  };
  for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(s, onSignal);

  // The metadata first, so that the capture's first line is the listing the frames refer to.
  const { rest, errors } = await fetchRestMeta(cfg, cfg.EXCHANGES);
  for (const e of errors) say(`metadata not recorded for ${e}`);
  const meta: CaptureMeta = { format: CAPTURE_FORMAT, createdAt: Date.now(), source: 'record', exchanges: [...cfg.EXCHANGES], rest };
  writer.writeMeta(meta);
  let lastLists = JSON.stringify(standinOptionsOf({ ...meta, rest }));

  const venuesShown: Venue[] = FEEDS.filter((f) => cfg.EXCHANGES.includes(f.exchange)).map((f) => f.feed.venue);
  const counts: Record<Venue, number> = Object.fromEntries(venuesShown.map((v) => [v, 0]));
  let total = 0;
  const streams = createStreams(cfg, {
    log,
    onEvents: () => {},
    onRejections: () => {},
    onFrame: (venue, text, receivedAt) => {
      if (stopping) return;
      writer.writeFrame({ t: receivedAt, venue, frame: text });
      counts[venue] = (counts[venue] ?? 0) + 1;
      total++;
    },
  });
  const startedAt = Date.now();
  streams.start();
  say(`recording ${cfg.EXCHANGES.join(', ')} into ${opts.out}${opts.minutes ? ` for ${opts.minutes} min` : ''} (Ctrl-C to stop)`);

  // venues with a connection seen open (sampled every second): says why a venue that captured nothing did not
  const opened = new Set<string>();
  const noteOpen = () => {
    for (const st of streams.statuses()) if (st.state === 'open') opened.add(st.venue);
  };
  const showStatus = () => {
    noteOpen();
    status.update(`${elapsed(Date.now() - startedAt)}  ${venuesShown.map((v) => `${v} ${int(counts[v])}`).join('  ')}  total ${int(total)}`);
  };
  const statusTimer = setInterval(showStatus, 1000);
  showStatus();

  // The listing changes (new symbols) are recorded as a later meta line, so frames of new symbols replay.
  const refreshTimer = setInterval(() => {
    void fetchRestMeta(cfg, cfg.EXCHANGES).then(({ rest: fresh, errors: errs }) => {
      if (stopping || errs.length > 0) return;
      const lists = JSON.stringify(standinOptionsOf({ ...meta, rest: fresh }));
      if (lists === lastLists) return;
      lastLists = lists;
      writer.writeMeta({ ...meta, createdAt: Date.now(), rest: fresh });
    });
  }, cfg.INSTRUMENT_REFRESH_MINUTES * 60_000);
  refreshTimer.unref();

  const limitTimer = opts.minutes !== undefined ? setTimeout(() => stopRequested('time'), opts.minutes * 60_000) : undefined;
  const reason = await stopped;
  stopping = true;
  if (limitTimer) clearTimeout(limitTimer);
  clearInterval(statusTimer);
  clearInterval(refreshTimer);
  showStatus();
  await streams.stop();
  try {
    await writer.close();
  } catch (err) {
    say(`writing ${opts.out} failed: ${(err as Error).message}`);
    return 1;
  }
  if (writer.error) {
    say(`writing ${opts.out} failed: ${writer.error.message}`);
    return 1;
  }
  const took = elapsed(Date.now() - startedAt);
  const silent = venuesShown.filter((v) => counts[v] === 0);
  const why = (vs: readonly string[]) => {
    const never = vs.filter((v) => !opened.has(v));
    if (never.length === vs.length) return 'no connection opened: is the network reachable, are the *_WS_URL variables right?';
    return never.length === 0 ? 'connected, no frame received' : `no connection opened to ${never.join(', ')}`;
  };
  if (total === 0) {
    say(`nothing captured: 0 frames in ${took} from ${silent.join(', ')} (${why(silent)}); ${opts.out} holds only the metadata`);
    return 1;
  }
  if (silent.length > 0) say(`nothing captured from ${silent.join(', ')} (${why(silent)})`);
  say(
    `${reason === 'time' ? 'done' : `stopped (${reason})`}: ${int(total)} frames in ${took} written to ${opts.out} (` +
      venuesShown.map((v) => `${v} ${int(counts[v])}`).join(', ') +
      ')',
  );
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => die(PROG, `failed: ${err instanceof Error ? err.message : String(err)}`),
);
