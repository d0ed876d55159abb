// Public types of the stand-in exchange servers. Instrument objects are kept raw (as the exchanges'
// REST APIs return them) so that the daemon's metadata code parses exactly what it would parse live.
import type { Venue } from '../../src/core/parse.js';

export type { Venue };

/** One element of Bybit's `result.list` from GET /v5/market/instruments-info. */
export interface BybitInstrument {
  symbol: string;
  contractType: string; // LinearPerpetual | LinearFutures | InversePerpetual | InverseFutures
  status: string; // Trading | PreLaunch | Delivering | Closed
  baseCoin: string;
  quoteCoin: string;
  [field: string]: unknown;
}

/** One element of OKX's `data[]` from GET /api/v5/public/instruments. */
export interface OkxInstrument {
  instId: string;
  instType: string; // SWAP | FUTURES
  ctType: string; // linear | inverse
  ctVal: string;
  ctValCcy: string;
  state: string; // live | suspend | preopen | test
  [field: string]: unknown;
}

/** One element of Binance COIN-M's `symbols[]` from GET /dapi/v1/exchangeInfo. */
export interface BinanceCoinmSymbol {
  symbol: string;
  pair: string;
  contractType: string; // PERPETUAL | CURRENT_QUARTER | NEXT_QUARTER
  contractSize: number; // a JSON number in the real API
  contractStatus: string; // TRADING | DELIVERING | PENDING_TRADING ...
  [field: string]: unknown;
}

export interface StandinOptions {
  bybitInstruments?: { linear: BybitInstrument[]; inverse: BybitInstrument[] };
  okxInstruments?: { SWAP: OkxInstrument[]; FUTURES: OkxInstrument[] };
  binanceCoinmSymbols?: BinanceCoinmSymbol[];
  /** Server ping frames on Binance connections; default 180_000 (Binance pings every 3 minutes). */
  binancePingIntervalMs?: number;
  /** Binance terminates a connection whose last pong is older than this; default 3 × binancePingIntervalMs. */
  binancePongTimeoutMs?: number;
  /** OKX closes a connection that sent nothing for this long, with close code 4004; default 30_000. */
  okxIdleCloseMs?: number;
  /** Bybit closes a connection with no client message and no data frame for this long; default 600_000, 0 = never. */
  bybitIdleCloseMs?: number;
}

/**
 * Run-time replacement of metadata (new listings, delistings). Every list given replaces the current list
 * of that kind wholesale; lists not given are left as they are. Bybit subscribe validation uses the new lists
 * from then on (already-subscribed topics stay subscribed, as on the real exchange).
 */
export interface InstrumentsUpdate {
  bybitInstruments?: { linear?: BybitInstrument[]; inverse?: BybitInstrument[] };
  okxInstruments?: { SWAP?: OkxInstrument[]; FUTURES?: OkxInstrument[] };
  binanceCoinmSymbols?: BinanceCoinmSymbol[];
}

export interface VenueServer {
  /** Open WebSocket connections now. */
  connections(): number;
  /** Accepted (101) since start. */
  totalConnections(): number;
  /** Upgrade requests seen since start, including rejected ones. */
  upgradeAttempts(): number;
  /** Per open connection (in accept order), its current topics. */
  subscriptions(): string[][];
  /** Every message clients sent, as text, in order. */
  received(): string[];
  /** terminate() every open connection (a drop mid-stream: no close frame). */
  dropAll(): void;
  /** Stop answering keepalives (WS pings, Bybit op:ping, OKX "ping"); data still flows. */
  setUnresponsive(on: boolean): void;
  /** The next `count` upgrade requests get this HTTP status (and Retry-After when given) instead of 101. */
  rejectUpgrades(count: number, status: 429 | 418 | 503, retryAfterSec?: number): void;
  /** REST answers 503 while on. */
  setRestDown(on: boolean): void;
  /** REST path+query requested, in order. */
  restRequests(): string[];
  /** Polls pred every 10 ms; rejects after timeoutMs (default 5000). */
  waitFor(pred: () => boolean, timeoutMs?: number): Promise<void>;
}

export interface Standins {
  /** The daemon's env vars pointing at these servers. */
  env: Record<string, string>;
  venues: Record<Venue, VenueServer>;
  /** Delivers a raw frame verbatim to the connections of that venue that subscribed to what carries it. */
  send(venue: Venue, frame: string): number;
  setInstruments(update: InstrumentsUpdate): void;
  close(): Promise<void>;
}
