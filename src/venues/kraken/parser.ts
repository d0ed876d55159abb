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
import { isValidSymbol, makeInverseEvent, makeLinearEvent } from '../../core/event.js';
import type { ParseOptions, ParseResult } from '../../core/parse.js';
import { itemName, type Lookup, newResult, noteMissing, readNumeric, readTsNumber, reject, sampleOfValue } from '../parsing.js';
import { absentOr, inWindow, objectFrame, objectItem, pushBuilt, rejectFrameShape, rejectValue, sideOf } from '../parsing-rows.js';

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
    const msg = objectFrame(text, KRAKEN, result);
    if (msg === undefined) return result;
    // {"event":"info"|"subscribed"|"subscribed_failed"|"error"…} and other feeds carry no liquidation.
    if (msg.event !== undefined) return result;
    if (msg.feed === 'trade') {
      parseTrade(msg, opts, products, result);
    } else if (msg.feed === 'trade_snapshot') {
      const trades = msg.trades;
      if (!Array.isArray(trades)) {
        rejectFrameShape(result, KRAKEN, opts, text);
        return result;
      }
      for (let i = 0; i < trades.length; i++) parseTrade(trades[i], opts, products, result);
    }
  } catch {
    reject(result, KRAKEN, 'bad_shape', text);
  }
  return result;
}

function parseTrade(raw: unknown, opts: ParseOptions, products: Lookup<KrakenProduct>, result: ParseResult): void {
  const t = objectItem(raw, KRAKEN, opts, result);
  if (t === undefined || t.type !== 'liquidation') return;
  const name = itemName(t.product_id, t, KRAKEN, opts, result);
  if (name === undefined) return;
  const product = products.get(name.toUpperCase());
  if (product === undefined) return noteMissing(result, KRAKEN, name, opts, sampleOfValue(t));
  if (product.kind === 'unsupported') return rejectValue(result, KRAKEN, 'unsupported_instrument', t);
  if (!isValidSymbol(product.symbol)) return rejectValue(result, KRAKEN, 'bad_symbol', t);
  const side = sideOf(t.side, 'sell', 'buy');
  if (side === undefined) return rejectValue(result, KRAKEN, absentOr(t.side, 'bad_side'), t);
  const price = readNumeric(t.price);
  if (typeof price === 'string') return rejectValue(result, KRAKEN, price, t);
  const qty = readNumeric(t.qty);
  if (typeof qty === 'string') return rejectValue(result, KRAKEN, qty, t);
  const ts = inWindow(readTsNumber(t.time), opts);
  if (typeof ts === 'string') return rejectValue(result, KRAKEN, ts, t);
  const uid = t.uid;
  if (typeof uid !== 'string' || uid === '') return rejectValue(result, KRAKEN, absentOr(uid, 'bad_shape'), t);
  const common = { exchange: KRAKEN, symbol: product.symbol, side, ts, priceText: price.text, sizeText: qty.text, ownId: uid };
  pushBuilt(result, KRAKEN, product.kind === 'inverse' ? makeInverseEvent(common, price.d, qty.d) : makeLinearEvent(common, price.d, qty.d), t);
}
