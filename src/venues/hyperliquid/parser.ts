// https://github.com/hyperliquid-dex/node#flags (--write-fills, --batch-by-block: one block per line)
// https://hyperliquid.gitbook.io/hyperliquid-docs/for-developers/api/websocket/subscriptions (WsFill, FillLiquidation)
//
// One line of `node_fills_by_block/hourly/YYYYMMDD/H` is one block:
// `{"local_time":…,"block_time":…,"block_number":N,"events":[[user, fill], …]}`. A fill is the API's fill object
// (hyperliquid-dex/order_book_server `server/src/types/mod.rs` Fill: coin, px, sz, side, time, startPosition, dir,
// closedPnl, hash, oid, crossed, fee, tid, feeToken, liquidation?). A fill of a liquidation carries
// `liquidation: {liquidatedUser, markPx, method: "market" | "backstop"}`, on both sides of the trade: only the fill
// whose user is `liquidatedUser` is the liquidated position. Its `side` is the closing order's: `A` (sold) closes a
// long, `B` (bought) closes a short. `px` and `sz` are decimal strings (base coin, USDC-settled perpetuals), `time` ms.
//
// Identity: (hyperliquid, tid, liquidated user), as the contract says. The docs call `tid` a "50-bit hash of
// (buyer_oid, seller_oid)" and recommend (block_time, coin, tid) for global uniqueness; both fills of a trade share it,
// so the user tells them apart, and the same 50-bit tid for the same user twice inside the day that liq:ids remembers
// is not a practical risk. A 50-bit integer is exact as a JSON number. Addresses are hex: compared and kept in lower case.
import { isValidSymbol, makeLinearEvent } from '../../core/event.js';
import type { ParseOptions, ParseResult } from '../../core/parse.js';
import { isObject, newResult, readDecimal, readTsNumber, reject } from '../parsing.js';
import { absentOr, inWindow, objectFrame, pushBuilt, rejectValue, sideOf } from '../parsing-rows.js';

export const HYPERLIQUID = 'hyperliquid';

// Main-dex perpetuals are plain names (BTC, kPEPE); spot is `@107` or `PURR/USDC`, builder-deployed perps `dex:NAME`.
const PERP_COIN_RE = /^[A-Za-z0-9]+$/;

/** One line of a node fill file. Pure: never throws, no clock, no I/O. */
export function parseHyperliquidLine(text: string, opts: ParseOptions): ParseResult {
  const result = newResult();
  const block = objectFrame(text, HYPERLIQUID, result);
  if (block === undefined) return result;
  if (!Array.isArray(block.events)) {
    reject(result, HYPERLIQUID, 'bad_shape', text);
    return result;
  }
  const events = block.events;
  for (let i = 0; i < events.length; i++) parseEvent(events[i], opts, result);
  return result;
}

function parseEvent(ev: unknown, opts: ParseOptions, result: ParseResult): void {
  if (!Array.isArray(ev) || ev.length !== 2 || !isObject(ev[1])) return rejectValue(result, HYPERLIQUID, 'bad_shape', ev);
  const user: unknown = ev[0];
  const fill = ev[1];
  const liq = fill.liquidation;
  // Every other fill of the chain passes here: ignored, not a rejection.
  if (liq === undefined || liq === null) return;
  if (!isObject(liq) || typeof user !== 'string' || user === '') return rejectValue(result, HYPERLIQUID, 'bad_shape', ev);
  const liquidated = liq.liquidatedUser;
  if (typeof liquidated !== 'string' || liquidated === '') return rejectValue(result, HYPERLIQUID, absentOr(liquidated, 'bad_shape'), ev);
  const who = user.toLowerCase();
  // The counterparty's fill (a maker, or the liquidator vault in a backstop liquidation) is not a liquidation.
  if (liquidated.toLowerCase() !== who) return;

  const coin = fill.coin;
  if (typeof coin !== 'string' || coin === '') return rejectValue(result, HYPERLIQUID, absentOr(coin, 'bad_symbol'), ev);
  if (coin.startsWith('@') || coin.includes('/') || coin.includes(':')) return rejectValue(result, HYPERLIQUID, 'unsupported_instrument', ev);
  const symbol = `${coin.toUpperCase()}USD`;
  if (!PERP_COIN_RE.test(coin) || !isValidSymbol(symbol)) return rejectValue(result, HYPERLIQUID, 'bad_symbol', ev);
  const side = sideOf(fill.side, 'A', 'B');
  if (side === undefined) return rejectValue(result, HYPERLIQUID, absentOr(fill.side, 'bad_side'), ev);
  const price = readDecimal(fill.px);
  if (typeof price === 'string') return rejectValue(result, HYPERLIQUID, price, ev);
  const size = readDecimal(fill.sz);
  if (typeof size === 'string') return rejectValue(result, HYPERLIQUID, size, ev);
  const ts = inWindow(readTsNumber(fill.time), opts);
  if (typeof ts === 'string') return rejectValue(result, HYPERLIQUID, ts, ev);
  const tid = fill.tid;
  if (typeof tid !== 'number' || !Number.isSafeInteger(tid) || tid < 0) return rejectValue(result, HYPERLIQUID, absentOr(tid, 'bad_shape'), ev);
  const built = makeLinearEvent(
    { exchange: HYPERLIQUID, symbol, side, ts, priceText: fill.px as string, sizeText: fill.sz as string, ownId: `${tid}:${who}` },
    price,
    size,
  );
  pushBuilt(result, HYPERLIQUID, built, ev);
}
