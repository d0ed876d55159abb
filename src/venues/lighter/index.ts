// https://apidocs.lighter.xyz/docs/websocket-reference#trade
// https://apidocs.lighter.xyz/reference/orderbookdetails
// https://apidocs.lighter.xyz/docs/websocket-reference (limits per IP: 100 connections, 100 subscriptions a
// connection, 1000 in all, 200 messages a minute)
// Lighter has no market-wide liquidation channel: `trade/{market_id}` is subscribed for every active perpetual of
// /api/v1/orderBookDetails (market_id → symbol), one subscribe message per market, new markets subscribed at each
// refresh; only `liquidation_trades` count. Keepalive both ways: we send `{"type":"ping"}` (Lighter closes a client
// that sent nothing for 2 minutes; the docs' own example pings so); the server sends `{"type":"ping"}` too and closes
// with 1008 "no pong" when it goes unanswered (lighter-python issue 11, fixed in PR 12 by answering `{"type":"pong"}`),
// so each is answered here. Whether Lighter answers our ping with a pong is unconfirmed; any frame proves liveness.
import { httpUrl, wsUrl } from '../../core/env.js';
import { defineFeed, defineVenue, type TopicPlan } from '../types.js';
import { lighterCapture } from './capture.js';
import { fetchLighterMarkets } from './metadata.js';
import { type LighterMarket, parseLighter } from './parser.js';
import { startLighterStandin } from './standin.js';
import { lighterSynth } from './synth.js';

const env = {
  LIGHTER_WS_URL: { def: 'wss://mainnet.zklighter.elliot.ai/stream', parse: wsUrl },
  LIGHTER_REST_URL: { def: 'https://mainnet.zklighter.elliot.ai', parse: httpUrl },
} as const;

/** Lighter closes a client that sent nothing for 2 minutes: a longer PING_INTERVAL_MS is capped at half that. */
export const LIGHTER_MAX_PING_INTERVAL_MS = 60_000;

/**
 * Markets per connection: Lighter allows 100 subscriptions a connection; 90 leaves room below the cap. About two
 * connections for today's ~150 perpetuals, well inside the 100 connections an IP may hold.
 */
export const LIGHTER_MARKETS_PER_CONNECTION = 90;

const PING = '{"type":"ping"}';
const PONG = '{"type":"pong"}';

const requests = (type: 'subscribe' | 'unsubscribe', topics: readonly string[]) => topics.map((channel) => JSON.stringify({ type, channel }));

const topics: TopicPlan<LighterMarket, typeof env> = {
  topics: (names, meta) => names.filter((n) => meta.get(n)?.active === true).map((id) => `trade/${id}`),
  subscribe: (t) => requests('subscribe', t),
  unsubscribe: (t) => requests('unsubscribe', t),
  fits: (held) => held.count < LIGHTER_MARKETS_PER_CONNECTION,
};

/** Keepalive frames: the server's ping (answered with a pong) and the pong to ours. */
export function lighterControl(text: string, reply: (text: string) => void): boolean {
  if (text.length > 64) return false;
  if (text.includes('"type":"ping"')) {
    reply(PONG);
    return true;
  }
  return text.includes('"type":"pong"');
}

export const lighter = defineVenue({
  exchange: 'lighter',
  env,
  feeds: [
    defineFeed<LighterMarket, typeof env>({
      venue: 'lighter',
      url: ({ env: e }) => e.LIGHTER_WS_URL,
      metadata: { load: ({ env: e }, http) => fetchLighterMarkets(e.LIGHTER_REST_URL, http) },
      topics,
      keepalive: ({ cfg }) => ({
        kind: 'text',
        message: () => PING,
        isPong: (t) => t.includes('"type":"pong"'),
        intervalMs: Math.min(cfg.PING_INTERVAL_MS, LIGHTER_MAX_PING_INTERVAL_MS),
        timeoutMs: cfg.PONG_TIMEOUT_MS,
      }),
      control: lighterControl,
      // {"error":{"code":30005,"message":"Invalid Channel: …"}}: a market is not covered.
      refused: (text) => text.length < 2000 && text.startsWith('{"error"'),
      parse: (text, opts, markets) => parseLighter(text, opts, markets),
    }),
  ],
  standin: { start: startLighterStandin },
  capture: lighterCapture,
  synth: lighterSynth,
});
