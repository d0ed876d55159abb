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
import { isValidSymbol, makeLinearEvent } from '../../core/event.js';
import type { ParseOptions, ParseResult } from '../../core/parse.js';
import { type Lookup, newResult, readDecimal, readTsNumber, reject } from '../parsing.js';
import { absent, absentOr, inWindow, knownInstrument, objectFrame, objectItem, pushBuilt, rejectFrameShape, rejectValue, sideOf } from '../parsing-rows.js';

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
    const msg = objectFrame(text, LIGHTER, result);
    if (msg === undefined) return result;
    // connected, ping/pong, unsubscribed, errors ({"error":{…}}) and other channels carry no liquidation.
    if (msg.type !== 'subscribed/trade' && msg.type !== 'update/trade') return result;
    const liqs = msg.liquidation_trades;
    if (liqs === undefined || liqs === null) return result;
    if (!Array.isArray(liqs)) {
      rejectFrameShape(result, LIGHTER, opts, text);
      return result;
    }
    const channel = typeof msg.channel === 'string' ? CHANNEL_RE.exec(msg.channel)?.[1] : undefined;
    for (let i = 0; i < liqs.length; i++) parseItem(liqs[i], channel, opts, markets, result);
  } catch {
    reject(result, LIGHTER, 'bad_shape', text);
  }
  return result;
}

/** A market or trade id: a safe non-negative integer, or its digits as a string. */
function idText(v: unknown): string | undefined {
  if (typeof v === 'number') return Number.isSafeInteger(v) && v >= 0 ? String(v) : undefined;
  if (typeof v === 'string' && ID_RE.test(v)) return v;
  return undefined;
}

function parseItem(raw: unknown, channel: string | undefined, opts: ParseOptions, markets: Lookup<LighterMarket>, result: ParseResult): void {
  const item = objectItem(raw, LIGHTER, opts, result);
  if (item === undefined) return;
  // The item's own market_id; the channel's when the item lacks it.
  const name = absent(item.market_id) ? channel : idText(item.market_id);
  if (name === undefined) {
    if (opts.only === undefined) rejectValue(result, LIGHTER, absentOr(item.market_id, 'bad_symbol'), item);
    return;
  }
  if (opts.only !== undefined && !opts.only.has(name)) return;
  const market = knownInstrument(markets, name, item, LIGHTER, opts, result);
  if (market === undefined) return;
  if (!isValidSymbol(market.symbol)) return rejectValue(result, LIGHTER, 'bad_symbol', item);
  const side = sideOf(item.is_maker_ask, false, true);
  if (side === undefined) return rejectValue(result, LIGHTER, absentOr(item.is_maker_ask, 'bad_side'), item);
  const price = readDecimal(item.price);
  if (typeof price === 'string') return rejectValue(result, LIGHTER, price, item);
  const size = readDecimal(item.size);
  if (typeof size === 'string') return rejectValue(result, LIGHTER, size, item);
  const ts = inWindow(readTsNumber(item.timestamp), opts);
  if (typeof ts === 'string') return rejectValue(result, LIGHTER, ts, item);
  // trade_id is a JSON number; past 2^53 its digits are taken from trade_id_str.
  const tradeId = idText(item.trade_id) ?? idText(item.trade_id_str);
  if (tradeId === undefined) {
    return rejectValue(result, LIGHTER, absent(item.trade_id) && absent(item.trade_id_str) ? 'missing_field' : 'bad_shape', item);
  }
  const common = { exchange: LIGHTER, symbol: market.symbol, side, ts, priceText: item.price as string, sizeText: item.size as string, ownId: tradeId };
  pushBuilt(result, LIGHTER, makeLinearEvent(common, price, size), item);
}
