// What the scripts need from a venue to record and replay its feeds (scripts/record.ts, replay.ts, demo.ts): where its
// metadata comes from in raw form, how a frame is routed to the connections subscribed to it, and how its exchange
// timestamps are moved so a replay looks recent. Plus the helpers that moving timestamps shares.
import type { HttpOptions } from './http.js';
import type { StandinOptions } from './standin/types.js';
import type { FeedContext } from './types.js';

export interface CaptureHooks {
  /**
   * The venue's instrument metadata as its REST endpoints answer (the same URLs as the daemon), stored in a capture's
   * first line under meta.rest[feed name]. Feeds without metadata store nothing. Throws when an endpoint fails.
   */
  recordMeta(ctx: FeedContext, http: HttpOptions): Promise<Record<string, unknown>>;
  /** Stand-in options that serve exactly a capture's recorded metadata (empty lists for what it does not hold). */
  standinOptions(rest: Readonly<Record<string, unknown>>): StandinOptions;
  /**
   * What a frame is routed by on its feed (the stand-in delivers it to the connections subscribed to it): a topic or
   * channel key; '' when every connection gets every frame (the stream is in the URL); undefined for a frame that
   * carries none (garbage, given to every connection).
   */
  routeOf(venue: string, frame: string): string | undefined;
  /** The routes a client can subscribe at all, from a capture's metadata (per-instrument topics); undefined = any. */
  listedRoutes?(venue: string, rest: Readonly<Record<string, unknown>>): ReadonlySet<string> | undefined;
  /** Moves the exchange timestamps inside a parsed frame (an object, or an array for array protocols) in place; true when something moved. */
  shift(venue: string, msg: Obj | unknown[], offsetMs: number): boolean;
}

export type Obj = Record<string, unknown>;

export const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Moves a millisecond timestamp sent as a JSON number. */
export function moveNumber(o: Obj, key: string, offset: number): boolean {
  const v = o[key];
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) return false;
  o[key] = v + offset;
  return true;
}

/** Moves a millisecond timestamp sent as a string of digits. */
export function moveDigits(o: Obj, key: string, offset: number): boolean {
  const v = o[key];
  if (typeof v !== 'string' || !/^\d{1,16}$/.test(v)) return false;
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n + offset < 0) return false;
  o[key] = String(n + offset);
  return true;
}

/** An array (or a single object) of objects at o[key]. */
export function objectsAt(o: Obj, key: string): Obj[] {
  const v = o[key];
  return (Array.isArray(v) ? v : [v]).filter(isObj);
}

/** The parsed JSON object of a frame, or undefined (not JSON, not an object). */
export function jsonObject(frame: string): Obj | undefined {
  try {
    const v: unknown = JSON.parse(frame);
    return isObj(v) ? v : undefined;
  } catch {
    return undefined;
  }
}
