// Public types of the stand-in exchange servers. Instrument objects are kept raw (as the exchanges' REST APIs return
// them) so that the daemon's metadata code parses exactly what it would parse live.
import type { Venue } from '../../core/parse.js';

export type { Venue };

/**
 * Options of the stand-ins. Each venue adds its own (its instrument lists, its keepalive timings) in its standin.ts
 * by declaration merging, so a test can set any venue's options in one object.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface StandinOptions {}

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

/** One venue's stand-in servers: one per feed (sharing a port where the venue does). */
export interface StandinGroup {
  /** The venue's variables pointing at these servers (its *_WS_URL and *_REST_URL). */
  readonly env: Record<string, string>;
  /** Each feed's server, by feed name. */
  readonly venues: Record<Venue, StandinServer>;
  /** Replaces the instrument lists the venue serves (new listings, delistings); options of other venues are ignored. */
  setInstruments?(update: StandinOptions): void;
  close(): Promise<void>;
}

/** A feed's stand-in server: what tests observe and script, and send() for data frames. */
export interface StandinServer extends VenueServer {
  /** Delivers a raw frame verbatim to the connections subscribed to what carries it. */
  send(frame: string): number;
}

/** How a venue's stand-in is started (its folder's standin.ts). */
export interface StandinSpec {
  start(opts: StandinOptions): Promise<StandinGroup>;
}

export interface Standins {
  /** The daemon's env vars pointing at these servers. */
  env: Record<string, string>;
  venues: Record<Venue, VenueServer>;
  /** Delivers a raw frame verbatim to the connections of that venue that subscribed to what carries it. */
  send(venue: Venue, frame: string): number;
  setInstruments(update: StandinOptions): void;
  close(): Promise<void>;
}
