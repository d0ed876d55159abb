// Turns a batch of events into the write script's argument. The increments of a batch are combined per bucket
// and field before they reach Redis, so a batch costs one HINCRBY per distinct (bucket, field), not per event.
import type { LiquidationEvent } from '../core/event.js';
import {
  ALL,
  BIG_PER_MINUTE,
  IDS_KEY,
  IDS_RETENTION_MS,
  ROLLUPS,
  type Resolution,
  type Retention,
  type Rollup,
  aggKey,
  bigKey,
  bigMember,
  countFields,
  expireAtFor,
  minuteOf,
  periodOf,
  qtyFields,
  rollupBigKey,
  rollupTopKey,
  seenKey,
  topKey,
  valueFields,
} from '../core/keys.js';
import { JsonStrings } from './pack.js';

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
}

type Groups = Map<FieldSet, Group>;

/** One minute of a batch: its symbols' groups (keyed by the events' own symbol strings) and the ALL bucket's. */
interface MinuteGroups {
  symbols: Map<string, Groups>;
  all: Groups;
}

function bump(byFields: Groups, f: FieldSet, cents: number, qty: number): void {
  const g = byFields.get(f);
  if (g === undefined) byFields.set(f, { count: 1, cents, qty });
  else {
    g.count++;
    g.cents += cents;
    g.qty += qty;
  }
}

function spread(fields: Map<string, number>, byFields: Groups, withQty: boolean): void {
  for (const [f, g] of byFields) {
    for (const field of f.count) fields.set(field, (fields.get(field) ?? 0) + g.count);
    for (const field of f.value) fields.set(field, (fields.get(field) ?? 0) + g.cents);
    if (withQty) for (const field of f.qty) fields.set(field, (fields.get(field) ?? 0) + g.qty);
  }
}

/** Adds every group of `from` into `into` (the same FieldSet objects key both). */
function mergeGroups(into: Groups, from: Groups): void {
  for (const [f, g] of from) {
    const t = into.get(f);
    if (t === undefined) into.set(f, { count: g.count, cents: g.cents, qty: g.qty });
    else {
      t.count += g.count;
      t.cents += g.cents;
      t.qty += g.qty;
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
 * Combined increments: bucket key → field → exact integer. Numbers while every sum is a safe integer, else bigints.
 * Events are first summed per (minute, symbol, exchange, side), a few map operations per event, and only then
 * spread over the fields (count, long_count, binance_count, binance_long_count, …) each group feeds. Buckets come
 * minute by minute, each minute's symbols in the order they first appear and then its ALL bucket; then the hourly
 * rollups the same way, then the daily ones (the same fields: every event adds to its minute, hour and day).
 */
export function combine(events: readonly LiquidationEvent[]): Map<string, Map<string, number | bigint>> {
  const minutes = new Map<number, MinuteGroups>();
  let safe = true;
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
    if (q > MAX_SAFE) safe = false;
    let sym = minute.symbols.get(e.symbol);
    if (sym === undefined) minute.symbols.set(e.symbol, (sym = new Map()));
    bump(sym, f, e.valueCents, q);
    bump(minute.all, f, e.valueCents, 0); // the ALL bucket has no quantity fields
  }
  const acc = new Map<string, Map<string, number>>();
  if (safe) {
    const levels: Array<[Resolution, Map<number, MinuteGroups>]> = [['60s', minutes]];
    for (const res of ROLLUPS) levels.push([res, rollUp(minutes, res)]);
    for (const [res, periods] of levels) {
      for (const [start, m] of periods) {
        for (const [symbol, byFields] of m.symbols) {
          const fields = new Map<string, number>();
          acc.set(aggKey(symbol, res, start), fields);
          spread(fields, byFields, true);
        }
        const fields = new Map<string, number>();
        acc.set(aggKey(ALL, res, start), fields);
        spread(fields, m.all, false);
      }
    }
    // Non-negative values: if the final sum is a safe integer, every partial sum was too, so every addition was exact.
    for (const fields of acc.values()) for (const v of fields.values()) if (v > MAX_SAFE) safe = false;
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

/** The n largest by valueCents, largest first; ties in list order (what a stable sort and slice would give). */
function largest(list: readonly LiquidationEvent[], n: number): LiquidationEvent[] {
  if (list.length <= n) return list as LiquidationEvent[];
  const top: LiquidationEvent[] = [];
  for (const e of list) {
    if (top.length === n && e.valueCents <= top[n - 1].valueCents) continue;
    let i = top.length;
    while (i > 0 && top[i - 1].valueCents < e.valueCents) i--;
    top.splice(i, 0, e);
    if (top.length > n) top.pop();
  }
  return top;
}

/** The instance's marker (marker.ts): counted into by every batch, in the same script call. */
export interface MarkerSpec {
  key: string;
  /** The instance's start, ms (set once, when the marker is created). */
  start: number;
  ttlMs: number;
}

/** Alert thresholds (ALERT_MIN_USD, ALERT_MINUTE_USD), checked and recorded by the write script itself. */
export interface AlertSpec {
  /** A single liquidation of at least this many cents is an alert (identity: the event's id). */
  minCents?: number;
  /** A symbol's or the market's minute reaching this many cents is an alert (identity: minute|symbol|threshold). */
  minuteCents?: number;
  /** liq:alerts keeps entries this long (trimmed by age, MINID). */
  retentionMs: number;
}

export interface BuildOptions extends Retention {
  /** MINID for trimming liq:events by age ('' = no trim). */
  minid: string;
  marker?: MarkerSpec;
  /** The write's time, ms: events identified by an own id are remembered from it in liq:ids, alerts stamped with it (default Date.now()). */
  now?: number;
  alerts?: AlertSpec;
}

// Bytes per event in the packed argument, for the first guess of its size (it grows when short).
const BYTES_PER_EVENT = 200;

/** The resolution and period start of a bucket key built by combine() (`…:{res}:{start}`). */
function periodOfKey(key: string): [Resolution, number] {
  const j = key.lastIndexOf(':');
  const i = key.lastIndexOf(':', j - 1);
  return [key.slice(i + 1, j) as Resolution, Number(key.slice(j + 1))];
}

/** One index group of the script: a minute (with its identities) or a rollup period (indexes only). */
interface IndexGroup {
  res: Resolution;
  start: number;
  ids: readonly LiquidationEvent[];
  top: Map<string, number>;
  big: LiquidationEvent[];
}

/**
 * The write script's one argument for this batch: the JSON array of strings laid out in script.ts, written
 * straight into bytes (pack.ts). test/unit/combine.test.ts checks it against JSON.stringify of the plain layout.
 */
export function buildPacked(events: readonly LiquidationEvent[], opts: BuildOptions): Buffer {
  const byMinute = new Map<number, LiquidationEvent[]>();
  for (const e of events) {
    const start = minuteOf(e.ts);
    let list = byMinute.get(start);
    if (list === undefined) byMinute.set(start, (list = []));
    list.push(e);
  }
  // The index groups: every minute, then the hours and days it falls in (their liq:top and liq:big).
  const groups: IndexGroup[] = [];
  for (const [start, list] of byMinute) {
    const top = new Map<string, number>();
    for (const e of list) top.set(e.symbol, (top.get(e.symbol) ?? 0) + e.valueCents);
    // Only the minute's largest can end up in liq:big: send the batch's top N, the script keeps the top N overall.
    groups.push({ res: '60s', start, ids: list, top, big: largest(list, BIG_PER_MINUTE) });
  }
  const minuteGroups = groups.length;
  for (const res of ROLLUPS) {
    const periods = new Map<number, IndexGroup>();
    for (let g = 0; g < minuteGroups; g++) {
      const m = groups[g];
      const start = periodOf(m.start, res);
      let r = periods.get(start);
      if (r === undefined) periods.set(start, (r = { res, start, ids: [], top: new Map(), big: [] }));
      for (const [symbol, cents] of m.top) r.top.set(symbol, (r.top.get(symbol) ?? 0) + cents);
      r.big = largest([...r.big, ...m.big], BIG_PER_MINUTE);
    }
    groups.push(...periods.values());
  }
  const combined = combine(events);
  const now = opts.now ?? Date.now();
  const out = new JsonStrings(4096 + events.length * BYTES_PER_EVENT);
  out.str(opts.minid);
  out.int(groups.length);
  out.int(combined.size);
  out.int(events.length);
  out.str(opts.marker?.key ?? '');
  out.int(opts.marker?.start ?? 0);
  out.int(opts.marker?.ttlMs ?? 0);
  // Events identified by the exchange's own id: also checked against and added to liq:ids, which spans minutes.
  let own = 0;
  for (const e of events) if (e.byId) own++;
  if (own === 0) {
    out.str('');
    out.int(0);
    out.int(0);
    out.int(0);
  } else {
    out.str(IDS_KEY);
    out.int(now);
    out.int(Math.max(0, now - IDS_RETENTION_MS));
    out.int(own);
    for (const e of events) if (e.byId) out.str(e.id);
  }
  // Alerts: the minute threshold ('' = none), the stream's trim point, the time, and the log entries (by their
  // position below) that are single liquidations at or above ALERT_MIN_USD.
  const alerts = opts.alerts;
  const minuteCents = alerts?.minuteCents;
  out.str(minuteCents === undefined ? '' : String(minuteCents));
  out.int(alerts === undefined ? 0 : Math.max(0, now - alerts.retentionMs));
  out.int(alerts === undefined ? 0 : now);
  const minCents = alerts?.minCents;
  if (minCents === undefined) out.int(0);
  else {
    const big: number[] = [];
    let k = 0;
    for (const list of byMinute.values()) for (const e of list) {
      if (e.valueCents >= minCents) big.push(k);
      k++;
    }
    out.int(big.length);
    for (const k of big) out.int(k);
  }
  for (const g of groups) {
    const minute = g.res === '60s';
    out.str(minute ? seenKey(g.start) : '');
    out.str(minute ? topKey(g.start) : rollupTopKey(g.res, g.start));
    out.str(minute ? bigKey(g.start) : rollupBigKey(g.res, g.start));
    out.int(expireAtFor(g.res, g.start, opts));
    out.int(g.ids.length);
    for (const e of g.ids) out.str(e.id);
    out.int(g.top.size);
    for (const [symbol, cents] of g.top) {
      out.str(symbol);
      out.int(cents);
    }
    out.int(g.big.length);
    for (const e of g.big) {
      out.int(e.valueCents);
      out.str(bigMember(e));
    }
    out.int(BIG_PER_MINUTE);
  }
  for (const [key, fields] of combined) {
    const [res, start] = periodOfKey(key);
    out.str(key);
    out.int(expireAtFor(res, start, opts));
    out.int(fields.size);
    // The minute buckets' value_cents is watched for ALERT_MINUTE_USD: its position among the fields (1-based), or 0.
    let watch = 0;
    if (minuteCents !== undefined && res === '60s') {
      let k = 0;
      for (const field of fields.keys()) {
        k++;
        if (field === 'value_cents') {
          watch = k;
          break;
        }
      }
    }
    out.int(watch);
    for (const [field, v] of fields) {
      out.str(field);
      if (typeof v === 'number') out.int(v);
      else out.str(v.toString());
    }
  }
  // The log entries, minute by minute in the order of the groups above.
  for (const list of byMinute.values()) {
    for (const e of list) {
      out.str(e.id);
      out.int(e.ts);
      out.str(e.exchange);
      out.str(e.symbol);
      out.str(e.side);
      out.str(e.price);
      out.str(e.quantity);
      out.int(e.valueCents);
      out.str(e.usd ?? '');
    }
  }
  return out.done();
}
