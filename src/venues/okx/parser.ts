// https://www.okx.com/docs-v5/en/#public-data-websocket-liquidation-orders-channel
// Instruments (ctType, ctVal, ctMult): https://www.okx.com/docs-v5/en/#public-data-rest-api-get-instruments
//
// Payload `{"arg":{"channel":"liquidation-orders","instType":"SWAP"},"data":[{"instId":"BTC-USDT-SWAP",…,
// "details":[{"posSide":"long","side":"sell","bkPx":"…","sz":"…","ts":"…","bkLoss":"0","ccy":""}]}]}`. Both `data`
// and `details` are arrays; each detail is one liquidation. `posSide` is long/short, or net (net mode), where the
// order `side` tells: sell closes a long, buy closes a short. `sz` is in contracts: linear (ctType linear, ctVal in
// the base coin) base = sz × ctVal × ctMult, USD = base × bkPx; inverse (ctVal in USD) USD = sz × ctVal × ctMult,
// base = USD ÷ bkPx. `ts` is a string of digits (ms). Keepalive: the server answers the text `ping` with `pong`.
import { type Decimal, mul } from '../../core/decimal.js';
import { isValidSymbol, makeInverseEvent, makeLinearEvent, type Side } from '../../core/event.js';
import type { ParseOptions, ParseResult } from '../../core/parse.js';
import { isObject, itemName, type Lookup, newResult, noteMissing, readDecimal, readTsString, reject, sampleOfValue } from '../parsing.js';
import { absentOr, inWindow, objectFrame, objectItem, pushBuilt, rejectFrameShape, rejectValue, sideOf } from '../parsing-rows.js';

export const OKX = 'okx';
const CHANNEL = 'liquidation-orders';

/** What the parser needs from OKX's instrument metadata (built by src/streams/instruments.ts). */
export interface OkxInstrument {
  /** Normalized symbol: BTC-USDT-SWAP → BTCUSDT, BTC-USD-261225 → BTCUSD_261225. */
  readonly symbol: string;
  /** ctType inverse (ctVal in USD) rather than linear (ctVal in the base coin). */
  readonly inverse: boolean;
  /** ctVal × ctMult: base coin per contract (linear) or USD per contract (inverse). */
  readonly contractValue: Decimal;
}

export interface OkxParseOptions extends ParseOptions {
  /** OKX instId (BTC-USDT-SWAP, BTC-USD-261225) → instrument. */
  instruments: Lookup<OkxInstrument>;
}

/** OKX v5 `liquidation-orders` frames (SWAP and FUTURES). Pure: never throws, no clock, no I/O. */
export function parseOkx(text: string, opts: OkxParseOptions): ParseResult {
  const result = newResult();
  if (text === 'pong') return result;
  try {
    // Every OKX message but the text 'pong' is an object.
    const msg = objectFrame(text, OKX, result);
    if (msg === undefined) return result;
    // {"event":"subscribe"…}, {"event":"error"…}, notices: no liquidation.
    if (msg.event !== undefined) return result;
    const arg = msg.arg;
    if (!isObject(arg) || arg.channel !== CHANNEL) return result;
    const data = msg.data;
    if (!Array.isArray(data)) {
      rejectFrameShape(result, OKX, opts, text);
      return result;
    }
    for (let i = 0; i < data.length; i++) parseItem(data[i], opts, result);
  } catch {
    reject(result, OKX, 'bad_shape', text);
  }
  return result;
}

/**
 * The `data` items of a REST answer (GET /api/v5/public/liquidation-orders: the same item shape as the stream's,
 * `{instId, details: [...]}`), through the same rules as a frame's: the same strings give the same identity.
 */
export function parseOkxItems(items: readonly unknown[], opts: OkxParseOptions): ParseResult {
  const result = newResult();
  for (let i = 0; i < items.length; i++) {
    try {
      parseItem(items[i], opts, result);
    } catch {
      reject(result, OKX, 'bad_shape', sampleOfValue(items[i]));
    }
  }
  return result;
}

function parseItem(raw: unknown, opts: OkxParseOptions, result: ParseResult): void {
  const item = objectItem(raw, OKX, opts, result);
  if (item === undefined) return;
  const name = itemName(item.instId, item, OKX, opts, result);
  if (name === undefined) return;
  const details = item.details;
  const inst = opts.instruments.get(name);
  if (inst === undefined) {
    // Each detail is one liquidation: on the final pass each becomes its own unknown_instrument rejection.
    if (Array.isArray(details) && details.length > 0) {
      for (let i = 0; i < details.length; i++) noteMissing(result, OKX, name, opts, sampleOfValue(details[i]));
    } else {
      noteMissing(result, OKX, name, opts, sampleOfValue(item));
    }
    return;
  }
  if (!Array.isArray(details)) return rejectValue(result, OKX, 'bad_shape', item);
  if (!isValidSymbol(inst.symbol)) {
    for (let i = 0; i < details.length; i++) rejectValue(result, OKX, 'bad_symbol', details[i]);
    return;
  }
  for (let i = 0; i < details.length; i++) parseDetail(details[i], inst, opts, result);
}

function parseDetail(d: unknown, inst: OkxInstrument, opts: OkxParseOptions, result: ParseResult): void {
  if (!isObject(d)) return rejectValue(result, OKX, 'bad_shape', d);
  const posSide = d.posSide;
  let side: Side | undefined;
  if (posSide === 'long') side = 'long';
  else if (posSide === 'short') side = 'short';
  else if (posSide === 'net') {
    // Net mode: the order's side tells.
    side = sideOf(d.side, 'sell', 'buy');
    if (side === undefined) return rejectValue(result, OKX, absentOr(d.side, 'bad_side'), d);
  } else return rejectValue(result, OKX, absentOr(posSide, 'bad_side'), d);
  const price = readDecimal(d.bkPx);
  if (typeof price === 'string') return rejectValue(result, OKX, price, d);
  const contracts = readDecimal(d.sz);
  if (typeof contracts === 'string') return rejectValue(result, OKX, contracts, d);
  const ts = inWindow(readTsString(d.ts), opts);
  if (typeof ts === 'string') return rejectValue(result, OKX, ts, d);

  const amount = mul(contracts, inst.contractValue);
  const common = { exchange: OKX, symbol: inst.symbol, side, ts, priceText: d.bkPx as string, sizeText: d.sz as string };
  pushBuilt(result, OKX, inst.inverse ? makeInverseEvent(common, price, amount) : makeLinearEvent(common, price, amount), d);
}
