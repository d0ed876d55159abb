// Combines a batch's increments per bucket and field (minutes and their hourly and daily rollups) before they reach
// Redis, so a batch costs one HINCRBY per distinct (bucket, field), not per event. test/unit/combine.test.ts checks
// it against the field-by-field BigInt sums.
import type { LiquidationEvent } from '../core/event.js';
import { ALL, ROLLUPS, type Resolution, type Rollup, aggKey, countFields, minuteOf, periodOf, qtyFields, valueFields } from '../core/keys.js';

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

type BigAcc = Map<string, Map<string, bigint>>;

function addBig(acc: BigAcc, key: string, field: string, v: bigint): void {
  let fields = acc.get(key);
  if (fields === undefined) acc.set(key, (fields = new Map()));
  fields.set(field, (fields.get(field) ?? 0n) + v);
}

interface FieldSet {
  count: string[];
  value: string[];
  qty: string[];
}

// Field names per (exchange, side), built once: the hot path does no string concatenation per event, and looks
// up only strings it has seen before (the exchange names are constants), whose hashes V8 keeps.
const FIELD_CACHE = new Map<string, Map<string, FieldSet>>();
function fieldsFor(exchange: string, side: string): FieldSet {
  let bySide = FIELD_CACHE.get(exchange);
  if (bySide === undefined) FIELD_CACHE.set(exchange, (bySide = new Map()));
  let f = bySide.get(side);
  if (f === undefined) bySide.set(side, (f = { count: countFields(exchange, side), value: valueFields(exchange, side), qty: qtyFields(side) }));
  return f;
}

/** Sums of one (bucket, exchange, side): every field of the bucket is a sum of these. */
interface Group {
  count: number;
  cents: number;
  qty: number;
  /** The exact quantity sum, kept only when the batch's quantities sum past 2^53 (see combine). */
  qtyBig: bigint;
}

type Groups = Map<FieldSet, Group>;

/** One minute of a batch: its symbols' groups (keyed by the events' own symbol strings) and the ALL bucket's. */
interface MinuteGroups {
  symbols: Map<string, Groups>;
  all: Groups;
}

function bump(byFields: Groups, f: FieldSet, cents: number, qty: number): void {
  const g = byFields.get(f);
  if (g === undefined) byFields.set(f, { count: 1, cents, qty, qtyBig: 0n });
  else {
    g.count++;
    g.cents += cents;
    g.qty += qty;
  }
}

function spread(fields: Map<string, number | bigint>, byFields: Groups, withQty: boolean, bigQty: boolean): void {
  for (const [f, g] of byFields) {
    for (const field of f.count) fields.set(field, ((fields.get(field) as number | undefined) ?? 0) + g.count);
    for (const field of f.value) fields.set(field, ((fields.get(field) as number | undefined) ?? 0) + g.cents);
    if (!withQty) continue;
    if (bigQty) for (const field of f.qty) fields.set(field, ((fields.get(field) as bigint | undefined) ?? 0n) + g.qtyBig);
    else for (const field of f.qty) fields.set(field, ((fields.get(field) as number | undefined) ?? 0) + g.qty);
  }
}

/** Adds every group of `from` into `into` (the same FieldSet objects key both). */
function mergeGroups(into: Groups, from: Groups): void {
  for (const [f, g] of from) {
    const t = into.get(f);
    if (t === undefined) into.set(f, { count: g.count, cents: g.cents, qty: g.qty, qtyBig: g.qtyBig });
    else {
      t.count += g.count;
      t.cents += g.cents;
      t.qty += g.qty;
      t.qtyBig += g.qtyBig;
    }
  }
}

/** The minutes' groups summed per hour or day: the rollups cost a few map operations per (minute, symbol, exchange, side). */
function rollUp(minutes: ReadonlyMap<number, MinuteGroups>, res: Rollup): Map<number, MinuteGroups> {
  const out = new Map<number, MinuteGroups>();
  for (const [start, m] of minutes) {
    const period = periodOf(start, res);
    let r = out.get(period);
    if (r === undefined) out.set(period, (r = { symbols: new Map(), all: new Map() }));
    for (const [symbol, groups] of m.symbols) {
      let sym = r.symbols.get(symbol);
      if (sym === undefined) r.symbols.set(symbol, (sym = new Map()));
      mergeGroups(sym, groups);
    }
    mergeGroups(r.all, m.all);
  }
  return out;
}

/**
 * Combined increments: bucket key → field → exact integer. Numbers while every sum is a safe integer, else bigints:
 * the quantity fields alone when the batch's quantities sum past 2^53 (a sub-cent coin counted in coins does that in
 * one batch), so counts and cents stay numbers; every field only when a count or cent sum does (never seen).
 * Events are first summed per (minute, symbol, exchange, side), a few map operations per event, and only then
 * spread over the fields (count, long_count, binance_count, binance_long_count, …) each group feeds. Buckets come
 * minute by minute, each minute's symbols in the order they first appear and then its ALL bucket; then the hourly
 * rollups the same way, then the daily ones (the same fields: every event adds to its minute, hour and day).
 */
export function combine(events: readonly LiquidationEvent[]): Map<string, Map<string, number | bigint>> {
  const minutes = new Map<number, MinuteGroups>();
  let safe = true;
  let totalQty = 0;
  let lastStart = -1;
  let minute: MinuteGroups | undefined;
  for (const e of events) {
    const start = minuteOf(e.ts);
    if (start !== lastStart || minute === undefined) {
      lastStart = start;
      minute = minutes.get(start);
      if (minute === undefined) minutes.set(start, (minute = { symbols: new Map(), all: new Map() }));
    }
    const f = fieldsFor(e.exchange, e.side);
    const q = Number(e.qtyE8);
    totalQty += q;
    let sym = minute.symbols.get(e.symbol);
    if (sym === undefined) minute.symbols.set(e.symbol, (sym = new Map()));
    bump(sym, f, e.valueCents, q);
    bump(minute.all, f, e.valueCents, 0); // the ALL bucket has no quantity fields
  }
  // Every quantity field is a sum of some of the batch's quantities (none negative): when their total is a safe
  // integer, so is every partial sum, and every addition was exact. Otherwise the groups also sum them in BigInt.
  // (Against 2^52: a sum of doubles can round down, by far less than half.)
  const bigQty = totalQty > MAX_SAFE / 2;
  if (bigQty) {
    for (const e of events) minutes.get(minuteOf(e.ts))!.symbols.get(e.symbol)!.get(fieldsFor(e.exchange, e.side))!.qtyBig += e.qtyE8;
  }
  const acc = new Map<string, Map<string, number | bigint>>();
  if (safe) {
    const spreadAll = (res: Resolution, periods: ReadonlyMap<number, MinuteGroups>) => {
      for (const [start, m] of periods) {
        for (const [symbol, byFields] of m.symbols) {
          const fields = new Map<string, number | bigint>();
          acc.set(aggKey(symbol, res, start), fields);
          spread(fields, byFields, true, bigQty);
        }
        const fields = new Map<string, number | bigint>();
        acc.set(aggKey(ALL, res, start), fields);
        spread(fields, m.all, false, bigQty);
      }
    };
    spreadAll('60s', minutes);
    for (const res of ROLLUPS) {
      // A period with one minute of the batch (the usual case) has that minute's increments: the same Map objects,
      // which buildPacked sends once (the rollup buckets refer to them); only periods of several minutes are summed.
      const per = new Map<number, number[]>();
      for (const start of minutes.keys()) {
        const p = periodOf(start, res);
        const list = per.get(p);
        if (list === undefined) per.set(p, [start]);
        else list.push(start);
      }
      const several = new Map<number, MinuteGroups>();
      for (const [p, starts] of per) {
        if (starts.length > 1) {
          for (const start of starts) several.set(start, minutes.get(start)!);
          continue;
        }
        for (const symbol of minutes.get(starts[0])!.symbols.keys()) acc.set(aggKey(symbol, res, p), acc.get(aggKey(symbol, '60s', starts[0]))!);
        acc.set(aggKey(ALL, res, p), acc.get(aggKey(ALL, '60s', starts[0]))!);
      }
      if (several.size > 0) spreadAll(res, rollUp(several, res));
    }
    // Non-negative values: if the final sum is a safe integer, every partial sum was too, so every addition was exact.
    // (The quantity fields are exact either way: bigints past 2^53, see above.)
    for (const fields of acc.values()) for (const v of fields.values()) if (typeof v === 'number' && v > MAX_SAFE) safe = false;
  }
  if (safe) return acc;
  const big: BigAcc = new Map();
  for (const res of ['60s', ...ROLLUPS] as const) {
    for (const e of events) {
      const start = periodOf(e.ts, res);
      const sym = aggKey(e.symbol, res, start);
      const all = aggKey(ALL, res, start);
      const f = fieldsFor(e.exchange, e.side);
      const cents = BigInt(e.valueCents);
      for (const field of f.count) {
        addBig(big, sym, field, 1n);
        addBig(big, all, field, 1n);
      }
      for (const field of f.value) {
        addBig(big, sym, field, cents);
        addBig(big, all, field, cents);
      }
      for (const field of f.qty) addBig(big, sym, field, e.qtyE8);
    }
  }
  return big;
}
