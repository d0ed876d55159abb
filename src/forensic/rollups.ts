// Check 9, rollups: every hourly rollup of the window equals the sum of its minute buckets (while they all still
// exist: a rollup outlives its minutes), and every daily rollup the window touches equals the sum of its hourly
// rollups (while they all exist). The minutes' Vecs are the ones the run already read; the rollups are read here,
// one pipeline per step. A symbol is compared when it has a minute bucket in the hour, is listed in the hour's (or
// day's) liq:top, or has the rollup: a rollup without its minutes, and minutes without their rollup, both fail.
import { ALL, DAY_MS, HOUR_MS, aggKey, periodOf, rollupTopKey } from '../core/keys.js';
import type { Check } from './report.js';
import { CAPPED, QTY, type FieldClassifier } from './fields.js';
import { intField } from './num.js';
import type { Reply } from './resp-codec.js';
import type { RespConnection } from './resp.js';
import { type Vec, addField, addVec, capped, firstDifference, markCapped, newVec } from './totals.js';

/** One minute as the run read it: its start, and each symbol's Vec (undefined: no bucket). */
export interface MinuteVecs {
  readonly start: number;
  readonly symbols: Iterable<[string, Vec | undefined]>;
}

export interface RollupInput {
  client: RespConnection;
  classifier: FieldClassifier;
  exNames: () => readonly string[];
  /** The window's minutes, oldest first. */
  minutes: readonly MinuteVecs[];
  /** Seconds a minute bucket lives after its minute's end (from the buckets' EXPIRETIME); Infinity when unknown. */
  minuteKeepS: number;
  /** Only this symbol (and not ALL) with --symbol. */
  symbol?: string;
  now: number;
  check: Check;
}

function vecOf(flat: readonly Reply[], classifier: FieldClassifier, isAll: boolean): Vec {
  const v = newVec();
  for (let i = 0; i + 1 < flat.length; i += 2) {
    const info = classifier.classify(String(flat[i]));
    const x = intField(flat[i + 1]);
    // a field outside the schema or not an integer cannot equal a sum: counted as absent, so the sum differs
    if (info !== null && x !== undefined && !(isAll && (info.metric === QTY || info.metric === CAPPED))) addField(v, info.metric, info.ex, info.side, x);
  }
  return v;
}

function members(reply: Reply): string[] {
  return Array.isArray(reply) ? reply.map(String) : [];
}

interface Expected {
  start: number;
  symbol: string;
  sum: Vec;
  /** The keys the sum was read from (read again, atomically, when the comparison fails). */
  parts: string[];
  of: string;
}

/** The difference between a sum and its rollup's reply, or 'missing', or undefined when they agree. */
function differ(input: RollupInput, e: Expected, reply: Reply): ReturnType<typeof firstDifference> | 'missing' | undefined {
  const flat = (Array.isArray(reply) ? reply : []) as Reply[];
  const isAll = e.symbol === ALL;
  if (flat.length === 0) return firstDifference(e.sum, newVec(), !isAll, input.exNames()) === undefined ? undefined : 'missing';
  const actual = vecOf(flat, input.classifier, isAll);
  // a capped rollup (or part) lacks some events' quantity by design: its qty fields are not compared
  return firstDifference(e.sum, actual, !isAll && !capped(e.sum) && !capped(actual), input.exNames());
}

/**
 * Compares each expected sum with its rollup (read in one pipeline). A daemon writing meanwhile changes a minute and
 * its hour in one atomic step, but the run read them at different times: a difference is read again, parts and
 * rollup in one MULTI, and only a difference that holds there is a finding.
 */
async function compare(input: RollupInput, res: '1h' | '1d', expected: Expected[]): Promise<void> {
  const replies = await input.client.pipeline(expected.map((e) => ['HGETALL', aggKey(e.symbol, res, e.start)]));
  for (let i = 0; i < expected.length; i++) {
    let e = expected[i];
    let d = differ(input, e, replies[i]);
    if (d !== undefined) {
      const again = await input.client.pipeline([['MULTI'], ...e.parts.map((k) => ['HGETALL', k]), ['HGETALL', aggKey(e.symbol, res, e.start)], ['EXEC']]);
      const got = again[again.length - 1];
      if (Array.isArray(got) && got.length === e.parts.length + 1) {
        const sum = newVec();
        for (let j = 0; j < e.parts.length; j++) {
          const flat = got[j];
          if (Array.isArray(flat) && flat.length > 0) {
            const part = vecOf(flat, input.classifier, e.symbol === ALL);
            addVec(sum, part, e.symbol !== ALL);
            markCapped(sum, part);
          }
        }
        e = { ...e, sum };
        d = differ(input, e, got[e.parts.length]);
      }
    }
    const key = aggKey(e.symbol, res, e.start);
    if (d === undefined) {
      if (Array.isArray(replies[i]) && (replies[i] as Reply[]).length > 0) input.check.pass();
    } else if (d === 'missing') input.check.fail(key, '(bucket)', `a rollup: its ${e.of} hold data`, 'no bucket');
    else input.check.fail(key, d.field, `${d.expected} (Σ over its ${e.parts.length} ${e.of})`, d.actual);
  }
}

export async function checkRollups(input: RollupInput): Promise<{ hours: number; days: number }> {
  const { client, now } = input;
  const wanted = (s: string) => (input.symbol === undefined ? true : s === input.symbol);
  // hours of the window whose minutes all lie in it (up to now) and all still exist
  const first = input.minutes[0]?.start ?? now;
  const byHour = new Map<number, MinuteVecs[]>();
  for (const m of input.minutes) {
    const h = periodOf(m.start, '1h');
    if (h < first) continue;
    if ((h + 60_000) / 1000 + input.minuteKeepS <= now / 1000) continue;
    let list = byHour.get(h);
    if (list === undefined) byHour.set(h, (list = []));
    list.push(m);
  }
  const hours = [...byHour.keys()];
  const hourTops = input.symbol === undefined ? await client.pipeline(hours.map((h) => ['ZRANGE', rollupTopKey('1h', h), '0', '-1'])) : [];
  const expected: Expected[] = [];
  hours.forEach((h, i) => {
    const sums = new Map<string, Vec>();
    const minutes = byHour.get(h)!;
    for (const m of minutes) {
      for (const [symbol, vec] of m.symbols) {
        if (!wanted(symbol)) continue;
        let s = sums.get(symbol);
        if (s === undefined) sums.set(symbol, (s = newVec()));
        if (vec !== undefined) {
          addVec(s, vec, symbol !== ALL);
          markCapped(s, vec);
        }
      }
    }
    for (const s of members(hourTops[i] ?? [])) if (!sums.has(s)) sums.set(s, newVec());
    if (input.symbol === undefined && !sums.has(ALL)) sums.set(ALL, newVec());
    for (const [symbol, sum] of sums) {
      expected.push({ start: h, symbol, sum, parts: minutes.filter((m) => m.start <= now).map((m) => aggKey(symbol, '60s', m.start)), of: 'minutes' });
    }
  });
  await compare(input, '1h', expected);

  // days the window touches, from their first hour up to now, while that first hour still exists
  const days = [...new Set(input.minutes.map((m) => periodOf(m.start, '1d')))];
  const dayTops = input.symbol === undefined ? await client.pipeline(days.map((d) => ['ZRANGE', rollupTopKey('1d', d), '0', '-1'])) : [];
  const dayExpected: Expected[] = [];
  for (let k = 0; k < days.length; k++) {
    const d = days[k];
    const symbols = input.symbol === undefined ? [...members(dayTops[k]), ALL] : [input.symbol];
    const hoursOfDay: number[] = [];
    for (let h = d; h < d + DAY_MS && h <= now; h += HOUR_MS) hoursOfDay.push(h);
    // how long the hourly rollups live, from those of the day that exist: a day whose first hour has expired cannot be summed
    const ttls = await client.pipeline(hoursOfDay.map((h) => ['EXPIRETIME', aggKey(ALL, '1h', h)]));
    let keepS = -Infinity;
    ttls.forEach((t, j) => {
      if (typeof t === 'number' && t > 0) keepS = Math.max(keepS, t - (hoursOfDay[j] + HOUR_MS) / 1000);
    });
    if (keepS !== -Infinity && (d + HOUR_MS) / 1000 + keepS <= now / 1000) continue;
    const cmds: string[][] = [];
    for (const s of symbols) for (const h of hoursOfDay) cmds.push(['HGETALL', aggKey(s, '1h', h)]);
    const replies = await client.pipeline(cmds);
    let r = 0;
    for (const s of symbols) {
      const sum = newVec();
      for (let j = 0; j < hoursOfDay.length; j++, r++) {
        const flat = replies[r];
        if (Array.isArray(flat) && flat.length > 0) {
          const part = vecOf(flat, input.classifier, s === ALL);
          addVec(sum, part, s !== ALL);
          markCapped(sum, part);
        }
      }
      dayExpected.push({ start: d, symbol: s, sum, parts: hoursOfDay.map((h) => aggKey(s, '1h', h)), of: 'hours' });
    }
  }
  await compare(input, '1d', dayExpected);
  return { hours: hours.length, days: dayExpected.length > 0 ? days.length : 0 };
}
