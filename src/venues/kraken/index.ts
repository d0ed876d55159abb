// https://docs.kraken.com/api/docs/futures-api/websocket/trade
// https://docs.kraken.com/api-reference/instrument-details/get-instruments
// https://support.kraken.com/articles/360022635632-subscriptions-websockets-api-derivatives ("a ping request at least
// every 60 seconds")
// Kraken Futures has no market-wide liquidation channel: the `trade` feed of every tradeable product is subscribed
// (product ids from the instruments endpoint, new listings subscribed at each refresh, delisted ones unsubscribed)
// and only its `type: liquidation` trades count. The keepalive is a WebSocket ping frame: the docs ask for "a ping
// request" without naming a message, and the sample implementation they point to (github.com/CryptoFacilities/
// WebSocket-v1-Python, cfWebSocketApiV1.py: `run_forever(ping_interval=30)`) sends protocol pings every 30 s, as do
// python-kraken-sdk (`websockets.connect(…, ping_interval=30)`) and ccxt (`streaming.keepAlive: 30000`).
import { httpUrl, wsUrl } from '../../core/env.js';
import { defineFeed, defineVenue, type TopicPlan } from '../types.js';
import { krakenCapture } from './capture.js';
import { fetchKrakenProducts } from './metadata.js';
import { type KrakenProduct, parseKraken } from './parser.js';
import { startKrakenStandin } from './standin.js';
import { krakenSynth } from './synth.js';

const env = {
  KRAKEN_WS_URL: { def: 'wss://futures.kraken.com/ws/v1', parse: wsUrl },
  KRAKEN_REST_URL: { def: 'https://futures.kraken.com', parse: httpUrl },
} as const;

/** Kraken asks for a ping at least every 60 s: a longer PING_INTERVAL_MS is capped here, with room for a late timer. */
export const KRAKEN_MAX_PING_INTERVAL_MS = 30_000;

/**
 * Products per connection. Kraken documents no cap on product ids per connection (only 100 requests a second), so
 * the size is ours: every subscribe is answered by one ack and one trade_snapshot of up to ~100 trades (~17 KB) per
 * product, so 100 products make a burst of ~2 MB after each (re)connect, and a dropped connection loses (and replays)
 * a quarter of the ~300 products rather than all of them. About four connections for today's listing.
 */
export const KRAKEN_PRODUCTS_PER_CONNECTION = 100;

function requests(event: 'subscribe' | 'unsubscribe', ids: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < ids.length; i += KRAKEN_PRODUCTS_PER_CONNECTION) {
    out.push(JSON.stringify({ event, feed: 'trade', product_ids: ids.slice(i, i + KRAKEN_PRODUCTS_PER_CONNECTION) }));
  }
  return out;
}

const topics: TopicPlan<KrakenProduct, typeof env> = {
  // The product ids themselves are the topics: tradeable ones of a kind that is counted.
  topics: (names, meta) =>
    names.filter((n) => {
      const p = meta.get(n);
      return p !== undefined && p.tradeable && p.kind !== 'unsupported';
    }),
  subscribe: (ids) => requests('subscribe', ids),
  unsubscribe: (ids) => requests('unsubscribe', ids),
  fits: (held) => held.count < KRAKEN_PRODUCTS_PER_CONNECTION,
};

/** A refused request: an error event (`Invalid product id`, `Invalid feed`, `Json Error`) or a failed (un)subscribe. */
export function isKrakenRefusal(text: string): boolean {
  return text.length < 2000 && /^\{"event":"(error|alert|subscribed_failed|unsubscribed_failed)"/.test(text);
}

export const kraken = defineVenue({
  exchange: 'kraken',
  env,
  feeds: [
    defineFeed<KrakenProduct, typeof env>({
      venue: 'kraken',
      url: ({ env: e }) => e.KRAKEN_WS_URL,
      metadata: { load: ({ env: e }, http) => fetchKrakenProducts(e.KRAKEN_REST_URL, http) },
      topics,
      keepalive: ({ cfg }) => ({
        kind: 'ws-ping',
        intervalMs: Math.min(cfg.PING_INTERVAL_MS, KRAKEN_MAX_PING_INTERVAL_MS),
        timeoutMs: cfg.PONG_TIMEOUT_MS,
      }),
      refused: isKrakenRefusal,
      parse: (text, opts, products) => parseKraken(text, opts, products),
    }),
  ],
  standin: { start: startKrakenStandin },
  capture: krakenCapture,
  synth: krakenSynth,
});
