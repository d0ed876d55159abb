// The HTX notification endpoints' protocol (https://www.htx.com/en-us/opend/newApiPages/, "WebSocket Heartbeat and
// Authentication Interface"): every frame the server sends is gzip-compressed, acks and heartbeats included; the
// server pings `{"op":"ping","ts":"1492420473058"}` about every 5 s and closes a client that misses several; the
// answer is `{"op":"pong","ts":<the same>}`. The ts must go back exactly as it came: it is a string in pings and a
// number in acks, and a client that turns one into the other is not answering the ping it was sent.
import { gunzipSync } from 'node:zlib';
import { isObject, parseJson } from '../parsing.js';

export const HTX_TOPIC = 'public.*.liquidation_orders';
/** A frame inflates to at most this (the largest liquidation push is a few KB; a bigger one is not HTX's). */
export const HTX_MAX_INFLATED_BYTES = 16 * 1024 * 1024;

/** The one subscription of each endpoint: every contract of it (`*`), with a client id HTX echoes in the ack. */
export function htxSubscribe(): string {
  return JSON.stringify({ op: 'sub', cid: 'liqd', topic: HTX_TOPIC });
}

/**
 * A binary frame to text: gunzip. Never throws: what does not inflate (not gzip, truncated, past the size bound) is
 * passed on as UTF-8 text, which the parser counts as what it is (invalid_json) instead of losing it unseen.
 */
export function htxDecode(data: Buffer): string {
  try {
    return gunzipSync(data, { maxOutputLength: HTX_MAX_INFLATED_BYTES }).toString('utf8');
  } catch {
    return data.toString('utf8');
  }
}

// The value of "ts" as written: a JSON string (escapes kept) or a JSON number.
const TS_RE = /"ts"\s*:\s*("(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)/;

/**
 * The answer to a heartbeat `{"op":"ping","ts":…}`: `{"op":"pong","ts":…}` with ts copied as its JSON text (a string
 * stays a string with the same characters, a number the same digits, even past 2^53); undefined for any other frame.
 */
export function htxPong(text: string): string | undefined {
  if (text.length > 500 || !text.includes('"ping"')) return undefined;
  const msg = parseJson(text);
  if (!isObject(msg) || msg.op !== 'ping') return undefined;
  if (msg.ts === undefined) return '{"op":"pong"}';
  const raw = TS_RE.exec(text)?.[1];
  // The text found must be the top-level ts (a ping is flat, but never trust the regex alone).
  const echoed = raw !== undefined && sameJson(parseJson(raw), msg.ts) ? raw : JSON.stringify(msg.ts);
  return `{"op":"pong","ts":${echoed}}`;
}

function sameJson(a: unknown, b: unknown): boolean {
  return typeof a === typeof b && (typeof a === 'object' ? JSON.stringify(a) === JSON.stringify(b) : a === b);
}

/** A heartbeat: answered on the connection it came from, never parsed nor recorded. */
export function htxControl(text: string, reply: (text: string) => void): boolean {
  const pong = htxPong(text);
  if (pong === undefined) return false;
  reply(pong);
  return true;
}

/** A refused request: an answer with a non-zero `err-code` (an unknown topic, a bad request). */
export function htxRefused(text: string): boolean {
  if (text.length > 2000 || !text.includes('"err-code"')) return false;
  const msg = parseJson(text);
  if (!isObject(msg)) return false;
  const code = msg['err-code'];
  return code !== undefined && code !== 0 && code !== '0';
}
