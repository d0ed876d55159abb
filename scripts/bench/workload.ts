// The benchmark's workload: pre-built frames in the exchanges' wire formats, over every registered venue in
// proportion to its share (each venue's synth hooks, src/venues/<exchange>/synth.ts), spread over many symbols and
// ~10 minutes of the last hour. Every event has a distinct identity (ts, price and size vary), so nothing is a
// duplicate. Also: the instrument metadata the stand-ins serve, and the same metadata as the parsers' lookups (read
// through the daemon's own loaders from stand-ins serving it), so the benchmark can parse frames itself.
import { minuteOf } from '../../src/core/keys.js';
import type { ParseResult, Venue } from '../../src/core/parse.js';
import { ADAPTERS, FEEDS } from '../../src/venues/registry.js';
import { startStandins } from '../../src/venues/standin/index.js';
import type { StandinOptions } from '../../src/venues/standin/types.js';
import { type SynthCoin, type SynthFrame, type SynthLiq, type SynthListing, type SynthMarket, fixedUnits, sizeForLots } from '../../src/venues/synth-types.js';
import { letters } from '../../src/venues/standin/fixtures.js';
import { type Lookups, lookupsFrom } from '../lib/meta.js';
import { mulberry32 } from '../lib/prng.js';

export const RETENTION_MS = 168 * 3_600_000;

export interface Frame {
  readonly venue: Venue;
  readonly text: string;
  /** Liquidations in the frame. */
  readonly events: number;
  /** Where the frame goes: a topic or channel key, '' for every connection (the venue's capture hooks). */
  readonly route: string;
}

export interface Sample {
  /** Index of the frame in Workload.frames. */
  readonly frame: number;
  readonly venue: Venue;
  /**
   * Minute and id of the frame's last event: it is in that minute's liq:seen once written (same atomic script as its
   * bucket). The key is built when probing, through core/keys.ts, in the layout of the Redis probed.
   */
  readonly minute: number;
  readonly id: string;
  /**
   * The event is identified by the exchange's own id and timed by its receive time, so its minute (and liq:seen key)
   * is the daemon's to decide: it is looked up in liq:ids instead, written by the same script.
   */
  readonly byId: boolean;
}

export interface Workload {
  readonly frames: Frame[];
  readonly events: number;
  readonly samples: Sample[];
  readonly bytes: number;
  /** The earliest event time (ms): with the receive times of own-id events, the UTC days the log gets entries in. */
  readonly fromTs: number;
}

export interface Universe {
  readonly standins: StandinOptions;
  /** Per venue (adapter, in registry order): its market. */
  readonly markets: ReadonlyArray<{ readonly exchange: string; readonly market: SynthMarket; readonly cum: number[] }>;
  /** Parser lookups, per feed, built by the daemon's own loaders from stand-ins serving the universe's metadata. */
  readonly lookups: Lookups;
}

const DELIVERY = Date.UTC(2030, 11, 27, 8);
/** The venues that take part in synthetic workloads (every WebSocket venue). */
const SYNTH = ADAPTERS.flatMap((adapter) => (adapter.synth ? [{ adapter, synth: adapter.synth }] : []));

/**
 * 250 coins: the majors with their prices, then a long tail (QA, QB, …) between 0.05 and 40 USD. No coin below a
 * cent: sizes up to 20,000 steps of a sub-cent coin carry a minute's qty_e8 past 2^63 (refused as out_of_range),
 * which a throughput benchmark should not measure.
 */
function coins(): SynthCoin[] {
  const majors: Array<[string, number]> = [['BTC', 61_000], ['ETH', 3_100], ['SOL', 150], ['XRP', 0.6], ['DOGE', 0.15], ['1000PEPE', 0.012]];
  const out: SynthCoin[] = majors.map(([base, price], rank) => ({ base, rank, price }));
  const r = mulberry32(99);
  for (let i = 0; out.length < 250; i++) out.push({ base: `Q${letters(i)}`, rank: out.length, price: 0.05 + r() * 40 });
  return out;
}

function cumulative(weights: readonly number[]): number[] {
  let s = 0;
  return weights.map((w) => (s += w));
}

function pick<T>(items: readonly T[], cum: readonly number[], r: () => number): T {
  const x = r() * cum[cum.length - 1];
  let lo = 0;
  let hi = cum.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cum[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return items[lo];
}

/** The venues a workload can take (every WebSocket venue with synth hooks). */
export function synthExchanges(): string[] {
  return SYNTH.map((s) => s.adapter.exchange);
}

/** The markets of every synth venue, or of `only` (their exchange names). */
export async function buildUniverse(only?: readonly string[]): Promise<Universe> {
  const list = coins();
  const markets = SYNTH.filter((s) => only === undefined || only.includes(s.adapter.exchange)).map(({ adapter: a, synth }) => {
    const market = synth.market(list, { delivery: DELIVERY });
    return { exchange: a.exchange, market, cum: cumulative(market.listings.map((l) => l.weight)) };
  }).filter((m) => m.market.listings.length > 0);
  const standins: StandinOptions = Object.assign({}, ...markets.map((m) => m.market.standin));
  const served = await startStandins(standins);
  try {
    return { standins, markets, lookups: await lookupsFrom(served.env) };
  } finally {
    await served.close();
  }
}

const EMPTY = new Map<string, never>();

/** The daemon's parser for a venue's frames, with the universe's metadata. */
export function parserFor(u: Universe, venue: Venue): (text: string, receivedAt: number) => ParseResult {
  const feed = FEEDS.find((f) => f.feed.venue === venue)?.feed;
  if (feed === undefined) throw new Error(`no feed named ${venue}`);
  const meta = u.lookups.get(venue) ?? EMPTY;
  return (text, receivedAt) => feed.parse(text, { receivedAt, retentionMs: RETENTION_MS }, meta);
}

function priceText(l: SynthListing, r: () => number): string {
  const scale = 10 ** l.priceDecimals;
  return fixedUnits(Math.max(1, Math.round(l.coin.price * l.mult * (1 + (r() - 0.5) * 0.04) * scale)), l.priceDecimals);
}

export interface WorkloadOptions {
  /** Liquidations in total. */
  events: number;
  /** Roughly how many frames to sample for latency (spread evenly over the run). */
  samples?: number;
  /** Timestamps run from now − spanMs − endAgoMs to now − endAgoMs, in frame order (default 10 min ending 2 min ago). */
  spanMs?: number;
  endAgoMs?: number;
  seed?: number;
  now?: number;
}

/**
 * Builds `events` liquidations as frames. Identity uniqueness: the size of event i is (1 + (i·7919 mod 20000)) of the
 * size field's smallest step, and ts advances with i, so two events of one symbol with equal sizes are ≥ 20000 events
 * apart in ts order — seconds apart, beyond the ±300 ms jitter — and never share (ts, size).
 */
export function buildWorkload(u: Universe, opts: WorkloadOptions): Workload {
  const now = opts.now ?? Date.now();
  const spanMs = opts.spanMs ?? 10 * 60_000;
  const endAgo = opts.endAgoMs ?? 2 * 60_000;
  const t0 = now - endAgo - spanMs;
  const total = opts.events;
  const r = mulberry32(opts.seed ?? 42);
  const synthOf = (exchange: string) => SYNTH.find((v) => v.adapter.exchange === exchange)!.synth;
  const venueCum = cumulative(u.markets.map((m) => synthOf(m.exchange).share));
  const liqs = u.markets.map(() => [] as SynthLiq[]);
  let fromTs = Infinity;
  for (let i = 0; i < total; i++) {
    const k = u.markets.indexOf(pick(u.markets, venueCum, r));
    const m = u.markets[k];
    const listing = pick(m.market.listings, m.cum, r);
    const ts = Math.round(t0 + (i / Math.max(1, total)) * spanMs + (r() - 0.5) * 600);
    if (ts < fromTs) fromTs = ts;
    liqs[k].push({ listing, ts, long: r() < 0.5, price: priceText(listing, r), size: sizeForLots(listing.size, 1 + ((i * 7919) % 20_000)) });
  }
  const built: SynthFrame[] = [];
  u.markets.forEach((m, k) => {
    liqs[k].sort((a, b) => a.ts - b.ts);
    for (const f of synthOf(m.exchange).frames(liqs[k], r)) built.push(f);
  });
  built.sort((a, b) => a.t - b.t);
  const frames: Frame[] = built.map((f) => ({ venue: f.venue, text: f.frame, events: f.events, route: f.route }));

  // Samples: about opts.samples frames, evenly spaced in event count; the id of each frame's last event.
  const samples: Sample[] = [];
  const want = Math.max(1, opts.samples ?? 1000);
  const every = Math.max(1, Math.floor(total / want));
  const parsers = new Map<Venue, ReturnType<typeof parserFor>>();
  let seen = 0;
  let next = 0;
  let bytes = 0;
  for (let f = 0; f < frames.length; f++) {
    const fr = frames[f];
    bytes += Buffer.byteLength(fr.text);
    seen += fr.events;
    if (seen <= next) continue;
    next += every;
    let parse = parsers.get(fr.venue);
    if (!parse) parsers.set(fr.venue, (parse = parserFor(u, fr.venue)));
    const res = parse(fr.text, now);
    const last = res.events[res.events.length - 1];
    if (res.events.length !== fr.events || last === undefined) {
      throw new Error(`workload: a ${fr.venue} frame does not parse to ${fr.events} events: ${JSON.stringify(res.rejections[0] ?? res.missing)}`);
    }
    samples.push({ frame: f, venue: fr.venue, minute: minuteOf(last.ts), id: last.id, byId: last.byId === true });
  }
  return { frames, events: total, samples, bytes, fromTs: Number.isFinite(fromTs) ? fromTs : t0 };
}
