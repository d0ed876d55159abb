// https://docs.dydx.exchange/api_integration-indexer/indexer_websocket
// https://docs.dydx.exchange/api_integration-indexer/indexer_api (GET /v4/perpetualMarkets)
// https://github.com/dydxprotocol/v4-chain/blob/main/indexer/services/socks/src/config.ts (V4_TRADES_CHANNEL_LIMIT = 32)
// dYdX v4: liquidations are the LIQUIDATED trades of the indexer's `v4_trades` channel, which is subscribed per market.
// The markets come from /v4/perpetualMarkets and are followed at every refresh (new listings subscribed, delisted ones
// unsubscribed); at most 32 markets per connection, the indexer's per-connection limit for v4_trades, so the ~250
// markets of today take ~8 connections. Each subscribe replays the market's recent trades: after a reconnect those
// arrive again and are counted once (the identity is the trade id). The server pings every 30 s and ws answers; we
// ping too (watchdog). An error answer is logged at error.
import { httpUrl, wsUrl } from '../../core/env.js';
import { defineFeed, defineVenue, type TopicPlan } from '../types.js';
import { dydxCapture } from './capture.js';
import { fetchDydxMarkets } from './metadata.js';
import { type DydxMarket, parseDydx } from './parser.js';
import { DYDX_TRADES_PER_CONNECTION, dydxRefused, dydxSubscribe, dydxUnsubscribe } from './protocol.js';
import { startDydxStandin } from './standin.js';
import { dydxSynth } from './synth.js';

const env = {
  DYDX_WS_URL: { def: 'wss://indexer.dydx.trade/v4/ws', parse: wsUrl },
  DYDX_REST_URL: { def: 'https://indexer.dydx.trade', parse: httpUrl },
} as const;

/** One v4_trades subscription per market of the listing, at most 32 per connection. */
export const dydxTopics: TopicPlan<DydxMarket, typeof env> = {
  topics: (names) => [...names].sort(),
  subscribe: dydxSubscribe,
  unsubscribe: dydxUnsubscribe,
  fits: (held) => held.count < DYDX_TRADES_PER_CONNECTION,
};

export const dydx = defineVenue({
  exchange: 'dydx',
  env,
  feeds: [
    defineFeed<DydxMarket, typeof env>({
      venue: 'dydx',
      url: ({ env: e }) => e.DYDX_WS_URL,
      metadata: { load: ({ env: e }, http) => fetchDydxMarkets(e.DYDX_REST_URL, http) },
      topics: dydxTopics,
      keepalive: ({ cfg }) => ({ kind: 'ws-ping', intervalMs: cfg.PING_INTERVAL_MS, timeoutMs: cfg.PONG_TIMEOUT_MS }),
      refused: dydxRefused,
      parse: (text, opts, markets) => parseDydx(text, opts, markets),
    }),
  ],
  standin: { start: startDydxStandin },
  capture: dydxCapture,
  synth: dydxSynth,
});
