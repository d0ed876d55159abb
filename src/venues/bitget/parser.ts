// https://www.bitget.com/api-doc/uta/websocket/public/Liquidation-Channel
//
// Payload `{"action":"update","arg":{"instType":"usdt-futures","topic":"liquidation"},"ts":<push ms>,"data":[{"symbol",
// "side","price","amount","ts"}]}`, every inner value a string; one push holds many symbols, each item one
// liquidation. `side` is the *position* side ("buy" = a long was liquidated, docs field table; tardis-node and
// aggr-server read it so too). `amount` is in the quote coin (docs: "Unit: quote coin"; a real capture has
// amount = base × price exactly, 83.1 × 0.1649 = 13.70319), so USD = amount and base = amount ÷ price (tardis-node
// passes amount through as the base amount, which is wrong by a factor of price). `ts` is the liquidation time (ms,
// a string of digits). There is no id: the identity is the tuple (symbol, ts, side, price, amount) with the product
// type folded into the size text ("37.72@usdt-futures"), so that two product types can never collide.
//
// Coin-M symbols: aggr-server (src/exchanges/bitget.js, 2026) addresses coin-futures as "<symbol>_CM" on the socket and
// strips the suffix from what it reads; whether liquidation pushes carry it is unconfirmed, so a coin-futures symbol
// that is not in the metadata is looked up once more in its other spelling (with or without _CM).
import { isValidSymbol, makeInverseEvent } from '../../core/event.js';
import type { ParseOptions, ParseResult } from '../../core/parse.js';
import { isObject, itemName, type Lookup, newResult, noteMissing, readDecimal, readTsString, reject, sampleOfValue } from '../parsing.js';
import { absentOr, inWindow, objectFrame, objectItem, pushBuilt, rejectFrameShape, rejectValue, sideOf } from '../parsing-rows.js';
import { BITGET_INST_TYPES, type BitgetInstType, type BitgetInstrument, bitgetKey } from './metadata.js';

export const BITGET = 'bitget';
const TOPIC = 'liquidation';
const CM = '_CM';

export interface BitgetParseOptions extends ParseOptions {
  /** "usdt-futures-BTCUSDT" (bitgetKey) → instrument. */
  instruments: Lookup<BitgetInstrument>;
}

const isInstType = (v: unknown): v is BitgetInstType => typeof v === 'string' && (BITGET_INST_TYPES as readonly string[]).includes(v);

/** Bitget v3 `liquidation` frames (usdt-, coin- and usdc-futures). Pure: never throws, no clock, no I/O. */
export function parseBitget(text: string, opts: BitgetParseOptions): ParseResult {
  const result = newResult();
  if (text === 'pong') return result;
  try {
    const msg = objectFrame(text, BITGET, result);
    if (msg === undefined) return result;
    // {"event":"subscribe"…} acks, {"event":"error"…}: no liquidation.
    if (msg.event !== undefined) return result;
    const arg = msg.arg;
    if (!isObject(arg) || arg.topic !== TOPIC) return result;
    const instType = arg.instType;
    const data = msg.data;
    if (!isInstType(instType) || !Array.isArray(data)) {
      rejectFrameShape(result, BITGET, opts, text);
      return result;
    }
    for (let i = 0; i < data.length; i++) parseItem(data[i], instType, opts, result);
  } catch {
    reject(result, BITGET, 'bad_shape', text);
  }
  return result;
}

function lookup(instType: BitgetInstType, symbol: string, key: string, instruments: Lookup<BitgetInstrument>): BitgetInstrument | undefined {
  const inst = instruments.get(key);
  if (inst !== undefined || instType !== 'coin-futures') return inst;
  const other = symbol.endsWith(CM) ? symbol.slice(0, -CM.length) : symbol + CM;
  return other === '' ? undefined : instruments.get(bitgetKey(instType, other));
}

function parseItem(raw: unknown, instType: BitgetInstType, opts: BitgetParseOptions, result: ParseResult): void {
  const item = objectItem(raw, BITGET, opts, result);
  if (item === undefined) return;
  const symbol = item.symbol;
  if (typeof symbol !== 'string' || symbol.length === 0) {
    if (opts.only === undefined) rejectValue(result, BITGET, absentOr(symbol, 'bad_symbol'), item);
    return;
  }
  const key = itemName(bitgetKey(instType, symbol), item, BITGET, opts, result);
  if (key === undefined) return;
  const inst = lookup(instType, symbol, key, opts.instruments);
  if (inst === undefined) return noteMissing(result, BITGET, key, opts, sampleOfValue(item));
  if (!isValidSymbol(inst.symbol)) return rejectValue(result, BITGET, 'bad_symbol', item);
  const side = sideOf(item.side, 'buy', 'sell');
  if (side === undefined) return rejectValue(result, BITGET, absentOr(item.side, 'bad_side'), item);
  const price = readDecimal(item.price);
  if (typeof price === 'string') return rejectValue(result, BITGET, price, item);
  const amount = readDecimal(item.amount);
  if (typeof amount === 'string') return rejectValue(result, BITGET, amount, item);
  const ts = inWindow(readTsString(item.ts), opts);
  if (typeof ts === 'string') return rejectValue(result, BITGET, ts, item);
  // The product type rides in the size text of the identity: (symbol, ts, side, price, amount@instType).
  const common = { exchange: BITGET, symbol: inst.symbol, side, ts, priceText: item.price as string, sizeText: `${item.amount as string}@${instType}` };
  pushBuilt(result, BITGET, makeInverseEvent(common, price, amount), item);
}
