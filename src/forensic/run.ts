// The validator. The log (liq:events) is read and checked in a worker thread (logcheck.ts) while this thread reads
// the window's buckets, minute batch by minute batch (one pipeline per batch, read from its bytes, two batches
// requested ahead), and checks each bucket on its own (1, 2, 3, 7) and adds up the minute's sums (4) as it arrives.
// The checks that compare buckets with the log (4's comparisons, 5, 8 and the price warning) run once the worker
// has reported, in the order of the minutes.
import { ALL, BUCKET_MS, EVENTS_KEY, bucketKey, keyLayout, topKey } from '../core/keys.js';
import { type RedisTarget, describeTarget } from '../core/redis-target.js';
import { connectTarget } from './connect.js';
import { checkBucket, checkTotals, readBucket } from './bucket.js';
import { LogMinute } from './log-minute.js';
import { Exchanges, FieldClassifier, VALUE } from './fields.js';
import { LogConnectError, type LogWorker, startLogWorker } from './logcheck.js';
import { wholeInLog } from './log.js';
import { isZero } from './num.js';
import { type WindowName, windowStarts } from './options.js';
import { type Medians, checkPrices } from './prices.js';
import { type Report, buildReport, newChecks, newWarnings } from './report.js';
import { checkRollups } from './rollups.js';
import { checkShares } from './shares.js';
import { Encoder, Interner, type Reply, decodeAt, ok } from './resp-codec.js';
import type { RespConnection } from './resp.js';
import { EVENTS, type Vec, VecStore, addVec, capped, firstDifference, get, newVec } from './totals.js';

export class CannotRun extends Error {
  override name = 'CannotRun';
}

export interface RunOptions {
  /** The Redis the daemon writes to: a URL, or the master found through Sentinel (core/redis-target.ts). */
  redis: RedisTarget;
  window: WindowName;
  symbol?: string;
  /** Warnings count as failures (the report is not ok when one was found). */
  strict?: boolean;
  /** EVENT_LOG_RETENTION_HOURS of the daemon (default 24). */
  logRetentionHours?: number;
  now?: number;
  connectTimeoutMs?: number;
  progress?: (phase: string, done: number, total: number) => void;
}

/**
 * One bucket of a minute: its symbol, whether it was listed in liq:top (and its score there), and what reading it
 * gave: its Vec, or undefined when there is no such bucket. Checks 1, 2, 3 and 7 run as soon as it is read; the
 * checks that need the log (4's comparisons, 5 and 8) once the log worker has reported.
 */
interface Item {
  readonly symbol: string;
  readonly listed: boolean;
  readonly score: Reply | undefined;
  /** Its Vec in the run's VecStore, or -1. */
  vec: number;
}

interface Minute {
  readonly start: number;
  /** The buckets in the order they are compared (ALL last). */
  readonly items: Item[];
  /** Its listed symbols (to find the unlisted ones the log names), built while the log is still read. */
  listed?: Set<string>;
  /** Σ of its symbol buckets (check 4), and how many there are: added up as they are read. */
  readonly sum: Vec;
  symbolBuckets: number;
}

const cannotReach = (target: RedisTarget, err: unknown) =>
  new CannotRun(`cannot reach Redis at ${describeTarget(target)}: ${err instanceof Error ? err.message : String(err)}`);

export async function runForensic(opts: RunOptions): Promise<Report> {
  const t0 = performance.now();
  const connectTimeoutMs = opts.connectTimeoutMs ?? 3000;
  let client: RespConnection;
  try {
    client = await connectTarget(opts.redis, connectTimeoutMs);
  } catch (err) {
    throw cannotReach(opts.redis, err);
  }
  const now = opts.now ?? Date.now();
  const starts = windowStarts(opts.window, now);
  const progress = opts.progress ?? (() => {});
  let log: LogWorker | undefined;
  try {
    log = startLogWorker(
      {
        redis: opts.redis,
        connectTimeoutMs,
        now,
        from: starts[0],
        to: starts[starts.length - 1],
        symbol: opts.symbol,
        logRetentionHours: opts.logRetentionHours ?? 24,
      },
      (done, total) => progress('log', done, total),
    );
    return await validate(client, log, opts, now, starts, t0);
  } catch (err) {
    if (err instanceof LogConnectError) throw cannotReach(opts.redis, err);
    throw err;
  } finally {
    client.close();
    await log?.stop();
  }
}

async function validate(client: RespConnection, log: LogWorker, opts: RunOptions, now: number, starts: number[], t0: number): Promise<Report> {
  const from = starts[0];
  const to = starts[starts.length - 1];
  const checks = newChecks();
  const [, , , c4, c5, c6, c7, c8, c9] = checks;
  const warnings = newWarnings();
  const [w1] = warnings;
  const notes: string[] = [];
  const progress = opts.progress ?? (() => {});
  const bySymbol = opts.symbol !== undefined;
  // exchanges in the order the buckets name them; the log's aggregates are mapped onto these indices
  const exchanges = new Exchanges();
  const classifier = new FieldClassifier(exchanges);
  const intern = new Interner();
  const at = { pos: 0 };
  const store = new VecStore();
  const windowTotals = newVec();
  let buckets = 0;
  // how long a minute bucket lives after its minute (from EXPIRETIME): the rollups are compared with their minutes only while these exist
  let minuteKeepS = -Infinity;

  // the liq:top index of every minute, requested at once
  const allTops: Reply[] = bySymbol ? [] : await client.pipeline(starts.map((m) => ['ZRANGE', topKey(m), '0', '-1', 'WITHSCORES']));

  /** Reads the buckets of items (HGETALL and EXPIRETIME each) and checks them: 1, 2, 3 and 7. */
  const readBuckets = async (list: Array<{ minute: Minute; item: Item }>): Promise<void> => {
    const enc = new Encoder();
    for (const { minute, item } of list) {
      const key = bucketKey(item.symbol, minute.start);
      enc.command(['HGETALL', key]);
      enc.command(['EXPIRETIME', key]);
    }
    const raw = await client.sendJoined(enc);
    const replies = raw.bytes;
    let pos = 0;
    for (const { minute: m, item } of list) {
      const minute = m.start;
      const isAll = item.symbol === ALL;
      // `*0`: no such bucket
      const none = replies[pos] === 42 && replies[pos + 1] === 48 && replies[pos + 2] === 13;
      let vec = none ? undefined : readBucket(replies, pos, classifier, isAll, intern, at);
      let flat: Reply[] | undefined;
      if (none) at.pos = pos + 4;
      else if (vec === undefined) {
        flat = ok(decodeAt(replies, pos, intern, at)) as Reply[];
        if (flat.length === 0) flat = undefined;
      }
      pos = at.pos;
      let expire: Reply;
      if (replies[pos] === 58 /* : */) {
        let i = pos + 1;
        const neg = replies[i] === 45;
        if (neg) i++;
        let n = 0;
        for (; replies[i] !== 13; i++) n = n * 10 + (replies[i] - 48);
        expire = neg ? -n : n;
        pos = i + 2;
      } else {
        expire = decodeAt(replies, pos, intern, at);
        pos = at.pos;
      }
      if (typeof expire === 'number' && expire > 0) minuteKeepS = Math.max(minuteKeepS, expire - (minute + BUCKET_MS) / 1000);
      if (vec !== undefined) vec = checkTotals(checks, classifier, item.symbol, minute, vec, undefined, expire);
      else if (flat !== undefined) vec = checkBucket(checks, classifier, item.symbol, minute, flat, expire);
      if (vec !== undefined) {
        buckets++;
        item.vec = store.put(vec);
        if (!isAll) {
          m.symbolBuckets++;
          if (bySymbol) addVec(windowTotals, vec, false);
          else addVec(m.sum, vec, false);
        }
      }
    }
    raw.release();
  };

  // the buckets of the symbols listed in liq:top (and ALL), in minute batches, read and checked while the log
  // worker reads the log; each batch requested when the one before has arrived, two ahead
  const perBatch = bySymbol ? 720 : 20;
  const minutes: Minute[] = starts.map((start, i) => {
    const items: Item[] = [];
    if (bySymbol) items.push({ symbol: opts.symbol!, listed: true, score: undefined, vec: -1 });
    else {
      const flat = ok(allTops[i]) as Reply[];
      for (let j = 0; j + 1 < flat.length; j += 2) items.push({ symbol: String(flat[j]), listed: true, score: flat[j + 1], vec: -1 });
      items.push({ symbol: ALL, listed: true, score: undefined, vec: -1 });
    }
    return { start, items, sum: newVec(), symbolBuckets: 0 };
  });
  const batches: Minute[][] = [];
  for (let i = 0; i < minutes.length; i += perBatch) batches.push(minutes.slice(i, i + perBatch));
  const fetchBatch = async (batch: Minute[]) => {
    const read = readBuckets(batch.flatMap((m) => m.items.map((item) => ({ minute: m, item }))));
    if (!bySymbol) for (const m of batch) m.listed = new Set(m.items.map((s) => s.symbol));
    await read;
  };
  let read = 0;
  const inflight: Array<Promise<void>> = [];
  for (let b = 0; b < batches.length; b++) {
    while (inflight.length < Math.min(batches.length, b + 3)) {
      const p = fetchBatch(batches[inflight.length]);
      p.catch(() => {}); // awaited in order; a failure meanwhile must not go unhandled
      inflight.push(p);
    }
    await inflight[b];
    read += batches[b].length;
    progress('buckets', read, starts.length);
  }

  const logResult = await log.result;
  const { state } = logResult;
  c6.passed = logResult.entries.passed;
  c6.failed = logResult.entries.failed;
  c6.examples.push(...logResult.entries.examples);
  // the log's exchange indices mapped onto the buckets' (an exchange only the log names is added)
  const exMap = logResult.exchanges.map((name) => exchanges.of(name));
  const logMinutes = new Map(logResult.minutes.map(([m, d]) => [m, new LogMinute(d)]));

  // Buckets of symbols with log entries in a minute but absent from its liq:top: read too (no entry may lack its
  // bucket), placed before ALL.
  if (!bySymbol) {
    const unlisted: Array<{ minute: Minute; item: Item }> = [];
    for (const m of minutes) {
      const lm = logMinutes.get(m.start);
      if (lm === undefined || lm.slots.size === 0) continue;
      const extra: Item[] = [];
      for (const sym of lm.slots.keys()) {
        if (m.listed!.has(sym)) continue;
        const item: Item = { symbol: sym, listed: false, score: undefined, vec: -1 };
        extra.push(item);
        unlisted.push({ minute: m, item });
      }
      if (extra.length > 0) m.items.splice(m.items.length - 1, 0, ...extra);
    }
    if (unlisted.length > 0) await readBuckets(unlisted);
  }

  let wholeMinutes = 0;
  const exNames = exchanges.names;
  // one view on the medians of the symbol-minute being checked (a million symbol-minutes: no object each)
  let medLm: LogMinute | undefined;
  let medSlot = 0;
  const medians: Medians & { count: number } = { count: 0, exMap, median: (lx) => medLm!.medianAt(medSlot, lx) };
  for (const { start: minute, items, sum, symbolBuckets } of minutes) {
    const lm = logMinutes.get(minute);
    medLm = lm;
    medians.count = lm?.exchangeCount ?? 0;
    const whole = wholeInLog(state, minute, now);
    if (whole) wholeMinutes++;
    let all: Vec | undefined;
    for (const s of items) {
      // spelled out only for a finding
      const key = () => bucketKey(s.symbol, minute);
      const isAll = s.symbol === ALL;
      const group = lm?.vec(s.symbol, exMap);
      if (s.vec < 0) {
        if (group !== undefined && !isZero(get(group, EVENTS))) {
          c5.fail(key(), '(bucket)', `a bucket counting ${get(group, EVENTS)} log entries`, 'no bucket');
        } else if (!isAll && s.listed && !bySymbol) {
          c4.fail(key(), '(bucket)', `a bucket (${s.symbol} is listed in ${topKey(minute)})`, 'no bucket');
        }
        continue;
      }
      const bucket = store.get(s.vec);
      if (isAll) all = bucket;
      else {
        if (!bySymbol) {
          if (!s.listed) c4.fail(key(), `(member of ${topKey(minute)})`, 'listed, as every bucket of the minute', 'absent');
          else if (s.score !== undefined && Number(s.score) !== Number(get(bucket, VALUE))) {
            c4.fail(key(), `(score in ${topKey(minute)})`, `value_cents ${get(bucket, VALUE)}`, String(s.score));
          }
        }
      }
      if (whole) {
        // a capped bucket lacks some events' quantity by design (qty_capped): its qty fields are not compared
        const d = firstDifference(group ?? newVec(), bucket, !isAll && !capped(bucket), exNames);
        if (d) c5.fail(key(), d.field, `${d.expected} (from liq:events)`, d.actual);
        else c5.pass();
      }
      if (!isAll && group !== undefined && !capped(bucket)) {
        medSlot = lm!.slots.get(s.symbol)!;
        checkPrices(c8, w1, key, bucket, group, medians, whole, exNames);
      }
    }
    if (!bySymbol) {
      if (all !== undefined) addVec(windowTotals, all, false);
      if (all !== undefined || symbolBuckets > 0) {
        const d = firstDifference(sum, all ?? newVec(), false, exNames);
        if (d) c4.fail(bucketKey(ALL, minute), d.field, `${d.expected} (Σ over ${symbolBuckets} symbol buckets)`, all === undefined ? 'no bucket' : d.actual);
        else c4.pass();
      }
    }
  }

  // 9. rollups: hours = Σ minutes, days = Σ hours
  progress('rollups', 0, 1);
  await checkRollups({
    client,
    classifier,
    exNames: () => exchanges.names,
    minutes: minutes.map((m) => ({
      start: m.start,
      symbols: (function* () {
        for (const it of m.items) yield [it.symbol, it.vec < 0 ? undefined : store.get(it.vec)] as [string, Vec | undefined];
      })(),
    })),
    minuteKeepS: minuteKeepS === -Infinity ? Infinity : minuteKeepS,
    symbol: opts.symbol,
    now,
    check: c9,
  });
  progress('rollups', 1, 1);

  // 7. shares of the window total
  checkShares(c7, windowTotals, exchanges.names, bySymbol ? `${opts.symbol} (window)` : 'ALL (window)');

  if (state.insideRemoval) c5.fail(state.removalKey ?? EVENTS_KEY, 'max-deleted-entry-id', 'only the head of the log trimmed', state.insideRemoval);
  let windowEntries = 0;
  for (const lm of logMinutes.values()) windowEntries += lm.events;
  if (buckets === 0 && windowEntries === 0 && checks.every((c) => c.failed === 0)) {
    throw new CannotRun(
      `nothing to check: no buckets${bySymbol ? ` of ${opts.symbol}` : ''} and no log entries in the last ${opts.window} (${describeTarget(opts.redis)})`,
    );
  }
  if (bySymbol) notes.push('check 4 (market-wide) needs every symbol: skipped with --symbol');
  if (!state.exists) {
    const log = keyLayout() === 'single' ? `${EVENTS_KEY} does not exist` : "no day's log of the window (liq:events:{YYYY-MM-DD}) exists";
    notes.push(`${log}: checks 5, 6, 8 and the price warning had nothing to compare`);
  } else if (wholeMinutes === 0) notes.push('no minute of the window lies wholly inside the log retention: check 5 compared nothing');
  if (state.insideRemoval) notes.push(`an entry was removed from inside ${state.removalKey ?? EVENTS_KEY} (${state.insideRemoval})`);
  return buildReport(checks, warnings, {
    strict: opts.strict === true,
    window: opts.window,
    symbol: opts.symbol ?? null,
    from: new Date(from).toISOString(),
    to: new Date(to + BUCKET_MS).toISOString(),
    generatedAt: new Date(now).toISOString(),
    elapsedMs: Math.round(performance.now() - t0),
    minutes: starts.length,
    buckets,
    logEntries: logResult.logEntries,
    logMinutes: wholeMinutes,
    notes,
  });
}
