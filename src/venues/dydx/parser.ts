// https://docs.dydx.exchange/api_integration-indexer/indexer_websocket (v4_trades: subscribed, channel_data)
// https://github.com/dydxprotocol/v4-chain/blob/main/indexer/services/comlink/public/websocket-documentation.md
//
// Payload `{"type":"channel_data","id":"BTC-USD","channel":"v4_trades","version":"2.1.0","contents":{"trades":[{"id":
// "014f495a0000000200000005","side":"SELL","size":"3.9","price":"22.87","type":"LIQUIDATED","createdAt":
// "2024-08-04T07:34:50.628Z"}]}}`. The `subscribed` answer carries the market's recent trades in the same
// `contents.trades` (on every subscribe, so after a reconnect too: identities decide, they are counted once); a
// `channel_batch_data` frame (a client that asked for batches) carries an array of such contents. Only
// `type: LIQUIDATED` is a liquidation (older indexers sent `liquidation: true` instead of a type); DELEVERAGED is the
// deleveraging of a profitable position, not a liquidation. The trade is the fill of the liquidated subaccount's
// *taker* order and `side` is that taker's: SELL closes a long, BUY closes a short. Decimals are strings (a JSON
// number is `json_number`); `size` is the base quantity, USD = size × price (USDC). `createdAt` is ISO 8601 and is
// converted exactly (isoToMs). The identity is the trade's own `id` (the taker fill's id).
import { isValidSymbol, makeLinearEvent } from '../../core/event.js';
import type { ParseOptions, ParseResult, RejectReason } from '../../core/parse.js';
import { isObject, itemName, type Lookup, newResult, noteMissing, readDecimal, reject, sampleOfValue } from '../parsing.js';
import { absentOr, inWindow, objectFrame, pushBuilt, rejectFrameShape, rejectValue, sideOf } from '../parsing-rows.js';

export const DYDX = 'dydx';
export const DYDX_CHANNEL = 'v4_trades';

/** What the parser needs of one dYdX market (metadata.ts builds it from /v4/perpetualMarkets). */
export interface DydxMarket {
  /** Normalized symbol: BTC-USD → BTCUSD. */
  readonly symbol: string;
  /** Quoted in something else than USD (every dYdX perpetual is USD-quoted today). */
  readonly unsupportedQuote?: true;
}

const ISO_RE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?Z$/;
const ID_RE = /^[A-Za-z0-9_-]{1,100}$/;

/**
 * An ISO 8601 UTC time (`2024-08-04T07:34:50.628Z`) to epoch ms, exactly: the fields are read as integers, never
 * through Date.parse. Digits past the millisecond are truncated (…50.6289Z is …50.628), so the same text always gives
 * the same ms. Only the form the indexer writes is accepted: a `Z` offset, 1 to 9 fraction digits, a date that exists
 * (2023-02-29 is refused, not rolled over to March), no leap second, a year from 1970.
 */
export function isoToMs(v: unknown): number | RejectReason {
  if (typeof v !== 'string') return absentOr(v, 'bad_ts');
  if (v === '') return 'missing_field';
  const m = ISO_RE.exec(v);
  if (m === null) return 'bad_ts';
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  const h = Number(m[4]);
  const mi = Number(m[5]);
  const s = Number(m[6]);
  if (y < 1970 || mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 59) return 'bad_ts';
  const ms = m[7] === undefined ? 0 : Number(m[7].slice(0, 3).padEnd(3, '0'));
  const t = Date.UTC(y, mo - 1, d, h, mi, s, ms);
  const back = new Date(t);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) return 'bad_ts';
  return t;
}

const isLiquidation = (t: Record<string, unknown>) => t.type === 'LIQUIDATED' || t.liquidation === true;

/** dYdX v4 `v4_trades` frames. Pure: never throws, no clock, no I/O. */
export function parseDydx(text: string, opts: ParseOptions, markets: Lookup<DydxMarket>): ParseResult {
  const result = newResult();
  try {
    const msg = objectFrame(text, DYDX, result);
    if (msg === undefined) return result;
    // connected, unsubscribed, error, pong, other channels: no liquidation.
    const type = msg.type;
    if (msg.channel !== DYDX_CHANNEL || (type !== 'subscribed' && type !== 'channel_data' && type !== 'channel_batch_data')) return result;
    const batches = type === 'channel_batch_data' ? msg.contents : [msg.contents];
    const trades: unknown[] = [];
    if (Array.isArray(batches)) {
      for (const c of batches) {
        if (isObject(c) && Array.isArray(c.trades)) trades.push(...c.trades);
        else if (opts.only === undefined) reject(result, DYDX, 'bad_shape', sampleOfValue(c));
      }
    } else {
      rejectFrameShape(result, DYDX, opts, text);
    }
    // Most trades are not liquidations: a frame with none asks nothing of the metadata.
    const liquidations = trades.filter((t) => !isObject(t) || isLiquidation(t));
    if (liquidations.length === 0) return result;
    const name = itemName(msg.id, msg, DYDX, opts, result);
    if (name === undefined) return result;
    const market = markets.get(name);
    if (market === undefined) {
      for (const t of liquidations) noteMissing(result, DYDX, name, opts, sampleOfValue(t));
      return result;
    }
    for (const t of liquidations) parseTrade(t, market, opts, result);
  } catch {
    reject(result, DYDX, 'bad_shape', text);
  }
  return result;
}

function parseTrade(trade: unknown, market: DydxMarket, opts: ParseOptions, result: ParseResult): void {
  if (!isObject(trade)) return rejectValue(result, DYDX, 'bad_shape', trade);
  if (market.unsupportedQuote) return rejectValue(result, DYDX, 'unsupported_quote', trade);
  if (!isValidSymbol(market.symbol)) return rejectValue(result, DYDX, 'bad_symbol', trade);
  const side = sideOf(trade.side, 'SELL', 'BUY');
  if (side === undefined) return rejectValue(result, DYDX, absentOr(trade.side, 'bad_side'), trade);
  const price = readDecimal(trade.price);
  if (typeof price === 'string') return rejectValue(result, DYDX, price, trade);
  const size = readDecimal(trade.size);
  if (typeof size === 'string') return rejectValue(result, DYDX, size, trade);
  const ts = inWindow(isoToMs(trade.createdAt), opts);
  if (typeof ts === 'string') return rejectValue(result, DYDX, ts, trade);
  const id = trade.id;
  if (typeof id !== 'string' || !ID_RE.test(id)) return rejectValue(result, DYDX, absentOr(id, 'bad_shape'), trade);
  const common = { exchange: DYDX, symbol: market.symbol, side, ts, priceText: trade.price as string, sizeText: trade.size as string, ownId: id };
  pushBuilt(result, DYDX, makeLinearEvent(common, price, size), trade);
}
