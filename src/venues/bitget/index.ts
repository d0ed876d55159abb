// https://www.bitget.com/api-doc/uta/websocket/public/Liquidation-Channel
// https://www.bitget.com/api-doc/common/websocket-intro (text 'ping' every 30 s, 'pong' back; forced disconnect every 24 h)
// https://www.bitget.com/api-doc/uta/public/Instruments
// Bitget v3 (UTA) public stream, topic `liquidation` for the three futures product types, one subscribe with three
// args: each covers its whole product type, no symbols. Bitget's general WebSocket page (written for v2; that v3 keeps
// it is unconfirmed) closes a connection that sent no ping for 2 minutes (30 s in an older copy), so the keepalive is
// capped at 25 s; connections are cut after 24 h, so ours are replaced before with an overlap. The instrument lists
// only name symbols. The push cadence is unconfirmed: one version of the docs says every 20 s with everything, the page
// as served in 2026 says once a second with only the largest long and short per pair (a sample) — see README,
// "Coverage"; the venue is not marked as a sample until one is confirmed.
import { httpUrl, wsUrl } from '../../core/env.js';
import { defineFeed, defineVenue } from '../types.js';
import { bitgetCapture } from './capture.js';
import { BITGET_INST_TYPES, type BitgetInstrument, fetchBitgetAll } from './metadata.js';
import { parseBitget } from './parser.js';
import { startBitgetStandin } from './standin.js';
import { bitgetSynth } from './synth.js';

const env = {
  BITGET_WS_URL: { def: 'wss://ws.bitget.com/v3/ws/public', parse: wsUrl },
  BITGET_REST_URL: { def: 'https://api.bitget.com', parse: httpUrl },
} as const;

/** A longer PING_INTERVAL_MS is capped here: Bitget may close a connection that sent no ping for 30 s. */
export const BITGET_MAX_PING_INTERVAL_MS = 25_000;
/** Bitget cuts a connection after 24 h: ours are replaced after 23.5. */
export const BITGET_MAX_LIFETIME_MS = 23.5 * 3_600_000;

export function bitgetSubscribe(): string {
  return JSON.stringify({ op: 'subscribe', args: BITGET_INST_TYPES.map((instType) => ({ instType, topic: 'liquidation' })) });
}

export const bitget = defineVenue({
  exchange: 'bitget',
  env,
  feeds: [
    defineFeed<BitgetInstrument, typeof env>({
      venue: 'bitget',
      url: ({ env: e }) => e.BITGET_WS_URL,
      metadata: { load: ({ env: e }, http) => fetchBitgetAll(e.BITGET_REST_URL, http) },
      subscribeMessages: () => [bitgetSubscribe()],
      keepalive: ({ cfg }) => ({
        kind: 'text',
        message: () => 'ping',
        isPong: (t) => t === 'pong',
        intervalMs: Math.min(cfg.PING_INTERVAL_MS, BITGET_MAX_PING_INTERVAL_MS),
        timeoutMs: cfg.PONG_TIMEOUT_MS,
      }),
      maxLifetimeMs: () => BITGET_MAX_LIFETIME_MS,
      // The pong is not JSON: skipped before anything tries to parse it.
      control: (text) => text === 'pong',
      refused: (text) => text.length < 2000 && text.includes('"event":"error"'),
      parse: (text, opts, instruments) => parseBitget(text, { ...opts, instruments }),
    }),
  ],
  standin: { start: startBitgetStandin },
  capture: bitgetCapture,
  synth: bitgetSynth,
});
