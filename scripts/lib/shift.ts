// Moving a capture in time: the exchange timestamps inside the frames are shifted by one constant offset, so a
// replay looks recent to the daemon. Only the timestamp fields change: the frame is parsed, those numbers (or,
// for OKX, digit strings) are moved and it is stringified again. Every decimal the exchanges send is a JSON string,
// so no price or size is reformatted. Frames that are not JSON, or carry no timestamp, go out untouched.
//   Binance  E and o.T (bare, or inside {"stream","data"}; data may be an array)
//   Bybit    ts and data[].T (data may be one object)
//   OKX      data[].details[].ts (a string of digits)
import type { Venue } from '../../src/core/parse.js';

export const MINUTE_MS = 60_000;

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function moveNumber(o: Obj, key: string, offset: number): boolean {
  const v = o[key];
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) return false;
  o[key] = v + offset;
  return true;
}

function moveDigits(o: Obj, key: string, offset: number): boolean {
  const v = o[key];
  if (typeof v !== 'string' || !/^\d{1,16}$/.test(v)) return false;
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n + offset < 0) return false;
  o[key] = String(n + offset);
  return true;
}

function shiftBinance(msg: Obj, offset: number): boolean {
  const payload = typeof msg.stream === 'string' && 'data' in msg ? msg.data : msg;
  let changed = false;
  for (const p of Array.isArray(payload) ? payload : [payload]) {
    if (!isObj(p)) continue;
    changed = moveNumber(p, 'E', offset) || changed;
    if (isObj(p.o)) changed = moveNumber(p.o, 'T', offset) || changed;
  }
  return changed;
}

function shiftBybit(msg: Obj, offset: number): boolean {
  if (typeof msg.topic !== 'string') return false;
  let changed = moveNumber(msg, 'ts', offset);
  const data = msg.data;
  for (const item of Array.isArray(data) ? data : [data]) {
    if (isObj(item)) changed = moveNumber(item, 'T', offset) || changed;
  }
  return changed;
}

function shiftOkx(msg: Obj, offset: number): boolean {
  if (!Array.isArray(msg.data)) return false;
  let changed = false;
  for (const item of msg.data) {
    if (!isObj(item) || !Array.isArray(item.details)) continue;
    for (const d of item.details) if (isObj(d)) changed = moveDigits(d, 'ts', offset) || changed;
  }
  return changed;
}

/** The frame with its exchange timestamps moved by offsetMs; the very same string when there is nothing to move. */
export function shiftFrame(venue: Venue, frame: string, offsetMs: number): string {
  if (offsetMs === 0 || frame.length === 0 || frame[0] !== '{') return frame;
  let msg: unknown;
  try {
    msg = JSON.parse(frame);
  } catch {
    return frame;
  }
  if (!isObj(msg)) return frame;
  let changed: boolean;
  switch (venue) {
    case 'binance-usdm':
    case 'binance-coinm':
      changed = shiftBinance(msg, offsetMs);
      break;
    case 'bybit-linear':
    case 'bybit-inverse':
      changed = shiftBybit(msg, offsetMs);
      break;
    case 'okx':
      changed = shiftOkx(msg, offsetMs);
      break;
  }
  return changed ? JSON.stringify(msg) : frame;
}

/**
 * The default shift: whole minutes (so every event stays in the same minute bucket relative to the others), chosen
 * so that the capture's last frame falls at `endAt` (or within the minute before it).
 */
export function defaultShift(lastT: number, endAt: number): number {
  return Math.floor((endAt - lastT) / MINUTE_MS) * MINUTE_MS;
}
