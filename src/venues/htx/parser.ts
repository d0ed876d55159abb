// https://www.htx.com/en-us/opend/newApiPages/?id=8cb7e25d-77b5-11ed-9966-0242ac110003 (USDT-M liquidation_orders)
// https://www.htx.com/en-us/opend/newApiPages/?id=10000061-77b7-11ed-9966-0242ac110003 (coin-M swaps liquidation_orders)
//
// Payload (inflated) `{"op":"notify","topic":"public.BTC-USDT.liquidation_orders","ts":…,"data":[{"symbol":"BTC",
// "contract_code":"BTC-USDT","direction":"sell","offset":"close","volume":227,"price":23350.5,"created_at":…,
// "amount":0.227,"trade_turnover":5300.5635}]}`; decimals are JSON numbers (the docs type them "decimal"), read
// exactly through their shortest round-trip text (readNumeric). `direction` is the liquidation ORDER's direction
// (the docs' label says "Long or short", the values are buy/sell): sell closes a long, buy closes a short; the REST
// docs' example for trade_type 5 ("liquidate long positions") answers direction "sell". `volume` is in contracts,
// `amount` in the base coin, `price` the bankruptcy price, `created_at` ms. Linear (USDT-M): base = amount,
// USD = amount × price. Coin-margined: USD = volume × contract_size (USD per contract, from the metadata),
// base = USD ÷ price. HTX gives a liquidation no id: the identity is the tuple (contract_code, created_at, side,
// price, volume) — contract_code maps one to one to the symbol, and the size text of the identity is `volume`.
import { type Decimal, mul } from '../../core/decimal.js';
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

export const HTX = 'htx';
const TOPIC_PREFIX = 'public.';
const TOPIC_SUFFIX = '.liquidation_orders';

/** What the parser needs of one HTX contract (metadata.ts builds it from swap_contract_info). */
export interface HtxContract {
  /** Normalized symbol: BTC-USDT → BTCUSDT, BTC-USDT-261225 → BTCUSDT_261225, BTC-USD → BTCUSD. */
  readonly symbol: string;
  /** Coin-margined (USD contracts) rather than USDT-margined. */
  readonly inverse: boolean;
  /** USD per contract (coin-margined; BTC 100, others 10); the base coin per contract for linear (unused). */
  readonly contractSize: Decimal;
  /** Quoted in a currency whose USD value is not known here (only USD, USDT and USDC are counted). */
  readonly unsupportedQuote?: true;
}

/** HTX `public.*.liquidation_orders` frames (inflated), linear and coin-margined. Pure: never throws, no clock, no I/O. */
export function parseHtx(text: string, opts: ParseOptions, contracts: Lookup<HtxContract>): ParseResult {
  const result = newResult();
  try {
    const msg = parseJson(text);
    if (msg === undefined) {
      reject(result, HTX, 'invalid_json', text);
      return result;
    }
    if (!isObject(msg)) {
      reject(result, HTX, 'bad_shape', text);
      return result;
    }
    // Pings, sub/unsub acks (err-code 0 or an error), close notices: no liquidation.
    if (msg.op !== 'notify') return result;
    const topic = msg.topic;
    if (typeof topic !== 'string' || !topic.startsWith(TOPIC_PREFIX) || !topic.endsWith(TOPIC_SUFFIX)) return result;
    const data = msg.data;
    if (!Array.isArray(data)) {
      if (opts.only === undefined) reject(result, HTX, 'bad_shape', text);
      return result;
    }
    for (let i = 0; i < data.length; i++) parseItem(data[i], opts, contracts, result);
  } catch {
    reject(result, HTX, 'bad_shape', text);
  }
  return result;
}

function rejectItem(result: ParseResult, reason: RejectReason, item: unknown): void {
  reject(result, HTX, reason, sampleOfValue(item));
}

function parseItem(item: unknown, opts: ParseOptions, contracts: Lookup<HtxContract>, result: ParseResult): void {
  if (!isObject(item)) {
    if (opts.only === undefined) rejectItem(result, 'bad_shape', item);
    return;
  }
  const name = itemName(item.contract_code, item, HTX, opts, result);
  if (name === undefined) return;
  const inst = contracts.get(name);
  if (inst === undefined) {
    noteMissing(result, HTX, name, opts, sampleOfValue(item));
    return;
  }
  if (inst.unsupportedQuote) {
    rejectItem(result, 'unsupported_quote', item);
    return;
  }
  if (!isValidSymbol(inst.symbol)) {
    rejectItem(result, 'bad_symbol', item);
    return;
  }
  const direction = item.direction;
  let side: Side;
  if (direction === 'sell') side = 'long';
  else if (direction === 'buy') side = 'short';
  else {
    rejectItem(result, direction === undefined || direction === null || direction === '' ? 'missing_field' : 'bad_side', item);
    return;
  }
  const price = readNumeric(item.price);
  if (typeof price === 'string') return rejectItem(result, price, item);
  const volume = readNumeric(item.volume);
  if (typeof volume === 'string') return rejectItem(result, volume, item);
  const ts = readTsNumber(item.created_at);
  if (typeof ts === 'string') return rejectItem(result, ts, item);
  const tsReason = checkTs(ts, opts);
  if (tsReason !== undefined) return rejectItem(result, tsReason, item);

  const common = { exchange: HTX, symbol: inst.symbol, side, ts, priceText: price.text, sizeText: volume.text };
  let built;
  if (inst.inverse) {
    built = makeInverseEvent(common, price.d, mul(volume.d, inst.contractSize));
  } else {
    const amount = readNumeric(item.amount);
    if (typeof amount === 'string') return rejectItem(result, amount, item);
    built = makeLinearEvent(common, price.d, amount.d);
  }
  if (isBuildError(built)) rejectItem(result, buildErrorReason(built), item);
  else result.events.push(built);
}
