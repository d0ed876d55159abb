// https://www.gate.com/docs/developers/futures/ws/en/#public-liquidates-order-api
// https://www.gate.com/docs/developers/futures/ws/en/#ping-and-pong
// https://www.gate.com/docs/developers/apiv4/en/#list-all-futures-contracts
// Gate `futures.public_liquidates` with ["!all"] on the USDT-settled and the BTC-settled endpoints, one connection each.
// The handshake header X-Gate-Size-Decimal: 1 makes fractional sizes arrive as decimal strings (without it they are
// integers). Keepalive: {"time":<s>,"channel":"futures.ping"}, answered by a futures.pong frame (no idle timeout is
// documented; we ping every PING_INTERVAL_MS). Gate announces a server restart with {"type":"upgrade",…}: the socket
// is replaced at once, the old one kept until the new one receives (nothing lost). Since 2026-08-20 Gate pushes every
// liquidation order (batched per contract per second); before, at most one per contract per second.
import { httpUrl, wsUrl } from '../../core/env.js';
import { defineFeed, defineVenue, type FeedContext } from '../types.js';
import { gateCapture } from './capture.js';
import { type GateContract, type GateSettle, fetchGateContracts } from './metadata.js';
import { LIQUIDATES, parseGate } from './parser.js';
import { startGateStandin } from './standin.js';
import { gateSynth } from './synth.js';

const env = {
  GATE_USDT_WS_URL: { def: 'wss://fx-ws.gateio.ws/v4/ws/usdt', parse: wsUrl },
  GATE_BTC_WS_URL: { def: 'wss://fx-ws.gateio.ws/v4/ws/btc', parse: wsUrl },
  GATE_REST_URL: { def: 'https://api.gateio.ws', parse: httpUrl },
} as const;
type Ctx = FeedContext<typeof env>;

const nowSeconds = () => Math.floor(Date.now() / 1000);

export function gateSubscribe(): string {
  return JSON.stringify({ time: nowSeconds(), channel: LIQUIDATES, event: 'subscribe', payload: ['!all'] });
}

export function isGatePong(text: string): boolean {
  // {"time":…,"time_ms":…,"channel":"futures.pong","event":"","result":null}
  return text.length < 300 && text.includes('"channel":"futures.pong"');
}

/** Gate's restart notice, {"type":"upgrade","msg":…} (zh docs). */
export function isGateUpgrade(text: string): boolean {
  if (text.length > 1000 || !text.includes('"upgrade"')) return false;
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === 'object' && v !== null && (v as { type?: unknown }).type === 'upgrade';
  } catch {
    return false;
  }
}

function settleFeed(venue: 'gate-usdt' | 'gate-btc', settle: GateSettle, url: (ctx: Ctx) => string) {
  return defineFeed<GateContract, typeof env>({
    venue,
    url,
    headers: () => ({ 'X-Gate-Size-Decimal': '1' }),
    metadata: { load: ({ env: e }, http) => fetchGateContracts(e.GATE_REST_URL, settle, http) },
    subscribeMessages: () => [gateSubscribe()],
    keepalive: ({ cfg }) => ({
      kind: 'text',
      message: () => JSON.stringify({ time: nowSeconds(), channel: 'futures.ping' }),
      isPong: isGatePong,
      intervalMs: cfg.PING_INTERVAL_MS,
      timeoutMs: cfg.PONG_TIMEOUT_MS,
    }),
    control(text, _reply, restart) {
      if (isGatePong(text)) return true;
      if (!isGateUpgrade(text)) return false;
      restart('gate announced a server upgrade');
      return true;
    },
    refused: (text) => text.length < 2000 && (text.includes('"status":"fail"') || text.includes('"error":{')),
    parse: (text, opts, contracts) => parseGate(text, { ...opts, contracts }),
  });
}

export const gate = defineVenue({
  exchange: 'gate',
  env,
  feeds: [settleFeed('gate-usdt', 'usdt', ({ env: e }) => e.GATE_USDT_WS_URL), settleFeed('gate-btc', 'btc', ({ env: e }) => e.GATE_BTC_WS_URL)],
  standin: { start: startGateStandin },
  capture: gateCapture,
  synth: gateSynth,
});
