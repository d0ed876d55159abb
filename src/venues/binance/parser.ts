// https://developers.binance.com/docs/derivatives/usds-margined-futures/websocket-market-streams/Liquidation-Order-Streams
// COIN-M: https://developers.binance.com/docs/derivatives/coin-margined-futures/websocket-market-streams/Liquidation-Order-Streams
//
// Payload `{"e":"forceOrder","E":…,"o":{"s","S","o","f","q","p","ap","X","l","z","T"}}`, bare (raw stream) or wrapped
// as `{"stream":"!forceOrder@arr","data":{…}}` (combined stream). `o.S` is the liquidation *order's* side: SELL
// closes a long (a long was liquidated), BUY closes a short. The executed size is `o.z` (accumulated filled qty) at
// `o.ap` (average price): an IOC order can expire part-filled (X = EXPIRED, z < q), and z = 0 means nothing was
// liquidated. `o.T` is the trade time. USD-M: z is base quantity. COIN-M: z is contracts of `contractSize` USD
// (GET /dapi/v1/exchangeInfo), so USD = z × contractSize and base = USD ÷ ap.
import type { Decimal } from '../../core/decimal.js';
import type { ParseOptions, ParseResult } from '../../core/parse.js';
import { parseForceOrders } from '../force-order.js';
import type { Lookup } from '../parsing.js';

export const BINANCE = 'binance';
const PERP_SUFFIX = '_PERP';

export interface BinanceCoinmParseOptions extends ParseOptions {
  /** COIN-M symbol as Binance spells it (BTCUSD_PERP, BTCUSD_261225) → USD per contract. */
  contractSizes: Lookup<Decimal>;
}

/** Binance USD-M `forceOrder` frames (src/venues/force-order.ts). Pure: never throws, no clock, no I/O. */
export function parseBinanceUsdm(text: string, opts: ParseOptions): ParseResult {
  return parseForceOrders(text, opts, BINANCE);
}

/** Binance COIN-M `forceOrder` frames; symbols missing from contractSizes go to `missing`. */
export function parseBinanceCoinm(text: string, opts: BinanceCoinmParseOptions): ParseResult {
  return parseForceOrders(text, opts, BINANCE, opts.contractSizes, coinmSymbol);
}

/** COIN-M symbol → contract symbol: BTCUSD_PERP → BTCUSD, BTCUSD_261225 stays. */
export function coinmSymbol(raw: string): string {
  const upper = raw.toUpperCase();
  return upper.endsWith(PERP_SUFFIX) ? upper.slice(0, upper.length - PERP_SUFFIX.length) : upper;
}
