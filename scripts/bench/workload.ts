// The benchmark's workload: pre-built frames in the exchanges' wire formats (the stand-ins' frame builders), mixed
// over the five venues, several liquidations per Bybit/OKX frame as those exchanges send them, spread over many
// symbols and ~10 minutes of the last hour. Every event has a distinct identity (ts, price and size vary), so
// nothing is a duplicate. Also: the instrument metadata the stand-ins serve, and the same metadata as the parsers'
// lookups, so the benchmark can parse frames itself (parser figures, the naive baseline, sample ids).
import type { Decimal } from '../../src/core/decimal.js';
import { minuteOf, seenKey } from '../../src/core/keys.js';
import {
  bybitInstrumentOf,
  contractSizeOf,
  okxInstrumentOf,
  type BybitInstrumentInfo,
  type OkxInstrumentInfo,
} from '../../src/streams/instruments.js';
import { parseBinanceCoinm, parseBinanceUsdm } from '../../src/streams/parsers/binance.js';
import { parseBybit, type BybitInstrument as ParsedBybit } from '../../src/streams/parsers/bybit.js';
import { parseOkx, type OkxInstrument as ParsedOkx } from '../../src/streams/parsers/okx.js';
import type { ParseResult, Venue } from '../../src/core/parse.js';
import {
  defaultBinanceCoinm,
  defaultBybitInverse,
  defaultOkxInstruments,
  manyBybitLinear,
  okxInstrument,
  type BinanceCoinmSymbol,
  type BybitInstrument,
  type OkxInstrument,
  type StandinOptions,
} from '../standins/index.js';
import { letters } from '../standins/fixtures.js';
import { binanceFrame, bybitFrame, okxFrame } from '../standins/frames.js';
import { mulberry32 } from '../lib/prng.js';

export const RETENTION_MS = 168 * 3_600_000;

/** Share of events per venue (not of frames). */
const VENUE_MIX: Array<[Venue, number]> = [
  ['binance-usdm', 0.35],
  ['binance-coinm', 0.05],
  ['bybit-linear', 0.25],
  ['bybit-inverse', 0.05],
  ['okx', 0.3],
];

export interface Frame {
  readonly venue: Venue;
  readonly text: string;
  /** Liquidations in the frame. */
  readonly events: number;
  /** Where the frame goes: Bybit topic, OKX channel key, '' for Binance (every connection). */
  readonly route: string;
}

export interface Sample {
  /** Index of the frame in Workload.frames. */
  readonly frame: number;
  readonly venue: Venue;
  /** liq:seen key and id of the frame's last event: written in the same atomic script as its bucket. */
  readonly seenKey: string;
  readonly id: string;
}

export interface Workload {
  readonly frames: Frame[];
  readonly events: number;
  readonly samples: Sample[];
  readonly bytes: number;
}

export interface Universe {
  readonly standins: StandinOptions;
  readonly usdmSymbols: string[];
  readonly bybitLinear: BybitInstrument[];
  readonly bybitInverse: BybitInstrument[];
  readonly okxSwap: OkxInstrument[];
  readonly okxFutures: OkxInstrument[];
  readonly coinm: BinanceCoinmSymbol[];
  /** Parser lookups built through the same conversions the daemon applies to the REST answers. */
  readonly lookups: {
    contractSizes: Map<string, Decimal>;
    bybit: Map<string, ParsedBybit>;
    okx: Map<string, ParsedOkx>;
  };
}

export function buildUniverse(): Universe {
  const usdmSymbols = ['BTCUSDT', 'ETHUSDT', 'SOLUSDT', 'XRPUSDT', 'DOGEUSDT', '1000PEPEUSDT'];
  for (let i = 0; usdmSymbols.length < 200; i++) usdmSymbols.push(`Z${letters(i)}USDT`);
  const bybitLinear = manyBybitLinear(250);
  const bybitInverse = defaultBybitInverse();
  const okxDefault = defaultOkxInstruments();
  const okxSwap = [...okxDefault.SWAP];
  for (let i = 0; i < 60; i++) {
    okxSwap.push(okxInstrument({ instId: `Y${letters(i)}-USDT-SWAP`, instType: 'SWAP', ctType: 'linear', ctVal: '10', tickSz: '0.0001', lotSz: '1' }));
  }
  const okxFutures = okxDefault.FUTURES;
  const coinm = defaultBinanceCoinm();

  const contractSizes = new Map<string, Decimal>();
  for (const s of coinm) {
    const d = contractSizeOf(s.contractSize);
    if (d) contractSizes.set(s.symbol, d);
  }
  const bybit = new Map<string, ParsedBybit>();
  for (const [list, cat] of [[bybitLinear, 'linear'], [bybitInverse, 'inverse']] as const) {
    for (const raw of list) {
      const inst = bybitInstrumentOf(raw as unknown as BybitInstrumentInfo, cat);
      if (inst) bybit.set(raw.symbol, inst);
    }
  }
  const okx = new Map<string, ParsedOkx>();
  for (const raw of [...okxSwap, ...okxFutures]) {
    const inst = okxInstrumentOf(raw as unknown as OkxInstrumentInfo);
    if (inst) okx.set(raw.instId, inst);
  }
  return {
    standins: {
      bybitInstruments: { linear: bybitLinear, inverse: bybitInverse },
      okxInstruments: { SWAP: okxSwap, FUTURES: okxFutures },
      binanceCoinmSymbols: coinm,
    },
    usdmSymbols,
    bybitLinear,
    bybitInverse,
    okxSwap,
    okxFutures,
    coinm,
    lookups: { contractSizes, bybit, okx },
  };
}

/** The daemon's parser for a venue's frames, with the universe's metadata. */
export function parserFor(u: Universe, venue: Venue): (text: string, receivedAt: number) => ParseResult {
  const { contractSizes, bybit, okx } = u.lookups;
  switch (venue) {
    case 'binance-usdm':
      return (text, receivedAt) => parseBinanceUsdm(text, { receivedAt, retentionMs: RETENTION_MS });
    case 'binance-coinm':
      return (text, receivedAt) => parseBinanceCoinm(text, { receivedAt, retentionMs: RETENTION_MS, contractSizes });
    case 'bybit-linear':
    case 'bybit-inverse':
      return (text, receivedAt) => parseBybit(text, { receivedAt, retentionMs: RETENTION_MS, instruments: bybit });
    case 'okx':
      return (text, receivedAt) => parseOkx(text, { receivedAt, retentionMs: RETENTION_MS, instruments: okx });
  }
}

const rng = mulberry32;

/** A reference price per base coin, so BTC trades near 60k and the long tail somewhere below 50. */
function basePrice(name: string, r: () => number): number {
  if (name.startsWith('BTC')) return 61_000;
  if (name.startsWith('ETH')) return 3_100;
  if (name.startsWith('SOL')) return 150;
  if (name.startsWith('XRP')) return 0.6;
  if (name.startsWith('DOGE')) return 0.15;
  if (name.startsWith('1000')) return 0.012;
  return 0.05 + r() * 40;
}

/** Decimal text of an integer number of 10^-decimals units. */
function fixed(units: number, decimals: number): string {
  if (decimals === 0) return String(units);
  const s = String(units).padStart(decimals + 1, '0');
  return `${s.slice(0, s.length - decimals)}.${s.slice(s.length - decimals)}`;
}

interface PriceSpec {
  base: number;
  decimals: number;
}

function priceText(p: PriceSpec, r: () => number): string {
  const scale = 10 ** p.decimals;
  const units = Math.max(1, Math.round(p.base * (1 + (r() - 0.5) * 0.04) * scale));
  return fixed(units, p.decimals);
}

function decimalsFor(base: number): number {
  if (base >= 1000) return 1;
  if (base >= 10) return 2;
  if (base >= 0.1) return 4;
  return 6;
}

/** A base quantity of `lots` lots, the lot sized to the price so that even one lot is worth at least a cent. */
function qtyText(lots: number, p: PriceSpec): string {
  if (p.base >= 100) return fixed(lots, 3);
  if (p.base >= 1) return fixed(lots, 1);
  return String(lots * 100);
}

/** Picks symbols with a head (the first few carry most liquidations) and a long tail. */
function pick<T>(list: readonly T[], r: () => number, head = 3): T {
  const x = r();
  if (x < 0.45 && list.length > head) return list[Math.floor(r() * head)];
  return list[Math.floor(r() * list.length)];
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
 * Builds `events` liquidations as frames. Identity uniqueness: the size of event i is (1 + (i·7919 mod 20000)) lots,
 * and ts advances with i, so two events of one symbol with equal sizes are ≥ 20000 events apart in ts order —
 * seconds apart, beyond the ±300 ms jitter — and never share (ts, size).
 */
export function buildWorkload(u: Universe, opts: WorkloadOptions): Workload {
  const now = opts.now ?? Date.now();
  const spanMs = opts.spanMs ?? 10 * 60_000;
  const endAgo = opts.endAgoMs ?? 2 * 60_000;
  const t0 = now - endAgo - spanMs;
  const total = opts.events;
  const r = rng(opts.seed ?? 42);
  const prices = new Map<string, PriceSpec>();
  const priceOf = (name: string): PriceSpec => {
    let p = prices.get(name);
    if (!p) {
      const base = basePrice(name, r);
      prices.set(name, (p = { base, decimals: decimalsFor(base) }));
    }
    return p;
  };
  let i = 0; // global event index
  const tsOf = () => Math.round(t0 + (i / Math.max(1, total)) * spanMs + (r() - 0.5) * 600);
  const lots = () => 1 + ((i * 7919) % 20_000);

  const frames: Frame[] = [];
  const cumulative = VENUE_MIX.map((_, k) => VENUE_MIX.slice(0, k + 1).reduce((s, [, x]) => s + x, 0));
  const pickVenue = (): Venue => {
    const x = r();
    for (let k = 0; k < VENUE_MIX.length; k++) if (x < cumulative[k]) return VENUE_MIX[k][0];
    return VENUE_MIX[VENUE_MIX.length - 1][0];
  };

  while (i < total) {
    const venue = pickVenue();
    const left = total - i;
    if (venue === 'binance-usdm' || venue === 'binance-coinm') {
      const coinm = venue === 'binance-coinm';
      const symbol = coinm ? pick(u.coinm, r, 2).symbol : pick(u.usdmSymbols, r);
      const p = priceOf(symbol);
      // USD-M: base quantity in lots sized to the price; COIN-M: whole contracts.
      const qty = coinm ? String(lots()) : qtyText(lots(), p);
      const ts = tsOf();
      const text = binanceFrame({ symbol, side: r() < 0.5 ? 'SELL' : 'BUY', price: priceText(p, r), qty, ts });
      frames.push({ venue, text, events: 1, route: '' });
      i++;
    } else if (venue === 'bybit-linear' || venue === 'bybit-inverse') {
      const inverse = venue === 'bybit-inverse';
      const inst = pick(inverse ? u.bybitInverse : u.bybitLinear, r);
      const p = priceOf(inst.baseCoin);
      // Bybit pushes a symbol's liquidations of the last ~500 ms together: 1–6 per frame, mostly few.
      const k = Math.min(left, 1 + Math.floor(r() * r() * 6));
      const items = [];
      for (let j = 0; j < k; j++) {
        // Linear v: base quantity in 0.001 lots; inverse v: USD (contracts of 1 USD).
        const size = inverse ? String(lots()) : qtyText(lots(), p);
        items.push({ symbol: inst.symbol, side: (r() < 0.5 ? 'Buy' : 'Sell') as 'Buy' | 'Sell', price: priceText(p, r), size, ts: tsOf() });
        i++;
      }
      frames.push({ venue, text: bybitFrame(items), events: k, route: `allLiquidation.${inst.symbol}` });
    } else {
      const futures = r() < 0.1;
      const list = futures ? u.okxFutures : u.okxSwap;
      // OKX: one frame per instType push, 1–2 instruments, each with 1–4 details.
      const nItems = r() < 0.7 ? 1 : 2;
      const items = [];
      let k = 0;
      for (let it = 0; it < nItems && k < left; it++) {
        const inst = pick(list, r);
        const p = priceOf(inst.instId);
        const nd = Math.min(left - k, 1 + Math.floor(r() * 4));
        const details = [];
        for (let j = 0; j < nd; j++) {
          const sz = inst.ctType === 'inverse' || inst.lotSz === '1' ? String(lots()) : fixed(lots(), 2);
          const posSide = r() < 0.2 ? 'net' : r() < 0.5 ? 'long' : 'short';
          details.push({ posSide: posSide as 'long' | 'short' | 'net', side: (r() < 0.5 ? 'buy' : 'sell') as 'buy' | 'sell', bkPx: priceText(p, r), sz, ts: tsOf() });
          i++;
          k++;
        }
        items.push({ instId: inst.instId, details });
      }
      const instType = futures ? 'FUTURES' : 'SWAP';
      frames.push({ venue, text: okxFrame(instType, items), events: k, route: `liquidation-orders:${instType}` });
    }
  }

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
    samples.push({ frame: f, venue: fr.venue, seenKey: seenKey(minuteOf(last.ts)), id: last.id });
  }
  return { frames, events: total, samples, bytes };
}
