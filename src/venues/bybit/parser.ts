// https://bybit-exchange.github.io/docs/v5/websocket/public/all-liquidation
// Instruments (symbol naming, linear vs inverse): https://bybit-exchange.github.io/docs/v5/market/instrument
//
// Payload `{"topic":"allLiquidation.ROSEUSDT","type":"snapshot","ts":…,"data":[{"T":…,"s":"ROSEUSDT","S":"Sell",
// "v":"20000","p":"0.04499"}]}`. `data` may hold several liquidations, each one event. `S` is the *position* side
// ("When you receive a Buy update, this means that a long position has been liquidated"): Buy → long,
// Sell → short, the opposite of Binance's order side. `p` is the bankruptcy price, `v` the size: base quantity on
// linear contracts, USD on inverse ones (contracts of 1 USD). `T` is the liquidation time (ms, JSON number).
import { isValidSymbol, makeInverseEvent, makeLinearEvent } from '../../core/event.js';
import type { ParseOptions, ParseResult } from '../../core/parse.js';
import { isObject, itemName, type Lookup, newResult, readDecimal, readTsNumber, reject } from '../parsing.js';
import { absentOr, inWindow, knownInstrument, objectFrame, objectItem, pushBuilt, rejectFrameShape, rejectValue, sideOf } from '../parsing-rows.js';

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
    const msg = objectFrame(text, BYBIT, result);
    if (msg === undefined) return result;
    // Pongs ({"op":"ping","ret_msg":"pong"…}), subscribe acks and other topics carry no liquidation.
    const topic = msg.topic;
    if (typeof topic !== 'string' || !topic.startsWith(TOPIC_PREFIX)) return result;
    const data = msg.data;
    if (Array.isArray(data)) {
      for (let i = 0; i < data.length; i++) parseItem(data[i], opts, result);
    } else if (isObject(data)) {
      parseItem(data, opts, result);
    } else {
      rejectFrameShape(result, BYBIT, opts, text);
    }
  } catch {
    reject(result, BYBIT, 'bad_shape', text);
  }
  return result;
}

function parseItem(raw: unknown, opts: BybitParseOptions, result: ParseResult): void {
  const item = objectItem(raw, BYBIT, opts, result);
  if (item === undefined) return;
  const name = itemName(item.s, item, BYBIT, opts, result);
  if (name === undefined) return;
  const inst = knownInstrument(opts.instruments, name, item, BYBIT, opts, result);
  if (inst === undefined) return;
  const symbol = inst.symbol;
  if (!isValidSymbol(symbol)) return rejectValue(result, BYBIT, 'bad_symbol', item);
  const side = sideOf(item.S, 'Buy', 'Sell');
  if (side === undefined) return rejectValue(result, BYBIT, absentOr(item.S, 'bad_side'), item);
  const price = readDecimal(item.p);
  if (typeof price === 'string') return rejectValue(result, BYBIT, price, item);
  const size = readDecimal(item.v);
  if (typeof size === 'string') return rejectValue(result, BYBIT, size, item);
  const ts = inWindow(readTsNumber(item.T), opts);
  if (typeof ts === 'string') return rejectValue(result, BYBIT, ts, item);

  const common = { exchange: BYBIT, symbol, side, ts, priceText: item.p as string, sizeText: item.v as string };
  pushBuilt(result, BYBIT, inst.inverse ? makeInverseEvent(common, price, size) : makeLinearEvent(common, price, size), item);
}
