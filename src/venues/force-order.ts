// https://developers.binance.com/docs/derivatives/usds-margined-futures/websocket-market-streams/Liquidation-Order-Streams
//
// The `!forceOrder@arr` wire format, which Binance (USD-M, COIN-M) and the venues that copy it (Aster) share, read and
// written once: the parser, the frame builder for tests and samples, and the timestamp shift for replays. Each venue
// folder keeps what is its own (names, URLs, metadata, COIN-M's contract sizes) and says which of it applies.
//
// Payload `{"e":"forceOrder","E":…,"o":{"s","S","o","f","q","p","ap","X","l","z","T"}}`, bare (raw stream) or wrapped
// as `{"stream":"!forceOrder@arr","data":{…}}` (combined stream). `o.S` is the liquidation *order's* side: SELL
// closes a long (a long was liquidated), BUY closes a short. The executed size is `o.z` (accumulated filled qty) at
// `o.ap` (average price): an IOC order can expire part-filled (X = EXPIRED, z < q), and z = 0 means nothing was
// liquidated. `o.T` is the trade time (ms, a JSON number). Decimals are strings.
import { type Decimal, isZero, mul } from '../core/decimal.js';
import { isValidSymbol, makeInverseEvent, makeLinearEvent, type Side } from '../core/event.js';
import type { ParseOptions, ParseResult } from '../core/parse.js';
import { type Obj, isObj, moveNumber } from './capture-hooks.js';
import { isObject, isValidInstrumentName, type Lookup, newResult, noteMissing, readDecimal, readTsNumber, reject } from './parsing.js';
import { absentOr, inWindow, objectFrame } from './parsing-rows.js';

const FORCE_ORDER = 'forceOrder';

/**
 * One venue's `forceOrder` frame. Pure: never throws, no clock, no I/O. Inverse (coin-margined) feeds pass `sizes`, the
 * venue's symbol → USD per contract (a name it lacks goes to `missing`), and `symbolOf`, its spelling → the normalized
 * symbol; linear feeds pass neither: z is the base quantity, the symbol the venue's upper-cased. (Two arguments rather
 * than one object: nothing is allocated per frame.)
 */
export function parseForceOrders(
  text: string,
  opts: ParseOptions,
  exchange: string,
  sizes?: Lookup<Decimal>,
  symbolOf?: (raw: string) => string,
): ParseResult {
  const result = newResult();
  try {
    // Every message is an object; only a combined stream's `data` may be an array of them.
    const msg = objectFrame(text, exchange, result);
    if (msg === undefined) return result;
    let payload: unknown = msg;
    let onTopic = false;
    const stream = msg.stream;
    if (typeof stream === 'string' && 'data' in msg) {
      payload = msg.data;
      onTopic = stream.includes(FORCE_ORDER);
    }
    if (Array.isArray(payload)) {
      // Documented as one object per message despite @arr; accept an array of them all the same.
      for (let i = 0; i < payload.length; i++) parseOne(payload[i], onTopic, text, opts, exchange, sizes, symbolOf, result);
    } else {
      parseOne(payload, onTopic, text, opts, exchange, sizes, symbolOf, result);
    }
  } catch {
    // Defensive: nothing above should throw, but a parser must never throw out to the connection.
    reject(result, exchange, 'bad_shape', text);
  }
  return result;
}

// Rejections are sampled from the whole frame (`text`), as they always were for this format.
function parseOne(
  payload: unknown,
  onTopic: boolean,
  text: string,
  opts: ParseOptions,
  exchange: string,
  sizes: Lookup<Decimal> | undefined,
  symbolOf: ((raw: string) => string) | undefined,
  result: ParseResult,
): void {
  if (!isObject(payload) || payload.e !== FORCE_ORDER) {
    // Acks ({"result":null,"id":1}), errors and other events carry no liquidation; a forceOrder stream whose
    // payload is not a forceOrder event is a shape the docs do not describe.
    if (onTopic && opts.only === undefined) reject(result, exchange, 'bad_shape', text);
    return;
  }
  const o = payload.o;
  if (!isObject(o)) {
    if (opts.only === undefined) reject(result, exchange, 'bad_shape', text);
    return;
  }
  const raw = o.s;
  if (typeof raw !== 'string' || raw.length === 0) {
    if (opts.only === undefined) reject(result, exchange, absentOr(raw, 'bad_symbol'), text);
    return;
  }
  if (opts.only !== undefined && !opts.only.has(raw)) return;
  if (!isValidInstrumentName(raw)) return reject(result, exchange, 'bad_symbol', text);
  let contractSize: Decimal | undefined;
  let symbol: string;
  if (sizes !== undefined) {
    contractSize = sizes.get(raw);
    if (contractSize === undefined) return noteMissing(result, exchange, raw, opts, text);
    symbol = symbolOf === undefined ? raw.toUpperCase() : symbolOf(raw);
  } else {
    symbol = raw.toUpperCase();
  }
  if (!isValidSymbol(symbol)) return reject(result, exchange, 'bad_symbol', text);

  const S = o.S;
  let side: Side;
  if (S === 'SELL') side = 'long';
  else if (S === 'BUY') side = 'short';
  else return reject(result, exchange, absentOr(S, 'bad_side'), text);
  // z before ap: an unfilled order (z = 0) may carry ap = "0" too, and is `unfilled`, not non_positive.
  const z = readDecimal(o.z, true);
  if (typeof z === 'string') return reject(result, exchange, z, text);
  if (isZero(z)) return reject(result, exchange, 'unfilled', text);
  const ap = readDecimal(o.ap);
  if (typeof ap === 'string') return reject(result, exchange, ap, text);
  const ts = inWindow(readTsNumber(o.T), opts);
  if (typeof ts === 'string') return reject(result, exchange, ts, text);

  // Identity: the tuple (symbol, T, side, ap text, z text).
  const common = { exchange, symbol, side, ts, priceText: o.ap as string, sizeText: o.z as string };
  const built = contractSize === undefined ? makeLinearEvent(common, ap, z) : makeInverseEvent(common, ap, mul(z, contractSize));
  if (typeof built === 'string') reject(result, exchange, built, text);
  else result.events.push(built);
}

/** One liquidation order, for building frames in tests, samples and benchmarks. */
export interface ForceOrder {
  symbol: string; // as the venue spells it: BTCUSDT, BTCUSD_PERP
  side: 'BUY' | 'SELL'; // the liquidation ORDER's side: SELL closes a long
  price: string; // ap
  qty: string; // z (filled); q defaults to the same
  orig?: string; // q
  status?: 'FILLED' | 'EXPIRED' | 'PARTIALLY_FILLED';
  ts: number;
}

/** A combined-stream frame: {"stream":"!forceOrder@arr","data":{…}}; bare (a raw /ws stream) with wrapped = false. */
export function forceOrderFrame(o: ForceOrder, wrapped = true): string {
  const data = {
    e: FORCE_ORDER,
    E: o.ts + 5,
    o: { s: o.symbol, S: o.side, o: 'LIMIT', f: 'IOC', q: o.orig ?? o.qty, p: o.price, ap: o.price, X: o.status ?? 'FILLED', l: o.qty, z: o.qty, T: o.ts },
  };
  return JSON.stringify(wrapped ? { stream: '!forceOrder@arr', data } : data);
}

/** Replays: moves E and o.T (numbers), bare or inside {"stream","data"} (data may be an array). */
export function shiftForceOrders(msg: Obj | unknown[], offset: number): boolean {
  if (!isObj(msg)) return false;
  const payload = typeof msg.stream === 'string' && 'data' in msg ? msg.data : msg;
  let changed = false;
  for (const p of Array.isArray(payload) ? payload : [payload]) {
    if (!isObj(p)) continue;
    changed = moveNumber(p, 'E', offset) || changed;
    if (isObj(p.o)) changed = moveNumber(p.o as Obj, 'T', offset) || changed;
  }
  return changed;
}
