// Per-minute caches of liq:top and liq:big for dashboards that refresh every few seconds. A minute is re-read only
// when its ALL bucket changed (bucketVersion): the engine writes a minute's bucket, top and big in one atomic
// Lua script, so an unchanged bucket means unchanged top and big sets. The window's symbol sums are kept
// incrementally (minutes leaving the window are subtracted), so a refresh costs the changed minutes, not the window.
import { addExact } from './bucket.js';

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

export interface BigMinute {
  readonly version: string;
  /** Whether every member was read (needed for one symbol) or only the largest. */
  readonly full: boolean;
  /** [member, value_cents], largest first. */
  readonly members: readonly (readonly [string, number])[];
}

export class BigCache {
  private readonly minutes = new Map<number, BigMinute>();

  get(start: number): BigMinute | undefined {
    return this.minutes.get(start);
  }

  set(start: number, entry: BigMinute): void {
    this.minutes.set(start, entry);
  }

  retain(starts: ReadonlySet<number>): void {
    for (const start of [...this.minutes.keys()]) if (!starts.has(start)) this.minutes.delete(start);
  }
}

/** What a refreshing dashboard keeps between refreshes (one per process; --once uses none). */
export class SnapshotCache {
  readonly top = new TopCache();
  readonly big = new BigCache();
}
