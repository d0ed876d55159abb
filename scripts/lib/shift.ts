// Moving a capture in time: the exchange timestamps inside the frames are shifted by one constant offset, so a
// replay looks recent to the daemon. Only the timestamp fields change: the frame is parsed, those numbers (or digit
// strings) are moved by the venue's capture hook (src/venues/<exchange>/capture.ts) and it is stringified again.
// Frames that are not JSON, or carry no timestamp, go out untouched. A venue whose decimals may arrive as JSON numbers
// re-stringifies them through the same shortest round-trip text its parser reads, so they do not change either.
import type { Venue } from '../../src/core/parse.js';
import { isObj } from '../../src/venues/capture-hooks.js';
import { adapterOfFeed } from '../../src/venues/registry.js';

export const MINUTE_MS = 60_000;

/** The frame with its exchange timestamps moved by offsetMs; the very same string when there is nothing to move. */
export function shiftFrame(venue: Venue, frame: string, offsetMs: number): string {
  if (offsetMs === 0 || frame.length === 0 || (frame[0] !== '{' && frame[0] !== '[')) return frame;
  let msg: unknown;
  try {
    msg = JSON.parse(frame);
  } catch {
    return frame;
  }
  if (!isObj(msg) && !Array.isArray(msg)) return frame;
  const changed = adapterOfFeed(venue)?.capture?.shift(venue, msg, offsetMs) ?? false;
  return changed ? JSON.stringify(msg) : frame;
}

/**
 * The default shift: whole minutes (so every event stays in the same minute bucket relative to the others), chosen
 * so that the capture's last frame falls at `endAt` (or within the minute before it).
 */
export function defaultShift(lastT: number, endAt: number): number {
  return Math.floor((endAt - lastT) / MINUTE_MS) * MINUTE_MS;
}
