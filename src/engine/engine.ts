// The engine: takes events from the streams, batches them (a batch closes after FLUSH_INTERVAL_MS or at
// FLUSH_MAX_EVENTS) and writes each batch in one atomic, idempotent script call. While Redis cannot take them,
// events wait in the hold (hold.ts: memory, then the spool, then memory up to MAX_HELD_EVENTS). Held events are
// written in order once Redis is back: memory first, then the spool files, oldest first.
//
// Whether Redis takes writes is followed by the writes themselves (write-state.ts), not by the connection: an
// idle engine probes with a small write every few seconds, which also checks the instance marker (marker.ts) so
// that a Redis that lost data is noticed.
import { EventEmitter } from 'node:events';
import type { Redis } from 'ioredis';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics.js';
import type { AlertSpec, MarkerSpec } from './batch.js';
import type { ReplicaOptions } from './replicas.js';
import type { LiquidationEvent } from '../core/event.js';
import { Hold, type HoldEvents, type SpoolState } from './hold.js';
import type { Spool } from './spool.js';
import { type DataLoss, RedisWatch } from './redis-watch.js';
import type { WriteStateView } from './write-state.js';
import { BucketWriter, type WriteResult } from './writer.js';
import { tallyWrite } from './tally.js';

/** Batches written concurrently: two keep both the daemon and Redis busy; more only hold more memory in flight. */
export const MAX_INFLIGHT = 2;


export interface EngineOptions {
  flushIntervalMs: number;
  flushMaxEvents: number;
  maxBufferedEvents: number;
  /** Ceiling of events held in memory when the spool cannot be written (default 2 × maxBufferedEvents). */
  maxHeldEvents?: number;
  bucketRetentionHours: number;
  /** Retention of the hourly and daily rollups (defaults: ROLLUP_RETENTION_DAYS). */
  rollup1hRetentionDays?: number;
  rollup1dRetentionDays?: number;
  eventLogRetentionHours: number;
  /** Alert thresholds (decided and recorded by the write script); none when absent. */
  alerts?: AlertSpec;
  /** The instance marker (marker.ts); without one, data loss is not watched for. */
  marker?: MarkerSpec;
  /** REDIS_WAIT_REPLICAS and its timeout: a batch counts as written once that many replicas have it (replicas.ts). */
  replicas?: ReplicaOptions;
  probeIntervalMs?: number;
}

export type { DataLoss };

export interface EngineEvents extends HoldEvents {
  written: [result: WriteResult];
  writeState: [now: WriteStateView, before: WriteStateView];
  dataLoss: [loss: DataLoss];
}

export class Engine extends EventEmitter<EngineEvents> {
  private readonly hold: Hold;
  private readonly queue;
  private readonly writer: BucketWriter;
  private readonly watch: RedisWatch;
  private timer: NodeJS.Timeout | undefined;
  private pumping: Promise<void> | undefined;
  /** Resolves the running pump's wait (set only while it waits). */
  private wake: (() => void) | undefined;
  /** A partial batch may go: set by each kick, cleared when the pump sends one. */
  private partialDue = false;
  private retryAt = 0;
  private stopped = false;
  /** Batches being written right now, oldest first (spooled at shutdown if their write has not finished). */
  private readonly inflight = new Set<LiquidationEvent[]>();
  /** Batches whose write failed, waiting for the other in-flight writes to settle before going back to the queue. */
  private readonly failed: LiquidationEvent[][] = [];
  private pushCount = 0;
  private settledCount = 0;
  lastEventAt: number | null = null;
  lastWriteAt: number | null = null;
  /** Events counted into Redis by this engine, per exchange (for the periodic summary). */
  readonly writtenByExchange = new Map<string, number>();

  constructor(
    private readonly redis: Redis,
    private readonly spool: Spool,
    private readonly opts: EngineOptions,
    private readonly log: Logger,
    private readonly metrics?: Metrics,
  ) {
    super();
    this.hold = new Hold(
      spool,
      { maxBufferedEvents: opts.maxBufferedEvents, maxHeldEvents: opts.maxHeldEvents ?? 2 * opts.maxBufferedEvents, flushMaxEvents: opts.flushMaxEvents },
      log,
      (event, ...args) => (this.emit as (e: string, ...a: unknown[]) => boolean)(event, ...args),
    );
    this.queue = this.hold.queue;
    this.writer = new BucketWriter(redis, opts);
    this.watch = new RedisWatch(
      redis,
      this.writer,
      {
        probeIntervalMs: opts.probeIntervalMs,
        markerKey: opts.marker?.key,
        held: () => this.queue.size,
        stopped: () => this.stopped,
        onLoss: (loss) => this.emit('dataLoss', loss),
      },
      log,
      metrics,
    );
    redis.on('ready', () => this.kick());
  }

  /** Connected (commands can be sent). Whether they succeed is `writable`. */
  get connected(): boolean {
    return this.redis.status === 'ready';
  }

  /** Connected, and the last write (a batch or the probe) succeeded. */
  get writable(): boolean {
    return this.connected && this.watch.view.ok;
  }

  get writeState(): WriteStateView {
    return this.watch.view;
  }

  get spoolState(): SpoolState {
    return this.hold.spoolStatus;
  }

  /** Reading is paused because MAX_HELD_EVENTS are held. */
  get holdLimitReached(): boolean {
    return this.hold.paused;
  }

  get buffered(): number {
    return this.queue.size;
  }

  /** How many times push() was called. */
  get pushes(): number {
    return this.pushCount;
  }

  /**
   * Every push before this many has left memory: its events are written, spooled or counted (duplicates, refused,
   * lost). A source that can read again (a file tail) saves its position only up to what is settled, so a crash never
   * skips what was handed over but not yet kept.
   */
  get settled(): number {
    return this.idle ? this.pushCount : this.settledCount;
  }

  private get idle(): boolean {
    return this.queue.size === 0 && this.inflight.size === 0 && this.failed.length === 0;
  }

  get spooled(): number {
    return this.spool.pendingEstimate;
  }

  /** Starts the flush timer and the idle probe; a spool left by an earlier run is replayed before anything newer. */
  start(): void {
    this.spool.init();
    if (this.spool.files().length > 0) {
      this.hold.spoolMode = true;
      this.log.info({ files: this.spool.files().length, dir: this.spool.dir }, 'spool from an earlier run found; replaying it first');
    }
    this.timer = setInterval(() => {
      this.hold.retry();
      this.kick();
    }, this.opts.flushIntervalMs);
    this.timer.unref();
    this.watch.start();
  }

  push(events: LiquidationEvent[]): void {
    if (events.length === 0) return;
    // going from idle to busy: everything pushed before is settled
    if (this.idle) this.settledCount = this.pushCount;
    this.pushCount++;
    this.lastEventAt = Date.now();
    this.hold.accept(events);
    if (this.queue.size >= this.opts.flushMaxEvents) {
      if (this.pumping) this.wakePump();
      else this.kick();
    }
  }

  /** Wakes a pump that waits for a batch to finish or for a full batch to be held (see pump). */
  private wakePump(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  /**
   * Starts a write loop unless one runs; it writes until memory and spool are empty or Redis fails. A kick while
   * the loop runs (the flush timer) lets it send one partial batch, as a new loop would.
   */
  private kick(): void {
    if (this.pumping) {
      this.partialDue = true;
      this.wakePump();
      return;
    }
    if (this.stopped) return;
    if (!this.connected || Date.now() < this.retryAt) return;
    if (this.queue.size === 0 && !this.hold.spoolMode) return;
    this.pumping = this.pump().finally(() => {
      this.pumping = undefined;
    });
  }

  /**
   * Writes from memory with up to MAX_INFLIGHT batches in flight: while Redis runs one batch's script, the next
   * batch is combined and sent, so neither the daemon nor Redis waits for the other. Redis runs scripts one at a
   * time, so concurrent batches stay exactly-once (an identity in both is refused by the second script, which the
   * writer then sends again without it). Failed batches go back to the front of the queue in their original order.
   *
   * Full batches go as soon as a slot is free. A partial batch goes once per kick (the flush timer), so a trickle
   * of events still forms batches; the loop waits for a batch to finish or the queue to fill a batch, never for
   * every write to finish while events wait (that bubble left Redis and the daemon idle in turn under load).
   */
  private async pump(): Promise<void> {
    const running = new Set<Promise<void>>();
    const failed = this.failed;
    const settle = async () => {
      await Promise.all(running);
      const ok = failed.length === 0;
      // Oldest batch ends up first: unshift the newest first.
      for (const batch of failed.splice(0).reverse()) this.queue.unshift(batch);
      return ok;
    };
    this.partialDue = true;
    const canStart = () =>
      failed.length === 0 &&
      this.queue.size > 0 &&
      (this.queue.size >= this.opts.flushMaxEvents || this.partialDue || this.hold.spoolMode || this.stopped);
    while (this.connected) {
      if (canStart()) {
        if (running.size >= MAX_INFLIGHT) {
          await Promise.race(running);
          continue;
        }
        if (this.queue.size < this.opts.flushMaxEvents) this.partialDue = false;
        const batch = this.queue.take(this.opts.flushMaxEvents);
        const done: Promise<void> = this.writeBatch(batch).then((ok) => {
          running.delete(done);
          if (!ok) failed.push(batch);
        });
        running.add(done);
        continue;
      }
      if (failed.length === 0 && running.size > 0) {
        await Promise.race([...running, new Promise<void>((resolve) => (this.wake = resolve))]);
        this.wake = undefined;
        continue;
      }
      if (!(await settle())) return;
      if (canStart()) continue;
      if (this.queue.size > 0 || !this.hold.spoolMode) return; // a partial batch: the next kick sends it
      if (!(await this.replaySpool())) return;
    }
    await settle();
  }

  /** Replays spool files, oldest first. True when the spool is empty and memory mode resumes. */
  private async replaySpool(): Promise<boolean> {
    this.spool.seal();
    for (let file = this.spool.claimNext(); file !== undefined; file = this.spool.claimNext()) {
      let count = 0;
      for await (const batch of this.spool.read(file, this.opts.flushMaxEvents)) {
        if (!(await this.writeBatch(batch))) return false; // the file stays claimed by us; retried later
        count += batch.length;
      }
      this.spool.remove(file, count);
      this.countUnreadable();
      this.log.info({ file, events: count }, 'spool file replayed');
    }
    // Events pushed while we replayed went to a new file: go round again until none is left.
    if (this.spool.hasWork()) return true;
    this.hold.spoolMode = false;
    this.log.info('spool drained; holding events in memory again');
    return true;
  }

  private unreadableSeen = 0;
  private countUnreadable(): void {
    const n = this.spool.unreadable - this.unreadableSeen;
    if (n > 0) this.metrics?.dropped.inc({ reason: 'spool_unreadable' }, n);
    this.unreadableSeen = this.spool.unreadable;
  }

  private async writeBatch(batch: LiquidationEvent[]): Promise<boolean> {
    const started = performance.now();
    this.inflight.add(batch);
    try {
      const r = await this.writer.write(batch);
      this.watch.written(r.lost);
      this.metrics?.writeSeconds.observe((performance.now() - started) / 1000);
      tallyWrite(r, this.writtenByExchange, this.log, this.metrics);
      this.lastWriteAt = Date.now();
      this.hold.checkLimit();
      this.emit('written', r);
      return true;
    } catch (err) {
      const code = this.watch.failed(err);
      this.log.debug({ error: errText(err), code, events: batch.length, redis: this.redis.status }, 'batch write failed; events kept for retry');
      // A non-connection error (Redis answering with an error) is retried after a pause, not in a hot loop.
      if (this.connected) this.retryAt = Date.now() + 1000;
      return false;
    } finally {
      this.inflight.delete(batch);
    }
  }

  /**
   * Stops taking events and flushes what is held until `flushMs` from now. What cannot be written in time (Redis
   * down, or too slow) goes to the spool, retried until `spoolMs` from now if the disk refuses. Resolves with how
   * many events were spooled and how many could be neither written nor spooled (lost, counted and logged).
   */
  async stop(flushMs = 8000, spoolMs = flushMs + 1000): Promise<{ spooled: number; lost: number }> {
    const t0 = Date.now();
    if (this.timer) clearInterval(this.timer);
    this.watch.stop();
    this.timer = undefined;
    const deadline = t0 + flushMs;
    this.stopped = true;
    if (this.pumping) await Promise.race([this.pumping, sleep(Math.max(0, deadline - Date.now()))]);
    this.stopped = false;
    while (this.connected && this.queue.size > 0 && Date.now() < deadline) {
      this.retryAt = 0;
      this.kick();
      if (!this.pumping) break;
      await Promise.race([this.pumping, sleep(Math.max(0, deadline - Date.now()))]);
    }
    this.stopped = true;
    // An in-flight batch either finished (and is gone) or failed (and is back in the queue) once pump settles;
    // if it is still running past the deadline it stays unacknowledged and is spooled too: replay is idempotent.
    if (this.pumping) await Promise.race([this.pumping, sleep(500)]);
    const rest = [...this.failed.splice(0), ...this.inflight].flat();
    for (const e of this.queue.take(this.queue.size)) rest.push(e);
    if (rest.length === 0) return { spooled: 0, lost: 0 };
    const ws = this.watch.view;
    const why = !this.connected ? 'Redis not reachable' : !ws.ok ? `Redis refuses writes (${ws.code})` : 'Redis too slow to take everything before the deadline';
    const lost = await this.hold.spoolRest(rest, t0 + spoolMs);
    const spooled = rest.length - lost;
    if (spooled > 0) this.log.warn({ events: spooled, dir: this.spool.dir, why }, 'shutdown: held events spooled for the next start');
    if (lost > 0) {
      this.metrics?.dropped.inc({ reason: 'spool_failed' }, lost);
      this.log.error({ lost, spooled, dir: this.spool.dir, why, spool: this.hold.spoolStatus }, `shutdown: ${lost} events could be neither written to Redis nor spooled: they are lost`);
    }
    return { spooled, lost };
  }
}

function errText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms).unref());
}
