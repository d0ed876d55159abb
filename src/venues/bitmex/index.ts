// https://www.bitmex.com/app/wsAPI (subscribe, the liquidation table, Heartbeats)
// https://www.bitmex.com/api/explorer/#!/Instrument/Instrument_getActive
// BitMEX `liquidation`: one subscription covers every instrument; a frame names instruments by BitMEX symbol, mapped
// through the instrument/active listing (a frame naming an unknown symbol waits, bounded, for one coalesced refetch).
// Keepalive, per the docs' Heartbeats section (the same text is kept in several client repositories' heartbeat
// wrappers, found through the code corpus): when no message has arrived for 5 s, send a ping frame or the text `ping`
// and expect `pong` within 5 s, else reconnect. BitMEX counts silence received, the shared loop counts silence sent;
// a text `ping` every 5 s whatever arrives satisfies both (BitMEX sends nothing on a quiet table, and its welcome frame
// says "heartbeatEnabled":false: it pings nobody). The watchdog waits PONG_TIMEOUT_MS. Opening connections is limited
// (a burst of 20 an hour in 2017; the welcome frame's limit.remaining says what is left): the shared backoff applies.
import { httpUrl, wsUrl } from '../../core/env.js';
import { defineFeed, defineVenue } from '../types.js';
import { bitmexCapture } from './capture.js';
import { type BitmexInstrumentMeta, fetchBitmexInstruments } from './metadata.js';
import { LIQUIDATION_TABLE, parseBitmex } from './parser.js';
import { startBitmexStandin } from './standin.js';
import { bitmexSynth } from './synth.js';

const env = {
  BITMEX_WS_URL: { def: 'wss://ws.bitmex.com/realtime', parse: wsUrl },
  BITMEX_REST_URL: { def: 'https://www.bitmex.com', parse: httpUrl },
} as const;

/** BitMEX asks for a ping after 5 s without a message: a longer PING_INTERVAL_MS is capped here. */
export const BITMEX_PING_INTERVAL_MS = 5_000;

export const BITMEX_SUBSCRIBE = JSON.stringify({ op: 'subscribe', args: [LIQUIDATION_TABLE] });

/** {"status":400,"error":"Unknown table: …","meta":{},"request":{…}}: BitMEX refusing a request (never a table frame). */
export function isBitmexError(text: string): boolean {
  return text.length < 2000 && !text.startsWith('{"table"') && text.includes('"error":') && text.includes('"status":');
}

export const bitmex = defineVenue({
  exchange: 'bitmex',
  env,
  feeds: [
    defineFeed<BitmexInstrumentMeta, typeof env>({
      venue: 'bitmex',
      url: ({ env: e }) => e.BITMEX_WS_URL,
      metadata: { load: ({ env: e }, http) => fetchBitmexInstruments(e.BITMEX_REST_URL, http) },
      subscribeMessages: () => [BITMEX_SUBSCRIBE],
      keepalive: ({ cfg }) => ({
        kind: 'text',
        message: () => 'ping',
        isPong: (t) => t === 'pong',
        intervalMs: Math.min(cfg.PING_INTERVAL_MS, BITMEX_PING_INTERVAL_MS),
        timeoutMs: cfg.PONG_TIMEOUT_MS,
      }),
      control: (text) => text === 'pong',
      refused: isBitmexError,
      parse: parseBitmex,
    }),
  ],
  standin: { start: startBitmexStandin },
  capture: bitmexCapture,
  synth: bitmexSynth,
});
