// https://www.htx.com/en-us/opend/newApiPages/?id=8cb7e25d-77b5-11ed-9966-0242ac110003 (USDT-M: [General] Subscribe Liquidation Orders)
// https://www.htx.com/en-us/opend/newApiPages/?id=10000061-77b7-11ed-9966-0242ac110003 (coin-M swaps: liquidation orders)
// https://www.htx.com/en-us/opend/newApiPages/ ("WebSocket Heartbeat and Authentication Interface": gzip, op ping/pong)
// HTX (Huobi) derivatives: `public.*.liquidation_orders` on the USDT-margined endpoint (linear-swap-notification) and
// on the coin-margined swaps endpoint (swap-notification), one connection each, no authentication. Every frame is
// gzip (decode); the server's heartbeat is answered with the same ts (control); a refused subscription (non-zero
// err-code) is logged at error. We also send WebSocket pings, so a server that goes quiet is caught by the watchdog
// (HTX's own pings arrive every ~5 s and keep it disarmed while the server is alive).
import { httpUrl, wsUrl } from '../../core/env.js';
import { defineFeed, defineVenue, type FeedContext } from '../types.js';
import { htxCapture } from './capture.js';
import { type HtxMargin, fetchHtxContracts } from './metadata.js';
import { type HtxContract, parseHtx } from './parser.js';
import { htxControl, htxDecode, htxRefused, htxSubscribe } from './protocol.js';
import { startHtxStandin } from './standin.js';
import { htxSynth } from './synth.js';

const env = {
  HTX_LINEAR_WS_URL: { def: 'wss://api.hbdm.com/linear-swap-notification', parse: wsUrl },
  HTX_INVERSE_WS_URL: { def: 'wss://api.hbdm.com/swap-notification', parse: wsUrl },
  HTX_REST_URL: { def: 'https://api.hbdm.com', parse: httpUrl },
} as const;
type Ctx = FeedContext<typeof env>;

function feed(venue: 'htx-linear' | 'htx-inverse', margin: HtxMargin, url: (ctx: Ctx) => string) {
  return defineFeed<HtxContract, typeof env>({
    venue,
    url,
    metadata: { load: ({ env: e }, http) => fetchHtxContracts(e.HTX_REST_URL, margin, http) },
    subscribeMessages: () => [htxSubscribe()],
    keepalive: ({ cfg }) => ({ kind: 'ws-ping', intervalMs: cfg.PING_INTERVAL_MS, timeoutMs: cfg.PONG_TIMEOUT_MS }),
    decode: htxDecode,
    control: htxControl,
    refused: htxRefused,
    parse: (text, opts, contracts) => parseHtx(text, opts, contracts),
  });
}

export const htx = defineVenue({
  exchange: 'htx',
  env,
  feeds: [feed('htx-linear', 'linear', ({ env: e }) => e.HTX_LINEAR_WS_URL), feed('htx-inverse', 'inverse', ({ env: e }) => e.HTX_INVERSE_WS_URL)],
  standin: { start: startHtxStandin },
  capture: htxCapture,
  synth: htxSynth,
});
