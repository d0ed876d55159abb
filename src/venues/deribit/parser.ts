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
import { isObject, itemName, type Lookup, newResult, readNumeric, readTsNumber, reject } from '../parsing.js';
import { absentOr, inWindow, knownInstrument, objectFrame, objectItem, pushBuilt, rejectFrameShape, rejectValue } from '../parsing-rows.js';

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
    const msg = objectFrame(text, DERIBIT, result);
    if (msg === undefined) return result;
    // Results (subscribe, set_heartbeat, test), errors, heartbeats: no liquidation.
    if (msg.method !== 'subscription') return result;
    const params = msg.params;
    if (!isObject(params) || typeof params.channel !== 'string') {
      rejectFrameShape(result, DERIBIT, opts, text);
      return result;
    }
    if (!params.channel.startsWith('trades.')) return result;
    const data = params.data;
    if (!Array.isArray(data)) {
      rejectFrameShape(result, DERIBIT, opts, text);
      return result;
    }
    for (let i = 0; i < data.length; i++) parseTrade(data[i], opts, instruments, result);
  } catch {
    reject(result, DERIBIT, 'bad_shape', text);
  }
  return result;
}

/** The sides closed by a liquidation trade, or why none can be told. */
function sidesOf(liquidation: unknown, direction: unknown): Side[] | RejectReason {
  if (direction !== 'buy' && direction !== 'sell') return absentOr(direction, 'bad_side');
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

function parseTrade(raw: unknown, opts: ParseOptions, instruments: Lookup<DeribitInstrument>, result: ParseResult): void {
  const trade = objectItem(raw, DERIBIT, opts, result);
  if (trade === undefined) return;
  // Ordinary trades are most of the channel: not liquidations, not counted, not rejected.
  const liquidation = trade.liquidation;
  if (liquidation === undefined || liquidation === null) return;
  const name = itemName(trade.instrument_name, trade, DERIBIT, opts, result);
  if (name === undefined) return;
  const inst = knownInstrument(instruments, name, trade, DERIBIT, opts, result);
  if (inst === undefined) return;
  if (inst.unsupportedQuote) return rejectValue(result, DERIBIT, 'unsupported_quote', trade);
  if (!isValidSymbol(inst.symbol)) return rejectValue(result, DERIBIT, 'bad_symbol', trade);
  const sides = sidesOf(liquidation, trade.direction);
  if (typeof sides === 'string') return rejectValue(result, DERIBIT, sides, trade);
  const price = readNumeric(trade.price);
  if (typeof price === 'string') return rejectValue(result, DERIBIT, price, trade);
  const amount = readNumeric(trade.amount);
  if (typeof amount === 'string') return rejectValue(result, DERIBIT, amount, trade);
  const ts = inWindow(readTsNumber(trade.timestamp), opts);
  if (typeof ts === 'string') return rejectValue(result, DERIBIT, ts, trade);
  const rawId = trade.trade_id;
  let tradeId: string;
  if (typeof rawId === 'string' && TRADE_ID_RE.test(rawId)) tradeId = rawId;
  else if (typeof rawId === 'number' && Number.isSafeInteger(rawId) && rawId >= 0) tradeId = String(rawId);
  else return rejectValue(result, DERIBIT, absentOr(rawId, 'bad_shape'), trade);

  for (const side of sides) {
    // MT closes two positions in one trade: the side keeps their identities apart.
    const ownId = sides.length > 1 ? `${inst.currency}:${tradeId}:${side}` : `${inst.currency}:${tradeId}`;
    const common = { exchange: DERIBIT, symbol: inst.symbol, side, ts, priceText: price.text, sizeText: amount.text, ownId };
    pushBuilt(result, DERIBIT, inst.inverse ? makeInverseEvent(common, price.d, amount.d) : makeLinearEvent(common, price.d, amount.d), trade);
  }
}
