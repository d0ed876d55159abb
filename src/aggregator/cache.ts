// Per-minute caches of liq:top and liq:big for dashboards that refresh every few seconds. A minute is re-read only
// when its ALL bucket changed (bucketVersion): the engine writes a minute's bucket, top and big in one atomic
// Lua script, so an unchanged bucket means unchanged top and big sets. The window's symbol sums are kept
// incrementally (minutes leaving the window are subtracted), so a refresh costs the changed minutes, not the window.
import { type Bucket, addExact } from './bucket.js';
import type { BigItem } from './indexes.js';

export interface TopMinute {
  readonly version: string;
  readonly members: readonly (readonly [string, number])[];
}

export class TopCache {
  private readonly minutes = new Map<number, TopMinute>();
  private readonly sums = new Map<string, number>();

  get(start: number): TopMinute | undefined {
    return this.minutes.get(start);
  }

  /** Keeps only the given minutes. */
  retain(starts: ReadonlySet<number>): void {
    for (const start of [...this.minutes.keys()]) if (!starts.has(start)) this.delete(start);
  }

  set(start: number, entry: TopMinute): void {
    this.delete(start);
    this.minutes.set(start, entry);
    for (const [sym, v] of entry.members) this.sums.set(sym, addExact(this.sums.get(sym) ?? 0, v));
  }

  /** Symbol → cents over the cached minutes. */
  totals(): ReadonlyMap<string, number> {
    return this.sums;
  }

  private delete(start: number): void {
    const old = this.minutes.get(start);
    if (!old) return;
    this.minutes.delete(start);
    for (const [sym, v] of old.members) {
      const left = (this.sums.get(sym) ?? 0) - v;
      if (left === 0) this.sums.delete(sym);
      else this.sums.set(sym, left);
    }
  }
}

/** One minute's value, with the version of its ALL bucket when it was read. */
export interface Versioned<T> {
  readonly version: string;
  readonly value: T;
}

/** Per-minute values (a minute's largest liquidations, a coin's bucket): re-read only when the minute changed. */
export class MinuteCache<T> {
  private readonly minutes = new Map<number, Versioned<T>>();

  get(start: number): Versioned<T> | undefined {
    return this.minutes.get(start);
  }

  set(start: number, version: string, value: T): void {
    this.minutes.set(start, { version, value });
  }

  retain(starts: ReadonlySet<number>): void {
    for (const start of [...this.minutes.keys()]) if (!starts.has(start)) this.minutes.delete(start);
  }
}

/** What a refreshing dashboard keeps between refreshes (one per process; --once uses none). */
export class SnapshotCache {
  /** Symbol sums of the window from liq:top. */
  readonly top = new TopCache();
  /** Every member of each minute's liq:big, parsed. */
  readonly big = new MinuteCache<readonly BigItem[]>();
  /** Symbol sums over the chosen exchanges (read from the symbol buckets), for one set of exchanges. */
  exchangeTop: { key: string; cache: TopCache } | undefined;
  /** A coin's bucket per minute (the sum of its symbols' buckets), for one coin. */
  coinBuckets: { coin: string; cache: MinuteCache<Bucket> } | undefined;

  topFor(exchanges: readonly string[]): TopCache {
    const key = [...exchanges].sort().join(',');
    if (this.exchangeTop?.key !== key) this.exchangeTop = { key, cache: new TopCache() };
    return this.exchangeTop.cache;
  }

  bucketsFor(coin: string): MinuteCache<Bucket> {
    if (this.coinBuckets?.coin !== coin) this.coinBuckets = { coin, cache: new MinuteCache<Bucket>() };
    return this.coinBuckets.cache;
  }
}
