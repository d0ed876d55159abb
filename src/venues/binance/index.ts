// https://developers.binance.com/docs/derivatives/usds-margined-futures/websocket-market-streams/Liquidation-Order-Streams
// https://developers.binance.com/docs/derivatives/coin-margined-futures/websocket-market-streams/Liquidation-Order-Streams
// Binance USD-M and COIN-M `!forceOrder@arr`, each on its own connection. The stream is named in the URL, so there is
// nothing to subscribe. The server pings every 3 minutes (ws answers by itself); we also ping, so a socket that
// stops answering is terminated by the watchdog. A connection lives at most 24 h: it is replaced before that, the old
// one closed only once the new one receives (the connection loop's maxLifetimeMs). USD-M moved its market streams to
// /market on 2026-04-23: the old URL kept acking and sent nothing (../../README.md, "Coverage").
import { httpUrl, number, wsUrl } from '../../core/env.js';
import { defineFeed, defineVenue, type FeedContext } from '../types.js';
import { binanceCapture } from './capture.js';
import { fetchBinanceCoinmContractSizes } from './metadata.js';
import { parseBinanceCoinm, parseBinanceUsdm } from './parser.js';
import { startBinanceStandin } from './standin.js';
import { binanceSynth } from './synth.js';

const env = {
  BINANCE_USDM_WS_URL: { def: 'wss://fstream.binance.com/market/stream?streams=!forceOrder@arr', parse: wsUrl },
  BINANCE_COINM_WS_URL: { def: 'wss://dstream.binance.com/stream?streams=!forceOrder@arr', parse: wsUrl },
  BINANCE_COINM_REST_URL: { def: 'https://dapi.binance.com', parse: httpUrl },
  BINANCE_ROTATE_HOURS: { def: '23.5', parse: number('a number of hours below 24', { gt: 0, lt: 24 }) },
} as const;
type Ctx = FeedContext<typeof env>;

const keepalive = ({ cfg }: Ctx) => ({ kind: 'ws-ping' as const, intervalMs: cfg.PING_INTERVAL_MS, timeoutMs: cfg.PONG_TIMEOUT_MS });
const maxLifetimeMs = ({ env: e }: Ctx) => e.BINANCE_ROTATE_HOURS * 3_600_000;

export const binance = defineVenue({
  exchange: 'binance',
  env,
  sampled: '≤1 liquidation/symbol/s published',
  feeds: [
    defineFeed<never, typeof env>({
      venue: 'binance-usdm',
      url: ({ env: e }) => e.BINANCE_USDM_WS_URL,
      keepalive,
      maxLifetimeMs,
      parse: (text, opts) => parseBinanceUsdm(text, opts),
    }),
    defineFeed({
      venue: 'binance-coinm',
      url: ({ env: e }: Ctx) => e.BINANCE_COINM_WS_URL,
      metadata: { load: ({ env: e }: Ctx, http) => fetchBinanceCoinmContractSizes(e.BINANCE_COINM_REST_URL, http) },
      keepalive,
      maxLifetimeMs,
      parse: (text, opts, contractSizes) => parseBinanceCoinm(text, { ...opts, contractSizes }),
    }),
  ],
  standin: { start: startBinanceStandin },
  capture: binanceCapture,
  synth: binanceSynth,
});
