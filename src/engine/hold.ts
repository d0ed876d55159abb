// Where events wait while they cannot be written: memory up to MAX_BUFFERED_EVENTS, then the spool on disk. When
// the spool cannot be written (a full disk, a read-only or failing filesystem), events stay in memory past
// MAX_BUFFERED_EVENTS up to MAX_HELD_EVENTS; at that ceiling reading from the exchanges is paused (TCP pushes back
// on them) until events can be written or spooled again. Every change of the spool's state is logged once at error
// or info; nothing held is dropped. The one loss left is at shutdown, when neither Redis nor the disk takes what is
// held before the hard exit: it is counted, logged with the exact number, and the process exits non-zero.
import type { Logger } from '../log.js';
import type { LiquidationEvent } from '../core/event.js';
import { ChunkQueue } from './queue.js';
import type { Spool } from './spool.js';

/** While the spool is failing, it is tried again this often (moving memory past MAX_BUFFERED_EVENTS to disk). */
export const SPOOL_RETRY_MS = 2_000;
/** Reading resumes when held events fall below this share of MAX_HELD_EVENTS. */
const RESUME_SHARE = 0.9;

export interface HoldOptions {
  maxBufferedEvents: number;
  maxHeldEvents: number;
  flushMaxEvents: number;
}

export interface SpoolState {
  writable: boolean;
  code?: string;
  error?: string;
  /** Since when it fails, ms. */
  since?: number;
}

export interface HoldEvents {
  /** true: MAX_HELD_EVENTS reached, stop reading the exchanges; false: read again. */
  holdLimit: [paused: boolean];
  spoolState: [state: SpoolState];
}

type Emit = <K extends keyof HoldEvents>(event: K, ...args: HoldEvents[K]) => void;

export class Hold {
  readonly queue = new ChunkQueue();
  /** New events go to the spool (memory was full, or a spool left by an earlier run waits to be replayed). */
  spoolMode = false;
  private spoolState: SpoolState = { writable: true };
  private retryAt = 0;
  private limitReached = false;

  constructor(
    readonly spool: Spool,
    private readonly opts: HoldOptions,
    private readonly log: Logger,
    private readonly emit: Emit,
  ) {}

  get held(): number {
    return this.queue.size;
  }

  get spoolStatus(): SpoolState {
    return this.spoolState;
  }

  get paused(): boolean {
    return this.limitReached;
  }

  /** Holds events the engine cannot write yet: memory while there is room, else the spool, else memory again. */
  accept(events: LiquidationEvent[]): void {
    if (this.spoolMode || this.queue.size + events.length > this.opts.maxBufferedEvents) {
      if (!this.spoolMode) {
        this.log.warn({ buffered: this.queue.size, max: this.opts.maxBufferedEvents }, 'memory buffer full; spooling to disk');
      }
      this.spoolMode = true;
      if (!this.trySpool(events)) this.queue.push(events);
    } else {
      this.queue.push(events);
    }
    this.checkLimit();
  }

  /** Called now and then (the engine's flush timer): while the spool fails, try it again with what memory holds past its bound. */
  retry(now = Date.now()): void {
    if (this.spoolState.writable || now < this.retryAt) return;
    while (this.queue.size > this.opts.maxBufferedEvents) {
      const chunk = this.queue.take(Math.min(this.opts.flushMaxEvents, this.queue.size - this.opts.maxBufferedEvents));
      if (!this.trySpool(chunk, true)) {
        this.queue.unshift(chunk);
        break;
      }
    }
    this.checkLimit();
  }

  /** After events left memory (written): the ceiling may no longer be reached. */
  checkLimit(): void {
    const held = this.queue.size;
    if (!this.limitReached && held >= this.opts.maxHeldEvents) {
      this.limitReached = true;
      this.log.error(
        { held, maxHeld: this.opts.maxHeldEvents, spool: this.spoolState },
        'MAX_HELD_EVENTS reached: reading from the exchanges is paused until held events can be written to Redis or the spool',
      );
      this.emit('holdLimit', true);
    } else if (this.limitReached && held < this.opts.maxHeldEvents * RESUME_SHARE) {
      this.limitReached = false;
      this.log.info({ held, maxHeld: this.opts.maxHeldEvents }, 'held events below the ceiling: reading from the exchanges again');
      this.emit('holdLimit', false);
    }
  }

  /**
   * Shutdown: appends `events` to the spool, retrying a failing disk until `deadline` and writing what it can
   * (halving the chunk on each failure, so what fits is written). Resolves with how many events could not be spooled.
   */
  async spoolRest(events: readonly LiquidationEvent[], deadline: number): Promise<number> {
    let done = 0;
    let chunk = 1000;
    let logged = false;
    while (done < events.length) {
      const part = events.slice(done, done + chunk);
      if (this.trySpool(part, true)) {
        done += part.length;
        continue;
      }
      if (!logged) {
        logged = true;
        this.log.error({ held: events.length - done, spool: this.spoolState }, 'shutdown: the spool cannot be written; retrying until the hard exit');
      }
      if (chunk > 1) {
        chunk = Math.max(1, Math.floor(chunk / 2));
        continue;
      }
      if (Date.now() + 200 >= deadline) break;
      await new Promise((r) => setTimeout(r, 200).unref());
    }
    this.spool.seal();
    return events.length - done;
  }

  /** Appends to the spool; false (and the failure state logged once) when the disk refuses. */
  private trySpool(events: readonly LiquidationEvent[], force = false): boolean {
    const now = Date.now();
    if (!force && !this.spoolState.writable && now < this.retryAt) return false;
    try {
      this.spool.append(events);
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      this.retryAt = now + SPOOL_RETRY_MS;
      const first = this.spoolState.writable || this.spoolState.code !== e.code;
      this.spoolState = { writable: false, code: e.code ?? 'EIO', error: e.message, since: this.spoolState.since ?? now };
      if (first) {
        this.log.error(
          { err: e.message, code: e.code, dir: this.spool.dir, held: this.queue.size, maxHeld: this.opts.maxHeldEvents },
          'spool write failed: holding events in memory up to MAX_HELD_EVENTS',
        );
        this.emit('spoolState', this.spoolState);
      }
      return false;
    }
    if (!this.spoolState.writable) {
      this.spoolState = { writable: true };
      this.log.info({ dir: this.spool.dir }, 'spool writable again');
      this.emit('spoolState', this.spoolState);
    }
    return true;
  }
}
