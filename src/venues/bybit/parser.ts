// https://bybit-exchange.github.io/docs/v5/websocket/public/all-liquidation
// Instruments (symbol naming, linear vs inverse): https://bybit-exchange.github.io/docs/v5/market/instrument
//
// Payload `{"topic":"allLiquidation.ROSEUSDT","type":"snapshot","ts":…,"data":[{"T":…,"s":"ROSEUSDT","S":"Sell",
// "v":"20000","p":"0.04499"}]}`. `data` may hold several liquidations, each one event. `S` is the *position* side
// ("When you receive a Buy update, this means that a long position has been liquidated"): Buy → long,
// Sell → short, the opposite of Binance's order side. `p` is the bankruptcy price, `v` the size: base quantity on
// linear contracts, USD on inverse ones (contracts of 1 USD). `T` is the liquidation time (ms, JSON number).
import { isValidSymbol, makeInverseEvent, makeLinearEvent, type Side } from '../../core/event.js';
import type { ParseOptions, ParseResult, RejectReason } from '../../core/parse.js';
import {
  buildErrorReason,
  checkTs,
  isBuildError,
  isObject,
  itemName,
  type Lookup,
  newResult,
  noteMissing,
  parseJson,
  readDecimal,
  readTsNumber,
  reject,
  sampleOfValue,
} from '../parsing.js';

export const BYBIT = 'bybit';
const TOPIC_PREFIX = 'allLiquidation.';

/** What the parser needs from Bybit's instrument metadata (built by src/streams/instruments.ts). */
export interface BybitInstrument {
  /** Normalized symbol: baseCoin+quoteCoin, plus _YYMMDD for dated futures (BTCPERP → BTCUSDC). */
  readonly symbol: string;
  /** Inverse contract (v is USD) rather than linear (v is base quantity). */
  readonly inverse: boolean;
}

export interface BybitParseOptions extends ParseOptions {
  /** Bybit symbol as sent in `s` (BTCUSDT, BTCPERP, BTCUSDT-25DEC26, BTCUSD) → instrument. */
  instruments: Lookup<BybitInstrument>;
}

/** Bybit v5 `allLiquidation.{symbol}` frames (linear and inverse). Pure: never throws, no clock, no I/O. */
export function parseBybit(text: string, opts: BybitParseOptions): ParseResult {
  const result = newResult();
  try {
    const msg = parseJson(text);
    if (msg === undefined) {
      reject(result, BYBIT, 'invalid_json', text);
      return result;
    }
    // Every Bybit message is an object: anything else is counted, never dropped unseen.
    if (!isObject(msg)) {
      reject(result, BYBIT, 'bad_shape', text);
      return result;
    }
    // Pongs ({"op":"ping","ret_msg":"pong"…}), subscribe acks and other topics carry no liquidation.
    const topic = msg.topic;
    if (typeof topic !== 'string' || !topic.startsWith(TOPIC_PREFIX)) return result;
    const data = msg.data;
    if (Array.isArray(data)) {
      for (let i = 0; i < data.length; i++) parseItem(data[i], opts, result);
    } else if (isObject(data)) {
      parseItem(data, opts, result);
    } else if (opts.only === undefined) {
      reject(result, BYBIT, 'bad_shape', text);
    }
  } catch {
    reject(result, BYBIT, 'bad_shape', text);
  }
  return result;
}

function rejectItem(result: ParseResult, reason: RejectReason, item: unknown): void {
  reject(result, BYBIT, reason, sampleOfValue(item));
}

function parseItem(item: unknown, opts: BybitParseOptions, result: ParseResult): void {
  if (!isObject(item)) {
    if (opts.only === undefined) rejectItem(result, 'bad_shape', item);
    return;
  }
  const name = itemName(item.s, item, BYBIT, opts, result);
  if (name === undefined) return;
  const inst = opts.instruments.get(name);
  if (inst === undefined) {
    noteMissing(result, BYBIT, name, opts, sampleOfValue(item));
    return;
  }
  const symbol = inst.symbol;
  if (!isValidSymbol(symbol)) {
    rejectItem(result, 'bad_symbol', item);
    return;
  }

  const S = item.S;
  let side: Side;
  if (S === 'Buy') side = 'long';
  else if (S === 'Sell') side = 'short';
  else {
    rejectItem(result, S === undefined || S === null || S === '' ? 'missing_field' : 'bad_side', item);
    return;
  }
  const price = readDecimal(item.p);
  if (typeof price === 'string') {
    rejectItem(result, price, item);
    return;
  }
  const size = readDecimal(item.v);
  if (typeof size === 'string') {
    rejectItem(result, size, item);
    return;
  }
  const ts = readTsNumber(item.T);
  if (typeof ts === 'string') {
    rejectItem(result, ts, item);
    return;
  }
  const tsReason = checkTs(ts, opts);
  if (tsReason !== undefined) {
    rejectItem(result, tsReason, item);
    return;
  }

  const common = { exchange: BYBIT, symbol, side, ts, priceText: item.p as string, sizeText: item.v as string };
  const built = inst.inverse ? makeInverseEvent(common, price, size) : makeLinearEvent(common, price, size);
  if (isBuildError(built)) rejectItem(result, buildErrorReason(built), item);
  else result.events.push(built);
}
