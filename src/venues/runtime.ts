// The runtime: every feed and source of every enabled venue, wired the same way (feed-runner.ts runs one feed), as
// one group the daemon starts, stops and asks for statuses. Nothing here knows a venue: everything venue-specific is
// in the adapter's FeedSpec or source.
import type { Config } from '../config.js';
import type { LiquidationEvent } from '../core/event.js';
import type { ReadGate } from '../core/gate.js';
import type { Rejection, Venue } from '../core/parse.js';
import type { StreamStatus } from '../core/status.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics.js';
import { TokenBucket } from './http.js';
import { FeedRunner } from './feed-runner.js';
import { ADAPTERS, adapterOf } from './registry.js';
import type { EnvDecl, FeedContext, VenueAdapter } from './types.js';

/**
 * What a source (a tail of files) keeps across restarts, where the daemon keeps its data: its position. Saving must
 * never claim progress past events not yet handed to `onEvents` (at-least-once into the engine; identities make the
 * repeats of a restart harmless).
 */
export interface SourceState {
  /** The saved value, or null when there is none. Rejects while the store cannot be read (the source retries). */
  load(): Promise<string | null>;
  save(value: string): Promise<void>;
}

/** Where a source's state lives: one key per source and daemon (INSTANCE_ID, else the host name: stable across restarts). */
export function sourceStateKey(source: string, name: string): string {
  return `liq:pos:${source}:${name}`;
}

export interface StreamDeps {
  log: Logger;
  metrics?: Metrics;
  onEvents: (events: LiquidationEvent[]) => void;
  onRejections: (rejections: readonly Rejection[]) => void;
  /** Every frame as received, protocol frames (pongs, heartbeats) excluded, before parsing: the recorder. */
  onFrame?: (venue: Venue, text: string, receivedAt: number) => void;
  /** Read flow control for every connection (the daemon's Backpressure closes it while Redis is behind). */
  gate?: ReadGate;
  /** Durable state of a source, by its name (the daemon's Redis); without it a source starts afresh every time. */
  state?: (source: string) => SourceState;
  /**
   * How far what onEvents took is kept (written to Redis or spooled): `settled` of the `pushed` hand-overs so far. A
   * source that can read again saves its position only up to what is settled; without it, up to what was handed.
   */
  progress?: () => { pushed: number; settled: number };
  /** Each gap backfill run's outcome (shown in /health). */
  onBackfill?: (run: BackfillRun) => void;
}

/** One gap backfill run: when, what it covered, what it found, or why it gave up. */
export interface BackfillRun {
  readonly exchange: string;
  readonly at: number;
  readonly from: number;
  readonly to: number;
  readonly startup: boolean;
  readonly ok: boolean;
  readonly events: number;
  readonly error?: string;
}

/** A group of connections started and stopped together: a feed, a venue, or every enabled venue. */
export interface VenueGroup {
  start(): void;
  stop(): Promise<void>;
  statuses(): StreamStatus[];
}

/** A group created when it is first started (a source opens files and timers only then). */
function lazy(make: () => VenueGroup): VenueGroup {
  let group: VenueGroup | undefined;
  return {
    start: () => (group ??= make()).start(),
    stop: async () => group?.stop(),
    statuses: () => group?.statuses() ?? [],
  };
}

/** Silence on an open stream this long is reported (the old Binance URL kept acking while sending nothing). */
export const SILENT_AFTER_MS = 15 * 60_000;

/** The variables of a venue, parsed by the configuration (Config.venues). */
export function contextOf<E extends EnvDecl>(adapter: VenueAdapter<E>, cfg: Readonly<Config>): FeedContext<E> {
  return { env: cfg.venues[adapter.exchange] as FeedContext<E>['env'], cfg };
}

/** Every feed of the given venues, as one group; a silent open stream is logged after SILENT_AFTER_MS. */
export function createFeeds(adapters: readonly VenueAdapter[], cfg: Readonly<Config>, deps: StreamDeps): VenueGroup {
  const runners: VenueGroup[] = [];
  for (const adapter of adapters) {
    const ctx = contextOf(adapter, cfg);
    const log = deps.log.child({ exchange: adapter.exchange });
    const limiter = adapter.restLimit === undefined ? undefined : new TokenBucket(adapter.restLimit);
    for (const feed of adapter.feeds) runners.push(new FeedRunner(adapter.exchange, feed, ctx, { ...deps, log }, limiter));
    for (const source of adapter.sources ?? []) {
      if (source.enabled(ctx)) runners.push(lazy(() => source.start(ctx, { ...deps, log: log.child({ venue: source.venue }) })));
      // Not an error: EXCHANGES=all names every venue, and a source runs only where its variables point at something.
      else log.info({ venue: source.venue, needs: source.needs }, 'source not started: its variables are not set');
    }
  }
  const silent = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  const statuses = (): StreamStatus[] => runners.flatMap((r) => r.statuses());
  return {
    start() {
      for (const r of runners) r.start();
      timer = setInterval(() => {
        const now = Date.now();
        for (const s of statuses()) {
          const quiet = s.state === 'open' && now - (s.lastMessageAt ?? now - s.since) > SILENT_AFTER_MS;
          if (quiet && !silent.has(s.connection)) {
            silent.add(s.connection);
            deps.log.warn({ conn: s.connection, lastMessageAt: s.lastMessageAt }, 'stream open but silent: no message for 15 minutes');
          } else if (!quiet && silent.delete(s.connection)) {
            deps.log.info({ conn: s.connection }, 'stream receiving again');
          }
        }
      }, 30_000);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      await Promise.all(runners.map((r) => r.stop()));
    },
    statuses,
  };
}

/** The feeds of the venues named in EXCHANGES. */
export function createStreams(cfg: Readonly<Config>, deps: StreamDeps): VenueGroup {
  // A source set up by its variables but left out of EXCHANGES would be ignored without a word.
  for (const adapter of ADAPTERS) {
    if (cfg.EXCHANGES.includes(adapter.exchange)) continue;
    const ctx = contextOf(adapter, cfg);
    for (const source of adapter.sources ?? []) {
      if (source.enabled(ctx)) deps.log.warn({ exchange: adapter.exchange, venue: source.venue, needs: source.needs }, 'source configured but its exchange is not in EXCHANGES: not started');
    }
  }
  return createFeeds(
    cfg.EXCHANGES.map((name) => {
      const a = adapterOf(name);
      if (a === undefined) throw new Error(`no venue named ${name}`);
      return a;
    }),
    cfg,
    deps,
  );
}
