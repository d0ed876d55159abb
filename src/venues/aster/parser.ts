// https://github.com/asterdex/api-docs/blob/master/V3(Recommended)/EN/aster-finance-futures-api-v3.md (Liquidation Order Streams)
//
// Aster's futures streams are Binance-compatible: `!forceOrder@arr` pushes `{"e":"forceOrder","E":…,"o":{"s","S","o",
// "f","q","p","ap","X","l","z","T"}}`, bare on a raw stream (/ws/…) or wrapped as `{"stream":"!forceOrder@arr",
// "data":{…}}` on a combined one (/stream?streams=…, the default URL). The reading below mirrors Binance USD-M's
// (src/venues/binance/parser.ts; folders are independent, so it is written out here): `o.S` is the liquidation
// *order's* side, SELL closes a long (a long was liquidated), BUY a short; the executed base quantity is `o.z` (filled,
// 0 = nothing liquidated: `unfilled`) at `o.ap` (average price); `o.T` is the trade time in ms. Decimals are strings.
// Only USDT/USD1-margined linear perpetuals are listed, so no metadata is needed. tardis-node (src/mappers/aster.ts)
// keeps only X = FILLED and reads o.p; like our Binance parser we count any fill (an IOC expiring part-filled is a
// real liquidation of z) at o.ap.
import { isZero } from '../../core/decimal.js';
import { isValidSymbol, makeLinearEvent, type Side } from '../../core/event.js';
import type { ParseOptions, ParseResult } from '../../core/parse.js';
import {
  buildErrorReason,
  checkTs,
  isBuildError,
  isObject,
  isValidInstrumentName,
  newResult,
  parseJson,
  readDecimal,
  readTsNumber,
  reject,
} from '../parsing.js';

export const ASTER = 'aster';
const FORCE_ORDER = 'forceOrder';

/** Aster `forceOrder` frames. Pure: never throws, no clock, no I/O. */
export function parseAster(text: string, opts: ParseOptions): ParseResult {
  const result = newResult();
  try {
    const msg = parseJson(text);
    if (msg === undefined) {
      reject(result, ASTER, 'invalid_json', text);
      return result;
    }
    // Every message is an object; only a combined stream's `data` may be an array of them.
    if (!isObject(msg)) {
      reject(result, ASTER, 'bad_shape', text);
      return result;
    }
    let payload: unknown = msg;
    let onTopic = false;
    if (typeof msg.stream === 'string' && 'data' in msg) {
      payload = msg.data;
      onTopic = msg.stream.includes(FORCE_ORDER);
    }
    if (Array.isArray(payload)) {
      for (let i = 0; i < payload.length; i++) parseOne(payload[i], onTopic, text, opts, result);
    } else {
      parseOne(payload, onTopic, text, opts, result);
    }
  } catch {
    reject(result, ASTER, 'bad_shape', text);
  }
  return result;
}

function parseOne(payload: unknown, onTopic: boolean, text: string, opts: ParseOptions, result: ParseResult): void {
  if (!isObject(payload) || payload.e !== FORCE_ORDER) {
    // Acks ({"result":null,"id":1}), errors and other events carry no liquidation; a forceOrder stream whose payload
    // is not a forceOrder event is a shape the docs do not describe.
    if (onTopic) reject(result, ASTER, 'bad_shape', text);
    return;
  }
  const o = payload.o;
  if (!isObject(o)) {
    reject(result, ASTER, 'bad_shape', text);
    return;
  }
  const raw = o.s;
  if (typeof raw !== 'string' || raw.length === 0) {
    reject(result, ASTER, raw === undefined || raw === null || raw === '' ? 'missing_field' : 'bad_symbol', text);
    return;
  }
  const symbol = raw.toUpperCase();
  if (!isValidInstrumentName(raw) || !isValidSymbol(symbol)) {
    reject(result, ASTER, 'bad_symbol', text);
    return;
  }
  const S = o.S;
  let side: Side;
  if (S === 'SELL') side = 'long';
  else if (S === 'BUY') side = 'short';
  else {
    reject(result, ASTER, S === undefined || S === null || S === '' ? 'missing_field' : 'bad_side', text);
    return;
  }
  // z before ap: an unfilled order (z = 0) may carry ap = "0" too, and is `unfilled`, not non_positive.
  const z = readDecimal(o.z, true);
  if (typeof z === 'string') {
    reject(result, ASTER, z, text);
    return;
  }
  if (isZero(z)) {
    reject(result, ASTER, 'unfilled', text);
    return;
  }
  const ap = readDecimal(o.ap);
  if (typeof ap === 'string') {
    reject(result, ASTER, ap, text);
    return;
  }
  const ts = readTsNumber(o.T);
  if (typeof ts === 'string') {
    reject(result, ASTER, ts, text);
    return;
  }
  const tsReason = checkTs(ts, opts);
  if (tsReason !== undefined) {
    reject(result, ASTER, tsReason, text);
    return;
  }
  // Identity as Binance's: the tuple (symbol, T, side, ap text, z text).
  const built = makeLinearEvent({ exchange: ASTER, symbol, side, ts, priceText: o.ap as string, sizeText: o.z as string }, ap, z);
  if (isBuildError(built)) reject(result, ASTER, buildErrorReason(built), text);
  else result.events.push(built);
}
