// LiquidationEvents for engine and read-side tests, built through the same constructors as the parsers'.
import { parseDecimal } from '../../src/core/decimal.js';
import { makeInverseEvent, makeLinearEvent, type LiquidationEvent, type Side } from '../../src/core/event.js';

/** A linear event: `qty` of the base at `price`; throws when the builder refuses it (a test's own mistake). */
export function linear(exchange: string, symbol: string, side: Side, ts: number, price: string, qty: string): LiquidationEvent {
  const e = makeLinearEvent({ exchange, symbol, side, ts, priceText: price, sizeText: qty }, parseDecimal(price)!, parseDecimal(qty)!);
  if (typeof e === 'string') throw new Error(e);
  return e;
}

/** An inverse event: `usd` dollars of contracts at `price`. */
export function inverse(exchange: string, symbol: string, side: Side, ts: number, price: string, usd: string): LiquidationEvent {
  const e = makeInverseEvent({ exchange, symbol, side, ts, priceText: price, sizeText: usd }, parseDecimal(price)!, parseDecimal(usd)!);
  if (typeof e === 'string') throw new Error(e);
  return e;
}
