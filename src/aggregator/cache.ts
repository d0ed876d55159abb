// Per-minute caches of liq:top and liq:big for dashboards that refresh every few seconds. A minute is re-read only
// when its ALL bucket changed (bucketVersion): the engine writes a minute's bucket, top and big in one atomic
// Lua script, so an unchanged bucket means unchanged top and big sets. The window's symbol sums are kept
// incrementally (minutes leaving the window are subtracted), so a refresh costs the changed minutes, not the window.
import { type Bucket, addExact } from './bucket.js';
import type { Resolution } from '../core/keys.js';
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

/** The per-period caches of one resolution's indexes (liq:top, liq:big) and coin buckets. */
export class IndexCaches {
  /** Symbol sums of the periods from liq:top. */
  readonly top = new TopCache();
  /** Every member of each period's liq:big, parsed. */
  readonly big = new MinuteCache<readonly BigItem[]>();
  /** Symbol sums over the chosen exchanges (read from the symbol buckets), for one set of exchanges. */
  exchangeTop: { key: string; cache: TopCache } | undefined;
  /** A coin's bucket per period (the sum of its symbols' buckets), for one coin. */
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

/**
 * Minute buckets kept per hour under the version of the hour's ALL rollup: the engine writes a minute and its hour
 * in one atomic step, so while the hour's version is unchanged none of its minutes changed, and a refresh of a 24h
 * window reads again only the minutes of the hours that changed (the current one, mostly).
 */
export class HourMinutes {
  private key = '';
  private readonly hours = new Map<number, { version: string; minutes: Map<number, Bucket> }>();

  /** The cache of one symbol, coin or the market (another key empties it). */
  forKey(key: string): this {
    if (key !== this.key) {
      this.key = key;
      this.hours.clear();
    }
    return this;
  }

  get(hour: number, version: string): Map<number, Bucket> | undefined {
    const h = this.hours.get(hour);
    return h !== undefined && h.version === version ? h.minutes : undefined;
  }

  set(hour: number, version: string, minutes: Map<number, Bucket>): void {
    this.hours.set(hour, { version, minutes });
  }

  retain(hours: ReadonlySet<number>): void {
    for (const h of [...this.hours.keys()]) if (!hours.has(h)) this.hours.delete(h);
  }
}

/** What a refreshing dashboard keeps between refreshes (one per process; --once uses none): the minutes' index
 *  caches (its own fields), the hours' and the days' (long windows, and the whole hours of windows of 4h and more),
 *  and minute buckets per hour. */
export class SnapshotCache extends IndexCaches {
  readonly hours = new IndexCaches();
  readonly days = new IndexCaches();
  readonly minutesByHour = new HourMinutes();
  /** liq:down marks of minutes that can no longer change (read.ts readDown). */
  readonly down = new Map<number, string[]>();

  level(res: Resolution): IndexCaches {
    return res === '60s' ? this : res === '1h' ? this.hours : this.days;
  }
}
