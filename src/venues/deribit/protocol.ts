// Deribit's JSON-RPC 2.0 over one WebSocket (https://docs.deribit.com/#json-rpc): requests carry an id and are answered
// with `result` or `error` under the same id; subscriptions arrive as `{"method":"subscription","params":…}`.
// Heartbeats (https://docs.deribit.com/api-reference/session-management/public-set_heartbeat): after
// `public/set_heartbeat` (interval ≥ 10 s) the server sends `{"method":"heartbeat","params":{"type":"heartbeat"}}` and
// `{"method":"heartbeat","params":{"type":"test_request"}}`; a test_request left without a `public/test` closes the
// connection.
import { isObject, parseJson } from '../parsing.js';

/** The heartbeat interval asked for, seconds: Deribit's minimum (tardis-node asks the same). */
export const DERIBIT_HEARTBEAT_S = 10;

let seq = 0;

function rpc(method: string, params: Record<string, unknown>): string {
  return JSON.stringify({ jsonrpc: '2.0', id: ++seq, method, params });
}

/** The channel of every future (perpetuals included) settled in `currency`, batched per 100 ms (.raw needs auth). */
export function deribitChannel(currency: string): string {
  return `trades.future.${currency}.100ms`;
}

/**
 * What a connection sends for its channels: the heartbeat request (again when channels are added at a refresh, which
 * only restarts Deribit's heartbeat clock) and one public/subscribe.
 */
export function deribitSubscribe(channels: readonly string[]): string[] {
  if (channels.length === 0) return [];
  return [rpc('public/set_heartbeat', { interval: DERIBIT_HEARTBEAT_S }), rpc('public/subscribe', { channels })];
}

export function deribitUnsubscribe(channels: readonly string[]): string[] {
  return channels.length === 0 ? [] : [rpc('public/unsubscribe', { channels })];
}

/** Our keepalive, and the answer to a test_request: public/test (answered with the API version). */
export function deribitTest(): string {
  return rpc('public/test', {});
}

/**
 * Heartbeats (a test_request is answered with public/test on the connection it came from) and the answers to
 * public/test: protocol frames, never parsed nor recorded.
 */
export function deribitControl(text: string, reply: (text: string) => void): boolean {
  if (text.length > 1000) return false;
  if (text.includes('heartbeat')) {
    const msg = parseJson(text);
    if (isObject(msg) && msg.method === 'heartbeat') {
      if (isObject(msg.params) && msg.params.type === 'test_request') reply(deribitTest());
      return true;
    }
  }
  if (text.includes('"version"')) {
    const msg = parseJson(text);
    if (isObject(msg) && isObject(msg.result) && typeof msg.result.version === 'string') return true;
  }
  return false;
}

/** An error answer to one of our requests (a channel refused, raw channels without auth, a bad parameter). */
export function deribitRefused(text: string): boolean {
  if (text.length > 2000 || !text.includes('"error"')) return false;
  const msg = parseJson(text);
  return isObject(msg) && isObject(msg.error);
}
