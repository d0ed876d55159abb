// https://docs.kraken.com/api/docs/futures-api/websocket/trade
// Instruments (product ids, tradeable): https://docs.kraken.com/api-reference/instrument-details/get-instruments
//
// The `trade` feed of every product: after each subscribe a `{"feed":"trade_snapshot","product_id":…,"trades":[…]}`
// of recent trades (liquidations among them, already seen before a reconnect), then one `{"feed":"trade",
// "product_id","uid","side","type","seq","time","qty","price"}` per trade. Only `type: "liquidation"` counts (`fill`,
// `termination`, `block` do not). `side` is the taker's side; the liquidation order is taken to be the taker, so
// `sell` closed a long and `buy` a short (the docs do not say who the taker of a liquidation is: unconfirmed; tardis
// reads `side` the same way). `qty` and `price` are JSON numbers (the number rule: exact through the shortest
// round-trip text, imprecise_number past 15 significant digits). PF_/FF_ (linear, contract size 1 base unit):
// base = qty, USD = qty × price; PI_/FI_ (inverse, 1 USD contracts): USD = qty, base = USD ÷ price. `time` is ms.
// The identity is Kraken's `uid`: a trade replayed by a snapshot is the same liquidation, counted once.
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
  readNumeric,
  readTsNumber,
  reject,
  sampleOfValue,
} from '../parsing.js';

export const KRAKEN = 'kraken';

/** What the parser needs from Kraken's instrument list, per product id (upper case). */
export interface KrakenProduct {
  /** Normalized symbol: PF_XBTUSD → BTCUSD, FI_XBTUSD_261225 → BTCUSD_261225 ('' for an unsupported kind). */
  readonly symbol: string;
  /** PF_/FF_ linear, PI_/FI_ inverse; anything else (indices, other kinds) is not counted. */
  readonly kind: 'linear' | 'inverse' | 'unsupported';
  /** Open for trading: only these are subscribed. */
  readonly tradeable: boolean;
}

/** Kraken Futures `trade` and `trade_snapshot` frames. Pure: never throws, no clock, no I/O. */
export function parseKraken(text: string, opts: ParseOptions, products: Lookup<KrakenProduct>): ParseResult {
  const result = newResult();
  try {
    const msg = parseJson(text);
    if (msg === undefined) {
      reject(result, KRAKEN, 'invalid_json', text);
      return result;
    }
    // Every Kraken Futures message is an object: anything else is counted, never dropped unseen.
    if (!isObject(msg)) {
      reject(result, KRAKEN, 'bad_shape', text);
      return result;
    }
    // {"event":"info"|"subscribed"|"subscribed_failed"|"error"…} and other feeds carry no liquidation.
    if (msg.event !== undefined) return result;
    if (msg.feed === 'trade') {
      parseTrade(msg, opts, products, result);
    } else if (msg.feed === 'trade_snapshot') {
      const trades = msg.trades;
      if (!Array.isArray(trades)) {
        if (opts.only === undefined) reject(result, KRAKEN, 'bad_shape', text);
        return result;
      }
      for (let i = 0; i < trades.length; i++) parseTrade(trades[i], opts, products, result);
    }
  } catch {
    reject(result, KRAKEN, 'bad_shape', text);
  }
  return result;
}

function rejectItem(result: ParseResult, reason: RejectReason, item: unknown): void {
  reject(result, KRAKEN, reason, sampleOfValue(item));
}

const absent = (v: unknown) => v === undefined || v === null || v === '';

function parseTrade(t: unknown, opts: ParseOptions, products: Lookup<KrakenProduct>, result: ParseResult): void {
  if (!isObject(t)) {
    if (opts.only === undefined) rejectItem(result, 'bad_shape', t);
    return;
  }
  if (t.type !== 'liquidation') return;
  const name = itemName(t.product_id, t, KRAKEN, opts, result);
  if (name === undefined) return;
  const product = products.get(name.toUpperCase());
  if (product === undefined) {
    noteMissing(result, KRAKEN, name, opts, sampleOfValue(t));
    return;
  }
  if (product.kind === 'unsupported') {
    rejectItem(result, 'unsupported_instrument', t);
    return;
  }
  if (!isValidSymbol(product.symbol)) {
    rejectItem(result, 'bad_symbol', t);
    return;
  }
  let side: Side;
  if (t.side === 'sell') side = 'long';
  else if (t.side === 'buy') side = 'short';
  else {
    rejectItem(result, absent(t.side) ? 'missing_field' : 'bad_side', t);
    return;
  }
  const price = readNumeric(t.price);
  if (typeof price === 'string') {
    rejectItem(result, price, t);
    return;
  }
  const qty = readNumeric(t.qty);
  if (typeof qty === 'string') {
    rejectItem(result, qty, t);
    return;
  }
  const ts = readTsNumber(t.time);
  if (typeof ts === 'string') {
    rejectItem(result, ts, t);
    return;
  }
  const tsReason = checkTs(ts, opts);
  if (tsReason !== undefined) {
    rejectItem(result, tsReason, t);
    return;
  }
  const uid = t.uid;
  if (typeof uid !== 'string' || uid === '') {
    rejectItem(result, absent(uid) ? 'missing_field' : 'bad_shape', t);
    return;
  }
  const common = { exchange: KRAKEN, symbol: product.symbol, side, ts, priceText: price.text, sizeText: qty.text, ownId: uid };
  const built = product.kind === 'inverse' ? makeInverseEvent(common, price.d, qty.d) : makeLinearEvent(common, price.d, qty.d);
  if (isBuildError(built)) rejectItem(result, buildErrorReason(built), t);
  else result.events.push(built);
}
