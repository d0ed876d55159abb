#!/usr/bin/env node
// node dist/scripts/gen-sample.js [out]   (default samples/cascade.ndjson.gz)
// Generates the sample capture: about ten minutes of a liquidation cascade on every registered venue, in their wire
// formats (each venue's synth hooks, src/venues/<exchange>/synth.ts), with the instrument metadata of a few hundred
// symbols in its first line. A seeded PRNG and a fixed start time make it deterministic: the same bytes on every run.
//   - waves of forced selling (bursts), mostly longs liquidated, a relief bounce in the middle that hits shorts;
//   - heavy-tailed sizes (Pareto: most a few hundred dollars, a handful in the millions);
//   - venues that push at most one liquidation per symbol per second (Binance) keep to it;
//   - venues that batch (Bybit, OKX) carry several liquidations per frame, as they push them.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { ADAPTERS } from '../src/venues/registry.js';
import { type SynthCoin, type SynthFrame, type SynthLiq, type SynthListing, sizeForUsd } from '../src/venues/synth-types.js';
import { CAPTURE_FORMAT, frameLine, metaLine, type CaptureFrame, type CaptureMeta } from './lib/capture.js';
import { mulberry32 } from './lib/prng.js';

/** 2026-10-09T13:30:00Z: the sample's first second. */
export const SAMPLE_START = Date.UTC(2026, 9, 9, 13, 30, 0);
const DURATION_S = 600;
const SEED = 0x11d5eed;
/**
 * 2026-12-25T08:00:00Z: the quarterly delivery of the sample's dated futures, fixed because the sample is a
 * recording-like capture of 2026-10-09 and must regenerate byte for byte (the stand-ins' own fixtures take the next
 * delivery after now: src/venues/standin/fixtures.ts).
 */
const DEC_25_2026 = 1798185600000;

// ------------------------------------------------------------------------------------------------ PRNG

const prng = mulberry32;
let rnd = prng(SEED);
const uniform = (a: number, b: number) => a + (b - a) * rnd();
const gauss = () => {
  const u = Math.max(rnd(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rnd());
};
function poisson(mean: number): number {
  if (mean <= 0) return 0;
  if (mean > 30) return Math.max(0, Math.round(mean + Math.sqrt(mean) * gauss()));
  const l = Math.exp(-mean);
  let k = 0;
  let p = 1;
  do {
    k++;
    p *= rnd();
  } while (p > l);
  return k - 1;
}
/** Pareto(xm, alpha): most values near xm, a heavy tail. */
const pareto = (xm: number, alpha: number) => xm / Math.pow(Math.max(rnd(), 1e-12), 1 / alpha);
function pickWeighted<T>(items: readonly T[], cumulative: readonly number[]): T {
  const x = rnd() * cumulative[cumulative.length - 1];
  let lo = 0;
  let hi = cumulative.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cumulative[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return items[lo];
}
function cumulativeOf(weights: readonly number[]): number[] {
  let s = 0;
  return weights.map((w) => (s += w));
}

// ------------------------------------------------------------------------------------------------ the market

/** Base coins with a price at the start, most traded first. */
const REAL: Array<[string, number]> = [
  ['BTC', 97000], ['ETH', 3400], ['SOL', 190], ['XRP', 2.4], ['DOGE', 0.34], ['BNB', 680], ['ADA', 0.95], ['SUI', 4.1],
  ['PEPE', 0.000018], ['AVAX', 38], ['LINK', 22], ['HYPE', 26], ['WIF', 2.1], ['TRX', 0.24], ['LTC', 105], ['TON', 5.6],
  ['DOT', 7.2], ['BCH', 460], ['SHIB', 0.000022], ['NEAR', 5.3], ['APT', 9.8], ['UNI', 13.5], ['ENA', 0.95], ['TRUMP', 18],
  ['ARB', 0.78], ['OP', 1.9], ['FARTCOIN', 1.2], ['BONK', 0.000031], ['INJ', 24], ['TIA', 5.1], ['SEI', 0.42], ['AAVE', 330],
  ['FET', 1.3], ['RENDER', 7.4], ['TAO', 480], ['ETC', 27], ['FIL', 5.4], ['ICP', 10.2], ['HBAR', 0.28], ['XLM', 0.42],
  ['ATOM', 6.8], ['ORDI', 38], ['WLD', 2.6], ['JUP', 0.98], ['VIRTUAL', 2.9], ['ONDO', 1.45], ['KAITO', 1.6], ['PENGU', 0.031],
  ['MKR', 1700], ['CRV', 0.95], ['LDO', 1.8], ['PYTH', 0.41], ['STX', 1.9], ['IMX', 1.4], ['FLOKI', 0.00017], ['AI16Z', 0.85],
  ['BERA', 6.4], ['GALA', 0.037], ['SAND', 0.62], ['MANA', 0.58], ['AXS', 7.1], ['APE', 1.35], ['DYDX', 1.6], ['GMX', 28],
  ['SNX', 2.7], ['COMP', 85], ['ALGO', 0.41], ['VET', 0.047], ['EGLD', 36], ['THETA', 2.1], ['KAS', 0.13], ['RUNE', 5.2],
  ['POPCAT', 1.1], ['JTO', 3.4], ['STRK', 0.55], ['ZK', 0.19], ['ENS', 38], ['PENDLE', 5.3], ['ARKM', 1.9], ['BLUR', 0.33],
  ['MEME', 0.0135], ['NOT', 0.0072], ['BOME', 0.0088], ['MEW', 0.0095], ['MOVE', 0.72], ['USUAL', 0.98], ['ME', 4.3], ['IP', 5.2],
  ['LAYER', 1.4], ['S', 0.72], ['XMR', 210], ['ZEC', 55], ['DASH', 36], ['NEO', 14], ['QNT', 105], ['GRT', 0.24],
  ['CHZ', 0.085], ['1INCH', 0.43], ['SUSHI', 1.35], ['YFI', 8800], ['ZRO', 5.6], ['EIGEN', 3.7], ['ETHFI', 2.3], ['W', 0.31],
];
const SYNTHETIC = 150;

interface Coin extends SynthCoin {
  /** How hard it falls relative to the market. */
  beta: number;
}

function makeCoins(): Coin[] {
  const coins: Coin[] = REAL.map(([base, price], i) => ({ base, rank: i, price, beta: 0 }));
  const taken = new Set(coins.map((c) => c.base));
  const L = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
  while (coins.length < REAL.length + SYNTHETIC) {
    const len = 3 + Math.floor(rnd() * 3);
    let name = '';
    for (let i = 0; i < len; i++) name += L[Math.floor(rnd() * 26)];
    if (taken.has(name)) continue;
    taken.add(name);
    const price = Math.exp(uniform(Math.log(0.002), Math.log(40)));
    coins.push({ base: name, rank: coins.length, price, beta: 0 });
  }
  for (const c of coins) c.beta = c.base === 'BTC' ? 1 : c.base === 'ETH' ? 1.3 : uniform(1.4, 2.6);
  return coins;
}

/** Waves of the cascade: start (s), size of the drop (log), steepness (s), event intensity (per s) and its decay (s). */
const WAVES = [
  { at: 45, drop: 0.012, tau: 6, peak: 260, decay: 22 },
  { at: 150, drop: 0.025, tau: 8, peak: 430, decay: 28 },
  { at: 265, drop: 0.015, tau: 5, peak: 220, decay: 18 },
  { at: 395, drop: 0.035, tau: 9, peak: 560, decay: 32 },
  { at: 500, drop: 0.018, tau: 7, peak: 300, decay: 24 },
];
/** A relief bounce between the third and fourth wave: prices up, shorts liquidated. */
const BOUNCE = { from: 300, to: 370, rise: 0.012 };

/** Market drawdown in log units at second s (positive = down). */
function drawdown(s: number): number {
  let d = 0;
  for (const w of WAVES) d += w.drop / (1 + Math.exp(-(s - w.at) / w.tau));
  if (s > BOUNCE.from) d -= BOUNCE.rise * Math.min(1, (s - BOUNCE.from) / (BOUNCE.to - BOUNCE.from));
  return d;
}

/** Liquidations per second (all venues) at second s. */
function intensity(s: number): number {
  let l = 9;
  for (const w of WAVES) {
    if (s < w.at - 3) continue;
    const x = s - w.at;
    l += x < 0 ? w.peak * (1 + x / 3) * 0.3 : w.peak * Math.exp(-x / w.decay);
  }
  if (s >= BOUNCE.from && s <= BOUNCE.to) l += 40;
  return l;
}

function longShare(s: number): number {
  if (s >= BOUNCE.from && s <= BOUNCE.to) return 0.3;
  for (const w of WAVES) if (s >= w.at - 3 && s < w.at + w.decay * 1.5) return 0.93;
  return 0.78;
}

// ------------------------------------------------------------------------------------------------ events

function makeLiq(listing: SynthListing, beta: number, ts: number, s: number): SynthLiq | undefined {
  const c = listing.coin;
  const long = rnd() < longShare(s);
  // Prices move with the market; a liquidation fills a little beyond the mark in the direction of the squeeze.
  const slip = 1 + (long ? -1 : 1) * Math.abs(gauss()) * 0.0015;
  const px = c.price * Math.exp(-beta * drawdown(s)) * (1 + gauss() * 0.0008) * slip * listing.mult;
  const price = px.toFixed(listing.priceDecimals);
  if (!(Number(price) > 0)) return undefined;
  // Heavy tail: most a few hundred dollars, some in the millions; majors carry larger positions.
  const scale = 1 + 6 / (c.rank + 1);
  const usd = Math.min(pareto(100, 1.04) * scale, 25_000_000);
  return { listing, ts, long, price, size: sizeForUsd(listing.size, usd, Number(price)) };
}

function generate(coins: readonly Coin[]): { frames: CaptureFrame[]; rest: Record<string, unknown> } {
  const beta = new Map(coins.map((c) => [c.base, c.beta]));
  const venues = ADAPTERS.flatMap((adapter) => {
    const synth = adapter.synth;
    if (synth === undefined) return [];
    const market = synth.market(coins, { delivery: DEC_25_2026 });
    return [{ adapter, synth, market, cum: cumulativeOf(market.listings.map((l) => l.weight)) }];
  });
  const venueCum = cumulativeOf(venues.map((v) => v.synth.share));
  const liqs = venues.map(() => [] as SynthLiq[]);
  const perSecond = new Set<string>();
  const SLOT_MS = 100;
  for (let slot = 0; slot < (DURATION_S * 1000) / SLOT_MS; slot++) {
    const s = (slot * SLOT_MS) / 1000;
    const n = poisson((intensity(s) * SLOT_MS) / 1000);
    for (let i = 0; i < n; i++) {
      const ts = SAMPLE_START + slot * SLOT_MS + Math.floor(rnd() * SLOT_MS);
      const k = venues.indexOf(pickWeighted(venues, venueCum));
      const v = venues[k];
      if (v.market.listings.length === 0) continue;
      const listing = pickWeighted(v.market.listings, v.cum);
      if (v.synth.onePerSymbolSecond) {
        // The venue's snapshot rule: at most one liquidation per symbol per second reaches the stream.
        const key = `${listing.venue}|${listing.name}|${Math.floor(ts / 1000)}`;
        if (perSecond.has(key)) continue;
        perSecond.add(key);
      }
      const liq = makeLiq(listing, beta.get(listing.coin.base) ?? 1, ts, (ts - SAMPLE_START) / 1000);
      if (liq) liqs[k].push(liq);
    }
  }
  const frames: Array<SynthFrame & { seq: number }> = [];
  let seq = 0;
  venues.forEach((v, k) => {
    for (const f of v.synth.frames(liqs[k], rnd)) frames.push({ ...f, seq: seq++ });
  });
  frames.sort((a, b) => a.t - b.t || a.seq - b.seq);
  return { frames: frames.map(({ t, venue, frame }) => ({ t, venue, frame })), rest: Object.assign({}, ...venues.map((v) => v.market.rest)) };
}

// ------------------------------------------------------------------------------------------------ the file

export function sampleText(): string {
  rnd = prng(SEED);
  const coins = makeCoins();
  const { frames, rest } = generate(coins);
  const meta: CaptureMeta = {
    format: CAPTURE_FORMAT,
    createdAt: SAMPLE_START,
    source: 'gen-sample',
    exchanges: ADAPTERS.filter((a) => a.synth !== undefined).map((a) => a.exchange),
    description: 'synthetic: ten minutes of a liquidation cascade (scripts/gen-sample.ts, seeded, deterministic)',
    rest,
  };
  return [metaLine(meta), ...frames.map(frameLine)].join('\n') + '\n';
}

function main(): void {
  const out = process.argv[2] ?? path.join('samples', 'cascade.ndjson.gz');
  const text = sampleText();
  mkdirSync(path.dirname(out) || '.', { recursive: true });
  const body = out.endsWith('.gz') ? gzipSync(text, { level: 9 }) : Buffer.from(text);
  writeFileSync(out, body);
  const lines = text.split('\n').length - 2;
  process.stderr.write(`gen-sample: ${out}: ${lines} frames, ${(body.length / 1e6).toFixed(2)} MB\n`);
}

main();
