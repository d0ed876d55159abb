// https://github.com/asterdex/api-docs/blob/master/V3(Recommended)/EN/aster-finance-futures-api-v3.md (Liquidation Order Streams)
//
// Aster's futures streams are Binance-compatible: `!forceOrder@arr` pushes `{"e":"forceOrder","E":…,"o":{"s","S","o",
// "f","q","p","ap","X","l","z","T"}}`, bare on a raw stream (/ws/…) or wrapped as `{"stream":"!forceOrder@arr",
// "data":{…}}` on a combined one (/stream?streams=…, the default URL). The reading is Binance USD-M's, shared with it in
// src/venues/force-order.ts: `o.S` is the liquidation *order's* side, SELL closes a long (a long was liquidated), BUY a
// short; the executed base quantity is `o.z` (filled, 0 = nothing liquidated: `unfilled`) at `o.ap` (average price);
// `o.T` is the trade time in ms. Decimals are strings.
// Only USDT/USD1-margined linear perpetuals are listed, so no metadata is needed. tardis-node (src/mappers/aster.ts)
// keeps only X = FILLED and reads o.p; like our Binance parser we count any fill (an IOC expiring part-filled is a
// real liquidation of z) at o.ap.
import type { ParseOptions, ParseResult } from '../../core/parse.js';
import { parseForceOrders } from '../force-order.js';

export const ASTER = 'aster';

/** Aster `forceOrder` frames, read as Binance USD-M's (src/venues/force-order.ts). Pure: never throws, no clock, no I/O. */
export function parseAster(text: string, opts: ParseOptions): ParseResult {
  // No metadata, so nothing is ever re-parsed for Aster: a stray `only` is not read (the daemon never sets one).
  return parseForceOrders(text, opts.only === undefined ? opts : { ...opts, only: undefined }, ASTER);
}
