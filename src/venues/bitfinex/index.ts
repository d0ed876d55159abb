// https://docs.bitfinex.com/reference/ws-public-status
// https://docs.bitfinex.com/docs/ws-general (ping/pong, heartbeats, info codes, limits: 20 connections a minute)
// Bitfinex publishes every liquidation of the exchange on one channel: `status` with key `liq:global`, one connection,
// one subscribe. Its frames are arrays keyed by the channel id; heartbeats `[CHAN_ID,"hb"]` come every 15 s on a quiet
// channel and are skipped before parsing. The keepalive is `{"event":"ping","cid":n}`, answered by
// `{"event":"pong","ts":…,"cid":n}`. No metadata is needed: the symbol names the pair and AMOUNT is in the base coin.
// Info events that ask for action (20051 server restart: Bitfinex then closes the connection and it is reconnected;
// 20060/20061 maintenance) carry no liquidation and are not acted upon (README, Coverage).
import { wsUrl } from '../../core/env.js';
import { defineFeed, defineVenue } from '../types.js';
import { bitfinexCapture } from './capture.js';
import { parseBitfinex } from './parser.js';
import { LIQ_KEY, startBitfinexStandin } from './standin.js';
import { bitfinexSynth } from './synth.js';

const env = {
  BITFINEX_WS_URL: { def: 'wss://api-pub.bitfinex.com/ws/2', parse: wsUrl },
} as const;

export const BITFINEX_SUBSCRIBE = JSON.stringify({ event: 'subscribe', channel: 'status', key: LIQ_KEY });

let cid = 0;

const HB_RE = /^\[\d+,"hb"[\],]/;

/** Protocol frames: channel heartbeats and pongs (answers to our pings). */
export function isBitfinexControl(text: string): boolean {
  return HB_RE.test(text) || (text.length < 200 && text.startsWith('{"event":"pong"'));
}

export const bitfinex = defineVenue({
  exchange: 'bitfinex',
  env,
  feeds: [
    defineFeed<never, typeof env>({
      venue: 'bitfinex',
      url: ({ env: e }) => e.BITFINEX_WS_URL,
      subscribeMessages: () => [BITFINEX_SUBSCRIBE],
      keepalive: ({ cfg }) => ({
        kind: 'text',
        message: () => JSON.stringify({ event: 'ping', cid: ++cid }),
        isPong: (t) => t.startsWith('{"event":"pong"'),
        intervalMs: cfg.PING_INTERVAL_MS,
        timeoutMs: cfg.PONG_TIMEOUT_MS,
      }),
      control: (text) => isBitfinexControl(text),
      // {"event":"error","msg":"subscribe: invalid","code":10300,…}: the liquidation channel is not held.
      refused: (text) => text.length < 2000 && text.startsWith('{"event":"error"'),
      parse: (text, opts) => parseBitfinex(text, opts),
    }),
  ],
  standin: { start: startBitfinexStandin },
  capture: bitfinexCapture,
  synth: bitfinexSynth,
});
