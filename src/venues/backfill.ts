// Gap backfill (BACKFILL): for a feed whose venue publishes its liquidation history over REST, the liquidations of a
// gap are fetched and handed to the engine like the stream's, at start-up (the last lookbackMs: nothing tells how
// long the daemon was down) and after every reconnect (from when the connection stopped being open). The venue's
// hook fetches through its shared REST rate limit and parses with the stream's parser rules, so a liquidation seen
// both ways has one identity and counts once. One run at a time per feed; gaps that open meanwhile are merged into
// the next run. Nothing here knows a venue.
import { setTimeout as sleep } from 'node:timers/promises';
import type { LiquidationEvent } from '../core/event.js';
import { deliver } from './metadata-gate.js';
import type { TokenBucket } from './http.js';
import type { InstrumentCache } from './metadata.js';
import type { StreamDeps } from './runtime.js';
import type { BackfillSpec, FeedContext } from './types.js';

/** Symbols delivered within this long count as seen recently (the families a reconnect's backfill asks for). */
export const RECENT_MS = 24 * 3_600_000;
/** A gap starts this long before the connection stopped being open (frames in flight when it dropped). */
const GAP_MARGIN_MS = 5_000;

export class Backfiller<M> {
  private readonly recent = new Map<string, number>();
  private readonly abort = new AbortController();
  private running: Promise<void> | undefined;
  /** The earliest start of the gaps waiting for a run, and whether one of them is the start-up's. */
  private pending: { from: number; startup: boolean } | undefined;

  constructor(
    private readonly exchange: string,
    private readonly spec: BackfillSpec<M>,
    private readonly ctx: FeedContext,
    private readonly cache: InstrumentCache<M>,
    private readonly deps: StreamDeps,
    private readonly limiter: TokenBucket | undefined,
    private readonly retentionMs: number,
  ) {}

  /** Remembers the symbols the stream delivered (the reconnect backfill asks only for those). */
  note(events: readonly LiquidationEvent[]): void {
    const now = Date.now();
    let last = '';
    for (const e of events) {
      if (e.symbol === last) continue;
      last = e.symbol;
      this.recent.set(e.symbol, now);
    }
  }

  /** A gap from `downSince` (undefined: start-up) to now. */
  gap(downSince: number | undefined): void {
    const now = Date.now();
    const startup = downSince === undefined;
    const from = startup ? now - this.spec.lookbackMs : downSince - GAP_MARGIN_MS;
    this.pending = this.pending === undefined ? { from, startup } : { from: Math.min(this.pending.from, from), startup: this.pending.startup || startup };
    this.running ??= this.loop().finally(() => (this.running = undefined));
  }

  private async loop(): Promise<void> {
    while (this.pending !== undefined && !this.abort.signal.aborted) {
      const { from, startup } = this.pending;
      this.pending = undefined;
      try {
        // the parser needs the instruments: wait for the first listing
        while (this.cache.state !== 'ok') await sleep(1_000, undefined, { signal: this.abort.signal });
        await this.runOnce(from, startup);
      } catch (err) {
        if (this.abort.signal.aborted) return;
        this.deps.metrics?.backfills.inc({ exchange: this.exchange, result: 'failed' });
        this.deps.onBackfill?.({ exchange: this.exchange, at: Date.now(), from, to: Date.now(), startup, ok: false, events: 0, error: err instanceof Error ? err.message : String(err) });
        this.deps.log.error({ err: err instanceof Error ? { message: err.message } : String(err), from, startup }, 'gap backfill failed: liquidations of the gap may be missing');
      }
    }
  }

  private async runOnce(from: number, startup: boolean): Promise<void> {
    const to = Date.now();
    const cutoff = to - RECENT_MS;
    for (const [s, t] of this.recent) if (t < cutoff) this.recent.delete(s);
    const recent = startup ? undefined : new Set(this.recent.keys());
    if (recent !== undefined && recent.size === 0) {
      this.deps.log.info({ from, to }, 'gap backfill: nothing seen recently to ask for');
      return;
    }
    const started = performance.now();
    const waitedBefore = this.limiter?.waited ?? 0;
    const limitedBefore = this.limiter?.limited ?? 0;
    const cache = this.cache;
    const r = await this.spec.run(this.ctx, {
      from,
      to,
      meta: { get: (n) => cache.get(n), names: () => cache.names() },
      recent,
      opts: { receivedAt: to, retentionMs: this.retentionMs },
      http: { signal: this.abort.signal, limiter: this.limiter },
    });
    deliver(r, this.deps);
    this.deps.metrics?.backfilled.inc({ exchange: this.exchange }, r.events.length);
    this.deps.metrics?.backfills.inc({ exchange: this.exchange, result: 'ok' });
    this.deps.onBackfill?.({ exchange: this.exchange, at: Date.now(), from, to, startup, ok: true, events: r.events.length });
    this.deps.log.info(
      {
        from,
        to,
        startup,
        events: r.events.length,
        rejected: r.rejections.length,
        unknown: r.missing.length,
        ms: Math.round(performance.now() - started),
        rateLimited: (this.limiter?.limited ?? 0) - limitedBefore,
        throttled: (this.limiter?.waited ?? 0) - waitedBefore,
      },
      'gap backfill done (events already counted from the stream count once)',
    );
  }

  stop(): void {
    this.abort.abort();
    this.pending = undefined;
  }
}
