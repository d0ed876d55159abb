// One XRANGE page of liq:events read straight from its RESP bytes. A day of the log is a million entries of eight
// fields: decoding them into arrays and strings first cost more than checking them, and most of the validator's
// garbage. An entry in the usual shape (every field once, decimals of at most 15 characters, value_cents that
// agrees) is checked and aggregated here from the bytes, creating only its identity string for the liq:seen
// lookup. Anything else (a failure to report, an unusual shape or size) is decoded and goes through addEntry,
// which states every finding: this path only ever passes what addEntry would pass, with the same aggregates.
import { minuteOf } from '../core/keys.js';
import { MAX_SAFE, POW10, scaleSafe, usdOverPriceE8 } from '../core/small.js';
import { EX_RE, type EntryContext, type SeenLookups, addEntry } from './entries.js';
import { LogMinute } from './log-minute.js';
import { IdSet } from './idset.js';
import { type Interner, decodeAt, decodeBulk, rawError } from './resp-codec.js';

const CR = 13;

const NAMES = ['id', 'ts', 'exchange', 'symbol', 'side', 'price', 'quantity', 'value_cents', 'usd'] as const;
const NAME_BYTES = NAMES.map((n) => Buffer.from(n));
const ID = 0;
const TS = 1;
const EXCHANGE = 2;
const SYMBOL = 3;
const SIDE = 4;
const PRICE = 5;
const QUANTITY = 6;
const CENTS = 7;
const USD = 8;
const LONG = Buffer.from('long');
const SHORT = Buffer.from('short');

/** The known fields' value offsets in the entry being read (-1: absent), and whether one came twice. */
const vs = new Int32Array(NAMES.length);
const ve = new Int32Array(NAMES.length);
let twice = false;
/** Set by header(): the position after the header's CRLF. */
let after = 0;
/** Set by decimal(): the decimal's mantissa and scale. */
let decM = 0;
let decScale = 0;

/** The count of a `*n` or length of a `$n` header at buf[pos] of type `type`, or -1 for another shape. */
function header(buf: Buffer, pos: number, type: number): number {
  if (buf[pos] !== type) return -1;
  let n = 0;
  let i = pos + 1;
  for (; buf[i] !== CR; i++) {
    const c = buf[i] - 48;
    if (c < 0 || c > 9) return -1;
    n = n * 10 + c;
  }
  after = i + 2;
  return n;
}

function fieldOf(buf: Buffer, s: number, len: number): number {
  let k: number;
  switch (buf[s]) {
    case 105: // i
      k = ID;
      break;
    case 116: // t
      k = TS;
      break;
    case 101: // e
      k = EXCHANGE;
      break;
    case 115: // s
      k = len === 6 ? SYMBOL : SIDE;
      break;
    case 112: // p
      k = PRICE;
      break;
    case 113: // q
      k = QUANTITY;
      break;
    case 118: // v
      k = CENTS;
      break;
    case 117: // u
      k = USD;
      break;
    default:
      return -1;
  }
  const name = NAME_BYTES[k];
  if (name.length !== len) return -1;
  for (let i = 1; i < len; i++) if (buf[s + i] !== name[i]) return -1;
  return k;
}

/**
 * Reads the entry at pos (`*2`, its stream id, `*2k` name/value bulks) into vs/ve; returns the position after it,
 * or -1 when it has another shape (then it is decoded generically). `sid` receives the stream id's offsets.
 */
function scanEntry(buf: Buffer, pos: number, sid: Int32Array): number {
  if (header(buf, pos, 42) !== 2) return -1;
  const idLen = header(buf, after, 36);
  if (idLen < 0) return -1;
  sid[0] = after;
  sid[1] = after + idLen;
  const n = header(buf, after + idLen + 2, 42);
  if (n < 0 || n % 2 !== 0) return -1;
  vs.fill(-1);
  twice = false;
  let p = after;
  for (let i = 0; i < n; i += 2) {
    const nameLen = header(buf, p, 36);
    if (nameLen < 0) return -1;
    const nameStart = after;
    const valLen = header(buf, nameStart + nameLen + 2, 36);
    if (valLen < 0) return -1;
    const k = fieldOf(buf, nameStart, nameLen);
    if (k >= 0) {
      if (vs[k] >= 0) twice = true;
      vs[k] = after;
      ve[k] = after + valLen;
    }
    p = after + valLen + 2;
  }
  return p;
}

/** A decimal of digits with at most one inner point, 1..15 characters, into decM/decScale; false otherwise. */
function decimal(buf: Buffer, s: number, e: number): boolean {
  const n = e - s;
  if (n <= 0 || n > 15) return false;
  let m = 0;
  let dot = -1;
  for (let i = s; i < e; i++) {
    const c = buf[i];
    if (c === 46 && dot < 0 && i > s && i < e - 1) dot = i;
    else if (c >= 48 && c <= 57) m = m * 10 + (c - 48);
    else return false;
  }
  decM = m;
  decScale = dot < 0 ? 0 : e - dot - 1;
  return true;
}

/** An integer of 1..15 digits, or -1. */
function digits(buf: Buffer, s: number, e: number): number {
  if (e <= s || e - s > 15) return -1;
  let v = 0;
  for (let i = s; i < e; i++) {
    const c = buf[i] - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

function bytesEqual(buf: Buffer, s: number, e: number, b: Buffer): boolean {
  if (e - s !== b.length) return false;
  for (let i = 0; i < b.length; i++) if (buf[s + i] !== b[i]) return false;
  return true;
}

/** Checks and aggregates the entry in vs/ve when it is in the usual shape and passes; false to leave it to addEntry. */
function fastEntry(ctx: EntryContext, buf: Buffer, seen: SeenLookups, intern: Interner): boolean {
  if (twice) return false;
  for (let k = ID; k <= CENTS; k++) if (vs[k] < 0) return false;
  // symbol and exchange exactly as the generic decoding reads them (digit-only text decodes as a number)
  const symbol = String(decodeBulk(buf, vs[SYMBOL], ve[SYMBOL], intern));
  if (ctx.symbol !== undefined && symbol !== ctx.symbol) return true; // not this run's symbol: skipped, as addEntry does
  const idAt = vs[ID];
  if (ve[ID] - idAt !== 20 || !IdSet.isId(buf, idAt)) return false;
  const ts = digits(buf, vs[TS], ve[TS]);
  if (ts < 0) return false;
  const exchange = String(decodeBulk(buf, vs[EXCHANGE], ve[EXCHANGE], intern));
  if (!ctx.validExchanges.has(exchange)) {
    if (!EX_RE.test(exchange)) return false;
    ctx.validExchanges.add(exchange);
  }
  const side = bytesEqual(buf, vs[SIDE], ve[SIDE], LONG) ? 0 : bytesEqual(buf, vs[SIDE], ve[SIDE], SHORT) ? 1 : -1;
  if (side < 0) return false;
  const cents = digits(buf, vs[CENTS], ve[CENTS]);
  if (cents <= 0) return false;
  if (!decimal(buf, vs[PRICE], ve[PRICE]) || decM === 0) return false;
  const pm = decM;
  const ps = decScale;
  if (!decimal(buf, vs[QUANTITY], ve[QUANTITY]) || decM === 0 || decScale > 8) return false;
  const qm = decM;
  const qs = decScale;
  const qtyE8 = qm * POW10[8 - qs];
  if (qtyE8 > MAX_SAFE) return false;
  if (vs[USD] < 0 || ve[USD] === vs[USD]) {
    // linear: value_cents = round_half_up(price × quantity, 2)
    const m = pm * qm;
    const scale = ps + qs;
    if (m > MAX_SAFE) return false;
    const want = scaleSafe(m, scale, 2);
    if (want < 0 || want !== cents) return false;
  } else {
    // usd: value_cents = round_half_up(usd, 2), quantity = round_half_up(usd ÷ price, 8)
    if (!decimal(buf, vs[USD], ve[USD])) return false;
    const um = decM;
    const us = decScale;
    const want = scaleSafe(um, us, 2);
    if (want < 0 || want !== cents) return false;
    const qty = usdOverPriceE8(um, us, pm, ps);
    if (qty < 0 || qty !== qtyE8) return false;
  }
  // last, so that nothing is recorded for an entry left to addEntry: a repeated identity is reported there
  if (!ctx.ids.addBytes(buf, idAt)) return false;
  const c = ctx.check;
  const minute = minuteOf(ts);
  if (minute < ctx.from || minute > ctx.to) {
    c.pass();
    return true;
  }
  let lm = ctx.minutes.get(minute);
  if (lm === undefined) ctx.minutes.set(minute, (lm = new LogMinute()));
  lm.add(symbol, ctx.exchanges.of(exchange), side, cents, qtyE8, pm / POW10[ps]);
  let l = seen.get(minute);
  if (l === undefined) seen.set(minute, (l = { ids: [], symbols: [] }));
  l.ids.push(buf.toString('latin1', idAt, idAt + 20));
  l.symbols.push(symbol);
  return true;
}

const at = { pos: 0 };
const sid = new Int32Array(2);

/**
 * Checks and aggregates every entry of one raw XRANGE reply; returns how many it held, how many of those were
 * decoded and left to addEntry, and the stream id of the last one (where the next page starts).
 */
export function readPage(ctx: EntryContext, page: Buffer, seen: SeenLookups, intern: Interner): { entries: number; decoded: number; lastId: string | undefined } {
  const err = rawError(page);
  if (err !== undefined) throw new Error(err.message);
  const n = header(page, 0, 42);
  if (n < 0) throw new Error(`unexpected XRANGE reply: ${page.toString('utf8', 0, Math.min(page.length, 40))}`);
  let pos = after;
  let lastId: string | undefined;
  let decoded = 0;
  for (let i = 0; i < n; i++) {
    const end = scanEntry(page, pos, sid);
    if (end >= 0 && fastEntry(ctx, page, seen, intern)) {
      if (i === n - 1) lastId = page.toString('latin1', sid[0], sid[1]);
      pos = end;
    } else {
      const entry = decodeAt(page, pos, intern, at);
      decoded++;
      addEntry(ctx, entry, seen);
      if (i === n - 1) lastId = Array.isArray(entry) ? String(entry[0]) : undefined;
      pos = at.pos;
    }
  }
  return { entries: n, decoded, lastId };
}
