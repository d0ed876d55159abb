// https://docs.bitfinex.com/reference/ws-public-status (the `status` channel, key `liq:global`)
// https://docs.bitfinex.com/docs/ws-general (events, heartbeats, arrays that may grow)
//
// Data frames are arrays: `[CHAN_ID, [["pos", POS_ID, MTS, null, SYMBOL, AMOUNT, BASE_PRICE, null, IS_MATCH,
// IS_MARKET_SOLD, null, PRICE], …]]`, the snapshot after a subscribe and every update alike (a connection that sent
// `conf` flags gets a sequence number and a time appended: ignored). Events (`info`, `subscribed`, `error`, `pong`)
// are objects; heartbeats are `[CHAN_ID, "hb"]`. One connection holds only the liquidation channel, so the channel id
// needs no lookup. A liquidated position is reported by one row with IS_MATCH 0 (the trigger, the whole position;
// PRICE often null) and then by IS_MATCH 1 rows for its executions in the market: only IS_MATCH 0 counts, once per
// position (tardis does the same), so a position is never counted twice. AMOUNT carries the position's sign: > 0 a
// long, < 0 a short; base = |AMOUNT|; price = PRICE when given, else BASE_PRICE; USD = base × price. Only perpetuals
// quoted in USDt (`…F0:USTF0`, UST is USDt) or USD (`…F0:USDF0`) have a USD value: tBTCF0:USTF0 → BTCUSDT; other
// quotes (`…F0:BTCF0`) are `unsupported_quote`, other instruments (margin pairs such as tBTCUSD, if they ever appear)
// `unsupported_instrument`. The base keeps Bitfinex's spelling (ALG, not ALGO). MTS is ms. Numbers are JSON numbers
// (the number rule; AMOUNT's sign is read first, then its magnitude). The identity is POS_ID: the records a subscribe
// replays (hours old in a capture) count once.
import { isValidSymbol, makeLinearEvent, type Side } from '../../core/event.js';
import type { ParseOptions, ParseResult, RejectReason } from '../../core/parse.js';
import { isObject, newResult, parseJson, readNumeric, readTsNumber, reject } from '../parsing.js';
import { absent, absentOr, inWindow, pushBuilt, rejectValue } from '../parsing-rows.js';

export const BITFINEX = 'bitfinex';

/** Row fields, by position. */
const POS_ID = 1;
const MTS = 2;
const SYMBOL = 4;
const AMOUNT = 5;
const BASE_PRICE = 6;
const IS_MATCH = 8;
const PRICE = 11;

const PERPETUAL_RE = /^t([A-Z0-9]+)F0:([A-Z0-9]+)F0$/;
// trading pairs (t…) and funding currencies (f…), as Bitfinex spells symbols
const PAIR_RE = /^[tf][A-Za-z0-9]+(:[A-Za-z0-9]+)?$/;
const QUOTES: Readonly<Record<string, string>> = { UST: 'USDT', USD: 'USD' };

/** tBTCF0:USTF0 → BTCUSDT, tETHF0:USDF0 → ETHUSD; anything else → why it is not counted. */
export function bitfinexSymbolOf(raw: string): string | RejectReason {
  if (!PAIR_RE.test(raw)) return 'bad_symbol';
  const m = PERPETUAL_RE.exec(raw);
  if (m === null) return 'unsupported_instrument';
  const quote = QUOTES[m[2]];
  if (quote === undefined) return 'unsupported_quote';
  const symbol = `${m[1]}${quote}`;
  return isValidSymbol(symbol) ? symbol : 'bad_symbol';
}

/** Bitfinex `status`/`liq:global` frames. Pure: never throws, no clock, no I/O. */
export function parseBitfinex(text: string, opts: ParseOptions): ParseResult {
  const result = newResult();
  try {
    const msg = parseJson(text);
    if (msg === undefined) {
      reject(result, BITFINEX, 'invalid_json', text);
      return result;
    }
    // Events ({"event":"info"|"subscribed"|"error"|"pong"|"conf"…}) carry no liquidation.
    if (isObject(msg)) return result;
    // Bitfinex's data frames are arrays: [CHAN_ID, payload, …]; anything else is counted, never dropped unseen.
    if (!Array.isArray(msg) || msg.length < 2 || typeof msg[0] !== 'number') {
      reject(result, BITFINEX, 'bad_shape', text);
      return result;
    }
    const payload: unknown = msg[1];
    // "hb" and other channel markers
    if (typeof payload === 'string') return result;
    if (!Array.isArray(payload)) {
      reject(result, BITFINEX, 'bad_shape', text);
      return result;
    }
    // A list of rows (snapshot and updates); a lone row is taken as one.
    if (payload.length > 0 && typeof payload[0] === 'string') parseRow(payload, opts, result);
    else for (let i = 0; i < payload.length; i++) parseRow(payload[i], opts, result);
  } catch {
    reject(result, BITFINEX, 'bad_shape', text);
  }
  return result;
}

/** AMOUNT → the side it signs and its magnitude (text or number), the sign taken off before the number rule. */
function signed(v: unknown): { side: Side; magnitude: number | string } | RejectReason {
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) return 'non_numeric';
    if (v === 0) return 'non_positive';
    return v > 0 ? { side: 'long', magnitude: v } : { side: 'short', magnitude: -v };
  }
  if (typeof v === 'string') {
    if (v === '') return 'missing_field';
    return v.startsWith('-') ? { side: 'short', magnitude: v.slice(1) } : { side: 'long', magnitude: v };
  }
  return absentOr(v, 'non_numeric');
}

function parseRow(row: unknown, opts: ParseOptions, result: ParseResult): void {
  if (!Array.isArray(row) || row[0] !== 'pos') return rejectValue(result, BITFINEX, 'bad_shape', row);
  // An execution of a liquidation already reported by its IS_MATCH 0 row: not a second liquidation.
  const isMatch = row[IS_MATCH];
  if (isMatch === 1) return;
  if (isMatch !== 0) return rejectValue(result, BITFINEX, absentOr(isMatch, 'bad_shape'), row);
  const raw = row[SYMBOL];
  if (typeof raw !== 'string' || raw === '') return rejectValue(result, BITFINEX, absentOr(raw, 'bad_symbol'), row);
  const symbol = bitfinexSymbolOf(raw);
  if (symbol === 'bad_symbol' || symbol === 'unsupported_instrument' || symbol === 'unsupported_quote') return rejectValue(result, BITFINEX, symbol, row);
  const amount = signed(row[AMOUNT]);
  if (typeof amount === 'string') return rejectValue(result, BITFINEX, amount, row);
  const base = readNumeric(amount.magnitude);
  if (typeof base === 'string') return rejectValue(result, BITFINEX, base, row);
  const price = readNumeric(absent(row[PRICE]) ? row[BASE_PRICE] : row[PRICE]);
  if (typeof price === 'string') return rejectValue(result, BITFINEX, price, row);
  const ts = inWindow(readTsNumber(row[MTS]), opts);
  if (typeof ts === 'string') return rejectValue(result, BITFINEX, ts, row);
  const posId = row[POS_ID];
  if (typeof posId !== 'number' || !Number.isSafeInteger(posId) || posId < 0) return rejectValue(result, BITFINEX, absentOr(posId, 'bad_shape'), row);
  const common = { exchange: BITFINEX, symbol, side: amount.side, ts, priceText: price.text, sizeText: base.text, ownId: String(posId) };
  pushBuilt(result, BITFINEX, makeLinearEvent(common, price.d, base.d), row);
}
