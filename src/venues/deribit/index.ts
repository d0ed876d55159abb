// https://docs.deribit.com/#trades-kind-currency-interval
// https://docs.deribit.com/api-reference/session-management/public-set_heartbeat
// https://docs.deribit.com/#public-get_instruments
// Deribit: JSON-RPC 2.0 on one connection. Liquidations are trades marked `liquidation` on the public trade channels;
// `trades.future.{currency}.100ms` (raw channels need authentication) is subscribed for every settlement currency of
// the futures listing (BTC, ETH, USDC, …), so a new currency is subscribed at the next refresh. One connection holds
// them all (a handful of channels; Deribit's per-connection limits are not documented: unconfirmed). public/set_heartbeat
// asks for heartbeats every 10 s; every test_request is answered with public/test (control), which is also our own
// keepalive. An error answer is logged at error (refused).
import { httpUrl, wsUrl } from '../../core/env.js';
import { defineFeed, defineVenue, type TopicPlan } from '../types.js';
import { deribitCapture } from './capture.js';
import { fetchDeribitInstruments } from './metadata.js';
import { type DeribitInstrument, parseDeribit } from './parser.js';
import { deribitChannel, deribitControl, deribitRefused, deribitSubscribe, deribitTest, deribitUnsubscribe } from './protocol.js';
import { startDeribitStandin } from './standin.js';
import { deribitSynth } from './synth.js';

const env = {
  DERIBIT_WS_URL: { def: 'wss://www.deribit.com/ws/api/v2', parse: wsUrl },
  DERIBIT_REST_URL: { def: 'https://www.deribit.com', parse: httpUrl },
} as const;

/** One channel per settlement currency of the listing, all on one connection. */
export const deribitTopics: TopicPlan<DeribitInstrument, typeof env> = {
  topics(names, meta) {
    const currencies = new Set<string>();
    for (const n of names) {
      const c = meta.get(n)?.currency;
      if (c !== undefined) currencies.add(c);
    }
    return [...currencies].sort().map(deribitChannel);
  },
  subscribe: deribitSubscribe,
  unsubscribe: deribitUnsubscribe,
  fits: () => true,
};

export const deribit = defineVenue({
  exchange: 'deribit',
  env,
  feeds: [
    defineFeed<DeribitInstrument, typeof env>({
      venue: 'deribit',
      url: ({ env: e }) => e.DERIBIT_WS_URL,
      metadata: { load: ({ env: e }, http) => fetchDeribitInstruments(e.DERIBIT_REST_URL, http) },
      topics: deribitTopics,
      keepalive: ({ cfg }) => ({
        kind: 'text',
        message: deribitTest,
        isPong: (t) => t.includes('"version"'),
        intervalMs: cfg.PING_INTERVAL_MS,
        timeoutMs: cfg.PONG_TIMEOUT_MS,
      }),
      control: deribitControl,
      refused: deribitRefused,
      parse: (text, opts, instruments) => parseDeribit(text, opts, instruments),
    }),
  ],
  standin: { start: startDeribitStandin },
  capture: deribitCapture,
  synth: deribitSynth,
});
