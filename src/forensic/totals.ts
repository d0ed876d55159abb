// A bucket's content by meaning, as one flat array (hundreds of thousands are alive at once, so one object each):
// totals, per side, per exchange, per exchange and side, for each metric (count, value_cents, qty_e8). The same
// shape is built from a stored bucket, from a sum of buckets and from the log (which also keeps its event count
// and each exchange's lowest and highest price), so checks 4 and 5 compare like with like. Absent = 0. Exact.
//   [0..2]  total count, value_cents, qty_e8     [3..8] per side: 3 + metric * 2 + side     [9] log events
//   [10 + ex * 8 ..]  per exchange: count, value_cents, count long/short, value long/short, price min/max (log)
import { type Num, add, eq } from './num.js';
import { CAPPED, QTY, fieldName } from './fields.js';

export type Vec = Array<Num | undefined>;

export const T = (m: number) => m;
export const S = (m: number, side: number) => 3 + m * 2 + side;
export const EVENTS = 9;
const EX0 = 10;
const EXN = 8;
export const E = (m: number, ex: number) => EX0 + ex * EXN + m;
export const ES = (m: number, ex: number, side: number) => EX0 + ex * EXN + 2 + m * 2 + side;
export const PMIN = (ex: number) => EX0 + ex * EXN + 6;
export const PMAX = (ex: number) => EX0 + ex * EXN + 7;

export function newVec(): Vec {
  return [0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
}

export function get(v: Vec, i: number): Num {
  return v[i] ?? 0;
}

function inc(v: Vec, i: number, x: Num): void {
  const cur = v[i];
  v[i] = cur === undefined ? x : add(cur, x);
}

/** Adds one stored field (qty fields exist only in total and per side; qty_capped goes where a log Vec counts events). */
export function addField(v: Vec, metric: number, ex: number, side: number, x: Num): void {
  if (metric === CAPPED) inc(v, EVENTS, x);
  else if (ex < 0) inc(v, side < 0 ? T(metric) : S(metric, side), x);
  else if (metric !== QTY) inc(v, side < 0 ? E(metric, ex) : ES(metric, ex, side), x);
}

/** Adds `count` logged events of one exchange and side, worth `value` cents and `qty` e8, to every field. */
export function addEvents(v: Vec, ex: number, side: number, count: Num, value: Num, qty: Num): void {
  inc(v, 0, count);
  inc(v, 1, value);
  inc(v, 2, qty);
  inc(v, 3 + side, count);
  inc(v, 5 + side, value);
  inc(v, 7 + side, qty);
  inc(v, EVENTS, count);
  const b = EX0 + ex * EXN;
  inc(v, b, count);
  inc(v, b + 1, value);
  inc(v, b + 2 + side, count);
  inc(v, b + 4 + side, value);
}

const isQty = (i: number) => i === 2 || i === 7 || i === 8;
const isExtra = (i: number) => i === EVENTS || (i >= EX0 && (i - EX0) % EXN >= 6);

/** Adds the fields of another Vec (without its qty fields when withQty is false). */
export function addVec(dst: Vec, src: Vec, withQty: boolean): void {
  for (let i = 0; i < src.length; i++) {
    const x = src[i];
    if (x === undefined || x === 0 || isExtra(i) || (!withQty && isQty(i))) continue;
    inc(dst, i, x);
  }
}

/** Exchange indices that have any per-exchange field. */
export function exchangesOf(v: Vec): number[] {
  const out: number[] = [];
  for (let b = EX0, ex = 0; b < v.length; b += EXN, ex++) {
    for (let k = 0; k < 6; k++) {
      if (v[b + k] !== undefined) {
        out.push(ex);
        break;
      }
    }
  }
  return out;
}

export interface Difference {
  field: string;
  expected: Num;
  actual: Num;
}

/** The first field where `actual` differs from `expected` (qty fields only when withQty), or undefined. */
export function firstDifference(expected: Vec, actual: Vec, withQty: boolean, exNames: readonly string[]): Difference | undefined {
  const n = Math.max(expected.length, actual.length);
  for (let i = 0; i < n; i++) {
    const x = expected[i] ?? 0;
    const y = actual[i] ?? 0;
    if (x === y || isExtra(i) || (!withQty && isQty(i)) || eq(x, y)) continue;
    let field: string;
    if (i < 3) field = fieldName(i, undefined, -1);
    else if (i < 9) field = fieldName((i - 3) >> 1, undefined, (i - 3) & 1);
    else {
      const ex = Math.floor((i - EX0) / EXN);
      const k = (i - EX0) % EXN;
      field = k < 2 ? fieldName(k, exNames[ex], -1) : fieldName((k - 2) >> 1, exNames[ex], (k - 2) & 1);
    }
    return { field, expected: x, actual: y };
  }
  return undefined;
}

/**
 * Vecs kept for later without an object each: hundreds of thousands of buckets wait for the log this way, and as
 * arrays they were most of the garbage collector's work. Each is stored as its length and its slots (absent:
 * NaN) in chunks of a Float64Array; one holding a bigint is kept as it is.
 */
export class VecStore {
  private static readonly CHUNK = 1 << 20;
  private readonly chunks: Float64Array[] = [new Float64Array(VecStore.CHUNK)];
  private pos = 0;
  private readonly big = new Map<number, Vec>();

  /** Stores v; returns its handle. */
  put(v: Vec): number {
    if (v.length + 1 > VecStore.CHUNK) throw new Error(`a Vec of ${v.length} slots`);
    if (this.pos + v.length + 1 > VecStore.CHUNK) {
      this.chunks.push(new Float64Array(VecStore.CHUNK));
      this.pos = 0;
    }
    const handle = (this.chunks.length - 1) * VecStore.CHUNK + this.pos;
    const c = this.chunks[this.chunks.length - 1];
    c[this.pos++] = v.length;
    for (let i = 0; i < v.length; i++) {
      const x = v[i];
      if (typeof x === 'bigint') {
        this.big.set(handle, v);
        return handle;
      }
      c[this.pos++] = x === undefined ? NaN : x;
    }
    return handle;
  }

  /** The Vec stored under handle (a new array). */
  get(handle: number): Vec {
    const kept = this.big.get(handle);
    if (kept !== undefined) return kept;
    const c = this.chunks[Math.floor(handle / VecStore.CHUNK)];
    let p = handle % VecStore.CHUNK;
    const n = c[p++];
    const v: Vec = new Array<Num | undefined>(n);
    for (let i = 0; i < n; i++, p++) v[i] = Number.isNaN(c[p]) ? undefined : c[p];
    return v;
  }
}

/** Whether a stored bucket's Vec (or a sum marked by markCapped) has events whose quantity its qty fields lack. */
export function capped(v: Vec): boolean {
  return Number(get(v, EVENTS)) > 0;
}

/** Marks a sum of stored buckets as holding a capped one (addVec leaves the slot alone). */
export function markCapped(sum: Vec, part: Vec): void {
  if (capped(part)) sum[EVENTS] = 1;
}
