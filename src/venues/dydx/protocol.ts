// The dYdX indexer's WebSocket (https://docs.dydx.exchange/api_integration-indexer/indexer_websocket): one
// `{"type":"subscribe","channel":"v4_trades","id":"BTC-USD"}` per market, answered with `subscribed` (and the market's
// recent trades) or `{"type":"error","message":…}`. The server pings every 30 s (a WebSocket control frame, answered by
// ws itself) and drops a client that does not pong within 10 s.
//
// Limits, from the indexer's own configuration (dydxprotocol/v4-chain indexer/services/socks/src/config.ts, also in
// the docs' rate-limit page): V4_TRADES_CHANNEL_LIMIT = 32 v4_trades subscriptions per connection, past which a
// subscribe is answered "Per-connection subscription limit reached"; 2 subscribe messages per (connection, channel,
// id) per second, past which the connection is closed. We hold at most 32 markets per connection and subscribe each
// once per connection, so ~250 markets take ~8 connections.
import { isObject, parseJson } from '../parsing.js';
import { DYDX_CHANNEL } from './parser.js';

export const DYDX_TRADES_PER_CONNECTION = 32;

export function dydxSubscribe(markets: readonly string[]): string[] {
  return markets.map((id) => JSON.stringify({ type: 'subscribe', channel: DYDX_CHANNEL, id }));
}

export function dydxUnsubscribe(markets: readonly string[]): string[] {
  return markets.map((id) => JSON.stringify({ type: 'unsubscribe', channel: DYDX_CHANNEL, id }));
}

/** An error answer (a market the indexer does not know, the per-connection limit, a bad message). */
export function dydxRefused(text: string): boolean {
  if (text.length > 2000 || !text.includes('"error"')) return false;
  const msg = parseJson(text);
  return isObject(msg) && msg.type === 'error';
}
