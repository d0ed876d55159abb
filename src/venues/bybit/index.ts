// https://bybit-exchange.github.io/docs/v5/websocket/public/all-liquidation
// https://bybit-exchange.github.io/docs/v5/ws/connect (ping every 20 s; one connection's args ≤ 21,000 characters)
// https://bybit-exchange.github.io/docs/v5/market/instrument (instruments-info, nextPageCursor)
// Bybit has no all-symbols liquidation topic: every symbol of both categories is subscribed as
// allLiquidation.{symbol}, the topics spread over as many connections as keep each one's args well under the limit.
// The symbol lists are refreshed every INSTRUMENT_REFRESH_MINUTES: new listings are subscribed and delisted ones
// unsubscribed on the connections that carry them, without reconnecting the rest (the shared runtime does this).
import { httpUrl, int, wsUrl } from '../../core/env.js';
import { defineFeed, defineVenue, type FeedContext, type TopicPlan } from '../types.js';
import { TOPIC_PREFIX, bybitCapture } from './capture.js';
import { fetchBybitInstruments } from './metadata.js';
import { type BybitInstrument, parseBybit } from './parser.js';
import { startBybitStandin } from './standin.js';
import { bybitSynth } from './synth.js';

export { TOPIC_PREFIX };

const env = {
  BYBIT_LINEAR_WS_URL: { def: 'wss://stream.bybit.com/v5/public/linear', parse: wsUrl },
  BYBIT_INVERSE_WS_URL: { def: 'wss://stream.bybit.com/v5/public/inverse', parse: wsUrl },
  BYBIT_REST_URL: { def: 'https://api.bybit.com', parse: httpUrl },
  BYBIT_MAX_ARGS_CHARS: { def: '10000', parse: int(100, 20_000) },
} as const;
type Ctx = FeedContext<typeof env>;

/** Topics per subscribe request: Bybit documents 10 args per request for spot; we keep to it everywhere. */
export const ARGS_PER_REQUEST = 10;

let reqSeq = 0;
const reqId = () => `liqd-${++reqSeq}`;

export function subscribeRequests(op: 'subscribe' | 'unsubscribe', topics: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < topics.length; i += ARGS_PER_REQUEST) {
    out.push(JSON.stringify({ req_id: reqId(), op, args: topics.slice(i, i + ARGS_PER_REQUEST) }));
  }
  return out;
}

export function isBybitPong(text: string): boolean {
  // {"success":true,"ret_msg":"pong","conn_id":"…","req_id":"…","op":"ping"} (linear/inverse); some servers say op "pong"
  return text.length < 300 && (text.includes('"ret_msg":"pong"') || text.includes('"op":"pong"'));
}

const topics: TopicPlan<BybitInstrument, typeof env> = {
  topics: (names) => names.map((s) => TOPIC_PREFIX + s),
  subscribe: (t) => subscribeRequests('subscribe', t),
  unsubscribe: (t) => subscribeRequests('unsubscribe', t),
  // The topics of one connection written as one JSON array: ["a","b"] is 2 + 3 characters a topic (quotes, comma).
  fits: (held, topic, { env: e }) => 2 + held.chars + 3 * held.count + topic.length + 3 <= e.BYBIT_MAX_ARGS_CHARS,
};

function category(venue: 'bybit-linear' | 'bybit-inverse', category: 'linear' | 'inverse', url: (ctx: Ctx) => string) {
  return defineFeed<BybitInstrument, typeof env>({
    venue,
    url,
    metadata: { load: ({ env: e }, http) => fetchBybitInstruments(e.BYBIT_REST_URL, category, http) },
    topics,
    keepalive: ({ cfg }) => ({
      kind: 'text',
      message: () => JSON.stringify({ req_id: reqId(), op: 'ping' }),
      isPong: isBybitPong,
      intervalMs: cfg.PING_INTERVAL_MS,
      timeoutMs: cfg.PONG_TIMEOUT_MS,
    }),
    control: (text) => isBybitPong(text),
    // A refused request (e.g. "handler not found" for a topic) means a symbol is not covered.
    refused: (text) => text.length < 2000 && text.includes('"success":false'),
    parse: (text, opts, instruments) => parseBybit(text, { ...opts, instruments }),
  });
}

export const bybit = defineVenue({
  exchange: 'bybit',
  env,
  feeds: [category('bybit-linear', 'linear', ({ env: e }) => e.BYBIT_LINEAR_WS_URL), category('bybit-inverse', 'inverse', ({ env: e }) => e.BYBIT_INVERSE_WS_URL)],
  standin: { start: startBybitStandin },
  capture: bybitCapture,
  synth: bybitSynth,
});
