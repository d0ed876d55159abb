// What a capture should produce: its frames run through the daemon's parsers (src/venues/<exchange>/) with the
// capture's own metadata, then counted once per identity, as the engine counts them.
import type { LiquidationEvent } from '../../src/core/event.js';
import { ALL, aggKey, countFields, minuteOf, periodOf, qtyFields, valueFields } from '../../src/core/keys.js';
import type { ParseResult, Rejection, Venue } from '../../src/core/parse.js';
import { FEEDS } from '../../src/venues/registry.js';
import type { CaptureFrame } from './capture.js';
import type { Lookups } from './meta.js';
import { shiftFrame } from './shift.js';

export interface ParseOutcome {
  /** Every event the parsers produced (the daemon's liq_events_total), repeats included. */
  events: LiquidationEvent[];
  /** One per identity: what ends up counted. */
  unique: LiquidationEvent[];
  rejections: Rejection[];
  /** Instrument names the metadata does not know (the daemon rejects them after a refetch). */
  unknown: number;
}

const EMPTY = new Map<string, never>();

/** A frame of a feed through that feed's parser (src/venues/<exchange>/), with the capture's metadata. */
export function parseFrame(venue: Venue, text: string, lookups: Lookups, receivedAt: number, retentionMs: number): ParseResult {
  const feed = FEEDS.find((f) => f.feed.venue === venue)?.feed;
  if (feed === undefined) throw new Error(`no feed named ${venue}`);
  return feed.parse(text, { receivedAt, retentionMs, final: true }, lookups.get(venue) ?? EMPTY);
}

/**
 * Parses every frame as the daemon would after a replay shifted by shiftMs, received at `receivedAt` (now: the
 * retention check; a replay delivers every frame after its shifted timestamps).
 */
export function parseCapture(
  frames: readonly CaptureFrame[],
  lookups: Lookups,
  opts: { shiftMs: number; retentionMs: number; receivedAt?: number },
): ParseOutcome {
  const receivedAt = opts.receivedAt ?? Date.now();
  const events: LiquidationEvent[] = [];
  const rejections: Rejection[] = [];
  let unknown = 0;
  for (const f of frames) {
    const r = parseFrame(f.venue, shiftFrame(f.venue, f.frame, opts.shiftMs), lookups, receivedAt, opts.retentionMs);
    for (const e of r.events) events.push(e);
    for (const x of r.rejections) {
      rejections.push(x);
      if (x.reason === 'unknown_instrument') unknown++;
    }
  }
  const seen = new Set<string>();
  const unique: LiquidationEvent[] = [];
  for (const e of events) {
    // The engine's identities are per minute (liq:seen:60s:{minute}); the id covers ts, so one set is the same.
    if (seen.has(e.id)) continue;
    seen.add(e.id);
    unique.push(e);
  }
  return { events, unique, rejections, unknown };
}

export interface ExchangeTotal {
  events: number;
  valueCents: bigint;
}

export function totalsByExchange(events: readonly LiquidationEvent[]): Map<string, ExchangeTotal> {
  const out = new Map<string, ExchangeTotal>();
  for (const e of events) {
    const t = out.get(e.exchange) ?? { events: 0, valueCents: 0n };
    t.events++;
    t.valueCents += BigInt(e.valueCents);
    out.set(e.exchange, t);
  }
  return out;
}

/**
 * Every bucket hash the events make (ALL and per symbol; the minutes and their hourly and daily rollups), field →
 * exact integer string, as HGETALL returns it. `shiftMs` (whole minutes) moves each event's time, for events parsed
 * from unshifted frames (a shift of whole minutes can move an event into another hour or day).
 */
export function expectedBuckets(events: readonly LiquidationEvent[], shiftMs = 0): Map<string, Record<string, string>> {
  const acc = new Map<string, Map<string, bigint>>();
  const add = (key: string, fields: string[], inc: bigint) => {
    let m = acc.get(key);
    if (!m) acc.set(key, (m = new Map()));
    for (const f of fields) m.set(f, (m.get(f) ?? 0n) + inc);
  };
  for (const e of events) {
    for (const res of ['60s', '1h', '1d'] as const) {
      const start = periodOf(e.ts + shiftMs, res);
      for (const key of [aggKey(ALL, res, start), aggKey(e.symbol, res, start)]) {
        add(key, countFields(e.exchange, e.side), 1n);
        add(key, valueFields(e.exchange, e.side), BigInt(e.valueCents));
      }
      add(aggKey(e.symbol, res, start), qtyFields(e.side), e.qtyE8);
    }
  }
  const out = new Map<string, Record<string, string>>();
  for (const [k, m] of acc) out.set(k, Object.fromEntries([...m].map(([f, v]) => [f, v.toString()])));
  return out;
}

/** The minutes (bucket starts) the events fall in, ascending. */
export function minutesOf(events: readonly LiquidationEvent[]): number[] {
  return [...new Set(events.map((e) => minuteOf(e.ts)))].sort((a, b) => a - b);
}
