// The engine: takes events from the streams, batches them (a batch closes after FLUSH_INTERVAL_MS or at
// FLUSH_MAX_EVENTS) and writes each batch in one atomic, idempotent script call. While Redis is unreachable it
// holds events in memory up to MAX_BUFFERED_EVENTS, then appends to the spool; nothing is dropped. Held events
// are written in order once Redis is back: memory first, then the spool files, oldest first.
import { EventEmitter } from 'node:events';
import type { Redis } from 'ioredis';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics.js';
import type { LiquidationEvent } from './event.js';
import type { Spool } from './spool.js';
import { BucketWriter } from './writer.js';

/** Batches written concurrently: two keep both the daemon and Redis busy; more only hold more memory in flight. */
export const MAX_INFLIGHT = 2;

export interface EngineOptions {
  flushIntervalMs: number;
  flushMaxEvents: number;
  maxBufferedEvents: number;
  bucketRetentionHours: number;
  eventLogRetentionHours: number;
}

/**
 * FIFO of events in chunks (as the streams push them, one chunk per frame). Taking a batch walks a head index
 * instead of shifting the array: with a million events held, Array.shift() copied the whole chunk list per batch.
 */
export class ChunkQueue {
  private chunks: Array<LiquidationEvent[] | undefined> = [];
  private head = 0; // first live chunk
  private offset = 0; // into chunks[head]
  size = 0;

  push(events: LiquidationEvent[]): void {
    if (events.length === 0) return;
    this.chunks.push(events);
    this.size += events.length;
  }

  unshift(events: LiquidationEvent[]): void {
    if (events.length === 0) return;
    if (this.offset > 0) {
      this.chunks[this.head] = this.chunks[this.head]!.slice(this.offset);
      this.offset = 0;
    }
    if (this.head > 0) this.chunks[--this.head] = events;
    else this.chunks.unshift(events);
    this.size += events.length;
  }

  take(n: number): LiquidationEvent[] {
    const out: LiquidationEvent[] = [];
    while (out.length < n && this.head < this.chunks.length) {
      const chunk = this.chunks[this.head]!;
      const want = n - out.length;
      const avail = chunk.length - this.offset;
      const upto = avail <= want ? chunk.length : this.offset + want;
      for (let i = this.offset; i < upto; i++) out.push(chunk[i]);
      if (upto === chunk.length) {
        this.chunks[this.head++] = undefined; // let the consumed chunk be collected
        this.offset = 0;
      } else {
        this.offset = upto;
      }
    }
    // Drop the consumed prefix now and then, so the list does not grow without bound.
    if (this.head >= 1024 && this.head * 2 >= this.chunks.length) {
      this.chunks = this.chunks.slice(this.head);
      this.head = 0;
    }
    this.size -= out.length;
    return out;
  }
}

export class Engine extends EventEmitter {
  private readonly queue = new ChunkQueue();
  private readonly writer: BucketWriter;
  private timer: NodeJS.Timeout | undefined;
  private pumping: Promise<void> | undefined;
  /** Resolves the running pump's wait (set only while it waits). */
  private wake: (() => void) | undefined;
  /** A partial batch may go: set by each kick, cleared when the pump sends one. */
  private partialDue = false;
  private spoolMode = false;
  private retryAt = 0;
  private stopped = false;
  /** Batches being written right now, oldest first (spooled at shutdown if their write has not finished). */
  private readonly inflight = new Set<LiquidationEvent[]>();
  /** Batches whose write failed, waiting for the other in-flight writes to settle before going back to the queue. */
  private readonly failed: LiquidationEvent[][] = [];
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
    this.writer = new BucketWriter(redis, opts);
    redis.on('ready', () => {
      this.metrics?.redisUp.set(1);
      this.kick();
    });
    redis.on('close', () => this.metrics?.redisUp.set(0));
  }

  get redisWritable(): boolean {
    return this.redis.status === 'ready';
  }

  get buffered(): number {
    return this.queue.size;
  }

  get spooled(): number {
    return this.spool.pendingEstimate;
  }

  /** Starts the flush timer; a spool left by an earlier run is replayed before anything newer. */
  start(): void {
    this.spool.init();
    if (this.spool.files().length > 0) {
      this.spoolMode = true;
      this.log.info({ files: this.spool.files().length, dir: this.spool.dir }, 'spool from an earlier run found; replaying it first');
    }
    this.timer = setInterval(() => this.kick(), this.opts.flushIntervalMs);
    this.timer.unref();
  }

  push(events: LiquidationEvent[]): void {
    if (events.length === 0) return;
    this.lastEventAt = Date.now();
    if (this.spoolMode || this.queue.size + events.length > this.opts.maxBufferedEvents) {
      if (!this.spoolMode) {
        this.log.warn({ buffered: this.queue.size, max: this.opts.maxBufferedEvents }, 'memory buffer full; spooling to disk');
      }
      this.spoolMode = true;
      this.spool.append(events);
      this.metrics?.spooled.set(this.spool.pendingEstimate);
    } else {
      this.queue.push(events);
    }
    this.metrics?.buffered.set(this.queue.size);
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
    if (!this.redisWritable || Date.now() < this.retryAt) return;
    if (this.queue.size === 0 && !this.spoolMode) return;
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
      (this.queue.size >= this.opts.flushMaxEvents || this.partialDue || this.spoolMode || this.stopped);
    while (this.redisWritable) {
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
      if (this.queue.size > 0 || !this.spoolMode) return; // a partial batch: the next kick sends it
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
      this.metrics?.spooled.set(this.spool.pendingEstimate);
      this.log.info({ file, events: count }, 'spool file replayed');
    }
    // Events pushed while we replayed went to a new file: go round again until none is left.
    if (this.spool.hasWork()) return true;
    this.spoolMode = false;
    this.log.info('spool drained; holding events in memory again');
    return true;
  }

  private async writeBatch(batch: LiquidationEvent[]): Promise<boolean> {
    const started = performance.now();
    this.inflight.add(batch);
    try {
      const r = await this.writer.write(batch);
      this.metrics?.writeSeconds.observe((performance.now() - started) / 1000);
      this.metrics?.batches.inc();
      this.metrics?.written.inc(r.written);
      if (r.duplicates) this.metrics?.duplicates.inc(r.duplicates);
      if (r.expired) this.metrics?.expired.inc(r.expired);
      for (const e of r.overflow) this.metrics?.rejected.inc({ exchange: e.exchange, reason: 'out_of_range' });
      if (r.overflow.length > 0) {
        this.log.error({ count: r.overflow.length, sample: r.overflow[0] && { ...r.overflow[0], qtyE8: String(r.overflow[0].qtyE8) } }, 'events refused: their bucket quantity sum would overflow 64 bits');
      }
      for (const [ex, n] of r.byExchange) this.writtenByExchange.set(ex, (this.writtenByExchange.get(ex) ?? 0) + n);
      this.lastWriteAt = Date.now();
      this.metrics?.buffered.set(this.queue.size);
      this.emit('written', r);
      return true;
    } catch (err) {
      this.metrics?.writeErrors.inc();
      this.log.warn({ err, events: batch.length, redis: this.redis.status }, 'batch write failed; events kept for retry');
      // A non-connection error (Redis answering with an error) is retried after a pause, not in a hot loop.
      if (this.redisWritable) this.retryAt = Date.now() + 1000;
      return false;
    } finally {
      this.inflight.delete(batch);
    }
  }

  /**
   * Stops taking events and flushes what is held until `deadlineMs` from now. What cannot be written in time
   * (Redis down, or too slow) goes to the spool. Resolves with how many events were spooled.
   */
  async stop(deadlineMs = 8000): Promise<{ spooled: number }> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    const deadline = Date.now() + deadlineMs;
    this.stopped = true;
    if (this.pumping) await Promise.race([this.pumping, sleep(Math.max(0, deadline - Date.now()))]);
    this.stopped = false;
    while (this.redisWritable && this.queue.size > 0 && Date.now() < deadline) {
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
    if (rest.length > 0) {
      this.spool.append(rest);
      this.spool.seal();
      this.log.warn({ events: rest.length, dir: this.spool.dir }, 'Redis not writable at shutdown: held events spooled for the next start');
    }
    return { spooled: rest.length };
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms).unref());
}
