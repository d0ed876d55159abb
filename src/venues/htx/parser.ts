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
import { isValidSymbol, makeInverseEvent, makeLinearEvent } from '../../core/event.js';
import type { ParseOptions, ParseResult } from '../../core/parse.js';
import { itemName, type Lookup, newResult, readNumeric, readTsNumber, reject } from '../parsing.js';
import { absentOr, inWindow, knownInstrument, objectFrame, objectItem, pushBuilt, rejectFrameShape, rejectValue, sideOf } from '../parsing-rows.js';

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
    const msg = objectFrame(text, HTX, result);
    if (msg === undefined) return result;
    // Pings, sub/unsub acks (err-code 0 or an error), close notices: no liquidation.
    if (msg.op !== 'notify') return result;
    const topic = msg.topic;
    if (typeof topic !== 'string' || !topic.startsWith(TOPIC_PREFIX) || !topic.endsWith(TOPIC_SUFFIX)) return result;
    const data = msg.data;
    if (!Array.isArray(data)) {
      rejectFrameShape(result, HTX, opts, text);
      return result;
    }
    for (let i = 0; i < data.length; i++) parseItem(data[i], opts, contracts, result);
  } catch {
    reject(result, HTX, 'bad_shape', text);
  }
  return result;
}

function parseItem(raw: unknown, opts: ParseOptions, contracts: Lookup<HtxContract>, result: ParseResult): void {
  const item = objectItem(raw, HTX, opts, result);
  if (item === undefined) return;
  const name = itemName(item.contract_code, item, HTX, opts, result);
  if (name === undefined) return;
  const inst = knownInstrument(contracts, name, item, HTX, opts, result);
  if (inst === undefined) return;
  if (inst.unsupportedQuote) return rejectValue(result, HTX, 'unsupported_quote', item);
  if (!isValidSymbol(inst.symbol)) return rejectValue(result, HTX, 'bad_symbol', item);
  const side = sideOf(item.direction, 'sell', 'buy');
  if (side === undefined) return rejectValue(result, HTX, absentOr(item.direction, 'bad_side'), item);
  const price = readNumeric(item.price);
  if (typeof price === 'string') return rejectValue(result, HTX, price, item);
  const volume = readNumeric(item.volume);
  if (typeof volume === 'string') return rejectValue(result, HTX, volume, item);
  const ts = inWindow(readTsNumber(item.created_at), opts);
  if (typeof ts === 'string') return rejectValue(result, HTX, ts, item);

  const common = { exchange: HTX, symbol: inst.symbol, side, ts, priceText: price.text, sizeText: volume.text };
  if (inst.inverse) return pushBuilt(result, HTX, makeInverseEvent(common, price.d, mul(volume.d, inst.contractSize)), item);
  const amount = readNumeric(item.amount);
  if (typeof amount === 'string') return rejectValue(result, HTX, amount, item);
  pushBuilt(result, HTX, makeLinearEvent(common, price.d, amount.d), item);
}
