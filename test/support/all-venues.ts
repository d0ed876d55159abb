// The workload of the every-venue daemon test (test/integration/all-venues.test.ts): a small synthetic market listed
// on every registered venue through its synth hooks, liquidations on every listing (both sides) in three phases that
// never share a frame (a burst, garbage, a listing added after start), Hyperliquid node-file lines beside them, and
// the buckets they must give, worked out here from the liquidations' own prices and sizes and each listing's unit,
// never through a parser.
import { type Decimal, mul, parseDecimal, toScaled } from '../../src/core/decimal.js';
import { blockLine, liquidationTrade, nodeFill } from '../../src/venues/hyperliquid/frames.js';
import { HYPERLIQUID } from '../../src/venues/hyperliquid/parser.js';
import { ADAPTERS, adapterOfFeed } from '../../src/venues/registry.js';
import { DELIVERY, type StandinOptions } from '../../src/venues/standin/index.js';
import type { SynthCoin, SynthFrame, SynthLiq, SynthListing } from '../../src/venues/synth-types.js';
import { mulberry32 } from '../../scripts/lib/prng.js';

/** The market at start: the two coins with dated futures and inverse listings everywhere, and two more. */
export const COINS: readonly SynthCoin[] = [
  { base: 'BTC', rank: 0, price: 60_000 },
  { base: 'ETH', rank: 1, price: 3_000 },
  { base: 'SOL', rank: 2, price: 150 },
  { base: 'XRP', rank: 3, price: 2.5 },
];
/** Listed after the daemon started (rank 4: inverse listings on the venues that list the top five). */
export const NEW_COIN: SynthCoin = { base: 'NOVA', rank: 4, price: 4.2 };

export type Phase = 'burst' | 'garbage' | 'fresh';
const PHASES: readonly Phase[] = ['burst', 'garbage', 'fresh'];
/**
 * Where each phase's liquidations sit after t0, ms. Every venue groups a frame's liquidations within at most a second,
 * so phases tens of seconds apart never share a frame, and a frame's receive time tells its phase.
 */
const PHASE_AT: Record<Phase, number> = { burst: 0, garbage: 30_000, fresh: 60_000 };
const PHASE_CUT: Record<Phase, number> = { burst: 25_000, garbage: 57_000, fresh: Infinity };
/** The short side of a listing this long after its long side: the two are never in the same second. */
const SHORT_AFTER_MS = 1_500;

/** One liquidation and the exchange whose bucket fields it lands in. */
export interface Counted {
  readonly exchange: string;
  readonly liq: SynthLiq;
}

export interface VenuePlan {
  readonly exchange: string;
  readonly liqs: Record<Phase, SynthLiq[]>;
  /** The venue's frames of each phase, from its own synth hooks. */
  readonly frames: Record<Phase, SynthFrame[]>;
}

export interface Workload {
  readonly t0: number;
  /** Every venue's stand-in options for COINS, merged. */
  readonly initial: StandinOptions;
  /** The same with NEW_COIN listed. */
  readonly listed: StandinOptions;
  readonly venues: VenuePlan[];
  /** Hyperliquid's liquidations per phase ('garbage' holds none) and the node-file lines that carry them. */
  readonly hyperliquid: { liqs: Record<Phase, SynthLiq[]>; lines: Record<Phase, string[]> };
}

const exchangeOf = (l: SynthListing) => (l.venue === HYPERLIQUID ? HYPERLIQUID : adapterOfFeed(l.venue)!.exchange);

/** The k-th liquidation of the workload: a few hundred dollars at about the listing's price, its size and price set by k. */
function liqOf(listing: SynthListing, ts: number, long: boolean, k: number): SynthLiq {
  const price = (listing.coin.price * listing.mult * (1 + (k % 17) * 0.0003)).toFixed(listing.priceDecimals);
  const usd = 250 + 13.7 * k;
  const n = Number(price);
  let size: string;
  switch (listing.size.kind) {
    case 'usd':
      size = String(Math.round(usd));
      break;
    case 'base':
      size = Math.max(10 ** -listing.size.decimals, usd / n).toFixed(listing.size.decimals);
      break;
    case 'contracts': {
      const c = listing.size.of === 'usd' ? usd / listing.size.per : usd / n / listing.size.per;
      size = Math.max(10 ** -listing.size.decimals, c).toFixed(listing.size.decimals);
    }
  }
  return { listing, ts, long, price, size };
}

/** Builds everything from t0 (the clock at run time, a couple of minutes back). */
export function buildWorkload(t0: number): Workload {
  const rnd = mulberry32(0xa11e);
  const initial: StandinOptions = {};
  const listed: StandinOptions = {};
  const venues: VenuePlan[] = [];
  let k = 0; // a listing's place in the burst: its liquidations' time
  let g = 0; // a garbage liquidation's place
  let f = 0;
  for (const adapter of ADAPTERS) {
    if (adapter.synth === undefined) continue;
    Object.assign(initial, adapter.synth.market(COINS, { delivery: DELIVERY.ms }).standin);
    const market = adapter.synth.market([...COINS, NEW_COIN], { delivery: DELIVERY.ms });
    Object.assign(listed, market.standin);
    const liqs: Record<Phase, SynthLiq[]> = { burst: [], garbage: [], fresh: [] };
    const garbageFeeds = new Set<string>();
    for (const listing of market.listings) {
      const fresh = listing.coin === NEW_COIN;
      const i = fresh ? f++ : k++;
      const at = t0 + PHASE_AT[fresh ? 'fresh' : 'burst'] + 10 * i;
      const phase = fresh ? liqs.fresh : liqs.burst;
      phase.push(liqOf(listing, at, true, i), liqOf(listing, at + SHORT_AFTER_MS, false, i + 50));
      if (!fresh && !garbageFeeds.has(listing.venue)) {
        // one liquidation per feed to send without its price
        garbageFeeds.add(listing.venue);
        liqs.garbage.push(liqOf(listing, t0 + PHASE_AT.garbage + 1_000 * g++, listing.coin.rank % 2 === 0, i + 100));
      }
    }
    if (k * 10 >= SHORT_AFTER_MS || f * 10 >= SHORT_AFTER_MS || g * 1_000 >= PHASE_CUT.garbage - PHASE_AT.garbage - 2_000) {
      throw new Error('the workload outgrew its time slots: widen them');
    }
    for (const p of PHASES) liqs[p].sort((a, b) => a.ts - b.ts);
    // One call over every phase, as the sample generator makes it: a venue's own ids (trade ids) never repeat.
    const all = PHASES.flatMap((p) => liqs[p]).sort((a, b) => a.ts - b.ts);
    const frames: Record<Phase, SynthFrame[]> = { burst: [], garbage: [], fresh: [] };
    for (const fr of adapter.synth.frames(all, rnd)) frames[PHASES.find((p) => fr.t < t0 + PHASE_CUT[p])!].push(fr);
    for (const p of PHASES) {
      const carried = frames[p].reduce((s, fr) => s + fr.events, 0);
      if (carried !== liqs[p].length) throw new Error(`${adapter.exchange} ${p}: frames carry ${carried} liquidations, not ${liqs[p].length}`);
    }
    venues.push({ exchange: adapter.exchange, liqs, frames });
  }
  return { t0, initial, listed, venues, hyperliquid: hyperliquidOf(t0) };
}

const HL_USER = '0x31ca8395cf837de08b24da3f660e77761dfb974b';
const HL_MAKER = '0x010461c14e146ac35fe42271bdc1134ee31c703a';
const hlListing = (coin: SynthCoin, decimals: number): SynthListing => ({ venue: HYPERLIQUID, name: coin.base, coin, mult: 1, priceDecimals: 1, size: { kind: 'base', decimals }, weight: 1 });

/** A node-file line (one block) holding a liquidation of HL_USER and an ordinary fill of the counterparty. */
function hlLine(l: SynthLiq, tid: number): string {
  const trade = liquidationTrade({ liquidated: HL_USER, counterparty: HL_MAKER, coin: l.listing.name, px: l.price, sz: l.size, side: l.long ? 'A' : 'B', time: l.ts, tid });
  return blockLine([...trade, nodeFill({ user: HL_MAKER, coin: 'BTC', px: '1', sz: '1', side: 'B', time: l.ts, tid: tid + 1_000_000 })], { block: tid });
}

function hyperliquidOf(t0: number): Workload['hyperliquid'] {
  const at = t0 + 3_000; // after every venue's burst slot, before the garbage
  const burst = [
    { listing: hlListing(COINS[0], 5), ts: at, long: true, price: '60000.5', size: '0.25' },
    { listing: hlListing(COINS[0], 5), ts: at + 100, long: false, price: '60010', size: '0.1' },
    { listing: hlListing(COINS[1], 4), ts: at + 200, long: true, price: '2500.1', size: '3.3333' },
    { listing: hlListing(COINS[2], 2), ts: at + 300, long: false, price: '150.123', size: '7.77' },
  ];
  const fresh = [
    { listing: hlListing(NEW_COIN, 1), ts: t0 + PHASE_AT.fresh + 3_000, long: true, price: '4.2001', size: '123.4' },
    { listing: hlListing(NEW_COIN, 1), ts: t0 + PHASE_AT.fresh + 3_100, long: false, price: '4.1999', size: '55.5' },
  ];
  return {
    liqs: { burst, garbage: [], fresh },
    lines: { burst: burst.map((l, i) => hlLine(l, 9_000_001 + i)), garbage: [], fresh: fresh.map((l, i) => hlLine(l, 9_100_001 + i)) },
  };
}

/** Hyperliquid lines that must be rejected: not JSON, not an object, a liquidation fill without its price. */
export function hyperliquidGarbage(t0: number): string[] {
  const trade = liquidationTrade({ liquidated: HL_USER, counterparty: HL_MAKER, coin: 'BTC', px: '60000', sz: '0.5', side: 'A', time: t0 + PHASE_AT.garbage, tid: 9_200_001 });
  delete trade[0][1].px;
  return ['garbage {', '42', blockLine(trade, { block: 9_200_001 })];
}

/** An ordinary block with no liquidation: a node writes many a second, which keeps the tail `open`. */
export function hyperliquidQuietLine(ts: number, n: number): string {
  return blockLine([nodeFill({ user: HL_MAKER, coin: 'ETH', px: '3000', sz: '1', side: 'B', time: ts, tid: 9_300_000 + n })], { block: 9_300_000 + n });
}

/** Every liquidation of a phase, with its exchange. */
export function countedOf(w: Workload, phase: Phase): Counted[] {
  const out: Counted[] = [];
  for (const v of w.venues) for (const liq of v.liqs[phase]) out.push({ exchange: v.exchange, liq });
  for (const liq of w.hyperliquid.liqs[phase]) out.push({ exchange: HYPERLIQUID, liq });
  for (const c of out) if (exchangeOf(c.liq.listing) !== c.exchange) throw new Error(`${c.liq.listing.venue} is not ${c.exchange}`);
  return out;
}

function dec(text: string): Decimal {
  const d = parseDecimal(text);
  if (d === undefined) throw new Error(`not a plain decimal: ${text}`);
  return d;
}

/** A contract size as exact decimal text (the synth hooks keep them to short decimals). */
function perOf(per: number): Decimal {
  const text = String(per);
  if (text.includes('e')) throw new Error(`contract size ${per} has no plain decimal text`);
  return dec(text);
}

/**
 * The liquidation's USD value in cents, from the unit of its listing's size field, exactly, rounded half-up:
 * base: price × size; usd: size; contracts of base: size × per × price; contracts of usd: size × per.
 */
export function centsOf(l: SynthLiq): bigint {
  const price = dec(l.price);
  const size = dec(l.size);
  const unit = l.listing.size;
  switch (unit.kind) {
    case 'base':
      return toScaled(mul(price, size), 2);
    case 'usd':
      return toScaled(size, 2);
    case 'contracts':
      return toScaled(unit.of === 'base' ? mul(mul(size, perOf(unit.per)), price) : mul(size, perOf(unit.per)), 2);
  }
}

/** The fields of the ALL bucket these liquidations make (summed over the minutes), zero fields left out. */
export function expectedAll(counted: readonly Counted[]): Record<string, string> {
  const sums = new Map<string, bigint>();
  const add = (field: string, v: bigint) => sums.set(field, (sums.get(field) ?? 0n) + v);
  for (const { exchange, liq } of counted) {
    const cents = centsOf(liq);
    const side = liq.long ? 'long' : 'short';
    for (const prefix of ['', `${exchange}_`]) {
      add(`${prefix}count`, 1n);
      add(`${prefix}${side}_count`, 1n);
      add(`${prefix}value_cents`, cents);
      add(`${prefix}${side}_value_cents`, cents);
    }
  }
  return Object.fromEntries([...sums].filter(([, v]) => v !== 0n).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, String(v)]));
}

/** Per feed, the subscriptions (routes) a client must hold to receive these frames. */
export function routesOf(frames: readonly SynthFrame[]): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const f of frames) {
    let set = out.get(f.venue);
    if (set === undefined) out.set(f.venue, (set = new Set()));
    set.add(f.route);
  }
  return out;
}

/**
 * The frame with its liquidation's price taken out: object fields holding it deleted, array slots holding it nulled
 * (Bitfinex rows are arrays). The rest of the frame keeps its shape, so it is routed and parsed as a liquidation.
 */
export function withoutPrice(frame: string, price: string): string {
  let removed = 0;
  const isPrice = (v: unknown) => (typeof v === 'string' && v === price) || (typeof v === 'number' && v === Number(price));
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        if (isPrice(v[i])) {
          v[i] = null;
          removed++;
        } else walk(v[i]);
      }
    } else if (typeof v === 'object' && v !== null) {
      const o = v as Record<string, unknown>;
      for (const key of Object.keys(o)) {
        if (isPrice(o[key])) {
          delete o[key];
          removed++;
        } else walk(o[key]);
      }
    }
  };
  const json: unknown = JSON.parse(frame);
  walk(json);
  if (removed === 0) throw new Error(`no price ${price} in ${frame}`);
  return JSON.stringify(json);
}
