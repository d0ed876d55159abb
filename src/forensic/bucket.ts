// One stored bucket: its fields read into a Vec (totals.ts), with checks 1 (sides), 2 (exchanges), 3 (each exchange) and
// the per-bucket part of 7 (digit strings, value where count, minute start, expiry at a minute end).
import { BUCKET_MS, bucketKey } from '../core/keys.js';
import { CAPPED, COUNT, type FieldClassifier, QTY, VALUE, fieldName } from './fields.js';
import { type Num, add, eq, intField, isZero } from './num.js';
import type { Checks } from './report.js';
import type { Interner, Reply } from './resp-codec.js';

const CR = 13;
import { E, ES, S, T, type Vec, addField, exchangesOf, get, newVec } from './totals.js';

/**
 * Checks one bucket given its HGETALL reply (flat name/value list) and its EXPIRETIME reply; returns its Vec.
 * Each check counts the bucket once: passed, or failed with its first offending field.
 */
export function checkBucket(
  checks: Checks,
  classifier: FieldClassifier,
  symbol: string,
  start: number,
  flat: readonly Reply[],
  expireTime: Reply,
): Vec {
  const isAll = symbol === 'ALL';
  const totals = newVec();
  let bad7: [string, string, string] | undefined;
  for (let i = 0; i + 1 < flat.length; i += 2) {
    const name = String(flat[i]);
    const raw = flat[i + 1];
    const v = intField(raw);
    const info = classifier.classify(name);
    if (v === undefined) bad7 ??= [name, 'a string of digits', JSON.stringify(raw)];
    if (info === null || (isAll && (info.metric === QTY || info.metric === CAPPED))) bad7 ??= [name, 'a field of the schema', 'unknown field'];
    if (v !== undefined && info !== null && !(isAll && (info.metric === QTY || info.metric === CAPPED))) addField(totals, info.metric, info.ex, info.side, v);
  }
  return checkTotals(checks, classifier, symbol, start, totals, bad7, expireTime);
}

/**
 * The HGETALL reply at buf[pos] read straight into a Vec when every field is one of the schema with a value of
 * 1 to 15 digits (a stored bucket always is); undefined for anything else, which checkBucket then reads and
 * reports. Sets at.pos after the reply when it returns a Vec.
 */
export function readBucket(buf: Buffer, pos: number, classifier: FieldClassifier, isAll: boolean, intern: Interner, at: { pos: number }): Vec | undefined {
  if (buf[pos] !== 42) return undefined;
  let i = pos + 1;
  let n = 0;
  for (; buf[i] !== CR; i++) n = n * 10 + (buf[i] - 48);
  if (n < 0 || n % 2 !== 0) return undefined;
  i += 2;
  const totals = newVec();
  for (let k = 0; k < n; k += 2) {
    if (buf[i] !== 36) return undefined;
    let len = 0;
    for (i++; buf[i] !== CR; i++) len = len * 10 + (buf[i] - 48);
    if (len < 0) return undefined;
    const info = classifier.classify(intern.get(buf, i + 2, i + 2 + len));
    if (info === null || (isAll && (info.metric === QTY || info.metric === CAPPED))) return undefined;
    i += len + 4;
    if (buf[i] !== 36) return undefined;
    len = 0;
    for (i++; buf[i] !== CR; i++) len = len * 10 + (buf[i] - 48);
    i += 2;
    if (len < 1 || len > 15) return undefined;
    let v = 0;
    for (let j = i; j < i + len; j++) {
      const c = buf[j] - 48;
      if (c < 0 || c > 9) return undefined;
      v = v * 10 + c;
    }
    i += len + 2;
    addField(totals, info.metric, info.ex, info.side, v);
  }
  at.pos = i;
  return totals;
}

/** Checks 1, 2, 3 and the per-bucket part of 7 on a bucket's Vec (bad7: a field already found wrong). */
export function checkTotals(
  checks: Checks,
  classifier: FieldClassifier,
  symbol: string,
  start: number,
  totals: Vec,
  bad7: [string, string, string] | undefined,
  expireTime: Reply,
): Vec {
  const [c1, c2, c3, , , , c7] = checks;
  const isAll = symbol === 'ALL';
  // the key is only spelled out for a finding
  const key = () => bucketKey(symbol, start);
  const ex = classifier.exchanges.names;
  const exs = exchangesOf(totals);

  // 1. sides
  let f1: [string, string, Num] | undefined;
  for (let m = COUNT; m <= (isAll ? VALUE : QTY) && f1 === undefined; m++) {
    const expect = add(get(totals, S(m, 0)), get(totals, S(m, 1)));
    if (!eq(expect, get(totals, T(m)))) f1 = [fieldName(m, undefined, -1), `${fieldName(m, undefined, 0)} + ${fieldName(m, undefined, 1)} = ${expect}`, get(totals, T(m))];
  }
  if (f1) c1.fail(key(), ...f1);
  else c1.pass();

  // 2. exchanges
  let f2: [string, string, Num] | undefined;
  for (let m = COUNT; m <= VALUE && f2 === undefined; m++) {
    let all: Num = 0;
    let long: Num = 0;
    let short: Num = 0;
    for (const x of exs) {
      all = add(all, get(totals, E(m, x)));
      long = add(long, get(totals, ES(m, x, 0)));
      short = add(short, get(totals, ES(m, x, 1)));
    }
    if (!eq(all, get(totals, T(m)))) {
      f2 = [fieldName(m, undefined, -1), `Σ {ex}_${fieldName(m, undefined, -1)} = ${all}`, get(totals, T(m))];
      break;
    }
    for (let side = 0; side < 2; side++) {
      const bySide = side === 0 ? long : short;
      if (!eq(bySide, get(totals, S(m, side)))) {
        f2 = [fieldName(m, undefined, side), `Σ {ex}_${fieldName(m, undefined, side)} = ${bySide}`, get(totals, S(m, side))];
        break;
      }
    }
  }
  if (f2) c2.fail(key(), ...f2);
  else c2.pass();

  // 3. each exchange
  let f3: [string, string, Num] | undefined;
  for (const x of exs) {
    for (let m = COUNT; m <= VALUE && f3 === undefined; m++) {
      const both = add(get(totals, ES(m, x, 0)), get(totals, ES(m, x, 1)));
      const own = get(totals, E(m, x));
      if (!eq(both, own)) f3 = [fieldName(m, ex[x], -1), `${fieldName(m, ex[x], 0)} + ${fieldName(m, ex[x], 1)} = ${both}`, own];
    }
    if (f3) break;
  }
  if (f3) c3.fail(key(), ...f3);
  else c3.pass();

  // 7. sanity (per bucket)
  if (bad7 === undefined) {
    // value_cents > 0 wherever count > 0, at every level
    const zeroValue = (ci: number, vi: number, x: number, side: number): boolean => {
      const count = get(totals, ci);
      if (isZero(count) || !isZero(get(totals, vi))) return false;
      const exName = x < 0 ? undefined : ex[x];
      bad7 = [fieldName(VALUE, exName, side), `> 0 (${fieldName(COUNT, exName, side)} = ${count})`, '0'];
      return true;
    };
    if (!zeroValue(T(COUNT), T(VALUE), -1, -1) && !zeroValue(S(COUNT, 0), S(VALUE, 0), -1, 0) && !zeroValue(S(COUNT, 1), S(VALUE, 1), -1, 1)) {
      for (const x of exs) {
        if (zeroValue(E(COUNT, x), E(VALUE, x), x, -1) || zeroValue(ES(COUNT, x, 0), ES(VALUE, x, 0), x, 0) || zeroValue(ES(COUNT, x, 1), ES(VALUE, x, 1), x, 1)) break;
      }
    }
  }
  if (bad7 === undefined && start % BUCKET_MS !== 0) bad7 = ['(key)', 'a start on a minute', String(start)];
  if (bad7 === undefined) {
    if (expireTime === -1) bad7 = ['(TTL)', 'an expiry (minute end + retention)', 'none'];
    else if (typeof expireTime === 'number' && expireTime >= 0) {
      const ms = expireTime * 1000;
      if (ms % BUCKET_MS !== 0 || ms < start + BUCKET_MS) {
        bad7 = ['(TTL)', `an expiry at a minute end after ${new Date(start + BUCKET_MS).toISOString()}`, new Date(ms).toISOString()];
      }
    }
  }
  if (bad7) c7.fail(key(), ...bad7);
  else c7.pass();
  return totals;
}
