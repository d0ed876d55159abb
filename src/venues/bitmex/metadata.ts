// https://www.bitmex.com/api/explorer/#!/Instrument/Instrument_getActive
// https://www.bitmex.com/app/apiOverview#Instrument-Properties
// BitMEX instrument metadata: GET {BITMEX_REST_URL}/api/v1/instrument/active, one JSON array of every open instrument
// (a few hundred kB), symbol → how its `leavesQty` (contracts) becomes money:
//  - `typ` FFWCSX / FFWCSF perpetual, FFCCSX future (named _YYMMDD from `expiry`, UTC); anything else (IFXXXP spot,
//    indices) is not a derivative whose liquidations we count: unsupported_instrument.
//  - `isQuanto`: the contract is worth multiplier × price in XBt, so its USD value needs the XBT price at that moment.
//    The liquidation table never carries one (its rows hold bankruptcy prices of liquidation orders, not a market
//    price), so the XBT price is never known from the same feed: unsupported_quote. Quanto rows are counted as
//    rejections, never valued by a guess.
//  - `isInverse`: a contract is one unit of the quote currency (XBTUSD: multiplier = underlyingToSettleMultiplier =
//    −1e8, i.e. 1 USD): USD = qty when the quote is USD, USDT or USDC; otherwise (XBTEUR) unsupported_quote.
//  - linear: a contract is 1 / underlyingToPositionMultiplier of the underlying (LTCUSDT 10,000: 0.0001 LTC, ccxt
//    bitmex.ts fetchMarkets); USD = base × price when the quote is USD, USDT or USDC; otherwise (XBT-quoted futures
//    such as XRPU21, priced in XBT) unsupported_quote.
// `XBT` is BTC in our symbols (XBTUSD → BTCUSD, XBTUSDT → BTCUSDT, XBTZ26 → BTCUSD_261225).
import { z } from 'zod';
import { type Decimal, pow10 } from '../../core/decimal.js';
import { type HttpOptions, fetchJson, schemaError } from '../http.js';
import { yymmddUtc } from '../parsing.js';

/** What the parser needs of an instrument, by BitMEX symbol. */
export type BitmexInstrumentMeta =
  | { readonly kind: 'inverse'; readonly symbol: string }
  /** contractSize: the base quantity of one contract (1 / underlyingToPositionMultiplier), exact. */
  | { readonly kind: 'linear'; readonly symbol: string; readonly contractSize: Decimal }
  | { readonly kind: 'unsupported'; readonly symbol: string; readonly reason: 'unsupported_quote' | 'unsupported_instrument' };

const num = z.number().nullish();
const bitmexInstrumentSchema = z.object({
  symbol: z.string().min(1),
  typ: z.string().nullish(),
  underlying: z.string().nullish(),
  quoteCurrency: z.string().nullish(),
  isInverse: z.boolean().nullish(),
  isQuanto: z.boolean().nullish(),
  multiplier: num,
  underlyingToPositionMultiplier: num,
  underlyingToSettleMultiplier: num,
  expiry: z.string().nullish(),
});
export type BitmexInstrumentInfo = z.infer<typeof bitmexInstrumentSchema>;

const PERPETUAL = new Set(['FFWCSX', 'FFWCSF']);
const FUTURE = 'FFCCSX';
/** Quotes whose unit we count as one US dollar (as the other venues' USDT and USDC contracts). */
const DOLLAR_QUOTES = new Set(['USD', 'USDT', 'USDC']);

/** XBT is BTC; BitMEX's settlement spellings (USDt, XBt) are the same coins. */
function coin(code: string): string {
  const up = code.toUpperCase();
  return up === 'XBT' ? 'BTC' : up;
}

/**
 * 1 / n exactly, for an integer n whose only prime factors are 2 and 5 (every BitMEX multiplier is a power of ten);
 * undefined for any other n (its reciprocal has no finite decimal).
 */
export function reciprocal(n: number): Decimal | undefined {
  if (!Number.isSafeInteger(n) || n <= 0) return undefined;
  let rest = n;
  let twos = 0;
  let fives = 0;
  while (rest % 2 === 0) {
    rest /= 2;
    twos++;
  }
  while (rest % 5 === 0) {
    rest /= 5;
    fives++;
  }
  if (rest !== 1) return undefined;
  const scale = Math.max(twos, fives);
  return { m: pow10(scale) / BigInt(n), scale };
}

/** A BitMEX instrument → what the parser needs (always an entry: rows of an instrument we do not count are rejected by name). */
export function bitmexInstrumentOf(info: BitmexInstrumentInfo): BitmexInstrumentMeta {
  const unsupported = (reason: 'unsupported_quote' | 'unsupported_instrument', symbol = info.symbol): BitmexInstrumentMeta => ({ kind: 'unsupported', symbol, reason });
  const typ = info.typ ?? '';
  const dated = typ === FUTURE;
  if (!dated && !PERPETUAL.has(typ)) return unsupported('unsupported_instrument');
  const underlying = info.underlying ?? '';
  const quote = info.quoteCurrency ?? '';
  if (underlying === '' || quote === '') return unsupported('unsupported_instrument');
  let symbol = `${coin(underlying)}${coin(quote)}`;
  if (dated) {
    const ms = Date.parse(info.expiry ?? '');
    if (!Number.isFinite(ms)) return unsupported('unsupported_instrument');
    symbol = `${symbol}_${yymmddUtc(ms)}`;
  }
  if (info.isQuanto === true) return unsupported('unsupported_quote', symbol);
  if (!DOLLAR_QUOTES.has(quote.toUpperCase())) return unsupported('unsupported_quote', symbol);
  if (info.isInverse === true) {
    // One contract is one unit of the quote exactly when the multipliers say so (−1e8 / −1e8): anything else is a
    // contract size this mapping does not know, refused rather than miscounted.
    const m = info.multiplier;
    const u = info.underlyingToSettleMultiplier;
    if (m != null && u != null && m !== u) return unsupported('unsupported_instrument', symbol);
    return { kind: 'inverse', symbol };
  }
  const contractSize = reciprocal(info.underlyingToPositionMultiplier ?? 0);
  if (contractSize === undefined) return unsupported('unsupported_instrument', symbol);
  return { kind: 'linear', symbol, contractSize };
}

/** The answer of GET /api/v1/instrument/active → symbol → what the parser needs. Throws InstrumentFetchError. */
export function bitmexInstrumentsFrom(body: unknown): Map<string, BitmexInstrumentMeta> {
  const list = z.array(z.unknown()).safeParse(body);
  // An error answer is an object ({"error":{"message":…,"name":…}}), never the array.
  if (!list.success) throw schemaError('BitMEX instrument/active', list.error);
  const out = new Map<string, BitmexInstrumentMeta>();
  for (const raw of list.data) {
    const item = bitmexInstrumentSchema.safeParse(raw);
    if (!item.success) continue;
    out.set(item.data.symbol, bitmexInstrumentOf(item.data));
  }
  return out;
}

export async function fetchBitmexInstruments(baseUrl: string, http: HttpOptions = {}): Promise<Map<string, BitmexInstrumentMeta>> {
  return bitmexInstrumentsFrom(await fetchJson(`${baseUrl}/api/v1/instrument/active`, http));
}
