// https://github.com/asterdex/api-docs/blob/master/V3(Recommended)/EN/aster-finance-futures-api-v3.md (Liquidation Order Streams, Websocket Market Streams)
// Aster futures `!forceOrder@arr`: Binance's stream and format (a sample: at most one liquidation per symbol per
// second). The stream is named in the URL, so there is nothing to subscribe. The server pings every 5 minutes (ws
// answers by itself); we also ping, so a socket that stops answering is terminated by the watchdog. A connection
// lives at most 24 h: it is replaced before that with an overlap (the connection loop's maxLifetimeMs), as Binance's.
import { wsUrl } from '../../core/env.js';
import { defineFeed, defineVenue } from '../types.js';
import { asterCapture } from './capture.js';
import { parseAster } from './parser.js';
import { startAsterStandin } from './standin.js';
import { asterSynth } from './synth.js';

const env = {
  ASTER_WS_URL: { def: 'wss://fstream.asterdex.com/stream?streams=!forceOrder@arr', parse: wsUrl },
} as const;

/** Aster closes a connection after 24 h: ours are replaced after 23.5 (the replacement opens 5 minutes earlier). */
export const ASTER_MAX_LIFETIME_MS = 23.5 * 3_600_000;

export const aster = defineVenue({
  exchange: 'aster',
  env,
  sampled: '≤1 liquidation/symbol/s published',
  feeds: [
    defineFeed<never, typeof env>({
      venue: 'aster',
      url: ({ env: e }) => e.ASTER_WS_URL,
      keepalive: ({ cfg }) => ({ kind: 'ws-ping', intervalMs: cfg.PING_INTERVAL_MS, timeoutMs: cfg.PONG_TIMEOUT_MS }),
      maxLifetimeMs: () => ASTER_MAX_LIFETIME_MS,
      parse: (text, opts) => parseAster(text, opts),
    }),
  ],
  standin: { start: startAsterStandin },
  capture: asterCapture,
  synth: asterSynth,
});
