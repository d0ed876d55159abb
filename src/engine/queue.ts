// The engine's in-memory FIFO of events.
import type { LiquidationEvent } from '../core/event.js';

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
