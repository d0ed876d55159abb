// The validator: reads the log, then the window's buckets minute batch by minute batch (one pipeline per batch,
// the next batch requested before the current one is checked), and runs the eight checks.
import { divHalfUp } from '../engine/decimal.js';
import { ALL, BUCKET_MS, bucketKey, seenKey, topKey } from '../engine/keys.js';
import { checkBucket } from './bucket.js';
import { type EntryContext, type SeenLookups, addEntry } from './entries.js';
import { IdSet } from './idset.js';
import { COUNT, Exchanges, FieldClassifier, VALUE } from './fields.js';
import type { Check } from './report.js';
import { FUTURE_MS, type LogState, logState, readLog, wholeInLog } from './log.js';
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

interface Batch {
  minutes: number[];
  /** Per minute: the symbols read, whether each was listed in liq:top, and its liq:top score. */
  symbols: Array<Array<{ symbol: string; listed: boolean; score: Reply | undefined }>>;
  replies: Reply[];
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

export async function runForensic(opts: RunOptions): Promise<Report> {
  const t0 = performance.now();
  let client: RespClient;
  try {
    client = await RespClient.connect(opts.redisUrl, opts.connectTimeoutMs ?? 3000);
  } catch (err) {
    throw new CannotRun(`cannot reach Redis at ${redact(opts.redisUrl)}: ${err instanceof Error ? err.message : String(err)}`);
  }
  try {
    return await validate(client, opts, t0);
  } finally {
    client.close();
  }
}

async function validate(client: RespClient, opts: RunOptions, t0: number): Promise<Report> {
  const now = opts.now ?? Date.now();
  const starts = windowStarts(opts.window, now);
  const from = starts[0];
  const to = starts[starts.length - 1];
  const checks = newChecks();
  const [, , , c4, c5, c6, c7, c8] = checks;
  const exchanges = new Exchanges();
  const classifier = new FieldClassifier(exchanges);
  const notes: string[] = [];
  const progress = opts.progress ?? (() => {});
  const bySymbol = opts.symbol !== undefined;

  // the liq:top index of every minute, requested at once: Redis answers while the log is being checked
  const topsPromise: Promise<Reply[]> = bySymbol ? Promise.resolve([]) : client.pipeline(starts.map((m) => ['ZRANGE', topKey(m), '0', '-1', 'WITHSCORES']));
  topsPromise.catch(() => {}); // awaited below; a failure surfaces there

  // 1. the log (checks 6, and the aggregates for 5 and 8)
  const state: LogState = await logState(client, now, opts.logRetentionHours ?? 24);
  const ctx: EntryContext = { exchanges, check: c6, ids: new IdSet(state.length), from, to, symbol: opts.symbol, minutes: new Map() };
  let logEntries = 0;
  const lookups: Array<Promise<void>> = [];
  await readLog(client, state, from - FUTURE_MS, (page) => {
    const seen: SeenLookups = new Map();
    for (const e of page) addEntry(ctx, e, seen);
    logEntries += page.length;
    progress('log', logEntries, state.length);
    // every entry's id must be in liq:seen of its minute: looked up while the next pages are read
    if (seen.size > 0) lookups.push(lookupSeen(client, seen, c6));
  });
  await Promise.all(lookups);

  // 2. the buckets, in minute batches
  const perBatch = bySymbol ? 720 : 20;
  const allTops = await topsPromise;
  const minuteIndex = new Map(starts.map((m, i) => [m, i]));
  const fetchBatch = (minutes: number[]): Promise<Batch> => {
    const tops = bySymbol ? [] : minutes.map((m) => allTops[minuteIndex.get(m)!]);
    const symbols: Batch['symbols'] = [];
    const cmds: string[][] = [];
    minutes.forEach((m, i) => {
      const list: Batch['symbols'][number] = [];
      if (bySymbol) list.push({ symbol: opts.symbol!, listed: true, score: undefined });
      else {
        const flat = ok(tops[i]) as Reply[];
        for (let j = 0; j + 1 < flat.length; j += 2) list.push({ symbol: String(flat[j]), listed: true, score: flat[j + 1] });
        // symbols with log entries but absent from liq:top: read their buckets too (no entry may lack its bucket)
        const lm = ctx.minutes.get(m);
        if (lm !== undefined && lm.slots.size > 0) {
          const listed = new Set(list.map((s) => s.symbol));
          for (const sym of lm.slots.keys()) if (!listed.has(sym)) list.push({ symbol: sym, listed: false, score: undefined });
        }
        list.push({ symbol: ALL, listed: true, score: undefined });
      }
      for (const s of list) {
        const key = bucketKey(s.symbol, m);
        cmds.push(['HGETALL', key], ['EXPIRETIME', key]);
      }
      symbols.push(list);
    });
    return client.pipeline(cmds).then((replies) => ({ minutes, symbols, replies }));
  };

  const batches: number[][] = [];
  for (let i = 0; i < starts.length; i += perBatch) batches.push(starts.slice(i, i + perBatch));
  let buckets = 0;
  let logMinutes = 0;
  const windowTotals = newVec();
  const exNames = exchanges.names;
  // two batches requested ahead, so Redis answers the next ones while this one is checked
  const ahead: Array<Promise<Batch>> = batches.slice(0, 2).map(fetchBatch);
  for (let b = 0; b < batches.length; b++) {
    const batch = await ahead.shift()!;
    if (b + 2 < batches.length) ahead.push(fetchBatch(batches[b + 2]));
    let r = 0;
    batch.minutes.forEach((minute, i) => {
      const lm = ctx.minutes.get(minute);
      const whole = wholeInLog(state, minute, now);
      if (whole) logMinutes++;
      const sum = newVec();
      let all: Vec | undefined;
      let symbolBuckets = 0;
      for (const s of batch.symbols[i]) {
        const flat = ok(batch.replies[r++]) as Reply[];
        const expire = batch.replies[r++];
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
        const bucket = checkBucket(checks, classifier, key, s.symbol, minute, flat, expire);
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
  const windowEntries = [...ctx.minutes.values()].reduce((n, m) => n + Number(m.events()), 0);
  if (buckets === 0 && windowEntries === 0 && checks.every((c) => c.failed === 0)) {
    throw new CannotRun(
      `nothing to check: no buckets${bySymbol ? ` of ${opts.symbol}` : ''} and no log entries in the last ${opts.window} (${redact(opts.redisUrl)})`,
    );
  }
  if (bySymbol) notes.push('check 4 (market-wide) needs every symbol: skipped with --symbol');
  if (!state.exists) notes.push('liq:events does not exist: checks 5, 6 and 8 had nothing to compare');
  else if (logMinutes === 0) notes.push('no minute of the window lies wholly inside the log retention: check 5 compared nothing');
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
    logEntries,
    logMinutes,
    notes,
  });
}

const EVENTS_KEY_NAME = 'liq:events';

/** HMGET of each minute's identities in liq:seen:60s:{minute}: each entry passes check 6 or fails as absent. */
async function lookupSeen(client: RespClient, seen: SeenLookups, c6: Check): Promise<void> {
  const minutes = [...seen.keys()];
  const replies = await client.pipeline(minutes.map((m) => ['HMGET', seenKey(m), ...seen.get(m)!.ids]));
  minutes.forEach((m, i) => {
    const l = seen.get(m)!;
    (ok(replies[i]) as Reply[]).forEach((v, k) => {
      if (v === null) c6.fail(bucketKey(l.symbols[k], m), `entry id ${l.ids[k]}`, `in ${seenKey(m)}`, 'absent');
      else c6.pass();
    });
  });
}
