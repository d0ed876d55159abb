// https://www.okx.com/docs-v5/en/#public-data-websocket-liquidation-orders-channel
// https://www.okx.com/docs-v5/en/#overview-websocket-overview (text 'ping'/'pong'; a connection idle for 30 s is closed)
// https://www.okx.com/docs-v5/en/#public-data-rest-api-get-instruments
// https://www.okx.com/docs-v5/en/#public-data-rest-api-get-liquidation-orders (gap backfill, backfill.ts)
// OKX `liquidation-orders` for SWAP and FUTURES: one subscription per instType covers the whole market. Sizes are
// contracts: contract values come from the instruments endpoint; a frame naming an unknown instId waits (bounded)
// for one coalesced, rate-limited refetch. Frames replayed after a subscribe are harmless: identities decide.
import { httpUrl, wsUrl } from '../../core/env.js';
import { defineFeed, defineVenue } from '../types.js';
import { okxBackfill } from './backfill.js';
import { okxCapture } from './capture.js';
import { fetchOkxAllInstruments } from './metadata.js';
import { type OkxInstrument, parseOkx } from './parser.js';
import { startOkxStandin } from './standin.js';
import { okxSynth } from './synth.js';

const env = {
  OKX_WS_URL: { def: 'wss://ws.okx.com:8443/ws/v5/public', parse: wsUrl },
  OKX_REST_URL: { def: 'https://www.okx.com', parse: httpUrl },
} as const;

export const OKX_INST_TYPES = ['SWAP', 'FUTURES'] as const;
/** OKX closes a connection that has sent nothing for 30 s (4004): a longer PING_INTERVAL_MS (fine for the other
 *  venues) is capped here, with room for a late timer on a busy event loop. */
export const OKX_MAX_PING_INTERVAL_MS = 25_000;

export function okxSubscribe(): string {
  return JSON.stringify({ op: 'subscribe', args: OKX_INST_TYPES.map((instType) => ({ channel: 'liquidation-orders', instType })) });
}

export const okx = defineVenue({
  exchange: 'okx',
  env,
  feeds: [
    defineFeed<OkxInstrument, typeof env>({
      venue: 'okx',
      url: ({ env: e }) => e.OKX_WS_URL,
      metadata: { load: ({ env: e }, http) => fetchOkxAllInstruments(e.OKX_REST_URL, http) },
      subscribeMessages: () => [okxSubscribe()],
      keepalive: ({ cfg }) => ({
        kind: 'text',
        message: () => 'ping',
        isPong: (t) => t === 'pong',
        intervalMs: Math.min(cfg.PING_INTERVAL_MS, OKX_MAX_PING_INTERVAL_MS),
        timeoutMs: cfg.PONG_TIMEOUT_MS,
      }),
      control: (text) => text === 'pong',
      refused: (text) => text.length < 2000 && text.startsWith('{"event":"error"'),
      parse: (text, opts, instruments) => parseOkx(text, { ...opts, instruments }),
      backfill: { lookbackMs: 60 * 60_000, run: ({ env: e }, req) => okxBackfill(e.OKX_REST_URL, req) },
    }),
  ],
  // the tighter of its REST limits (instruments: 20 requests per 2 s; liquidation-orders: 40 per 2 s), per IP
  restLimit: { perSecond: 10, burst: 10 },
  standin: { start: startOkxStandin },
  capture: okxCapture,
  synth: okxSynth,
});
