// What a venue is to the rest of liqd: one VenueAdapter per exchange, in its own folder, registered by one line in
// registry.ts. An adapter declares its environment variables, its feeds (the streams it listens to: URL,
// subscriptions, keepalive, pure parser, instrument metadata), its stand-in server for tests, and the hooks the
// scripts need (capture routing and time shifting, synthetic frames). The shared machinery (the connection loop,
// the metadata cache, the runtime that wires feeds to the engine) lives beside this file and knows no venue.
import type { z } from 'zod';
import type { Config } from '../config.js';
import type { EnvVar } from '../core/env.js';
import type { ParseOptions, ParseResult } from '../core/parse.js';
import type { KeepaliveSpec } from './connection.js';
import type { HttpOptions, RateLimit } from './http.js';
import type { Lookup } from './parsing.js';
import type { CaptureHooks } from './capture-hooks.js';
import type { StandinSpec } from './standin/types.js';
import type { SynthHooks } from './synth-types.js';

export type EnvDecl = Readonly<Record<string, EnvVar>>;
/** A venue's own variables, parsed. */
export type EnvOf<E extends EnvDecl> = { readonly [K in keyof E]: z.output<E[K]['parse']> };

/** What a feed's functions are given: the venue's own variables and the daemon's shared settings. */
export interface FeedContext<E extends EnvDecl = EnvDecl> {
  readonly env: EnvOf<E>;
  readonly cfg: Readonly<Config>;
}

/** Instrument metadata over REST: what the parser needs, per instrument name as the venue spells it. */
export interface MetadataSpec<M, E extends EnvDecl = EnvDecl> {
  /** Loads every instrument (all pages): REST, zod at the edge, mapped. Throws (InstrumentFetchError) on failure. */
  load(ctx: FeedContext<E>, http: HttpOptions): Promise<Map<string, M>>;
}

/** Per-instrument topics, spread over as many connections as the venue's limits need (Bybit, dYdX, Kraken, …). */
export interface TopicPlan<M, E extends EnvDecl = EnvDecl> {
  /** The topics to hold for the instruments of the latest listing. */
  topics(names: readonly string[], meta: Lookup<M>): string[];
  /** The messages that subscribe these topics on one connection (several requests when the venue caps one). */
  subscribe(topics: readonly string[]): string[];
  /** The messages that drop them (a delisting); none when the venue has no way. */
  unsubscribe?(topics: readonly string[]): string[];
  /** Whether a connection that holds `held` topics (and `chars` characters of them) can take one more. */
  fits(held: { count: number; chars: number }, topic: string, ctx: FeedContext<E>): boolean;
}

/** One stream of a venue: an endpoint, what to subscribe there, how to keep it alive, how to read it. */
export interface FeedSpec<M = unknown, E extends EnvDecl = EnvDecl> {
  /** Its name in logs, status, metrics and captures: 'binance-usdm', 'bybit-linear', 'okx', 'bitmex'. */
  readonly venue: string;
  url(ctx: FeedContext<E>): string;
  /** Instrument metadata the parser needs; frames naming an unknown instrument wait for a refetch. */
  readonly metadata?: MetadataSpec<M, E>;
  /** Per-instrument topics; without, one connection that sends `subscribeMessages` on every (re)connect. */
  readonly topics?: TopicPlan<M, E>;
  subscribeMessages?(ctx: FeedContext<E>): string[];
  keepalive(ctx: FeedContext<E>): KeepaliveSpec;
  /** A connection lives at most this long and is replaced before (Binance: 24 h). */
  maxLifetimeMs?(ctx: FeedContext<E>): number | undefined;
  /** HTTP headers of the upgrade request (Gate: `X-Gate-Size-Decimal: 1` for decimal sizes). */
  headers?(ctx: FeedContext<E>): Readonly<Record<string, string>>;
  /**
   * Protocol frames (keepalive answers, heartbeats that must be answered, restart notices): handled here, never parsed
   * nor recorded. Returns true when the frame was one; `reply` sends on the connection it came from; `restart` replaces
   * that connection's socket without a gap (the venue announced it will close it).
   */
  control?(text: string, reply: (text: string) => void, restart: (reason: string) => void): boolean;
  /** A frame in which the venue refuses a request (a topic it does not know): logged at error, not parsed. */
  refused?(text: string): boolean;
  /** Binary frames to text (HTX sends gzip); text frames are passed as they are. */
  decode?(data: Buffer): string;
  /** The pure parser: no clock, no I/O, never throws. `meta` is empty for a feed without metadata. */
  parse(text: string, opts: ParseOptions, meta: Lookup<M>): ParseResult;
  /**
   * Gap backfill (BACKFILL): the liquidations of [from, to] fetched over the venue's REST history, run by the runtime
   * at start-up and after every reconnect. Results go through the same parser rules as the stream's frames and must
   * give the identity the stream would have given (same strings), so an overlap counts once.
   */
  readonly backfill?: BackfillSpec<M, E>;
}

export interface BackfillRequest<M> {
  /** The gap, ms: from the last message received before it (at start-up: now minus lookbackMs) to now. */
  readonly from: number;
  readonly to: number;
  /** The instrument metadata (every name of the latest listing, and each one's entry). */
  readonly meta: Lookup<M> & { names(): string[] };
  /** Symbols (normalized) this feed delivered recently; undefined at start-up, when the whole listing is asked for. */
  readonly recent?: ReadonlySet<string>;
  readonly opts: ParseOptions;
  /** The venue's REST options: its shared rate limit and the runtime's abort signal. */
  readonly http: HttpOptions;
}

export interface BackfillSpec<M, E extends EnvDecl = EnvDecl> {
  /** How far back the start-up backfill reaches (nothing tells how long the daemon was down before it started). */
  readonly lookbackMs: number;
  /** Fetches the gap's liquidations (every page, through http's rate limit); throws on a failure it gives up on. */
  run(ctx: FeedContext<E>, req: BackfillRequest<M>): Promise<ParseResult>;
}

/**
 * A source that is not a WebSocket stream (Hyperliquid: a node's fill files): it runs its own loop and hands events
 * and rejections to the runtime's sink, and reports its state like a connection (liq:status, /health).
 */
export interface SourceSpec<E extends EnvDecl = EnvDecl> {
  /** Its name in logs, status and metrics, as a feed's. */
  readonly venue: string;
  /** The variables that turn it on, named in the log line that says it did not start. */
  readonly needs?: string;
  /** Whether it runs with this configuration (a source that needs a path runs only when it is set). */
  enabled(ctx: FeedContext<E>): boolean;
  start(ctx: FeedContext<E>, deps: import('./runtime.js').StreamDeps): import('./runtime.js').VenueGroup;
  /** Past files loaded once by `liqd-import <exchange> DIR` (scripts/import.ts), through the same parser. */
  readonly history?: HistorySpec;
}

/** One file of a source's history. */
export interface HistoryFile {
  /** Its name in progress lines and in the import's resume record ('20251010/5'). */
  readonly name: string;
  readonly path: string;
  readonly size: number;
}

/** A source's past files: which ones a directory holds, and how a line of them is read. */
export interface HistorySpec {
  /** What DIR must hold and how the files are chosen, for `--help`. */
  readonly help: string;
  /**
   * The files under `dir` that overlap [from, to) (ms; null: open-ended), oldest first. Throws an Error whose message
   * is one line for the user when `dir` does not exist or holds none.
   */
  files(dir: string, range: { from: number | null; to: number | null }): Promise<HistoryFile[]>;
  /** One line of a file (without its newline): the pure parser the source uses. */
  parse(line: string, opts: ParseOptions): ParseResult;
}

export interface VenueAdapter<E extends EnvDecl = EnvDecl> {
  /** The exchange's name in bucket fields (`{ex}_count`): lower-case letters and digits. */
  readonly exchange: string;
  /** Its variables (URLs with the real endpoints as defaults), read by the shared configuration. */
  readonly env: E;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly feeds: ReadonlyArray<FeedSpec<any, E>>;
  /** Sources that are not WebSocket feeds (started with the feeds when enabled). */
  readonly sources?: ReadonlyArray<SourceSpec<E>>;
  /**
   * The venue publishes a sample of its liquidations, so its totals are lower bounds: what it publishes, in a few
   * words for the dashboards' footnote ('≤1 liquidation/symbol/s published').
   */
  readonly sampled?: string;
  /** The venue's REST rate limit, shared by all its REST calls (metadata, backfill); none when absent. */
  readonly restLimit?: RateLimit;
  /** Stand-in servers for tests, replay and benchmarks (every WebSocket venue has one). */
  readonly standin?: StandinSpec;
  /** Recording and replaying its feeds (every WebSocket venue has them). */
  readonly capture?: CaptureHooks;
  /** Its part of synthetic samples and benchmark workloads (every WebSocket venue has them). */
  readonly synth?: SynthHooks;
}

/** Typed construction of an adapter (its feeds see its own variables). */
export function defineVenue<E extends EnvDecl>(adapter: VenueAdapter<E>): VenueAdapter<E> {
  return adapter;
}

/** Typed construction of a feed with metadata of type M. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function defineFeed<M, E extends EnvDecl = any>(feed: FeedSpec<M, E>): FeedSpec<M, E> {
  return feed;
}
