// https://bybit-exchange.github.io/docs/v5/websocket/public/all-liquidation
// https://bybit-exchange.github.io/docs/v5/ws/connect (ping every 20 s; one connection's args ≤ 21,000 characters)
// https://bybit-exchange.github.io/docs/v5/market/instrument (instruments-info, nextPageCursor)
// Bybit has no all-symbols liquidation topic: every symbol of both categories is subscribed as
// allLiquidation.{symbol}, the topics spread over as many connections as keep each one's args well under the limit.
// The symbol lists are refreshed every INSTRUMENT_REFRESH_MINUTES: new listings are subscribed and delisted ones
// unsubscribed on the connections that carry them, without reconnecting the rest.
import type { Config } from '../config.js';
import type { StreamStatus } from '../core/status.js';
import { Connection } from './connection.js';
import { METADATA_RETRY_MS, MetadataGate, connectionStatus, waitingStatus, type StreamDeps, type VenueGroup } from './feed.js';
import { bybitCache, type BybitCategory, type InstrumentCache } from './instruments.js';
import { BYBIT, parseBybit, type BybitInstrument } from './parsers/bybit.js';
import { sampleOf } from './parsers/common.js';
import type { Venue } from '../core/parse.js';

export const TOPIC_PREFIX = 'allLiquidation.';
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

/** Characters a topic adds to a connection's args when they are written as one JSON array. */
const argChars = (topic: string) => topic.length + 3;

export function isBybitPong(text: string): boolean {
  // {"success":true,"ret_msg":"pong","conn_id":"…","req_id":"…","op":"ping"} (linear/inverse); some servers say op "pong"
  return text.length < 300 && (text.includes('"ret_msg":"pong"') || text.includes('"op":"pong"'));
}

interface Shard {
  conn: Connection;
  topics: Set<string>;
  chars: number;
}

class Category {
  private readonly shards: Shard[] = [];
  private readonly venue: Venue;
  readonly cache: InstrumentCache<BybitInstrument>;
  private readonly gate: MetadataGate<BybitInstrument>;
  private running = false;
  private readonly createdAt = Date.now();
  private readonly log;

  constructor(
    private readonly cfg: Readonly<Config>,
    private readonly category: BybitCategory,
    private readonly deps: StreamDeps,
  ) {
    this.venue = `bybit-${category}`;
    this.log = deps.log.child({ venue: this.venue });
    this.cache = bybitCache(cfg.BYBIT_REST_URL, category, {
      failingRetryMs: METADATA_RETRY_MS,
      onStateChange: (c) => {
        const level = c.state === 'ok' ? 'info' : 'error';
        this.log[level]({ cache: c.cache, state: c.state, previous: c.previous, error: c.error, count: c.count }, `instrument metadata ${c.state}`);
      },
      onRefresh: () => {
        this.sync();
        this.gate.refreshed();
      },
    });
    const retentionMs = cfg.BUCKET_RETENTION_HOURS * 3_600_000;
    this.gate = new MetadataGate(this.cache, (text, o) => parseBybit(text, { ...o, instruments: this.cache }), retentionMs, deps);
  }

  start(): void {
    this.running = true;
    void this.cache.refresh();
    this.cache.start(this.cfg.INSTRUMENT_REFRESH_MINUTES * 60_000);
  }

  async stop(): Promise<void> {
    this.running = false;
    this.cache.stop();
    await Promise.all(this.shards.map((s) => s.conn.stop()));
  }

  /** Brings the subscriptions in line with the latest listing. */
  private sync(): void {
    if (!this.running) return;
    const wanted = new Set(this.cache.names().map((s) => TOPIC_PREFIX + s));
    let added = 0;
    let removed = 0;
    for (const shard of this.shards) {
      const gone = [...shard.topics].filter((t) => !wanted.has(t));
      if (gone.length === 0) continue;
      for (const t of gone) {
        shard.topics.delete(t);
        shard.chars -= argChars(t);
      }
      removed += gone.length;
      for (const msg of subscribeRequests('unsubscribe', gone)) shard.conn.send(msg);
    }
    const have = new Set<string>();
    for (const shard of this.shards) for (const t of shard.topics) have.add(t);
    const fresh = [...wanted].filter((t) => !have.has(t)).sort();
    const touched = new Map<Shard, string[]>();
    for (const t of fresh) {
      let shard = this.shards.find((s) => s.chars + argChars(t) <= this.cfg.BYBIT_MAX_ARGS_CHARS);
      if (shard === undefined) shard = this.newShard();
      shard.topics.add(t);
      shard.chars += argChars(t);
      touched.set(shard, [...(touched.get(shard) ?? []), t]);
      added++;
    }
    for (const [shard, topics] of touched) {
      // A shard that is not open yet subscribes everything on open (subscribeMessages reads the live set).
      if (shard.conn.state === 'open') for (const msg of subscribeRequests('subscribe', topics)) shard.conn.send(msg);
      if (shard.conn.state === 'idle') shard.conn.start();
    }
    if (added > 0 || removed > 0) {
      this.log.info({ added, removed, topics: wanted.size, connections: this.shards.length }, 'subscriptions updated');
    }
  }

  private newShard(): Shard {
    const shard: Shard = { topics: new Set(), chars: 2, conn: undefined as unknown as Connection };
    const url = this.category === 'linear' ? this.cfg.BYBIT_LINEAR_WS_URL : this.cfg.BYBIT_INVERSE_WS_URL;
    shard.conn = new Connection(
      {
        name: `${this.venue}#${this.shards.length}`,
        venue: this.venue,
        url,
        subscribeMessages: () => subscribeRequests('subscribe', [...shard.topics]),
        keepalive: {
          kind: 'text',
          message: () => JSON.stringify({ req_id: reqId(), op: 'ping' }),
          isPong: isBybitPong,
          intervalMs: this.cfg.PING_INTERVAL_MS,
          timeoutMs: this.cfg.PONG_TIMEOUT_MS,
        },
      },
      {
        log: this.deps.log,
        reconnectBaseMs: this.cfg.RECONNECT_BASE_MS,
        reconnectMaxMs: this.cfg.RECONNECT_MAX_MS,
        gate: this.deps.gate,
        maxPayloadBytes: this.cfg.WS_MAX_PAYLOAD_BYTES,
      },
    );
    shard.conn.on('message', (text, receivedAt) => {
      if (isBybitPong(text)) return;
      this.deps.onFrame?.(this.venue, text, receivedAt);
      // A refused request (e.g. "handler not found" for a topic) means a symbol is not covered: say so loudly.
      if (text.length < 2000 && text.includes('"success":false')) {
        this.log.error({ conn: shard.conn.name, answer: sampleOf(text) }, 'bybit refused a request');
        return;
      }
      this.gate.handle(text, receivedAt);
    });
    this.shards.push(shard);
    return shard;
  }

  statuses(): StreamStatus[] {
    if (this.shards.length === 0) return [waitingStatus(this.venue, BYBIT, this.createdAt)];
    return this.shards.map((s) => connectionStatus(s.conn, BYBIT, s.topics.size));
  }
}

export function createBybit(cfg: Readonly<Config>, deps: StreamDeps): VenueGroup {
  const categories = [new Category(cfg, 'linear', deps), new Category(cfg, 'inverse', deps)];
  return {
    start: () => categories.forEach((c) => c.start()),
    stop: async () => {
      await Promise.all(categories.map((c) => c.stop()));
    },
    statuses: () => categories.flatMap((c) => c.statuses()),
  };
}
