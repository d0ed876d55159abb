// https://developers.binance.com/docs/derivatives/usds-margined-futures/websocket-market-streams/Liquidation-Order-Streams
// COIN-M: https://developers.binance.com/docs/derivatives/coin-margined-futures/websocket-market-streams/Liquidation-Order-Streams
//
// Payload `{"e":"forceOrder","E":…,"o":{"s","S","o","f","q","p","ap","X","l","z","T"}}`, bare (raw stream) or wrapped
// as `{"stream":"!forceOrder@arr","data":{…}}` (combined stream). `o.S` is the liquidation *order's* side: SELL
// closes a long (a long was liquidated), BUY closes a short. The executed size is `o.z` (accumulated filled qty) at
// `o.ap` (average price): an IOC order can expire part-filled (X = EXPIRED, z < q), and z = 0 means nothing was
// liquidated. `o.T` is the trade time. USD-M: z is base quantity. COIN-M: z is contracts of `contractSize` USD
// (GET /dapi/v1/exchangeInfo), so USD = z × contractSize and base = USD ÷ ap.
import { type Decimal, isZero, mul } from '../../core/decimal.js';
import { isValidSymbol, makeInverseEvent, makeLinearEvent, type Side } from '../../core/event.js';
import type { ParseOptions, ParseResult } from '../../core/parse.js';
import {
  buildErrorReason,
  checkTs,
  isBuildError,
  isObject,
  isValidInstrumentName,
  type Lookup,
  newResult,
  noteMissing,
  parseJson,
  readDecimal,
  readTsNumber,
  reject,
} from '../parsing.js';

export const BINANCE = 'binance';
const FORCE_ORDER = 'forceOrder';
const PERP_SUFFIX = '_PERP';

export interface BinanceCoinmParseOptions extends ParseOptions {
  /** COIN-M symbol as Binance spells it (BTCUSD_PERP, BTCUSD_261225) → USD per contract. */
  contractSizes: Lookup<Decimal>;
}

/** Binance USD-M `forceOrder` frames. Pure: never throws, no clock, no I/O. */
export function parseBinanceUsdm(text: string, opts: ParseOptions): ParseResult {
  return parseFrame(text, opts, undefined);
}

/** Binance COIN-M `forceOrder` frames; symbols missing from contractSizes go to `missing`. */
export function parseBinanceCoinm(text: string, opts: BinanceCoinmParseOptions): ParseResult {
  return parseFrame(text, opts, opts.contractSizes);
}

/** COIN-M symbol → contract symbol: BTCUSD_PERP → BTCUSD, BTCUSD_261225 stays. */
export function coinmSymbol(raw: string): string {
  const upper = raw.toUpperCase();
  return upper.endsWith(PERP_SUFFIX) ? upper.slice(0, upper.length - PERP_SUFFIX.length) : upper;
}

function parseFrame(text: string, opts: ParseOptions, sizes: Lookup<Decimal> | undefined): ParseResult {
  const result = newResult();
  try {
    const msg = parseJson(text);
    if (msg === undefined) {
      reject(result, BINANCE, 'invalid_json', text);
      return result;
    }
    // Every Binance message is an object; only a combined stream's `data` may be an array of them.
    if (!isObject(msg)) {
      reject(result, BINANCE, 'bad_shape', text);
      return result;
    }
    let payload: unknown = msg;
    let onTopic = false;
    const stream = msg.stream;
    if (typeof stream === 'string' && 'data' in msg) {
      payload = msg.data;
      onTopic = stream.includes(FORCE_ORDER);
    }
    if (Array.isArray(payload)) {
      // Documented as one object per message despite @arr; accept an array of them all the same.
      for (let i = 0; i < payload.length; i++) parseOne(payload[i], onTopic, text, opts, sizes, result);
    } else {
      parseOne(payload, onTopic, text, opts, sizes, result);
    }
  } catch {
    // Defensive: nothing above should throw, but a parser must never throw out to the connection.
    reject(result, BINANCE, 'bad_shape', text);
  }
  return result;
}

function parseOne(
  payload: unknown,
  onTopic: boolean,
  text: string,
  opts: ParseOptions,
  sizes: Lookup<Decimal> | undefined,
  result: ParseResult,
): void {
  if (!isObject(payload) || payload.e !== FORCE_ORDER) {
    // Acks ({"result":null,"id":1}), errors and other events carry no liquidation; a forceOrder stream whose
    // payload is not a forceOrder event is a shape the docs do not describe.
    if (onTopic && opts.only === undefined) reject(result, BINANCE, 'bad_shape', text);
    return;
  }
  const o = payload.o;
  if (!isObject(o)) {
    if (opts.only === undefined) reject(result, BINANCE, 'bad_shape', text);
    return;
  }
  const raw = o.s;
  if (typeof raw !== 'string' || raw.length === 0) {
    if (opts.only === undefined) reject(result, BINANCE, raw === undefined || raw === null || raw === '' ? 'missing_field' : 'bad_symbol', text);
    return;
  }
  if (opts.only !== undefined && !opts.only.has(raw)) return;
  if (!isValidInstrumentName(raw)) {
    reject(result, BINANCE, 'bad_symbol', text);
    return;
  }
  let contractSize: Decimal | undefined;
  let symbol: string;
  if (sizes !== undefined) {
    contractSize = sizes.get(raw);
    if (contractSize === undefined) {
      noteMissing(result, BINANCE, raw, opts, text);
      return;
    }
    symbol = coinmSymbol(raw);
  } else {
    symbol = raw.toUpperCase();
  }
  if (!isValidSymbol(symbol)) {
    reject(result, BINANCE, 'bad_symbol', text);
    return;
  }

  const S = o.S;
  let side: Side;
  if (S === 'SELL') side = 'long';
  else if (S === 'BUY') side = 'short';
  else {
    reject(result, BINANCE, S === undefined || S === null || S === '' ? 'missing_field' : 'bad_side', text);
    return;
  }

  // z before ap: an unfilled order (z = 0) may carry ap = "0" too, and is `unfilled`, not non_positive.
  const z = readDecimal(o.z, true);
  if (typeof z === 'string') {
    reject(result, BINANCE, z, text);
    return;
  }
  if (isZero(z)) {
    reject(result, BINANCE, 'unfilled', text);
    return;
  }
  const ap = readDecimal(o.ap);
  if (typeof ap === 'string') {
    reject(result, BINANCE, ap, text);
    return;
  }
  const ts = readTsNumber(o.T);
  if (typeof ts === 'string') {
    reject(result, BINANCE, ts, text);
    return;
  }
  const tsReason = checkTs(ts, opts);
  if (tsReason !== undefined) {
    reject(result, BINANCE, tsReason, text);
    return;
  }

  const common = { exchange: BINANCE, symbol, side, ts, priceText: o.ap as string, sizeText: o.z as string };
  const built =
    contractSize === undefined ? makeLinearEvent(common, ap, z) : makeInverseEvent(common, ap, mul(z, contractSize));
  if (isBuildError(built)) reject(result, BINANCE, buildErrorReason(built), text);
  else result.events.push(built);
}
