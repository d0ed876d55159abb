// The steps every venue parser takes on a frame and on each of its items, written once (parsing.ts reads the single
// values). Same hot-path rules: plain functions (no closure per event), no regex, no zod; a helper that can fail
// returns the value or a RejectReason string, or undefined once it has recorded the rejection itself.
import type { BuildError, LiquidationEvent, Side } from '../core/event.js';
import type { ParseOptions, ParseResult, RejectReason } from '../core/parse.js';
import { checkTs, isObject, type Lookup, noteMissing, parseJson, reject, sampleOfValue } from './parsing.js';

/** How the venues leave a field out: absent, null or "". */
export function absent(v: unknown): boolean {
  return v === undefined || v === null || v === '';
}

/** missing_field when `v` is left out, else `reason` (there, but not of the documented form). */
export function absentOr(v: unknown, reason: RejectReason): RejectReason {
  return v === undefined || v === null || v === '' ? 'missing_field' : reason;
}

/**
 * The frame as an object, or undefined once it is rejected: invalid_json when it is not JSON, bad_shape when it is not
 * an object (every venue that uses this sends only objects, so anything else is counted, never dropped unseen).
 */
export function objectFrame(text: string, exchange: string, result: ParseResult): Record<string, unknown> | undefined {
  const msg = parseJson(text);
  if (msg === undefined) {
    reject(result, exchange, 'invalid_json', text);
    return undefined;
  }
  if (!isObject(msg)) {
    reject(result, exchange, 'bad_shape', text);
    return undefined;
  }
  return msg;
}

/** bad_shape for a frame of our topic, except on a re-parse (opts.only), whose first pass already counted it. */
export function rejectFrameShape(result: ParseResult, exchange: string, opts: ParseOptions, text: string): void {
  if (opts.only === undefined) reject(result, exchange, 'bad_shape', text);
}

/** One item's rejection, sampled from the item (stringified only here, on the rejection path). */
export function rejectValue(result: ParseResult, exchange: string, reason: RejectReason, value: unknown): void {
  reject(result, exchange, reason, sampleOfValue(value));
}

/** The item as an object, or undefined: bad_shape, except on a re-parse (opts.only), whose first pass counted it. */
export function objectItem(item: unknown, exchange: string, opts: ParseOptions, result: ParseResult): Record<string, unknown> | undefined {
  if (isObject(item)) return item;
  if (opts.only === undefined) reject(result, exchange, 'bad_shape', sampleOfValue(item));
  return undefined;
}

/**
 * The item's instrument, or undefined when the metadata does not know `name`: then it is noted for a refetch
 * (noteMissing) and the caller skips the item.
 */
export function knownInstrument<T>(lookup: Lookup<T>, name: string, item: unknown, exchange: string, opts: ParseOptions, result: ParseResult): T | undefined {
  const inst = lookup.get(name);
  if (inst === undefined) noteMissing(result, exchange, name, opts, sampleOfValue(item));
  return inst;
}

/** The side a venue's value names (`closesLong` → long, `closesShort` → short), else undefined: see absentOr. */
export function sideOf(v: unknown, closesLong: unknown, closesShort: unknown): Side | undefined {
  if (v === closesLong) return 'long';
  if (v === closesShort) return 'short';
  return undefined;
}

/** A time read by readTsNumber/readTsString/…, then held to the window (checkTs): the ms or why not. */
export function inWindow(ts: number | RejectReason, opts: ParseOptions): number | RejectReason {
  if (typeof ts === 'string') return ts;
  const reason = checkTs(ts, opts);
  return reason === undefined ? ts : reason;
}

/** A built event into `events`, or its BuildError (a reject reason of the same name) into `rejections`. */
export function pushBuilt(result: ParseResult, exchange: string, built: LiquidationEvent | BuildError, item: unknown): void {
  if (typeof built === 'string') reject(result, exchange, built, sampleOfValue(item));
  else result.events.push(built);
}
