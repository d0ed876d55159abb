// Synthetic markets and frames: how a venue lists a set of coins and how it pushes liquidations, in its own wire
// format. The sample generator (scripts/gen-sample.ts) and the benchmark workload (scripts/bench/workload.ts) build
// their liquidations over every registered venue through these hooks, so a new venue joins both by its folder alone.
import type { StandinOptions } from './standin/types.js';

/** A coin of the synthetic market: its rank (0 = most traded) and its price in USD. */
export interface SynthCoin {
  readonly base: string;
  readonly rank: number;
  readonly price: number;
}

/** What a venue's size field counts. */
export type SizeUnit =
  /** the base quantity, with this many decimals */
  | { readonly kind: 'base'; readonly decimals: number }
  /** USD (contracts of 1 USD) */
  | { readonly kind: 'usd' }
  /** contracts of `per` base coins (linear) or `per` USD (inverse), with this many decimals */
  | { readonly kind: 'contracts'; readonly of: 'base' | 'usd'; readonly per: number; readonly decimals: number };

/** An instrument of a venue in the synthetic market. */
export interface SynthListing {
  /** The feed that carries it. */
  readonly venue: string;
  /** The instrument's name as the venue spells it. */
  readonly name: string;
  readonly coin: SynthCoin;
  /** Price multiplier (1000 for 1000PEPEUSDT). */
  readonly mult: number;
  readonly priceDecimals: number;
  readonly size: SizeUnit;
  /** How often it is picked relative to the venue's other listings (dated futures and USDC perpetuals less). */
  readonly weight: number;
  /** A grouping key the venue's frames use (OKX instType). */
  readonly group?: string;
}

/** One liquidation to put in a frame: the listing, when, which side, and the price and size as the venue writes them. */
export interface SynthLiq {
  readonly listing: SynthListing;
  readonly ts: number;
  readonly long: boolean;
  readonly price: string;
  readonly size: string;
}

export interface SynthFrame {
  /** When the frame is received (a capture's t). */
  readonly t: number;
  readonly venue: string;
  readonly frame: string;
  /** Liquidations in it. */
  readonly events: number;
  /** What it is routed by (CaptureHooks.routeOf). */
  readonly route: string;
}

export interface SynthMarket {
  readonly listings: readonly SynthListing[];
  /** The metadata as the venue's REST answers it, by feed: a capture's meta.rest. */
  readonly rest: Readonly<Record<string, unknown>>;
  /** The same metadata as stand-in options. */
  readonly standin: StandinOptions;
}

export interface SynthHooks {
  /** Relative share of the market's liquidations the venue carries in samples and benchmarks. */
  readonly share: number;
  /** At most one liquidation per symbol per second reaches the stream (Binance, Aster): the generators drop the rest. */
  readonly onePerSymbolSecond?: boolean;
  /** The venue's listings of these coins; dated futures deliver at `delivery`. */
  market(coins: readonly SynthCoin[], opts: { readonly delivery: number }): SynthMarket;
  /** The venue's frames for these liquidations (in time order), grouped as the venue pushes them. */
  frames(liqs: readonly SynthLiq[], rnd: () => number): SynthFrame[];
}

/** Decimal text of an integer number of 10^-decimals units. */
export function fixedUnits(units: number, decimals: number): string {
  if (decimals === 0) return String(units);
  const s = String(units).padStart(decimals + 1, '0');
  return `${s.slice(0, s.length - decimals)}.${s.slice(s.length - decimals)}`;
}

/** The size field for a position of about `usd` dollars at `price` (at least one unit of the field). */
export function sizeForUsd(size: SizeUnit, usd: number, price: number): string {
  switch (size.kind) {
    case 'usd':
      return String(Math.max(1, Math.round(usd)));
    case 'base':
      return Math.max(10 ** -size.decimals, usd / price).toFixed(size.decimals);
    case 'contracts': {
      const n = size.of === 'usd' ? usd / size.per : usd / price / size.per;
      return Math.max(10 ** -size.decimals, n).toFixed(size.decimals);
    }
  }
}

/** The size field for `lots` of the field's smallest step (distinct lots give distinct texts). */
export function sizeForLots(size: SizeUnit, lots: number): string {
  return size.kind === 'usd' ? String(lots) : fixedUnits(lots, size.decimals);
}

/** The step of a number of decimals: 2 → "0.01", 0 → "1". */
export const stepOf = (decimals: number) => (decimals === 0 ? '1' : (10 ** -decimals).toFixed(decimals));
/** Price decimals that keep about five significant digits. */
export const priceDecimalsFor = (p: number) => Math.min(10, Math.max(1, 5 - Math.floor(Math.log10(p))));
/** Base-quantity decimals for a coin of this price (more for cheap coins: none below 10 USD). */
export const qtyDecimalsFor = (p: number) => Math.min(3, Math.max(0, Math.floor(Math.log10(p)) - 1));
/** Receive latency of a frame, ms: a few ms, now and then more. */
export const latencyMs = (rnd: () => number) => 3 + Math.floor(8 / Math.pow(Math.max(rnd(), 1e-12), 1 / 2.5));

/** Groups liquidations by key (in order), each group cut into chunks of at most `max` (a venue's push size). */
export function groupsOf<T>(items: readonly T[], key: (item: T) => string, max: number): T[][] {
  const groups = new Map<string, T[][]>();
  for (const item of items) {
    const k = key(item);
    let chunks = groups.get(k);
    if (chunks === undefined) groups.set(k, (chunks = [[]]));
    if (chunks[chunks.length - 1].length >= max) chunks.push([]);
    chunks[chunks.length - 1].push(item);
  }
  return [...groups.values()].flat();
}
