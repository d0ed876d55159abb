// One liquidated position, normalized. Built only through makeLinearEvent / makeInverseEvent, which do the
// exact decimal arithmetic of the contract (value_cents and qty_e8 rounded half-up) and compute the identity.
import crypto from 'node:crypto';
import { z } from 'zod';
import { type Decimal, divToScaled, formatDecimal, formatScaled, mul, normalize, toScaled } from './decimal.js';
import { MAX_SAFE, formatSmall, intText, scaleSafe, usdOverPriceE8 } from './small.js';

export type Side = 'long' | 'short';

export interface LiquidationEvent {
  /** Exchange family as it appears in bucket fields: binance, bybit, okx. */
  readonly exchange: string;
  /** BASEQUOTE (perpetual) or BASEQUOTE_YYMMDD (dated), upper case. */
  readonly symbol: string;
  /** The side of the position that was liquidated. */
  readonly side: Side;
  /** The exchange's liquidation time, ms. */
  readonly ts: number;
  /** The price used, exactly as the exchange sent it. */
  readonly price: string;
  /** Base quantity, exact decimal with at most 8 decimals: qtyE8 ÷ 10^8. */
  readonly quantity: string;
  /** The exact USD value, present when value_cents cannot be recomputed as price × quantity (inverse instruments). */
  readonly usd?: string;
  /** USD value rounded half-up to the cent. */
  readonly valueCents: number;
  /** Base quantity × 10^8 rounded half-up. May exceed 2^53, so it is a bigint. */
  readonly qtyE8: bigint;
  /** Stable id derived from the identity (exchange, symbol, ts, side, price string, size string), or (exchange, own id). */
  readonly id: string;
  /**
   * The identity is the exchange's own id: counted once whatever its time, so the engine also keeps it in a set
   * that spans minutes (liq:ids), for at least 24 hours.
   */
  readonly byId?: true;
}

export const MAX_SYMBOL_LENGTH = 40;
// Letters and digits of any script, and '_': Binance lists symbols such as 牛来USDT. Excludes control
// characters, escapes, spaces, ':' and everything else that could break a key or a terminal.
const SYMBOL_RE = /^[\p{L}\p{N}_]+$/u;
// Bounds of one event. value_cents stays a safe integer (a JavaScript number everywhere). qty_e8 only has to fit a
// signed 64-bit HINCRBY argument: sums of a bucket are checked exactly before every write (src/engine/script.ts), so a
// single event needs no margin. Cheap coins make large quantities: $1M of a coin at $0.00001 is 1e11 coins (1e19 at
// 1e-8, past 2^63, refused); PEPE at $0.000012 is 8.3e10 coins per $1M (8.3e18, counted). An earlier bound of 1e17
// refused every PEPE liquidation of more than about $12k.
export const MAX_VALUE_CENTS = Number.MAX_SAFE_INTEGER;
export const MAX_QTY_E8 = 2n ** 63n - 1n;
const MAX_VALUE_CENTS_BIG = BigInt(MAX_VALUE_CENTS);

export function isValidSymbol(symbol: string): boolean {
  // 'ALL' names the market-wide bucket; no exchange symbol may take it.
  return symbol.length > 0 && symbol.length <= MAX_SYMBOL_LENGTH && symbol !== 'ALL' && SYMBOL_RE.test(symbol);
}

/**
 * The identity string of a liquidation the exchange gives an id of its own (BitMEX orderID, Deribit trade_id, dYdX id,
 * Kraken uid, Lighter trade_id): (exchange, that id). It has its own form ('#', never '|'), so it cannot meet a tuple
 * identity, and it holds however the event's time is taken (BitMEX rows carry none: the receive time is used).
 */
export function ownIdentityOf(exchange: string, ownId: string): string {
  return `${exchange}#${ownId}`;
}

/** The identity string: the fields that make two reports the same liquidation, as the exchange sent them. */
export function identityOf(
  exchange: string,
  symbol: string,
  ts: number,
  side: Side,
  priceText: string,
  sizeText: string,
): string {
  return `${exchange}|${symbol}|${intText(ts)}|${side}|${priceText}|${sizeText}`;
}

// crypto.hash (Node ≥ 20.12) is the one-shot form, about twice as fast as createHash per event.
const oneShot = (crypto as { hash?: (alg: string, data: string, enc: string) => string }).hash;

/** A compact, stable id: base64url of the first 15 bytes of SHA-256 of the identity (120 bits, 20 chars). */
export function idOf(identity: string): string {
  // 15 bytes are 5 whole base64 groups, so the first 20 characters of the digest's base64url are exactly them.
  if (oneShot !== undefined) return oneShot('sha256', identity, 'base64url').slice(0, 20);
  return crypto.createHash('sha256').update(identity).digest().subarray(0, 15).toString('base64url');
}

export type BuildError = 'zero_value' | 'zero_quantity' | 'out_of_range';

export interface Common {
  exchange: string;
  symbol: string;
  side: Side;
  ts: number;
  priceText: string;
  sizeText: string;
  /** The exchange's own id of the liquidation, when it gives one (see ownIdentityOf). */
  ownId?: string;
}

function finish(c: Common, valueCents: bigint, qtyE8: bigint, usd: string | undefined): LiquidationEvent | BuildError {
  if (valueCents <= 0n) return 'zero_value';
  if (qtyE8 <= 0n) return 'zero_quantity';
  if (valueCents > MAX_VALUE_CENTS_BIG || qtyE8 > MAX_QTY_E8) return 'out_of_range';
  return build(c, Number(valueCents), qtyE8, formatScaled(qtyE8, 8), usd);
}

/** finish() for safe integers (both ≤ 2^53 − 1, so neither is out of range). */
function finishSmall(c: Common, valueCents: number, qtyE8: number, usd: string | undefined): LiquidationEvent | BuildError {
  if (valueCents <= 0) return 'zero_value';
  if (qtyE8 <= 0) return 'zero_quantity';
  return build(c, valueCents, BigInt(qtyE8), formatSmall(qtyE8, 8), usd);
}

function build(c: Common, valueCents: number, qtyE8: bigint, quantity: string, usd: string | undefined): LiquidationEvent {
  const event: { -readonly [K in keyof LiquidationEvent]: LiquidationEvent[K] } = {
    exchange: c.exchange,
    symbol: c.symbol,
    side: c.side,
    ts: c.ts,
    price: c.priceText,
    quantity,
    valueCents,
    qtyE8,
    id: c.ownId === undefined ? idOf(identityOf(c.exchange, c.symbol, c.ts, c.side, c.priceText, c.sizeText)) : idOf(ownIdentityOf(c.exchange, c.ownId)),
  };
  // Assigned, not spread into the literal: a conditional spread costs an extra object and a slow copy per event.
  if (usd !== undefined) event.usd = usd;
  if (c.ownId !== undefined) event.byId = true;
  return event;
}

// Mantissas up to this take the safe-integer path (small.ts); results are the same as the BigInt path's, which
// test/unit/small.test.ts checks on random decimals of every size around the limits.
const SAFE_BIG = BigInt(MAX_SAFE);

/** Linear instrument: the base quantity is known; USD = price × quantity. */
export function makeLinearEvent(c: Common, price: Decimal, baseQty: Decimal): LiquidationEvent | BuildError {
  if (price.m <= SAFE_BIG && baseQty.m <= SAFE_BIG) {
    const small = linearSmall(c, Number(price.m), price.scale, Number(baseQty.m), baseQty.scale);
    if (small !== undefined) return small;
  }
  return makeLinearEventBig(c, price, baseQty);
}

/** makeLinearEvent in BigInt arithmetic throughout: the reference the safe-integer path must agree with. */
export function makeLinearEventBig(c: Common, price: Decimal, baseQty: Decimal): LiquidationEvent | BuildError {
  const usd = mul(price, baseQty);
  const qty = normalize(baseQty);
  // When the quantity has more than 8 decimals, the logged quantity is rounded and price × quantity would no
  // longer give the value: log the exact USD so value_cents stays recomputable from the entry alone.
  return finish(c, toScaled(usd, 2), toScaled(qty, 8), qty.scale > 8 ? formatDecimal(normalize(usd)) : undefined);
}

/** makeLinearEvent on safe mantissas; undefined when a step would leave the safe range. */
export function linearSmall(c: Common, pm: number, ps: number, qm: number, qs: number): LiquidationEvent | BuildError | undefined {
  const um = pm * qm;
  if (um > MAX_SAFE) return undefined;
  const us = ps + qs;
  const cents = scaleSafe(um, us, 2);
  if (cents < 0) return undefined;
  while (qs > 0 && qm % 10 === 0) {
    qm /= 10;
    qs--;
  }
  const qtyE8 = scaleSafe(qm, qs, 8);
  if (qtyE8 < 0) return undefined;
  return finishSmall(c, cents, qtyE8, qs > 8 ? formatSmall(um, us) : undefined);
}

/** Inverse instrument: the USD value is known; base quantity = USD ÷ price. */
export function makeInverseEvent(c: Common, price: Decimal, usd: Decimal): LiquidationEvent | BuildError {
  if (price.m <= SAFE_BIG && usd.m <= SAFE_BIG) {
    const small = inverseSmall(c, Number(price.m), price.scale, Number(usd.m), usd.scale);
    if (small !== undefined) return small;
  }
  return makeInverseEventBig(c, price, usd);
}

/** makeInverseEvent in BigInt arithmetic throughout: the reference the safe-integer path must agree with. */
export function makeInverseEventBig(c: Common, price: Decimal, usd: Decimal): LiquidationEvent | BuildError {
  return finish(c, toScaled(usd, 2), divToScaled(usd, price, 8), formatDecimal(normalize(usd)));
}

/** makeInverseEvent on safe mantissas; undefined when a step would leave the safe range (or the price is 0). */
export function inverseSmall(c: Common, pm: number, ps: number, um: number, us: number): LiquidationEvent | BuildError | undefined {
  const cents = scaleSafe(um, us, 2);
  const qtyE8 = usdOverPriceE8(um, us, pm, ps);
  if (cents < 0 || qtyE8 < 0) return undefined;
  return finishSmall(c, cents, qtyE8, formatSmall(um, us));
}

export function bucketStart(ts: number): number {
  return Math.floor(ts / 60_000) * 60_000;
}

/** zod schema at the boundary where events come back from outside the process (the spool). */
export const liquidationEventSchema = z.object({
  exchange: z.string().regex(/^[a-z0-9]+$/),
  symbol: z.string().refine(isValidSymbol),
  side: z.enum(['long', 'short']),
  ts: z.number().int().nonnegative(),
  price: z.string().regex(/^\d+(\.\d+)?$/),
  quantity: z.string().regex(/^\d+(\.\d{1,8})?$/),
  usd: z.string().regex(/^\d+(\.\d+)?$/).optional(),
  valueCents: z.number().int().positive().max(MAX_VALUE_CENTS),
  qtyE8: z.string().regex(/^\d+$/).transform((v) => BigInt(v)),
  id: z.string().regex(/^[A-Za-z0-9_-]{20}$/),
  byId: z.literal(true).optional(),
});

/** JSON form of an event (qtyE8 as a string), as the spool stores it. */
export function eventToJson(e: LiquidationEvent): string {
  return JSON.stringify({ ...e, qtyE8: e.qtyE8.toString() });
}

export function eventFromJson(line: string): LiquidationEvent | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch {
    return undefined;
  }
  const parsed = liquidationEventSchema.safeParse(raw);
  return parsed.success ? (parsed.data as LiquidationEvent) : undefined;
}
