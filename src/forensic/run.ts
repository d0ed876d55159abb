// The validator. The log (liq:events) is read and checked in a worker thread (logcheck.ts) while this thread reads
// the window's buckets, minute batch by minute batch (one pipeline per batch, two batches requested ahead); the
// checks that compare buckets with the log start once the worker has reported, in the order of the minutes.
import { divHalfUp } from '../engine/decimal.js';
import { ALL, BUCKET_MS, bucketKey, topKey } from '../engine/keys.js';
import { checkBucket } from './bucket.js';
import { LogMinute } from './entries.js';
import { COUNT, Exchanges, FieldClassifier, VALUE } from './fields.js';
import { LogConnectError, type LogWorker, startLogWorker } from './logcheck.js';
import { wholeInLog } from './log.js';
import { isZero } from './num.js';
import { type WindowName, windowStarts } from './options.js';
import { checkPrices } from './prices.js';
import { type Report, buildReport, newChecks } from './report.js';
import { type Reply, RespClient, ok } from './resp.js';
import { E, EVENTS, type Vec, addVec, exchangesOf, firstDifference, get, newVec } from './totals.js';

export class CannotRun extends Error {
  override name = 'CannotRun';
}

export interface RunOptions {
  redisUrl: string;
  window: WindowName;
  symbol?: string;
  /** EVENT_LOG_RETENTION_HOURS of the daemon (default 24). */
  logRetentionHours?: number;
  now?: number;
  connectTimeoutMs?: number;
  progress?: (phase: string, done: number, total: number) => void;
}

/** One bucket to check: its symbol, whether it was listed in liq:top and its score there, and its two replies. */
interface Item {
  readonly symbol: string;
  readonly listed: boolean;
  readonly score: Reply | undefined;
  hash: Reply;
  expire: Reply;
}

interface Batch {
  readonly minutes: number[];
  /** Per minute, the buckets in the order they are checked (ALL last). */
  readonly items: Item[][];
}

function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString().replace(/\/$/, '');
  } catch {
    return url;
  }
}

const cannotReach = (url: string, err: unknown) =>
  new CannotRun(`cannot reach Redis at ${redact(url)}: ${err instanceof Error ? err.message : String(err)}`);

export async function runForensic(opts: RunOptions): Promise<Report> {
  const t0 = performance.now();
  const connectTimeoutMs = opts.connectTimeoutMs ?? 3000;
  let client: RespClient;
  try {
    client = await RespClient.connect(opts.redisUrl, connectTimeoutMs);
  } catch (err) {
    throw cannotReach(opts.redisUrl, err);
  }
  const now = opts.now ?? Date.now();
  const starts = windowStarts(opts.window, now);
  const progress = opts.progress ?? (() => {});
  let log: LogWorker | undefined;
  try {
    log = startLogWorker(
      {
        redisUrl: opts.redisUrl,
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
    if (err instanceof LogConnectError) throw cannotReach(opts.redisUrl, err);
    throw err;
  } finally {
    client.close();
    await log?.stop();
  }
}

async function validate(client: RespClient, log: LogWorker, opts: RunOptions, now: number, starts: number[], t0: number): Promise<Report> {
  const from = starts[0];
  const to = starts[starts.length - 1];
  const checks = newChecks();
  const [, , , c4, c5, c6, c7, c8] = checks;
  const notes: string[] = [];
  const progress = opts.progress ?? (() => {});
  const bySymbol = opts.symbol !== undefined;

  // the liq:top index of every minute, requested at once
  const allTops: Reply[] = bySymbol ? [] : await client.pipeline(starts.map((m) => ['ZRANGE', topKey(m), '0', '-1', 'WITHSCORES']));

  // the buckets of the symbols listed in liq:top (and ALL), in minute batches
  const perBatch = bySymbol ? 720 : 20;
  const minuteIndex = new Map(starts.map((m, i) => [m, i]));
  // async: a reply error met while building the batch (liq:top not a sorted set) rejects it like a Redis failure
  const fetchBatch = async (minutes: number[]): Promise<Batch> => {
    const items: Item[][] = [];
    const cmds: string[][] = [];
    for (const m of minutes) {
      const list: Item[] = [];
      if (bySymbol) list.push({ symbol: opts.symbol!, listed: true, score: undefined, hash: null, expire: null });
      else {
        const flat = ok(allTops[minuteIndex.get(m)!]) as Reply[];
        for (let j = 0; j + 1 < flat.length; j += 2) list.push({ symbol: String(flat[j]), listed: true, score: flat[j + 1], hash: null, expire: null });
        list.push({ symbol: ALL, listed: true, score: undefined, hash: null, expire: null });
      }
      for (const s of list) {
        const key = bucketKey(s.symbol, m);
        cmds.push(['HGETALL', key], ['EXPIRETIME', key]);
      }
      items.push(list);
    }
    return client.pipeline(cmds).then((replies) => {
      let r = 0;
      for (const list of items) {
        for (const s of list) {
          s.hash = replies[r++];
          s.expire = replies[r++];
        }
      }
      return { minutes, items };
    });
  };

  const batches: number[][] = [];
  for (let i = 0; i < starts.length; i += perBatch) batches.push(starts.slice(i, i + perBatch));
  // Batches are requested two ahead of the one being checked. While the log worker runs nothing can be checked, so
  // each batch that arrives then requests the next: Redis and this thread read the buckets meanwhile.
  const fetched: Array<Promise<Batch>> = [];
  let logPending = true;
  const request = (): void => {
    if (fetched.length >= batches.length) return;
    const p = fetchBatch(batches[fetched.length]);
    fetched.push(p);
    p.then(
      () => {
        if (logPending) request();
      },
      () => {}, // awaited in order below; a failure surfaces there
    );
  };
  request();
  request();

  const logResult = await log.result;
  logPending = false;
  const { state } = logResult;
  c6.passed = logResult.entries.passed;
  c6.failed = logResult.entries.failed;
  c6.examples.push(...logResult.entries.examples);
  // the exchanges in the log's order first, as the indices of its aggregates
  const exchanges = new Exchanges();
  for (const name of logResult.exchanges) exchanges.of(name);
  const classifier = new FieldClassifier(exchanges);
  const logMinutes = new Map(logResult.minutes.map(([m, d]) => [m, new LogMinute(d)]));

  /** Buckets of symbols with log entries in a minute but absent from its liq:top: read too (no entry may lack its bucket). */
  const addUnlisted = async (batch: Batch): Promise<void> => {
    if (bySymbol) return;
    const added: Array<{ list: Item[]; extra: Item[] }> = [];
    const cmds: string[][] = [];
    batch.minutes.forEach((m, i) => {
      const lm = logMinutes.get(m);
      if (lm === undefined || lm.slots.size === 0) return;
      const list = batch.items[i];
      const listed = new Set(list.map((s) => s.symbol));
      const extra: Item[] = [];
      for (const sym of lm.slots.keys()) {
        if (listed.has(sym)) continue;
        extra.push({ symbol: sym, listed: false, score: undefined, hash: null, expire: null });
        cmds.push(['HGETALL', bucketKey(sym, m)], ['EXPIRETIME', bucketKey(sym, m)]);
      }
      if (extra.length > 0) added.push({ list, extra });
    });
    if (cmds.length === 0) return;
    const replies = await client.pipeline(cmds);
    let r = 0;
    for (const { list, extra } of added) {
      for (const s of extra) {
        s.hash = replies[r++];
        s.expire = replies[r++];
      }
      list.splice(list.length - 1, 0, ...extra); // before ALL
    }
  };

  let buckets = 0;
  let wholeMinutes = 0;
  const windowTotals = newVec();
  const exNames = exchanges.names;
  for (let b = 0; b < batches.length; b++) {
    const batch = await fetched[b];
    while (fetched.length < Math.min(batches.length, b + 3)) request();
    await addUnlisted(batch);
    batch.minutes.forEach((minute, i) => {
      const lm = logMinutes.get(minute);
      const whole = wholeInLog(state, minute, now);
      if (whole) wholeMinutes++;
      const sum = newVec();
      let all: Vec | undefined;
      let symbolBuckets = 0;
      for (const s of batch.items[i]) {
        const flat = ok(s.hash) as Reply[];
        const key = bucketKey(s.symbol, minute);
        const isAll = s.symbol === ALL;
        const group = lm?.vec(s.symbol);
        if (flat.length === 0) {
          if (group !== undefined && !isZero(get(group, EVENTS))) {
            c5.fail(key, '(bucket)', `a bucket counting ${get(group, EVENTS)} log entries`, 'no bucket');
          } else if (!isAll && s.listed && !bySymbol) {
            c4.fail(key, '(bucket)', `a bucket (${s.symbol} is listed in ${topKey(minute)})`, 'no bucket');
          }
          continue;
        }
        const bucket = checkBucket(checks, classifier, key, s.symbol, minute, flat, s.expire);
        buckets++;
        if (isAll) all = bucket;
        else {
          symbolBuckets++;
          if (!bySymbol) {
            addVec(sum, bucket, false);
            if (!s.listed) c4.fail(key, `(member of ${topKey(minute)})`, 'listed, as every bucket of the minute', 'absent');
            else if (s.score !== undefined && Number(s.score) !== Number(get(bucket, VALUE))) {
              c4.fail(key, `(score in ${topKey(minute)})`, `value_cents ${get(bucket, VALUE)}`, String(s.score));
            }
          } else addVec(windowTotals, bucket, false);
        }
        if (whole) {
          const d = firstDifference(group ?? newVec(), bucket, !isAll, exNames);
          if (d) c5.fail(key, d.field, `${d.expected} (from liq:events)`, d.actual);
          else c5.pass();
        }
        if (!isAll && group !== undefined) checkPrices(c8, key, bucket, group, whole, exNames);
      }
      if (!bySymbol) {
        if (all !== undefined) addVec(windowTotals, all, false);
        if (all !== undefined || symbolBuckets > 0) {
          const d = firstDifference(sum, all ?? newVec(), false, exNames);
          if (d) c4.fail(bucketKey(ALL, minute), d.field, `${d.expected} (Σ over ${symbolBuckets} symbol buckets)`, all === undefined ? 'no bucket' : d.actual);
          else c4.pass();
        }
      }
    });
    progress('buckets', Math.min(starts.length, (b + 1) * perBatch), starts.length);
  }

  // 7. shares of the window total
  const total = BigInt(get(windowTotals, VALUE));
  if (total > 0n) {
    const exs = exchangesOf(windowTotals);
    let bp = 0n;
    const parts: string[] = [];
    for (const ex of exs) {
      const share = divHalfUp(BigInt(get(windowTotals, E(VALUE, ex))) * 10_000n, total);
      bp += share;
      parts.push(`${exNames[ex]} ${(Number(share) / 100).toFixed(2)}%`);
    }
    const slack = BigInt(exs.length);
    if (bp < 10_000n - slack || bp > 10_000n + slack) {
      c7.fail(bySymbol ? `${opts.symbol} (window)` : 'ALL (window)', 'exchange shares', `100.00% ± ${(exs.length * 0.01).toFixed(2)}%`, `${(Number(bp) / 100).toFixed(2)}% (${parts.join(', ')})`);
    } else c7.pass();
  } else if (!isZero(get(windowTotals, COUNT))) c7.fail('ALL (window)', 'value_cents', '> 0 where count > 0', '0');

  if (state.insideRemoval) c5.fail(EVENTS_KEY_NAME, 'max-deleted-entry-id', 'only the head of the log trimmed', state.insideRemoval);
  let windowEntries = 0;
  for (const lm of logMinutes.values()) windowEntries += lm.events;
  if (buckets === 0 && windowEntries === 0 && checks.every((c) => c.failed === 0)) {
    throw new CannotRun(
      `nothing to check: no buckets${bySymbol ? ` of ${opts.symbol}` : ''} and no log entries in the last ${opts.window} (${redact(opts.redisUrl)})`,
    );
  }
  if (bySymbol) notes.push('check 4 (market-wide) needs every symbol: skipped with --symbol');
  if (!state.exists) notes.push('liq:events does not exist: checks 5, 6 and 8 had nothing to compare');
  else if (wholeMinutes === 0) notes.push('no minute of the window lies wholly inside the log retention: check 5 compared nothing');
  if (state.insideRemoval) notes.push(`an entry was removed from inside liq:events (${state.insideRemoval})`);
  return buildReport(checks, {
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

const EVENTS_KEY_NAME = 'liq:events';

