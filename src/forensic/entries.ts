// The event log's entries: each parsed, checked against the contract (check 6) and aggregated per symbol and
// minute (for checks 5 and 8). value_cents of a linear entry = round_half_up(price × quantity, cents); of an
// entry with usd (inverse, or a quantity that had more than 8 decimals) = round_half_up(usd, cents), and then
// quantity = round_half_up(usd ÷ price, 8 decimals).
import { divToScaled, mul, parseDecimal, toScaled } from '../engine/decimal.js';
import { bucketKey, minuteOf } from '../engine/keys.js';
import { MAX_SAFE, POW10, type SmallDecimal, scaleSafe, smallDecimal } from '../engine/small.js';
import type { Exchanges } from './fields.js';
import { type Num, eq, intField } from './num.js';
import type { Check } from './report.js';
import type { Reply } from './resp.js';
import { PMAX, PMIN, type Vec, addEvents, newVec } from './totals.js';
import type { IdSet } from './idset.js';
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

/** Identities to look up in liq:seen:60s:{minute}, per minute, with each one's symbol. */
export type SeenLookups = Map<number, { ids: string[]; symbols: string[] }>;

const ID_RE = /^[A-Za-z0-9_-]{20}$/;
export const EX_RE = /^[a-z0-9]+$/;

/** value_cents of price × quantity, rounded half up, exactly (p, q: their smallDecimal). */
function linearCents(price: string, quantity: string, p: SmallDecimal | undefined, q: SmallDecimal | undefined): bigint | number | undefined {
  if (p && q) {
    const m = p.m * q.m;
    const scale = p.scale + q.scale;
    if (m <= MAX_SAFE) {
      const v = scaleSafe(m, scale, 2);
      if (v >= 0) return v;
    }
  }
  const pd = parseDecimal(price);
  const qd = parseDecimal(quantity);
  if (!pd || !qd) return undefined;
  return toScaled(mul(pd, qd), 2);
}

function positiveDecimal(text: string, d: SmallDecimal | undefined): boolean {
  if (d !== undefined) return d.m > 0;
  const big = parseDecimal(text);
  return big !== undefined && big.m > 0n;
}

/** quantity × 10^8 when it is a decimal > 0 with at most 8 decimals (exact), else undefined (d: its smallDecimal). */
function quantityE8(text: string, d: SmallDecimal | undefined): Num | undefined {
  if (d !== undefined) {
    if (d.scale > 8 || d.m === 0) return undefined;
    const v = d.m * POW10[8 - d.scale];
    if (v <= MAX_SAFE) return v;
  }
  const big = parseDecimal(text);
  if (big === undefined || big.scale > 8 || big.m === 0n) return undefined;
  const v = toScaled(big, 8);
  return v <= BigInt(MAX_SAFE) ? Number(v) : v;
}

export interface EntryContext {
  readonly exchanges: Exchanges;
  /** Exchange names that passed the name check (the fast path's cache; indices are given when aggregating). */
  readonly validExchanges: Set<string>;
  readonly check: Check;
  readonly ids: IdSet;
  /** Minute starts of the window (entries elsewhere are only checked for their own content). */
  readonly from: number;
  readonly to: number;
  /** Only this symbol (undefined: all). */
  readonly symbol: string | undefined;
  readonly minutes: Map<number, LogMinute>;
}

/** Checks and aggregates one XRANGE entry [streamId, [name, value, …]]. */
export function addEntry(ctx: EntryContext, entry: Reply, seen: SeenLookups): void {
  const pair = entry as Reply[];
  const sid = String(pair[0]);
  const flat = (pair[1] ?? []) as Reply[];
  let id: string | undefined;
  let ts: Num | undefined;
  let exchange: string | undefined;
  let symbol: string | undefined;
  let side = -1;
  let price: string | undefined;
  let quantity: string | undefined;
  let cents: Num | undefined;
  let usd: string | undefined;
  for (let i = 0; i + 1 < flat.length; i += 2) {
    const v = flat[i + 1];
    switch (flat[i]) {
      case 'id':
        id = String(v);
        break;
      case 'ts':
        ts = intField(v);
        break;
      case 'exchange':
        exchange = String(v);
        break;
      case 'symbol':
        symbol = String(v);
        break;
      case 'side':
        side = v === 'long' ? 0 : v === 'short' ? 1 : -2;
        break;
      case 'price':
        price = String(v);
        break;
      case 'quantity':
        quantity = String(v);
        break;
      case 'value_cents':
        cents = intField(v);
        break;
      case 'usd':
        usd = String(v);
        break;
    }
  }
  if (symbol !== undefined && ctx.symbol !== undefined && symbol !== ctx.symbol) return;
  const c = ctx.check;
  const minute = typeof ts === 'number' ? minuteOf(ts) : undefined;
  const where = symbol !== undefined && minute !== undefined ? bucketKey(symbol, minute) : 'liq:events';
  const field = (name: string) => `entry ${sid} ${name}`;
  if (id === undefined || !ID_RE.test(id)) return c.fail(where, field('id'), 'a 20-character identity', id ?? '(absent)');
  if (typeof ts !== 'number') return c.fail(where, field('ts'), 'a time in ms', String(ts ?? '(absent)'));
  if (exchange === undefined || !EX_RE.test(exchange)) return c.fail(where, field('exchange'), 'an exchange name', exchange ?? '(absent)');
  if (symbol === undefined) return c.fail(where, field('symbol'), 'a symbol', '(absent)');
  if (side < 0) return c.fail(where, field('side'), 'long or short', '(other)');
  if (cents === undefined || cents === 0 || cents === 0n) return c.fail(where, field('value_cents'), 'an integer > 0', String(cents ?? '(absent)'));
  const p = price === undefined ? undefined : smallDecimal(price);
  if (price === undefined || !positiveDecimal(price, p)) return c.fail(where, field('price'), 'a decimal > 0', price ?? '(absent)');
  const q = quantity === undefined ? undefined : smallDecimal(quantity);
  const qtyE8 = quantity === undefined ? undefined : quantityE8(quantity, q);
  if (qtyE8 === undefined) return c.fail(where, field('quantity'), 'a decimal > 0 with ≤ 8 decimals', quantity ?? '(absent)');
  let ok = true;
  if (usd === undefined || usd === '') {
    const want = linearCents(price, quantity!, p, q)!;
    if (!eq(want, cents)) {
      c.fail(where, field('value_cents'), `round_half_up(${price} × ${quantity}) = ${want}`, cents);
      ok = false;
    }
  } else {
    const ud = parseDecimal(usd);
    if (ud === undefined) {
      c.fail(where, field('usd'), 'a decimal', usd);
      ok = false;
    } else {
      const want = toScaled(ud, 2);
      const wantQty = divToScaled(ud, parseDecimal(price)!, 8);
      if (want !== BigInt(cents)) {
        c.fail(where, field('value_cents'), `round_half_up(usd ${usd}) = ${want}`, cents);
        ok = false;
      } else if (wantQty !== BigInt(qtyE8)) {
        c.fail(where, field('quantity'), `round_half_up(${usd} ÷ ${price}, 8) = ${wantQty}e-8`, quantity);
        ok = false;
      }
    }
  }
  if (!ctx.ids.add(id)) {
    if (ok) c.fail(where, field('id'), 'an identity no other entry has', `${id} (also in an earlier entry)`);
    ok = false;
  }
  if (minute! < ctx.from || minute! > ctx.to) {
    if (ok) c.pass();
    return;
  }
  // within the window: aggregate (even a failed entry: it is in the log, so its bucket should count it)
  let lm = ctx.minutes.get(minute!);
  if (lm === undefined) ctx.minutes.set(minute!, (lm = new LogMinute()));
  // m ÷ 10^scale of exact doubles is the correctly rounded value of the decimal, as Number(price) would be
  lm.add(symbol, ctx.exchanges.of(exchange), side, cents, qtyE8, p === undefined ? Number(price) : p.m / POW10[p.scale]);
  // liq:seen membership is looked up right after the page; the entry passes or fails check 6 then
  if (ok) {
    let l = seen.get(minute!);
    if (l === undefined) seen.set(minute!, (l = { ids: [], symbols: [] }));
    l.ids.push(id);
    l.symbols.push(symbol);
  }
}
