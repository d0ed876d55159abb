// Turns a batch of events into the write script's arguments. The increments of a batch are combined per bucket
// and field before they reach Redis, so a batch costs one HINCRBY per distinct (bucket, field), not per event.
import type { LiquidationEvent } from './event.js';
import {
  ALL,
  BIG_PER_MINUTE,
  bigKey,
  bigMember,
  bucketKey,
  countFields,
  expireAtSeconds,
  minuteOf,
  qtyFields,
  seenKey,
  topKey,
  valueFields,
} from './keys.js';

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

// Field names per (exchange, side), built once: the hot path does no string concatenation per event.
const FIELD_CACHE = new Map<string, FieldSet>();
function fieldsFor(exchange: string, side: string): FieldSet {
  const k = `${exchange}:${side}`;
  let f = FIELD_CACHE.get(k);
  if (f === undefined) {
    f = { count: countFields(exchange, side), value: valueFields(exchange, side), qty: qtyFields(side) };
    FIELD_CACHE.set(k, f);
  }
  return f;
}

/** Sums of one (bucket, exchange, side): every field of the bucket is a sum of these. */
interface Group {
  count: number;
  cents: number;
  qty: number;
}

function bump(groups: Map<string, Map<FieldSet, Group>>, key: string, f: FieldSet, cents: number, qty: number): void {
  let byFields = groups.get(key);
  if (byFields === undefined) groups.set(key, (byFields = new Map()));
  const g = byFields.get(f);
  if (g === undefined) byFields.set(f, { count: 1, cents, qty });
  else {
    g.count++;
    g.cents += cents;
    g.qty += qty;
  }
}

/**
 * Combined increments: bucket key → field → exact integer. Numbers while every sum is a safe integer, else bigints.
 * Events are first summed per (bucket, exchange, side), a few map operations per event, and only then spread over
 * the fields (count, long_count, binance_count, binance_long_count, …) each group feeds.
 */
export function combine(events: readonly LiquidationEvent[]): Map<string, Map<string, number | bigint>> {
  const groups = new Map<string, Map<FieldSet, Group>>();
  let safe = true;
  const allKeys = new Set<string>();
  let allStart = -1;
  let allKey = '';
  for (const e of events) {
    const start = minuteOf(e.ts);
    if (start !== allStart) {
      allStart = start;
      allKey = bucketKey(ALL, start);
      allKeys.add(allKey);
    }
    const f = fieldsFor(e.exchange, e.side);
    const q = Number(e.qtyE8);
    if (q > MAX_SAFE) safe = false;
    bump(groups, bucketKey(e.symbol, start), f, e.valueCents, q);
    bump(groups, allKey, f, e.valueCents, 0); // the ALL bucket has no quantity fields
  }
  const acc = new Map<string, Map<string, number>>();
  if (safe) {
    for (const [key, byFields] of groups) {
      const fields = new Map<string, number>();
      acc.set(key, fields);
      const isAll = allKeys.has(key);
      for (const [f, g] of byFields) {
        for (const field of f.count) fields.set(field, (fields.get(field) ?? 0) + g.count);
        for (const field of f.value) fields.set(field, (fields.get(field) ?? 0) + g.cents);
        if (!isAll) for (const field of f.qty) fields.set(field, (fields.get(field) ?? 0) + g.qty);
      }
    }
    // Non-negative values: if the final sum is a safe integer, every partial sum was too, so every addition was exact.
    for (const fields of acc.values()) for (const v of fields.values()) if (v > MAX_SAFE) safe = false;
  }
  if (safe) return acc;
  const big: BigAcc = new Map();
  for (const e of events) {
    const start = minuteOf(e.ts);
    const sym = bucketKey(e.symbol, start);
    const all = bucketKey(ALL, start);
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
  return big;
}

export interface BuildOptions {
  bucketRetentionHours: number;
  /** MINID for trimming liq:events by age ('' = no trim). */
  minid: string;
}

/** The write script's ARGV for this batch (see script.ts for the layout). */
export function buildArgs(events: readonly LiquidationEvent[], opts: BuildOptions): string[] {
  const byMinute = new Map<number, LiquidationEvent[]>();
  for (const e of events) {
    const start = minuteOf(e.ts);
    let list = byMinute.get(start);
    if (list === undefined) byMinute.set(start, (list = []));
    list.push(e);
  }
  const args: string[] = [opts.minid, String(byMinute.size), '', ''];
  const ordered: LiquidationEvent[] = [];
  for (const [start, list] of byMinute) {
    const exp = String(expireAtSeconds(start, opts.bucketRetentionHours));
    args.push(seenKey(start), topKey(start), bigKey(start), exp, String(list.length));
    for (const e of list) {
      args.push(e.id);
      ordered.push(e);
    }
    const top = new Map<string, number>();
    for (const e of list) top.set(e.symbol, (top.get(e.symbol) ?? 0) + e.valueCents);
    args.push(String(top.size));
    for (const [symbol, cents] of top) args.push(symbol, String(cents));
    // Only the minute's largest can end up in liq:big: send the batch's top N, the script keeps the top N overall.
    const big = list.length <= BIG_PER_MINUTE ? list : [...list].sort((x, y) => y.valueCents - x.valueCents).slice(0, BIG_PER_MINUTE);
    args.push(String(big.length));
    for (const e of big) args.push(String(e.valueCents), bigMember(e));
    args.push(String(BIG_PER_MINUTE));
  }
  const combined = combine(events);
  args[2] = String(combined.size);
  for (const [key, fields] of combined) {
    const start = Number(key.slice(key.lastIndexOf(':') + 1));
    args.push(key, String(expireAtSeconds(start, opts.bucketRetentionHours)), String(fields.size));
    for (const [field, v] of fields) args.push(field, v.toString());
  }
  args[3] = String(ordered.length);
  for (const e of ordered) {
    args.push(e.id, String(e.ts), e.exchange, e.symbol, e.side, e.price, e.quantity, String(e.valueCents), e.usd ?? '');
  }
  return args;
}
