// Frames that name an instrument the metadata does not know wait (bounded) for a refetch instead of being dropped or
// guessed at: the metadata gate of a feed with metadata (runtime.ts).
import type { ParseOptions, ParseResult } from '../core/parse.js';
import type { InstrumentCache } from './metadata.js';
import type { StreamDeps } from './runtime.js';

export type Parse = (text: string, opts: ParseOptions) => ParseResult;

export function deliver(r: ParseResult, deps: StreamDeps): void {
  if (r.events.length > 0) deps.onEvents(r.events);
  if (r.rejections.length > 0) deps.onRejections(r.rejections);
}

interface Waiting {
  text: string;
  receivedAt: number;
  names: string[];
}

/**
 * Parses frames; when a frame names instruments the cache does not know, asks the cache for them (at most once per
 * name per 30 s, one request in flight: the cache enforces it) and parses those items again once it answers.
 * While the metadata endpoint is failing, such frames wait, up to `maxWaiting`; the oldest then give up as
 * unknown_instrument rejections, counted and logged.
 */
export class MetadataGate<T> {
  private waiting: Waiting[] = [];
  private retrying = false;

  constructor(
    private readonly cache: InstrumentCache<T>,
    private readonly parse: Parse,
    private readonly retentionMs: number,
    private readonly deps: StreamDeps,
    private readonly maxWaiting = 10_000,
  ) {}

  handle(text: string, receivedAt: number): void {
    const r = this.parse(text, { receivedAt, retentionMs: this.retentionMs });
    deliver(r, this.deps);
    if (r.missing.length > 0) this.wait({ text, receivedAt, names: r.missing });
  }

  get waitingFrames(): number {
    return this.waiting.length;
  }

  private wait(w: Waiting): void {
    if (this.cache.state === 'failing' || this.cache.state === 'unknown') {
      this.hold(w);
      return;
    }
    void Promise.all(w.names.map((n) => this.cache.requestMissing(n))).then(() => {
      if (this.cache.state === 'ok') this.finish(w);
      else this.hold(w);
    });
  }

  private hold(w: Waiting): void {
    this.waiting.push(w);
    if (this.waiting.length > this.maxWaiting) {
      const dropped = this.waiting.splice(0, this.waiting.length - this.maxWaiting);
      this.deps.log.error({ cache: this.cache.name, frames: dropped.length }, 'metadata unavailable too long: oldest waiting frames given up');
      for (const d of dropped) this.finish(d);
    }
  }

  private finish(w: Waiting): void {
    deliver(this.parse(w.text, { receivedAt: w.receivedAt, retentionMs: this.retentionMs, only: new Set(w.names), final: true }), this.deps);
  }

  /** Call after each successful refresh: frames held while the metadata was unavailable are parsed again. */
  refreshed(): void {
    if (this.retrying || this.waiting.length === 0) return;
    this.retrying = true;
    const held = this.waiting;
    this.waiting = [];
    for (const w of held) {
      const missing = w.names.filter((n) => this.cache.get(n) === undefined);
      if (missing.length === 0) this.finish(w);
      // The refresh that just ended may have started before this frame arrived: still-missing names get their
      // own (rate-limited) refetch before they are given up as unknown.
      else if (this.cache.state === 'ok') this.wait({ ...w, names: missing });
      else this.waiting.push(w);
    }
    this.retrying = false;
  }
}
