// Turns a batch of events into the write script's argument: identities, the combined increments (combine.ts: one
// HINCRBY per distinct bucket and field, minutes and rollups), the minutes' and periods' indexes, alerts, log entries.
import type { LiquidationEvent } from '../core/event.js';
import {
  BIG_PER_MINUTE,
  IDS_KEY,
  IDS_RETENTION_MS,
  ROLLUPS,
  type Resolution,
  type Retention,
  bigKey,
  bigMember,
  expireAtFor,
  minuteOf,
  periodOf,
  rollupBigKey,
  rollupTopKey,
  seenKey,
  topKey,
} from '../core/keys.js';
import { combine } from './combine.js';
import { JsonStrings } from './pack.js';

export { combine };

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
  /** The marker of the day holding a time (markerKey(instance, ts)): one per day on a Cluster; absent: `key` always. */
  keyFor?: (ts: number) => string;
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
  /** Check and add own ids in liq:ids inside the script (one Redis); false on a Cluster, where they are claimed first (cluster.ts). */
  ownIds?: boolean;
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
  if (own === 0 || opts.ownIds === false) {
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
  // A rollup whose increments are its only minute's (the same Map, see combine.ts) refers to that bucket: 'R' and its
  // position (1-based), so the fields and amounts are sent and decoded once.
  const sent = new Map<ReadonlyMap<string, number | bigint>, number>();
  let position = 0;
  for (const [key, fields] of combined) {
    const [res, start] = periodOfKey(key);
    position++;
    out.str(key);
    out.int(expireAtFor(res, start, opts));
    const same = sent.get(fields);
    if (same !== undefined) {
      out.str('R');
      out.int(same);
      continue;
    }
    sent.set(fields, position);
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
