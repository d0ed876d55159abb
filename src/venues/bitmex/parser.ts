// https://www.bitmex.com/app/wsAPI (table subscriptions: partial, then insert / update / delete)
// Instruments (isInverse, isQuanto, underlyingToPositionMultiplier): ./metadata.ts
//
// Payload `{"table":"liquidation","action":"insert","data":[{"orderID":"…","symbol":"XBTUSD","side":"Sell",
// "price":90396.3,"leavesQty":891800}]}`. A row is a liquidation ORDER, entered for the whole position at its
// bankruptcy price: `side` is the order's side, so Sell = a long was liquidated, Buy = a short. `leavesQty` (contracts)
// at insert is the liquidated size; BitMEX never publishes the executed quantity (tardis-node, cryptofeed and
// aggr-server count each insert once the same way). `update` rows carry changed fields only (a smaller leavesQty, a
// new price) and `delete` rows only orderID and symbol: neither ever counts. A `partial` comes on every (re)subscribe
// with the orders still open (`"keys":["orderID"]`, usually `"data":[]`); its rows count unless their orderID was seen:
// the identity is (bitmex, orderID), kept across minutes in liq:ids, so an order inserted before a reconnect and
// listed again in the partial counts once. Rows carry no time: the receive time is the event's time. Decimals are
// JSON numbers ("types":{"price":"float","leavesQty":"long"}): read exactly through their shortest text.
// The welcome frame ({"info":…,"version":…,"limit":…}), subscribe acks ({"success":true,"subscribe":"liquidation",…})
// and errors ({"status":400,"error":…}) yield nothing; the feed logs the errors (index.ts `refused`).
// Shapes from real frames: tardis-node test/mappers.test.ts (insert, delete), roq-trading/roq-bitmex
// test/json_liquidation.cpp and json_welcome.cpp (the partial, the 2025 welcome frame), cryptofeed's 2021 capture
// (welcome, ack), and a 2024-11-13 session of ws.bitmex.com quoted in a public client's comments (partial per
// subscription, insert → update → delete sequences, the error frame).
import { mul } from '../../core/decimal.js';
import { isValidSymbol, makeInverseEvent, makeLinearEvent } from '../../core/event.js';
import type { ParseOptions, ParseResult } from '../../core/parse.js';
import { itemName, type Lookup, newResult, readNumeric, reject } from '../parsing.js';
import { absentOr, knownInstrument, objectFrame, objectItem, pushBuilt, rejectFrameShape, rejectValue, sideOf } from '../parsing-rows.js';
import type { BitmexInstrumentMeta } from './metadata.js';

export const BITMEX = 'bitmex';
export const LIQUIDATION_TABLE = 'liquidation';
/** orderID is a GUID (36 characters); anything much longer is not one. */
const MAX_ORDER_ID = 64;

/** BitMEX `liquidation` table frames. Pure: never throws, no clock, no I/O. */
export function parseBitmex(text: string, opts: ParseOptions, instruments: Lookup<BitmexInstrumentMeta>): ParseResult {
  const result = newResult();
  if (text === 'pong') return result;
  try {
    // Every BitMEX message but the text 'pong' is an object.
    const msg = objectFrame(text, BITMEX, result);
    if (msg === undefined) return result;
    // Welcome, acks and errors carry no table; another table is not ours (only liquidation is subscribed).
    if (msg.table !== LIQUIDATION_TABLE) return result;
    const action = msg.action;
    if (action === 'update' || action === 'delete') return result;
    if (action !== 'insert' && action !== 'partial') {
      rejectFrameShape(result, BITMEX, opts, text);
      return result;
    }
    const data = msg.data;
    if (!Array.isArray(data)) {
      rejectFrameShape(result, BITMEX, opts, text);
      return result;
    }
    for (let i = 0; i < data.length; i++) parseRow(data[i], opts, instruments, result);
  } catch {
    reject(result, BITMEX, 'bad_shape', text);
  }
  return result;
}

function parseRow(raw: unknown, opts: ParseOptions, instruments: Lookup<BitmexInstrumentMeta>, result: ParseResult): void {
  const row = objectItem(raw, BITMEX, opts, result);
  if (row === undefined) return;
  const name = itemName(row.symbol, row, BITMEX, opts, result);
  if (name === undefined) return;
  const orderID = row.orderID;
  if (typeof orderID !== 'string' || orderID.length === 0 || orderID.length > MAX_ORDER_ID) return rejectValue(result, BITMEX, absentOr(orderID, 'bad_shape'), row);
  const inst = knownInstrument(instruments, name, row, BITMEX, opts, result);
  if (inst === undefined) return;
  if (inst.kind === 'unsupported') return rejectValue(result, BITMEX, inst.reason, row);
  if (!isValidSymbol(inst.symbol)) return rejectValue(result, BITMEX, 'bad_symbol', row);
  const side = sideOf(row.side, 'Sell', 'Buy');
  if (side === undefined) return rejectValue(result, BITMEX, absentOr(row.side, 'bad_side'), row);
  const price = readNumeric(row.price);
  if (typeof price === 'string') return rejectValue(result, BITMEX, price, row);
  const qty = readNumeric(row.leavesQty);
  if (typeof qty === 'string') return rejectValue(result, BITMEX, qty, row);
  const common = { exchange: BITMEX, symbol: inst.symbol, side, ts: opts.receivedAt, priceText: price.text, sizeText: qty.text, ownId: orderID };
  const built = inst.kind === 'inverse' ? makeInverseEvent(common, price.d, qty.d) : makeLinearEvent(common, price.d, mul(qty.d, inst.contractSize));
  pushBuilt(result, BITMEX, built, row);
}
