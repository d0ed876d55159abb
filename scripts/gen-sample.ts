#!/usr/bin/env node
// node dist/scripts/gen-sample.js [out]   (default samples/cascade.ndjson.gz)
// Generates the sample capture: about ten minutes of a liquidation cascade on all five venues, in their wire formats
// (scripts/standins/frames.ts), with the instrument metadata of a few hundred symbols in its first line. A seeded
// PRNG and a fixed start time make it deterministic: the same bytes on every run.
//   - waves of forced selling (bursts), mostly longs liquidated, a relief bounce in the middle that hits shorts;
//   - heavy-tailed sizes (Pareto: most a few hundred dollars, a handful in the millions);
//   - Binance pushes at most one liquidation per symbol per second (its snapshot rule);
//   - Bybit and OKX frames sometimes carry several liquidations (500 ms push windows).
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import {
  binanceCoinmSymbol,
  bybitInstrument,
  okxInstrument,
  type BinanceCoinmSymbol,
  type BybitInstrument,
  type OkxInstrument,
} from './standins/index.js';
import { binanceFrame, bybitFrame, okxFrame, type BybitLiq, type OkxDetail } from './standins/frames.js';
import type { Venue } from '../src/core/parse.js';
import { CAPTURE_FORMAT, frameLine, metaLine, type CaptureFrame, type CaptureMeta } from './lib/capture.js';
import { mulberry32 } from './lib/prng.js';

/** 2026-10-09T13:30:00Z: the sample's first second. */
export const SAMPLE_START = Date.UTC(2026, 9, 9, 13, 30, 0);
const DURATION_S = 600;
const SEED = 0x11d5eed;
/**
 * 2026-12-25T08:00:00Z: the quarterly delivery of the sample's dated futures, fixed because the sample is a
 * recording of 2026-10-09 and must regenerate byte for byte (the stand-ins' own fixtures take the next delivery
 * after now: scripts/standins/fixtures.ts).
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

interface Coin {
  base: string;
  rank: number;
  p0: number;
  /** How hard it falls relative to the market. */
  beta: number;
  /** Binance/Bybit list tiny-priced coins per 1000 units: 1000PEPEUSDT. */
  per1000: boolean;
}

function makeCoins(): Coin[] {
  const coins: Coin[] = REAL.map(([base, p0], i) => ({ base, rank: i, p0, beta: 0, per1000: p0 < 0.001 }));
  const taken = new Set(coins.map((c) => c.base));
  const L = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
  while (coins.length < REAL.length + SYNTHETIC) {
    const len = 3 + Math.floor(rnd() * 3);
    let name = '';
    for (let i = 0; i < len; i++) name += L[Math.floor(rnd() * 26)];
    if (taken.has(name)) continue;
    taken.add(name);
    const p0 = Math.exp(uniform(Math.log(0.002), Math.log(40)));
    coins.push({ base: name, rank: coins.length, p0, beta: 0, per1000: false });
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

// ------------------------------------------------------------------------------------------------ instruments

const decimalsForPrice = (p: number) => Math.min(10, Math.max(1, 5 - Math.floor(Math.log10(p))));
const qtyDecimalsForPrice = (p: number) => Math.min(3, Math.max(0, Math.floor(Math.log10(p)) - 1));
const step = (decimals: number) => (decimals === 0 ? '1' : (10 ** -decimals).toFixed(decimals));

/** Where a coin trades and how: each venue's symbol, and what a contract is. */
interface Listing {
  venue: Venue;
  coin: Coin;
  /** the exchange's instrument name */
  name: string;
  /** price multiplier (1000 for 1000PEPEUSDT) */
  mult: number;
  priceDecimals: number;
  /** linear: base quantity decimals; contracts otherwise */
  qtyDecimals: number;
  kind: 'linear' | 'inverse';
  /** USD (inverse) or base (OKX linear) per contract; undefined when the size is the base quantity (or USD for Bybit inverse) */
  contract?: number;
  okxInstType?: 'SWAP' | 'FUTURES';
}

interface Market {
  listings: Record<Venue, Listing[]>;
  bybitLinear: BybitInstrument[];
  bybitInverse: BybitInstrument[];
  okx: { SWAP: OkxInstrument[]; FUTURES: OkxInstrument[] };
  coinm: BinanceCoinmSymbol[];
}

function makeMarket(coins: Coin[]): Market {
  const listings: Record<Venue, Listing[]> = { 'binance-usdm': [], 'binance-coinm': [], 'bybit-linear': [], 'bybit-inverse': [], okx: [] };
  const bybitLinear: BybitInstrument[] = [];
  const bybitInverse: BybitInstrument[] = [];
  const okx = { SWAP: [] as OkxInstrument[], FUTURES: [] as OkxInstrument[] };
  const coinm: BinanceCoinmSymbol[] = [];
  const byBase = new Map(coins.map((c) => [c.base, c]));
  const coin = (b: string) => byBase.get(b)!;

  for (const c of coins) {
    const mult = c.per1000 ? 1000 : 1;
    const p = c.p0 * mult;
    const pd = decimalsForPrice(p);
    const qd = qtyDecimalsForPrice(p);
    const name = `${c.per1000 ? '1000' : ''}${c.base}USDT`;
    listings['binance-usdm'].push({ venue: 'binance-usdm', coin: c, name, mult, priceDecimals: pd, qtyDecimals: qd, kind: 'linear' });
    if (c.rank < 220) {
      listings['bybit-linear'].push({ venue: 'bybit-linear', coin: c, name, mult, priceDecimals: pd, qtyDecimals: qd, kind: 'linear' });
      bybitLinear.push(
        bybitInstrument({
          symbol: name,
          contractType: 'LinearPerpetual',
          baseCoin: `${c.per1000 ? '1000' : ''}${c.base}`,
          quoteCoin: 'USDT',
          settleCoin: 'USDT',
          tickSize: step(pd),
          qtyStep: step(qd),
        }),
      );
    }
    if (c.rank < 160) {
      // OKX: one instrument per coin, contracts of ctVal coins (about $1–$100 each).
      const ctVal = c.base === 'BTC' ? 0.01 : c.base === 'ETH' ? 0.1 : 10 ** Math.floor(Math.log10(100 / c.p0));
      const ctValText = ctVal >= 1 ? String(Math.round(ctVal)) : ctVal.toFixed(-Math.floor(Math.log10(ctVal)));
      const lot = ctVal <= 0.1 ? 2 : 0;
      const instId = `${c.base}-USDT-SWAP`;
      listings.okx.push({
        venue: 'okx',
        coin: c,
        name: instId,
        mult: 1,
        priceDecimals: decimalsForPrice(c.p0),
        qtyDecimals: lot,
        kind: 'linear',
        contract: Number(ctValText),
        okxInstType: 'SWAP',
      });
      okx.SWAP.push(okxInstrument({ instId, instType: 'SWAP', ctType: 'linear', ctVal: ctValText, tickSz: step(decimalsForPrice(c.p0)), lotSz: step(lot) }));
    }
  }
  // USDC perpetuals and dated futures on Bybit linear.
  for (const b of ['BTC', 'ETH', 'SOL']) {
    const c = coin(b);
    const pd = decimalsForPrice(c.p0);
    const qd = qtyDecimalsForPrice(c.p0);
    listings['bybit-linear'].push({ venue: 'bybit-linear', coin: c, name: `${b}PERP`, mult: 1, priceDecimals: pd, qtyDecimals: qd, kind: 'linear' });
    bybitLinear.push(bybitInstrument({ symbol: `${b}PERP`, contractType: 'LinearPerpetual', baseCoin: b, quoteCoin: 'USDC', settleCoin: 'USDC', tickSize: step(pd), qtyStep: step(qd) }));
  }
  for (const b of ['BTC', 'ETH']) {
    const c = coin(b);
    const pd = decimalsForPrice(c.p0);
    const qd = qtyDecimalsForPrice(c.p0);
    const name = `${b}USDT-25DEC26`;
    listings['bybit-linear'].push({ venue: 'bybit-linear', coin: c, name, mult: 1, priceDecimals: pd, qtyDecimals: qd, kind: 'linear' });
    bybitLinear.push(
      bybitInstrument({
        symbol: name,
        contractType: 'LinearFutures',
        baseCoin: b,
        quoteCoin: 'USDT',
        settleCoin: 'USDT',
        tickSize: step(pd),
        qtyStep: step(qd),
        deliveryTime: String(DEC_25_2026),
      }),
    );
  }
  // Bybit inverse: USD contracts.
  for (const b of ['BTC', 'ETH', 'XRP', 'SOL', 'DOGE', 'ADA', 'DOT', 'LTC', 'AVAX', 'LINK']) {
    const c = coin(b);
    const pd = decimalsForPrice(c.p0);
    listings['bybit-inverse'].push({ venue: 'bybit-inverse', coin: c, name: `${b}USD`, mult: 1, priceDecimals: pd, qtyDecimals: 0, kind: 'inverse' });
    bybitInverse.push(bybitInstrument({ symbol: `${b}USD`, contractType: 'InversePerpetual', baseCoin: b, quoteCoin: 'USD', settleCoin: b, tickSize: step(pd), qtyStep: '1' }));
  }
  for (const [b, name] of [['BTC', 'BTCUSDZ26'], ['ETH', 'ETHUSDZ26']] as const) {
    const c = coin(b);
    const pd = decimalsForPrice(c.p0);
    listings['bybit-inverse'].push({ venue: 'bybit-inverse', coin: c, name, mult: 1, priceDecimals: pd, qtyDecimals: 0, kind: 'inverse' });
    bybitInverse.push(
      bybitInstrument({
        symbol: name,
        contractType: 'InverseFutures',
        baseCoin: b,
        quoteCoin: 'USD',
        settleCoin: b,
        tickSize: step(pd),
        qtyStep: '1',
        deliveryTime: String(DEC_25_2026),
      }),
    );
  }
  // OKX inverse swaps and dated futures.
  for (const b of ['BTC', 'ETH', 'SOL', 'XRP', 'DOGE', 'LTC']) {
    const c = coin(b);
    const ctVal = b === 'BTC' ? 100 : 10;
    const pd = decimalsForPrice(c.p0);
    const instId = `${b}-USD-SWAP`;
    listings.okx.push({ venue: 'okx', coin: c, name: instId, mult: 1, priceDecimals: pd, qtyDecimals: 0, kind: 'inverse', contract: ctVal, okxInstType: 'SWAP' });
    okx.SWAP.push(okxInstrument({ instId, instType: 'SWAP', ctType: 'inverse', ctVal: String(ctVal), tickSz: step(pd), lotSz: '1' }));
  }
  for (const b of ['BTC', 'ETH']) {
    const c = coin(b);
    const ctVal = b === 'BTC' ? 100 : 10;
    const pd = decimalsForPrice(c.p0);
    const instId = `${b}-USD-261225`;
    listings.okx.push({ venue: 'okx', coin: c, name: instId, mult: 1, priceDecimals: pd, qtyDecimals: 0, kind: 'inverse', contract: ctVal, okxInstType: 'FUTURES' });
    okx.FUTURES.push(
      okxInstrument({ instId, instType: 'FUTURES', ctType: 'inverse', ctVal: String(ctVal), tickSz: step(pd), lotSz: '1', expTime: String(DEC_25_2026) }),
    );
  }
  // Binance COIN-M: contracts of 100 USD (BTC) or 10 USD.
  for (const b of ['BTC', 'ETH', 'SOL', 'XRP', 'DOGE', 'ADA', 'BNB', 'LTC', 'LINK', 'DOT', 'AVAX', 'BCH', 'ETC', 'FIL']) {
    const c = coin(b);
    const size = b === 'BTC' ? 100 : 10;
    const pd = Math.min(decimalsForPrice(c.p0), 5);
    const symbol = `${b}USD_PERP`;
    listings['binance-coinm'].push({ venue: 'binance-coinm', coin: c, name: symbol, mult: 1, priceDecimals: pd, qtyDecimals: 0, kind: 'inverse', contract: size });
    coinm.push(binanceCoinmSymbol({ symbol, contractType: 'PERPETUAL', contractSize: size, pricePrecision: pd }));
  }
  for (const b of ['BTC', 'ETH']) {
    const c = coin(b);
    const size = b === 'BTC' ? 100 : 10;
    const pd = decimalsForPrice(c.p0);
    const symbol = `${b}USD_261225`;
    listings['binance-coinm'].push({ venue: 'binance-coinm', coin: c, name: symbol, mult: 1, priceDecimals: pd, qtyDecimals: 0, kind: 'inverse', contract: size });
    coinm.push(binanceCoinmSymbol({ symbol, contractType: 'CURRENT_QUARTER', contractSize: size, pricePrecision: pd, deliveryDate: DEC_25_2026 }));
  }
  return { listings, bybitLinear, bybitInverse, okx, coinm };
}

// ------------------------------------------------------------------------------------------------ events

const VENUE_SHARE: Array<[Venue, number]> = [
  ['binance-usdm', 0.36],
  ['bybit-linear', 0.3],
  ['okx', 0.2],
  ['binance-coinm', 0.07],
  ['bybit-inverse', 0.07],
];

interface Liq {
  listing: Listing;
  ts: number;
  long: boolean;
  price: string;
  /** the size field as the venue sends it */
  size: string;
}

function fmt(x: number, decimals: number): string {
  return x.toFixed(decimals);
}

function makeLiq(listing: Listing, ts: number, s: number): Liq | undefined {
  const c = listing.coin;
  const long = rnd() < longShare(s);
  // Prices move with the market; a liquidation fills a little beyond the mark in the direction of the squeeze.
  const slip = 1 + (long ? -1 : 1) * Math.abs(gauss()) * 0.0015;
  const px = c.p0 * Math.exp(-c.beta * drawdown(s)) * (1 + gauss() * 0.0008) * slip * listing.mult;
  const price = fmt(px, listing.priceDecimals);
  if (!(Number(price) > 0)) return undefined;
  // Heavy tail: most a few hundred dollars, some in the millions; majors carry larger positions.
  const scale = 1 + 6 / (c.rank + 1);
  const usd = Math.min(pareto(100, 1.04) * scale, 25_000_000);
  let size: string;
  if (listing.venue === 'bybit-inverse') {
    size = String(Math.max(1, Math.round(usd)));
  } else if (listing.kind === 'inverse') {
    size = String(Math.max(1, Math.round(usd / listing.contract!)));
  } else if (listing.venue === 'okx') {
    const contracts = usd / Number(price) / listing.contract!;
    const min = 10 ** -listing.qtyDecimals;
    size = fmt(Math.max(min, contracts), listing.qtyDecimals);
  } else {
    const qty = usd / Number(price);
    const min = 10 ** -listing.qtyDecimals;
    size = fmt(Math.max(min, qty), listing.qtyDecimals);
  }
  return { listing, ts, long, price, size };
}

/** Receive latency of a frame, ms. */
const latency = () => 3 + Math.floor(pareto(8, 2.5));

function generate(market: Market): CaptureFrame[] {
  const venueCum = cumulativeOf(VENUE_SHARE.map(([, w]) => w));
  const venues = VENUE_SHARE.map(([v]) => v);
  const listingCum = new Map<Venue, number[]>();
  for (const [v, list] of Object.entries(market.listings) as Array<[Venue, Listing[]]>) {
    listingCum.set(v, cumulativeOf(list.map((l) => 1 / Math.pow(l.coin.rank + 1, 1.15) / (l.name.includes('PERP') || /\d{2}$/.test(l.name) ? 4 : 1))));
  }
  const liqs: Liq[] = [];
  const binanceSecond = new Set<string>();
  const SLOT_MS = 100;
  for (let slot = 0; slot < (DURATION_S * 1000) / SLOT_MS; slot++) {
    const s = (slot * SLOT_MS) / 1000;
    const n = poisson((intensity(s) * SLOT_MS) / 1000);
    for (let i = 0; i < n; i++) {
      const ts = SAMPLE_START + slot * SLOT_MS + Math.floor(rnd() * SLOT_MS);
      const venue = pickWeighted(venues, venueCum);
      const listing = pickWeighted(market.listings[venue], listingCum.get(venue)!);
      if (venue.startsWith('binance')) {
        // Binance's snapshot rule: at most one liquidation per symbol per second reaches the stream.
        const key = `${venue}|${listing.name}|${Math.floor(ts / 1000)}`;
        if (binanceSecond.has(key)) continue;
        binanceSecond.add(key);
      }
      const liq = makeLiq(listing, ts, (ts - SAMPLE_START) / 1000);
      if (liq) liqs.push(liq);
    }
  }
  liqs.sort((a, b) => a.ts - b.ts);

  const frames: Array<CaptureFrame & { seq: number }> = [];
  let seq = 0;
  const push = (t: number, venue: Venue, frame: string) => frames.push({ t, venue, frame, seq: seq++ });

  // Bybit: one frame per symbol per 500 ms window; OKX: one frame per instType per 500 ms window.
  const bybitGroups = new Map<string, Liq[]>();
  const okxGroups = new Map<string, Liq[]>();
  for (const l of liqs) {
    const v = l.listing.venue;
    if (v === 'binance-usdm' || v === 'binance-coinm') {
      const frame = binanceFrame({ symbol: l.listing.name, side: l.long ? 'SELL' : 'BUY', price: l.price, qty: l.size, ts: l.ts });
      push(l.ts + 5 + latency(), v, frame);
    } else if (v === 'okx') {
      const key = `${l.listing.okxInstType}|${Math.floor(l.ts / 500)}`;
      okxGroups.set(key, [...(okxGroups.get(key) ?? []), l]);
    } else {
      const key = `${v}|${l.listing.name}|${Math.floor(l.ts / 500)}`;
      bybitGroups.set(key, [...(bybitGroups.get(key) ?? []), l]);
    }
  }
  for (const group of bybitGroups.values()) {
    const items: BybitLiq[] = group.map((l) => ({ symbol: l.listing.name, side: l.long ? 'Buy' : 'Sell', price: l.price, size: l.size, ts: l.ts }));
    const last = Math.max(...group.map((l) => l.ts));
    push(last + 50 + latency(), group[0].listing.venue, bybitFrame(items));
  }
  for (const group of okxGroups.values()) {
    const byInst = new Map<string, OkxDetail[]>();
    for (const l of group) {
      const hedged = rnd() < 0.7;
      const d: OkxDetail = {
        posSide: hedged ? (l.long ? 'long' : 'short') : 'net',
        side: l.long ? 'sell' : 'buy',
        bkPx: l.price,
        sz: l.size,
        ts: l.ts,
      };
      byInst.set(l.listing.name, [...(byInst.get(l.listing.name) ?? []), d]);
    }
    const last = Math.max(...group.map((l) => l.ts));
    const items = [...byInst].map(([instId, details]) => ({ instId, details }));
    push(last + 20 + latency(), 'okx', okxFrame(group[0].listing.okxInstType!, items));
  }
  frames.sort((a, b) => a.t - b.t || a.seq - b.seq);
  return frames.map(({ t, venue, frame }) => ({ t, venue, frame }));
}

// ------------------------------------------------------------------------------------------------ the file

function restMeta(m: Market): CaptureMeta['rest'] {
  const time = SAMPLE_START;
  const bybitPage = (category: string, list: BybitInstrument[]) => ({
    retCode: 0,
    retMsg: 'OK',
    result: { category, list, nextPageCursor: '' },
    retExtInfo: {},
    time,
  });
  return {
    'binance-coinm': { exchangeInfo: { timezone: 'UTC', serverTime: time, rateLimits: [], exchangeFilters: [], symbols: m.coinm } },
    'bybit-linear': { pages: [bybitPage('linear', m.bybitLinear)] },
    'bybit-inverse': { pages: [bybitPage('inverse', m.bybitInverse)] },
    okx: { SWAP: { code: '0', msg: '', data: m.okx.SWAP }, FUTURES: { code: '0', msg: '', data: m.okx.FUTURES } },
  };
}

export function sampleText(): string {
  rnd = prng(SEED);
  const coins = makeCoins();
  const market = makeMarket(coins);
  const frames = generate(market);
  const meta: CaptureMeta = {
    format: CAPTURE_FORMAT,
    createdAt: SAMPLE_START,
    source: 'gen-sample',
    exchanges: ['binance', 'bybit', 'okx'],
    description: 'synthetic: ten minutes of a liquidation cascade (scripts/gen-sample.ts, seeded, deterministic)',
    rest: restMeta(market),
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
