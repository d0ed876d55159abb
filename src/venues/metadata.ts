// The generic instrument-metadata machinery every venue uses: HTTP with a timeout and retries, zod errors that name
// the field, and the cache (refresh, refetch on an unknown name at most once per name per 30 s with one request in
// flight, served from the last good copy while the venue's REST is down). A venue adds only its endpoint, schema and
// mapping (its folder's metadata.ts). A REST failure never throws out of the cache: it is reported through `state`
// (and onStateChange) and the last good metadata stays in use.
import { setTimeout as sleep } from 'node:timers/promises';
import { errorText } from './http.js';
import type { Lookup } from './parsing.js';

export { type HttpOptions, InstrumentFetchError, fetchJson, schemaError } from './http.js';

// ---------------------------------------------------------------------------------------------------------------
// The cache.

export type InstrumentState = 'unknown' | 'ok' | 'failing';

export interface InstrumentStateChange {
  readonly cache: string;
  readonly state: InstrumentState;
  readonly previous: InstrumentState;
  /** Why the last refresh failed (state 'failing'). */
  readonly error?: string;
  /** Instruments known. */
  readonly count: number;
}

export interface InstrumentCacheOptions<T> {
  /** For logs: 'binance-coinm', 'bybit-linear', 'okx', … */
  name: string;
  /** Loads the full metadata; throws on failure. The signal aborts on stop(). */
  load: (signal: AbortSignal) => Promise<Map<string, T>>;
  /** A name asked for by requestMissing is refetched at most once per this many ms (default 30 000). */
  missingIntervalMs?: number;
  /** Minimum gap between the start of one fetch and a missing-triggered one, ms (default 1 000); waits, coalesced. */
  missingMinGapMs?: number;
  /** While failing, the periodic refresh retries after min(interval, this) ms (default 30 000). */
  failingRetryMs?: number;
  /** Clock, for tests. */
  now?: () => number;
  /** Called once per state change ('unknown' → 'ok', 'ok' → 'failing', 'failing' → 'ok', …). */
  onStateChange?: (change: InstrumentStateChange) => void;
  /** Called after each successful refresh with the names new to the cache (e.g. to subscribe new Bybit symbols). */
  onRefresh?: (info: { count: number; added: string[] }) => void;
}

const PRUNE_ASKED_OVER = 10_000;

export class InstrumentCache<T> implements Lookup<T> {
  private readonly map = new Map<string, T>();
  private listed: ReadonlySet<string> = new Set();
  private inflight: Promise<boolean> | undefined;
  private scheduled: Promise<boolean> | undefined;
  private lastFetchStart = Number.NEGATIVE_INFINITY;
  private readonly askedAt = new Map<string, number>();
  private stateValue: InstrumentState = 'unknown';
  private errorValue: string | undefined;
  private fetches = 0;
  private timer: NodeJS.Timeout | undefined;
  private intervalMs = 0;
  private running = false;
  private abort = new AbortController();
  private readonly now: () => number;
  private readonly missingIntervalMs: number;
  private readonly missingMinGapMs: number;
  private readonly failingRetryMs: number;

  constructor(private readonly opts: InstrumentCacheOptions<T>) {
    this.now = opts.now ?? Date.now;
    this.missingIntervalMs = opts.missingIntervalMs ?? 30_000;
    this.missingMinGapMs = opts.missingMinGapMs ?? 1_000;
    this.failingRetryMs = opts.failingRetryMs ?? 30_000;
  }

  get name(): string {
    return this.opts.name;
  }

  get(name: string): T | undefined {
    return this.map.get(name);
  }

  has(name: string): boolean {
    return this.map.has(name);
  }

  /** Instruments known (including ones that have since left the listing: late liquidations still parse). */
  get size(): number {
    return this.map.size;
  }

  /** Names in the last successful listing (what to subscribe). */
  names(): string[] {
    return [...this.listed];
  }

  get state(): InstrumentState {
    return this.stateValue;
  }

  get lastError(): string | undefined {
    return this.errorValue;
  }

  /** Fetches started so far (for status and tests). */
  get fetchCount(): number {
    return this.fetches;
  }

  /** Refetches everything. Coalesced: while one is in flight, callers share it. Never throws; true on success. */
  refresh(): Promise<boolean> {
    if (this.inflight !== undefined) return this.inflight;
    const p = this.doRefresh().finally(() => {
      if (this.inflight === p) this.inflight = undefined;
    });
    this.inflight = p;
    return p;
  }

  /**
   * A name of valid form was missing from the metadata: refetch, at most once per name per missingIntervalMs, one
   * request in flight. Resolves whether the name is known now. Never throws.
   */
  async requestMissing(name: string): Promise<boolean> {
    if (this.map.has(name)) return true;
    const now = this.now();
    const last = this.askedAt.get(name);
    if (last !== undefined && now - last < this.missingIntervalMs) {
      const pending = this.inflight ?? this.scheduled;
      if (pending !== undefined) await pending;
      return this.map.has(name);
    }
    this.askedAt.set(name, now);
    if (this.askedAt.size > PRUNE_ASKED_OVER) {
      for (const [k, t] of this.askedAt) if (now - t >= this.missingIntervalMs) this.askedAt.delete(k);
    }
    // A fetch already in flight may have left before this name was listed: if it does not bring the name, one
    // more (rate-limited) fetch decides.
    const joined = this.inflight !== undefined || this.scheduled !== undefined;
    await this.refreshSoon();
    if (joined && !this.map.has(name) && this.running) await this.refreshSoon();
    return this.map.has(name);
  }

  /** Starts the periodic refresh (the first one after intervalMs; the owner awaits refresh() at start-up). */
  start(intervalMs: number): void {
    if (this.running) return;
    this.running = true;
    this.intervalMs = intervalMs;
    this.scheduleNext();
  }

  /** Stops the periodic refresh and aborts a fetch in flight (it then reports failure and returns). */
  stop(): void {
    this.running = false;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.abort.abort();
    this.abort = new AbortController();
  }

  private refreshSoon(): Promise<boolean> {
    if (this.inflight !== undefined) return this.inflight;
    if (this.scheduled !== undefined) return this.scheduled;
    const wait = this.lastFetchStart + this.missingMinGapMs - this.now();
    if (!(wait > 0)) return this.refresh();
    const p = sleep(wait).then(() => {
      this.scheduled = undefined;
      return this.refresh();
    });
    this.scheduled = p;
    return p;
  }

  private scheduleNext(): void {
    if (!this.running) return;
    const delay = this.stateValue === 'failing' ? Math.min(this.intervalMs, this.failingRetryMs) : this.intervalMs;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.refresh().then(() => this.scheduleNext());
    }, delay);
    this.timer.unref();
  }

  private async doRefresh(): Promise<boolean> {
    this.lastFetchStart = this.now();
    this.fetches++;
    let fresh: Map<string, T>;
    try {
      fresh = await this.opts.load(this.abort.signal);
      if (fresh.size === 0) throw new Error('empty instrument list');
    } catch (e) {
      this.errorValue = errorText(e);
      this.setState('failing');
      // A refresh outside the timer (start-up, a missing name) failed: retry on the failing schedule, not in an hour.
      if (this.running && this.timer !== undefined) {
        clearTimeout(this.timer);
        this.timer = undefined;
        this.scheduleNext();
      }
      return false;
    }
    const added: string[] = [];
    for (const [k, v] of fresh) {
      if (!this.map.has(k)) added.push(k);
      this.map.set(k, v);
    }
    this.listed = new Set(fresh.keys());
    this.errorValue = undefined;
    this.setState('ok');
    if (this.opts.onRefresh !== undefined) {
      try {
        this.opts.onRefresh({ count: fresh.size, added });
      } catch {
        // the owner's callback must not turn a good refresh into a failure
      }
    }
    return true;
  }

  private setState(state: InstrumentState): void {
    const previous = this.stateValue;
    if (previous === state) return;
    this.stateValue = state;
    if (this.opts.onStateChange === undefined) return;
    try {
      this.opts.onStateChange({
        cache: this.opts.name,
        state,
        previous,
        count: this.map.size,
        ...(this.errorValue === undefined ? {} : { error: this.errorValue }),
      });
    } catch {
      // ignore: logging must not break the cache
    }
  }
}

