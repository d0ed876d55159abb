// Read-side backpressure. When the exchanges deliver faster than Redis absorbs (a cascade, a replay, a burst
// after a reconnect), parsed events would pile up in memory at several hundred bytes each. While Redis is
// writable AND draining, the gate is closed once the engine holds `high` events and opened again at `low`: the
// sockets stop being read, TCP pushes back on the sender, and memory stays bounded.
//
// It never trades data for memory: if Redis stops acknowledging batches (down, or stalled) for `maxPauseMs`, the
// gate opens and stays open until a batch is acknowledged again, so the daemon keeps reading the exchanges and
// holds or spools events as it does in any outage (MAX_BUFFERED_EVENTS, then the spool). Pauses are therefore
// short (milliseconds while Redis catches up), far below any keepalive or silence timeout.
import type { ReadGate } from '../core/gate.js';
import type { Engine } from './engine.js';

export interface BackpressureOptions {
  /** Close the gate at this many held events. */
  high: number;
  /** Open it again at this many. */
  low: number;
  /** Open it when no batch has been acknowledged for this long while closed. */
  maxPauseMs: number;
}

/**
 * Thresholds from the engine's settings: 4 batches held (at most half the memory bound), resumed at 2. With two
 * batches in flight that still queues a round of work for Redis, so the pause never starves the writer (measured
 * at 1M events: the same throughput as with 8, and 20k events held at most instead of 40k).
 */
export function backpressureFor(flushMaxEvents: number, maxBufferedEvents: number): BackpressureOptions {
  const high = Math.max(1, Math.min(4 * flushMaxEvents, Math.floor(maxBufferedEvents / 2)));
  return { high, low: Math.min(2 * flushMaxEvents, Math.floor(high / 2)), maxPauseMs: 1000 };
}

export class Backpressure {
  /** Set after a stalled pause: no new pause until Redis acknowledges a batch again. */
  private stalled = false;
  /** This gate reason is held (the gate may also be closed for another reason). */
  private holding = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly engine: Engine,
    private readonly gate: ReadGate,
    private readonly opts: BackpressureOptions,
  ) {
    engine.on('written', this.onWritten);
  }

  /** After every push to the engine. */
  check(): void {
    if (this.holding || this.stalled) return;
    if (this.engine.buffered >= this.opts.high && this.engine.writable) {
      this.pause(true);
      this.armStallTimer();
    }
  }

  close(): void {
    this.engine.off('written', this.onWritten);
    if (this.timer) clearTimeout(this.timer);
    this.pause(false);
  }

  private pause(on: boolean): void {
    this.holding = on;
    this.gate.set(on, 'backpressure');
  }

  private readonly onWritten = (): void => {
    this.stalled = false;
    if (!this.holding) return;
    if (this.engine.buffered <= this.opts.low) {
      if (this.timer) clearTimeout(this.timer);
      this.timer = undefined;
      this.pause(false);
    } else {
      this.armStallTimer();
    }
  };

  private armStallTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.stalled = true;
      this.pause(false);
    }, this.opts.maxPauseMs);
    this.timer.unref();
  }
}
