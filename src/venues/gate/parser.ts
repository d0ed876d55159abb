// https://www.gate.com/docs/developers/futures/ws/en/#public-liquidates-order-api
// Live shape: https://github.com/gateio/WebSocket-API/issues/132 (2026-08-10); batching: the zh docs' changelog of
// 2026-08-20.
//
// `{"time":<s>,"time_ms":<ms>,"channel":"futures.public_liquidates","event":"update","result":…}`. `result` is
// documented as an array of orders, and since 2026-08-20 holds every liquidation order of a contract in an aggregation
// period (1 s); live frames before that sent one bare object: both are accepted. Item: `contract` (BTC_USDT), `price`
// (a string now, a JSON number in older docs: both, numbers by the number rule), `size` (contracts, signed), `time`
// (ms; older docs named it `time_ms`, taken when `time` is absent). With the handshake header `X-Gate-Size-Decimal: 1`
// (which we send) `size` is a decimal string; without it an integer JSON number: both are read, numbers by the number
// rule. The sign is the liquidation *order's*, as Gate's order sizes are signed (positive bids, negative asks; Gate
// never documents it for this channel, issue #132): size < 0 sells, so a long was liquidated; size > 0 a short.
// (The REST liq_orders `size` is the position's and has the opposite sign: not read here.)
// USDT-settled: base = |size| × quanto_multiplier, USD = base × price. BTC-settled inverse: USD = |size| (1 USD a
// contract), base = USD ÷ price. No id: the identity is the tuple (contract, time, side, price, size) plus the
// occurrence number of the item among identical items of the same frame (two identical orders in one batch are both
// real), folded into the size text ("-124.5#2").
import { type Decimal, mul } from '../../core/decimal.js';
import { isValidSymbol, makeInverseEvent, makeLinearEvent, type Side } from '../../core/event.js';
import type { ParseOptions, ParseResult, RejectReason } from '../../core/parse.js';
import { isObject, itemName, type Lookup, newResult, readDecimal, readNumeric, readTsNumber, reject } from '../parsing.js';
import { inWindow, knownInstrument, objectFrame, objectItem, pushBuilt, rejectFrameShape, rejectValue } from '../parsing-rows.js';
import type { GateContract } from './metadata.js';

export const GATE = 'gate';
export const LIQUIDATES = 'futures.public_liquidates';

export interface GateParseOptions extends ParseOptions {
  /** Contract name as Gate spells it (BTC_USDT, BTC_USD) → contract. */
  contracts: Lookup<GateContract>;
}

/** Gate `futures.public_liquidates` frames (USDT- or BTC-settled). Pure: never throws, no clock, no I/O. */
export function parseGate(text: string, opts: GateParseOptions): ParseResult {
  const result = newResult();
  try {
    const msg = objectFrame(text, GATE, result);
    if (msg === undefined) return result;
    // Pongs, subscribe acks (event subscribe), other channels, notices: no liquidation.
    if (msg.channel !== LIQUIDATES || msg.event !== 'update') return result;
    const res = msg.result;
    const items = Array.isArray(res) ? res : isObject(res) ? [res] : undefined;
    if (items === undefined) {
      rejectFrameShape(result, GATE, opts, text);
      return result;
    }
    const seen = new Map<string, number>();
    for (let i = 0; i < items.length; i++) parseItem(items[i], seen, opts, result);
  } catch {
    reject(result, GATE, 'bad_shape', text);
  }
  return result;
}

/** A signed size: its side, its absolute value, and its text as sent. */
export function readSignedSize(v: unknown): { side: Side; abs: Decimal; text: string } | RejectReason {
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) return 'non_numeric';
    if (v === 0) return 'non_positive';
    const r = readNumeric(Math.abs(v));
    if (typeof r === 'string') return r;
    return { side: v < 0 ? 'long' : 'short', abs: r.d, text: String(v) };
  }
  if (typeof v === 'string') {
    if (v.length === 0) return 'missing_field';
    const negative = v.charCodeAt(0) === 45; // '-'
    const body = negative ? v.slice(1) : v;
    if (body.charCodeAt(0) === 45) return 'non_numeric';
    const d = readDecimal(body);
    if (typeof d === 'string') return d === 'missing_field' ? 'non_numeric' : d;
    return { side: negative ? 'long' : 'short', abs: d, text: v };
  }
  if (v === undefined || v === null) return 'missing_field';
  return 'non_numeric';
}

function parseItem(raw: unknown, seen: Map<string, number>, opts: GateParseOptions, result: ParseResult): void {
  const item = objectItem(raw, GATE, opts, result);
  if (item === undefined) return;
  const name = itemName(item.contract, item, GATE, opts, result);
  if (name === undefined) return;
  const contract = knownInstrument(opts.contracts, name, item, GATE, opts, result);
  if (contract === undefined) return;
  if (contract.kind === 'unsupported') return rejectValue(result, GATE, 'unsupported_instrument', item);
  if (!isValidSymbol(contract.symbol)) return rejectValue(result, GATE, 'bad_symbol', item);
  const size = readSignedSize(item.size);
  if (typeof size === 'string') return rejectValue(result, GATE, size, item);
  const price = readNumeric(item.price);
  if (typeof price === 'string') return rejectValue(result, GATE, price, item);
  const ts = inWindow(readTsNumber(item.time !== undefined && item.time !== null ? item.time : item.time_ms), opts);
  if (typeof ts === 'string') return rejectValue(result, GATE, ts, item);
  // The n-th of identical items in this frame is its own liquidation: n rides in the size text of the identity.
  const key = `${name}|${ts}|${size.side}|${price.text}|${size.text}`;
  const n = (seen.get(key) ?? 0) + 1;
  seen.set(key, n);
  const common = { exchange: GATE, symbol: contract.symbol, side: size.side, ts, priceText: price.text, sizeText: `${size.text}#${n}` };
  const built = contract.kind === 'linear' ? makeLinearEvent(common, price.d, mul(size.abs, contract.multiplier)) : makeInverseEvent(common, price.d, size.abs);
  pushBuilt(result, GATE, built, item);
}
