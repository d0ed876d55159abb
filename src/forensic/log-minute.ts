// The log's aggregates of one minute per symbol and exchange (what checks 5 and 8 and the price warning compare the
// buckets with), built in the log worker and sent to the main thread as plain typed arrays.
import type { Num } from './num.js';
import { PMAX, PMIN, type Vec, addEvents, newVec } from './totals.js';
import { PriceSamples } from './medians.js';

const MAX_SAFE_SUM = Number.MAX_SAFE_INTEGER;
// per exchange: count long/short, value long/short, qty long/short, price min/max
const PER_EX = 8;

/**
 * The log's events of one minute, per symbol: a flat Float64Array (one slot of 8 numbers per exchange per symbol),
 * so that the aggregates of a whole day keep no objects alive for the garbage collector. Sums stay exact: one that
 * would pass 2^53 moves to `big` as a bigint.
 */
export class LogMinute {
  readonly slots: Map<string, number>;
  private nEx: number;
  private data: Float64Array;
  private big: Map<number, bigint> | undefined;
  /** Every price of the minute while the log is read (finish() turns them into medians). */
  private samples: PriceSamples | undefined;
  /** The median price of each symbol (slot) and exchange at [slot × medianEx + ex], 0 where none: set by finish(). */
  private medianData: Float64Array;
  private medianEx: number;
  /** Number of logged events of the minute. */
  events: number;

  /** Empty, or the aggregates of another thread's LogMinute (postMessage delivers a class instance as plain data). */
  constructor(d?: LogMinuteData) {
    this.slots = d?.slots ?? new Map();
    this.nEx = d?.nEx ?? 0;
    this.data = d?.data ?? new Float64Array(0);
    this.big = d?.big;
    this.events = d?.events ?? 0;
    this.medianData = d?.medians ?? new Float64Array(0);
    this.medianEx = d?.nEx ?? 0;
  }

  /** The aggregates to send to another thread (after finish(), so that they carry the medians). */
  toData(): LogMinuteData {
    return { slots: this.slots, nEx: this.nEx, data: this.data, big: this.big, events: this.events, medians: this.medianData };
  }

  /** Reduces the minute's prices to their medians per symbol and exchange (once the log is read). */
  finish(): void {
    this.medianData = this.samples?.medians(this.slots.size, this.nEx) ?? new Float64Array(0);
    this.medianEx = this.nEx;
    this.samples = undefined;
  }

  /** The median logged price of the symbol in `slot` on the log's exchange `ex` (its index here), or 0 when none. */
  medianAt(slot: number, ex: number): number {
    return ex < this.medianEx ? this.medianData[slot * this.medianEx + ex] : 0;
  }

  /** How many exchanges the log's indices run over (for median()). */
  get exchangeCount(): number {
    return this.medianEx;
  }

  private slotOf(symbol: string, ex: number): number {
    if (ex >= this.nEx) this.widen(ex + 1);
    let slot = this.slots.get(symbol);
    if (slot === undefined) {
      slot = this.slots.size;
      this.slots.set(symbol, slot);
      const need = (slot + 1) * this.nEx * PER_EX;
      if (need > this.data.length) {
        const d = new Float64Array(Math.max(need, this.data.length * 2));
        d.set(this.data);
        this.data = d;
      }
    }
    return slot;
  }

  private widen(nEx: number): void {
    const d = new Float64Array(Math.max(1, this.slots.size) * nEx * PER_EX * 2);
    const moved = new Map<number, bigint>();
    for (let slot = 0; slot < this.slots.size; slot++) {
      for (let k = 0; k < this.nEx * PER_EX; k++) {
        d[slot * nEx * PER_EX + k] = this.data[slot * this.nEx * PER_EX + k];
        const b = this.big?.get(slot * this.nEx * PER_EX + k);
        if (b !== undefined) moved.set(slot * nEx * PER_EX + k, b);
      }
    }
    this.data = d;
    this.big = moved.size > 0 ? moved : undefined;
    this.nEx = nEx;
  }

  private inc(i: number, x: Num): void {
    const b = this.big?.get(i);
    if (b !== undefined) this.big!.set(i, b + BigInt(x));
    else if (typeof x === 'number' && this.data[i] + x <= MAX_SAFE_SUM) this.data[i] += x;
    else (this.big ??= new Map()).set(i, BigInt(this.data[i]) + BigInt(x));
  }

  private at(i: number): Num {
    return this.big?.get(i) ?? this.data[i];
  }

  add(symbol: string, ex: number, side: number, value: Num, qty: Num, price: number): void {
    this.events++;
    const slot = this.slotOf(symbol, ex);
    (this.samples ??= new PriceSamples()).add(slot, ex, price);
    const base = slot * this.nEx * PER_EX + ex * PER_EX;
    this.inc(base + side, 1);
    this.inc(base + 2 + side, value);
    this.inc(base + 4 + side, qty);
    const d = this.data;
    if (d[base] + d[base + 1] === 1) {
      d[base + 6] = price;
      d[base + 7] = price;
    } else if (d[base + 6] === 0 || price < d[base + 6]) d[base + 6] = price;
    else if (price > d[base + 7]) d[base + 7] = price;
  }

  /**
   * The aggregate of one symbol (or of all symbols: ALL) as a Vec, or undefined when it has no events. `exMap`
   * gives each exchange of the log (by its index here) its index in the Vec.
   */
  vec(symbol: string, exMap: readonly number[]): Vec | undefined {
    if (this.big === undefined) {
      if (symbol === 'ALL') return this.slots.size === 0 ? undefined : this.plainVec(this.slots.values(), exMap);
      const slot = this.slots.get(symbol);
      return slot === undefined ? undefined : this.plainVec([slot], exMap);
    }
    return this.vecOf(symbol === 'ALL' ? [...this.slots.values()] : [this.slots.get(symbol)], exMap);
  }

  private vecOf(slots: Array<number | undefined>, exMap: readonly number[]): Vec | undefined {
    let v: Vec | undefined;
    for (const slot of slots) {
      if (slot === undefined) continue;
      v ??= newVec();
      for (let ex = 0; ex < this.nEx; ex++) {
        const base = slot * this.nEx * PER_EX + ex * PER_EX;
        for (let side = 0; side < 2; side++) {
          const n = this.at(base + side);
          if (n === 0) continue;
          addEvents(v, exMap[ex], side, n, this.at(base + 2 + side), this.at(base + 4 + side));
        }
        if (this.at(base) !== 0 || this.at(base + 1) !== 0) {
          const to = exMap[ex];
          const lo = v[PMIN(to)] as number | undefined;
          const hi = v[PMAX(to)] as number | undefined;
          v[PMIN(to)] = lo === undefined ? this.data[base + 6] : Math.min(lo, this.data[base + 6]);
          v[PMAX(to)] = hi === undefined ? this.data[base + 7] : Math.max(hi, this.data[base + 7]);
        }
      }
    }
    return v;
  }

  /**
   * vec() when no sum of the minute has left the safe range: the numbers added directly (the general path adds
   * every field through exact Num addition), and that path taken after all if a sum would leave the safe range.
   * Integer addends: every partial sum is exact while the totals, the largest sums, stay in the safe range.
   */
  private plainVec(slots: Iterable<number>, exMap: readonly number[]): Vec | undefined {
    const d = this.data;
    const v = newVec();
    let c = 0;
    let value = 0;
    let qty = 0;
    const list: number[] = [];
    for (const slot of slots) {
      list.push(slot);
      for (let ex = 0; ex < this.nEx; ex++) {
        const base = (slot * this.nEx + ex) * PER_EX;
        const cl = d[base];
        const cs = d[base + 1];
        if (cl === 0 && cs === 0) continue;
        const vl = d[base + 2];
        const vs = d[base + 3];
        const ql = d[base + 4];
        const qs = d[base + 5];
        c += cl + cs;
        value += vl + vs;
        qty += ql + qs;
        (v[3] as number) += cl;
        (v[4] as number) += cs;
        (v[5] as number) += vl;
        (v[6] as number) += vs;
        (v[7] as number) += ql;
        (v[8] as number) += qs;
        const b = 10 + exMap[ex] * 8;
        const seen = v[b] !== undefined;
        v[b] = seen ? (v[b] as number) + cl + cs : cl + cs;
        v[b + 1] = seen ? (v[b + 1] as number) + vl + vs : vl + vs;
        v[b + 2] = seen ? (v[b + 2] as number) + cl : cl;
        v[b + 3] = seen ? (v[b + 3] as number) + cs : cs;
        v[b + 4] = seen ? (v[b + 4] as number) + vl : vl;
        v[b + 5] = seen ? (v[b + 5] as number) + vs : vs;
        v[b + 6] = seen ? Math.min(v[b + 6] as number, d[base + 6]) : d[base + 6];
        v[b + 7] = seen ? Math.max(v[b + 7] as number, d[base + 7]) : d[base + 7];
      }
    }
    if (c > MAX_SAFE_SUM || value > MAX_SAFE_SUM || qty > MAX_SAFE_SUM) return this.vecOf(list, exMap);
    v[0] = c;
    v[1] = value;
    v[2] = qty;
    v[9] = c;
    return v;
  }
}

export interface LogMinuteData {
  readonly slots: Map<string, number>;
  readonly nEx: number;
  readonly data: Float64Array;
  readonly big: Map<number, bigint> | undefined;
  readonly events: number;
  /** Median price per [slot × nEx + ex] (see LogMinute.finish). */
  readonly medians: Float64Array;
}
