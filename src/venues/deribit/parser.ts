// https://docs.deribit.com/#trades-kind-currency-interval (trades.{kind}.{currency}.{interval}, the liquidation field)
// https://docs.deribit.com/#public-get_instruments (future_type, settlement_currency)
//
// Payload `{"jsonrpc":"2.0","method":"subscription","params":{"channel":"trades.future.BTC.100ms","data":[{"trade_seq":…,
// "trade_id":"66460463","timestamp":…,"tick_direction":3,"price":4469.5,"liquidation":"T","instrument_name":
// "BTC-PERPETUAL","index_price":4805.41,"direction":"sell","amount":1120}]}}`. Every trade of the channel arrives;
// only those with `liquidation` are liquidations: "T" the taker was liquidated, "M" the maker, "MT" both (one
// long and one short were closed by the same trade). `direction` is the taker's: T sell → a long, buy → a short; the
// maker traded the other way, so M buy → a long, sell → a short; MT is two events of `amount` each. `amount` is USD on
// inverse instruments (coin-settled: BTC-PERPETUAL trades 10-USD contracts, `amount` counts USD) and the base coin on
// linear ones (USDC-settled). Decimals are JSON numbers (read exactly through their shortest round-trip text),
// `timestamp` ms. `trade_id` is unique per currency: the identity is (currency, trade_id), plus the side for MT.
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

export const DERIBIT = 'deribit';

/** What the parser needs of one Deribit future (metadata.ts builds it from get_instruments). */
export interface DeribitInstrument {
  /** Normalized symbol: BTC-PERPETUAL → BTCUSD, BTC-27DEC26 → BTCUSD_261227, SOL_USDC-PERPETUAL → SOLUSDC. */
  readonly symbol: string;
  /** Coin-settled (amount in USD) rather than linear (amount in the base coin). */
  readonly inverse: boolean;
  /** The currency its trade ids are unique in (the settlement currency: BTC, ETH, USDC, …), and its channel's. */
  readonly currency: string;
  /** Quoted in a currency whose USD value is not known here (only USD, USDC and USDT are counted). */
  readonly unsupportedQuote?: true;
}

const TRADE_ID_RE = /^[A-Za-z0-9_-]{1,64}$/;

/** Deribit `trades.*` subscription frames. Pure: never throws, no clock, no I/O. */
export function parseDeribit(text: string, opts: ParseOptions, instruments: Lookup<DeribitInstrument>): ParseResult {
  const result = newResult();
  try {
    const msg = parseJson(text);
    if (msg === undefined) {
      reject(result, DERIBIT, 'invalid_json', text);
      return result;
    }
    if (!isObject(msg)) {
      reject(result, DERIBIT, 'bad_shape', text);
      return result;
    }
    // Results (subscribe, set_heartbeat, test), errors, heartbeats: no liquidation.
    if (msg.method !== 'subscription') return result;
    const params = msg.params;
    if (!isObject(params) || typeof params.channel !== 'string') {
      if (opts.only === undefined) reject(result, DERIBIT, 'bad_shape', text);
      return result;
    }
    if (!params.channel.startsWith('trades.')) return result;
    const data = params.data;
    if (!Array.isArray(data)) {
      if (opts.only === undefined) reject(result, DERIBIT, 'bad_shape', text);
      return result;
    }
    for (let i = 0; i < data.length; i++) parseTrade(data[i], opts, instruments, result);
  } catch {
    reject(result, DERIBIT, 'bad_shape', text);
  }
  return result;
}

function rejectTrade(result: ParseResult, reason: RejectReason, trade: unknown): void {
  reject(result, DERIBIT, reason, sampleOfValue(trade));
}

/** The sides closed by a liquidation trade, or why none can be told. */
function sidesOf(liquidation: unknown, direction: unknown): Side[] | RejectReason {
  if (direction !== 'buy' && direction !== 'sell') return direction === undefined || direction === null || direction === '' ? 'missing_field' : 'bad_side';
  switch (liquidation) {
    case 'T':
      return [direction === 'sell' ? 'long' : 'short'];
    case 'M':
      return [direction === 'buy' ? 'long' : 'short'];
    case 'MT':
      return ['long', 'short'];
    default:
      return 'bad_side';
  }
}

function parseTrade(trade: unknown, opts: ParseOptions, instruments: Lookup<DeribitInstrument>, result: ParseResult): void {
  if (!isObject(trade)) {
    if (opts.only === undefined) rejectTrade(result, 'bad_shape', trade);
    return;
  }
  // Ordinary trades are most of the channel: not liquidations, not counted, not rejected.
  const liquidation = trade.liquidation;
  if (liquidation === undefined || liquidation === null) return;
  const name = itemName(trade.instrument_name, trade, DERIBIT, opts, result);
  if (name === undefined) return;
  const inst = instruments.get(name);
  if (inst === undefined) {
    noteMissing(result, DERIBIT, name, opts, sampleOfValue(trade));
    return;
  }
  if (inst.unsupportedQuote) return rejectTrade(result, 'unsupported_quote', trade);
  if (!isValidSymbol(inst.symbol)) return rejectTrade(result, 'bad_symbol', trade);
  const sides = sidesOf(liquidation, trade.direction);
  if (typeof sides === 'string') return rejectTrade(result, sides, trade);
  const price = readNumeric(trade.price);
  if (typeof price === 'string') return rejectTrade(result, price, trade);
  const amount = readNumeric(trade.amount);
  if (typeof amount === 'string') return rejectTrade(result, amount, trade);
  const ts = readTsNumber(trade.timestamp);
  if (typeof ts === 'string') return rejectTrade(result, ts, trade);
  const tsReason = checkTs(ts, opts);
  if (tsReason !== undefined) return rejectTrade(result, tsReason, trade);
  const rawId = trade.trade_id;
  let tradeId: string;
  if (typeof rawId === 'string' && TRADE_ID_RE.test(rawId)) tradeId = rawId;
  else if (typeof rawId === 'number' && Number.isSafeInteger(rawId) && rawId >= 0) tradeId = String(rawId);
  else return rejectTrade(result, rawId === undefined || rawId === null || rawId === '' ? 'missing_field' : 'bad_shape', trade);

  for (const side of sides) {
    // MT closes two positions in one trade: the side keeps their identities apart.
    const ownId = sides.length > 1 ? `${inst.currency}:${tradeId}:${side}` : `${inst.currency}:${tradeId}`;
    const common = { exchange: DERIBIT, symbol: inst.symbol, side, ts, priceText: price.text, sizeText: amount.text, ownId };
    const built = inst.inverse ? makeInverseEvent(common, price.d, amount.d) : makeLinearEvent(common, price.d, amount.d);
    if (isBuildError(built)) rejectTrade(result, buildErrorReason(built), trade);
    else result.events.push(built);
  }
}
