// https://apidocs.lighter.xyz/docs/websocket-reference#trade
// Markets (market_id → symbol): https://apidocs.lighter.xyz/reference/orderbookdetails
//
// `trade/{market_id}` pushes `{"type":"subscribed/trade","channel":"trade:1","trades":[…],"liquidation_trades":[…]}`
// once (recent trades: liquidations an hour old in a capture, already seen before a reconnect), then
// `{"type":"update/trade",…}` frames. Only `liquidation_trades[]` count; the key may be missing (tardis 769f3d7a).
// Each item: `trade_id`, `market_id`, `size` (base, decimal string), `price` (decimal string), `usd_amount`,
// `is_maker_ask`, `timestamp` (ms), `taker_position_size_before`, … The liquidated account is the taker (a capture:
// taker_position_size_before −0.01664 closed by a buy of 0.01664), so `is_maker_ask` true (the maker sold, the taker
// bought) closed a short, false a long; tardis reads it the same way. USD = size × price (`usd_amount` is that
// product, rounded by Lighter: not used). The identity is Lighter's `trade_id`: a snapshot's replay counts once.
import { isValidSymbol, makeLinearEvent, type Side } from '../../core/event.js';
import type { ParseOptions, ParseResult, RejectReason } from '../../core/parse.js';
import {
  buildErrorReason,
  checkTs,
  isBuildError,
  isObject,
  type Lookup,
  newResult,
  noteMissing,
  parseJson,
  readDecimal,
  readTsNumber,
  reject,
  sampleOfValue,
} from '../parsing.js';

export const LIGHTER = 'lighter';

/** What the parser needs from Lighter's market list, per market id (as a decimal string). */
export interface LighterMarket {
  /** Market symbol + USD: BTC → BTCUSD. */
  readonly symbol: string;
  /** `status: active`: only these are subscribed. */
  readonly active: boolean;
}

const CHANNEL_RE = /^trade:(\d{1,9})$/;
const ID_RE = /^\d{1,19}$/;

/** Lighter `trade/{market_id}` frames. Pure: never throws, no clock, no I/O. */
export function parseLighter(text: string, opts: ParseOptions, markets: Lookup<LighterMarket>): ParseResult {
  const result = newResult();
  try {
    const msg = parseJson(text);
    if (msg === undefined) {
      reject(result, LIGHTER, 'invalid_json', text);
      return result;
    }
    // Every Lighter message is an object: anything else is counted, never dropped unseen.
    if (!isObject(msg)) {
      reject(result, LIGHTER, 'bad_shape', text);
      return result;
    }
    // connected, ping/pong, unsubscribed, errors ({"error":{…}}) and other channels carry no liquidation.
    if (msg.type !== 'subscribed/trade' && msg.type !== 'update/trade') return result;
    const liqs = msg.liquidation_trades;
    if (liqs === undefined || liqs === null) return result;
    if (!Array.isArray(liqs)) {
      if (opts.only === undefined) reject(result, LIGHTER, 'bad_shape', text);
      return result;
    }
    const channel = typeof msg.channel === 'string' ? CHANNEL_RE.exec(msg.channel)?.[1] : undefined;
    for (let i = 0; i < liqs.length; i++) parseItem(liqs[i], channel, opts, markets, result);
  } catch {
    reject(result, LIGHTER, 'bad_shape', text);
  }
  return result;
}

function rejectItem(result: ParseResult, reason: RejectReason, item: unknown): void {
  reject(result, LIGHTER, reason, sampleOfValue(item));
}

const absent = (v: unknown) => v === undefined || v === null || v === '';

/** A market or trade id: a safe non-negative integer, or its digits as a string. */
function idText(v: unknown): string | undefined {
  if (typeof v === 'number') return Number.isSafeInteger(v) && v >= 0 ? String(v) : undefined;
  if (typeof v === 'string' && ID_RE.test(v)) return v;
  return undefined;
}

function parseItem(item: unknown, channel: string | undefined, opts: ParseOptions, markets: Lookup<LighterMarket>, result: ParseResult): void {
  if (!isObject(item)) {
    if (opts.only === undefined) rejectItem(result, 'bad_shape', item);
    return;
  }
  // The item's own market_id; the channel's when the item lacks it.
  const name = absent(item.market_id) ? channel : idText(item.market_id);
  if (name === undefined) {
    if (opts.only === undefined) rejectItem(result, absent(item.market_id) ? 'missing_field' : 'bad_symbol', item);
    return;
  }
  if (opts.only !== undefined && !opts.only.has(name)) return;
  const market = markets.get(name);
  if (market === undefined) {
    noteMissing(result, LIGHTER, name, opts, sampleOfValue(item));
    return;
  }
  if (!isValidSymbol(market.symbol)) {
    rejectItem(result, 'bad_symbol', item);
    return;
  }
  let side: Side;
  if (item.is_maker_ask === true) side = 'short';
  else if (item.is_maker_ask === false) side = 'long';
  else {
    rejectItem(result, absent(item.is_maker_ask) ? 'missing_field' : 'bad_side', item);
    return;
  }
  const price = readDecimal(item.price);
  if (typeof price === 'string') {
    rejectItem(result, price, item);
    return;
  }
  const size = readDecimal(item.size);
  if (typeof size === 'string') {
    rejectItem(result, size, item);
    return;
  }
  const ts = readTsNumber(item.timestamp);
  if (typeof ts === 'string') {
    rejectItem(result, ts, item);
    return;
  }
  const tsReason = checkTs(ts, opts);
  if (tsReason !== undefined) {
    rejectItem(result, tsReason, item);
    return;
  }
  // trade_id is a JSON number; past 2^53 its digits are taken from trade_id_str.
  const tradeId = idText(item.trade_id) ?? idText(item.trade_id_str);
  if (tradeId === undefined) {
    rejectItem(result, absent(item.trade_id) && absent(item.trade_id_str) ? 'missing_field' : 'bad_shape', item);
    return;
  }
  const common = { exchange: LIGHTER, symbol: market.symbol, side, ts, priceText: item.price as string, sizeText: item.size as string, ownId: tradeId };
  const built = makeLinearEvent(common, price, size);
  if (isBuildError(built)) rejectItem(result, buildErrorReason(built), item);
  else result.events.push(built);
}
