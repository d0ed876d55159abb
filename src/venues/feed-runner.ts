// One feed of one venue at run time: its connection(s) from the one connection loop (connection.ts), its instrument
// metadata from the generic cache (metadata.ts), its frames through its pure parser into the engine. A feed with
// per-instrument topics follows the listing: new instruments are subscribed at each refresh, delisted ones
// unsubscribed, the topics spread over as many connections as the venue's limits need.
import type { StreamStatus } from '../core/status.js';
import type { Logger } from '../log.js';
import { Backfiller } from './backfill.js';
import { Connection, type ConnectionOptions } from './connection.js';
import type { TokenBucket } from './http.js';
import { MetadataGate, deliver } from './metadata-gate.js';
import { InstrumentCache } from './metadata.js';
import { type Lookup, sampleOf } from './parsing.js';
import type { StreamDeps, VenueGroup } from './runtime.js';
import type { FeedContext, FeedSpec } from './types.js';

/** While a metadata endpoint fails, it is asked again this often. */
export const METADATA_RETRY_MS = 5_000;

const EMPTY: Lookup<never> = { get: () => undefined };

export function connectionStatus(conn: Connection, exchange: string, topics: number): StreamStatus {
  const s = conn.status();
  const now = Date.now();
  return {
    venue: s.venue,
    exchange,
    connection: s.name,
    state: s.state,
    topics,
    lastMessageAt: s.lastMessageAt,
    reconnects: s.reconnects,
    since: now - s.since,
    updatedAt: now,
  };
}

/** A placeholder status for a feed that cannot connect yet because its metadata has never loaded. */
export function waitingStatus(venue: string, exchange: string, since: number): StreamStatus {
  const now = Date.now();
  return { venue, exchange, connection: venue, state: 'waiting_metadata', topics: 0, lastMessageAt: null, reconnects: 0, since, updatedAt: now };
}

interface Shard {
  conn: Connection;
  topics: Set<string>;
  chars: number;
  /** When it last stopped being open (the start of a gap to backfill); undefined before its first open. */
  downSince?: number;
  opened: boolean;
}

/** One feed of one venue: its connections, its metadata, its parser. */
export class FeedRunner<M> implements VenueGroup {
  private readonly cache: InstrumentCache<M> | undefined;
  private readonly gate: MetadataGate<M> | undefined;
  private readonly shards: Shard[] = [];
  private readonly log: Logger;
  private readonly connOpts: ConnectionOptions;
  private readonly retentionMs: number;
  private readonly createdAt = Date.now();
  private running = false;
  private readonly backfill: Backfiller<M> | undefined;
  private readonly deps: StreamDeps;

  constructor(
    private readonly exchange: string,
    private readonly feed: FeedSpec<M>,
    private readonly ctx: FeedContext,
    deps: StreamDeps,
    /** The venue's REST rate limit, shared by its metadata and backfill calls. */
    limiter?: TokenBucket,
  ) {
    const cfg = ctx.cfg;
    this.deps = deps;
    this.log = deps.log.child({ venue: feed.venue });
    this.retentionMs = cfg.BUCKET_RETENTION_HOURS * 3_600_000;
    this.connOpts = {
      log: deps.log,
      reconnectBaseMs: cfg.RECONNECT_BASE_MS,
      reconnectMaxMs: cfg.RECONNECT_MAX_MS,
      gate: deps.gate,
      maxPayloadBytes: cfg.WS_MAX_PAYLOAD_BYTES,
    };
    const meta = feed.metadata;
    if (meta !== undefined) {
      this.cache = new InstrumentCache<M>({
        name: feed.venue,
        load: (signal) => meta.load(ctx, { signal, limiter }),
        failingRetryMs: METADATA_RETRY_MS,
        onStateChange: (c) => {
          const level = c.state === 'ok' ? 'info' : 'error';
          this.log[level]({ cache: c.cache, state: c.state, previous: c.previous, error: c.error, count: c.count }, `instrument metadata ${c.state}`);
        },
        onRefresh: () => {
          this.sync();
          this.gate?.refreshed();
        },
      });
      const cache = this.cache;
      if (feed.backfill !== undefined && (cfg.BACKFILL as readonly string[]).includes(exchange)) {
        const bf = new Backfiller(exchange, feed.backfill, ctx, cache, { ...deps, log: this.log.child({ mod: 'backfill' }) }, limiter, this.retentionMs);
        this.backfill = bf;
        // the stream's symbols, remembered for the reconnect backfill
        this.deps = { ...deps, onEvents: (events) => (bf.note(events), deps.onEvents(events)) };
      }
      this.gate = new MetadataGate(cache, (text, o) => feed.parse(text, o, cache), this.retentionMs, this.deps);
    }
  }

  start(): void {
    this.running = true;
    if (this.cache !== undefined) {
      void this.cache.refresh();
      this.cache.start(this.ctx.cfg.INSTRUMENT_REFRESH_MINUTES * 60_000);
    }
    // Per-instrument topics wait for the first listing; a fixed subscription connects at once.
    if (this.feed.topics === undefined) this.newShard().conn.start();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.backfill?.stop();
    this.cache?.stop();
    await Promise.all(this.shards.map((s) => s.conn.stop()));
  }

  statuses(): StreamStatus[] {
    if (this.shards.length === 0) return [waitingStatus(this.feed.venue, this.exchange, this.createdAt)];
    return this.shards.map((s) => connectionStatus(s.conn, this.exchange, this.feed.topics === undefined ? 1 : s.topics.size));
  }

  /** Brings per-instrument subscriptions in line with the latest listing. */
  private sync(): void {
    const plan = this.feed.topics;
    if (!this.running || plan === undefined || this.cache === undefined) return;
    const wanted = new Set(plan.topics(this.cache.names(), this.cache));
    let added = 0;
    let removed = 0;
    for (const shard of this.shards) {
      const gone = [...shard.topics].filter((t) => !wanted.has(t));
      if (gone.length === 0) continue;
      for (const t of gone) {
        shard.topics.delete(t);
        shard.chars -= t.length;
      }
      removed += gone.length;
      if (plan.unsubscribe) for (const msg of plan.unsubscribe(gone)) shard.conn.send(msg);
    }
    const have = new Set<string>();
    for (const shard of this.shards) for (const t of shard.topics) have.add(t);
    const fresh = [...wanted].filter((t) => !have.has(t)).sort();
    const touched = new Map<Shard, string[]>();
    for (const t of fresh) {
      let shard = this.shards.find((s) => plan.fits({ count: s.topics.size, chars: s.chars }, t, this.ctx));
      if (shard === undefined) shard = this.newShard();
      shard.topics.add(t);
      shard.chars += t.length;
      touched.set(shard, [...(touched.get(shard) ?? []), t]);
      added++;
    }
    for (const [shard, topics] of touched) {
      // A shard that is not open yet subscribes everything on open (its subscribe messages read the live set).
      if (shard.conn.state === 'open') for (const msg of plan.subscribe(topics)) shard.conn.send(msg);
      if (shard.conn.state === 'idle') shard.conn.start();
    }
    if (added > 0 || removed > 0) {
      this.log.info({ added, removed, topics: wanted.size, connections: this.shards.length }, 'subscriptions updated');
    }
  }

  private newShard(): Shard {
    const feed = this.feed;
    const plan = feed.topics;
    const shard: Shard = { topics: new Set(), chars: 0, conn: undefined as unknown as Connection, opened: false };
    const name = plan === undefined ? feed.venue : `${feed.venue}#${this.shards.length}`;
    shard.conn = new Connection(
      {
        name,
        venue: feed.venue,
        url: feed.url(this.ctx),
        subscribeMessages: () => (plan === undefined ? (feed.subscribeMessages?.(this.ctx) ?? []) : plan.subscribe([...shard.topics])),
        keepalive: feed.keepalive(this.ctx),
        maxLifetimeMs: feed.maxLifetimeMs?.(this.ctx),
        decode: feed.decode,
        headers: feed.headers?.(this.ctx),
      },
      this.connOpts,
    );
    const reply = (text: string) => void shard.conn.send(text);
    const restart = (reason: string) => void shard.conn.restart(reason);
    if (this.backfill !== undefined) {
      const bf = this.backfill;
      // a gap: from when the connection stopped being open (at its first open: start-up) until it is open again
      shard.conn.on('state', (state) => {
        if (state !== 'open' && shard.opened && shard.downSince === undefined) shard.downSince = Date.now();
      });
      shard.conn.on('open', () => {
        bf.gap(shard.opened ? (shard.downSince ?? Date.now()) : undefined);
        shard.opened = true;
        shard.downSince = undefined;
      });
    }
    shard.conn.on('message', (text, receivedAt) => {
      if (feed.control?.(text, reply, restart)) return;
      this.deps.onFrame?.(feed.venue, text, receivedAt);
      // A refused request (a topic the venue does not know, a bad subscribe) means something is not covered: loudly.
      if (feed.refused?.(text)) {
        this.log.error({ conn: name, answer: sampleOf(text) }, `${this.exchange} refused a request`);
        return;
      }
      if (this.gate !== undefined) this.gate.handle(text, receivedAt);
      else deliver(feed.parse(text, { receivedAt, retentionMs: this.retentionMs }, EMPTY), this.deps);
    });
    this.shards.push(shard);
    return shard;
  }
}
