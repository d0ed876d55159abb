// The event log's entries: each parsed, checked against the contract (check 6) and aggregated per symbol and
// minute (for checks 5 and 8). value_cents of a linear entry = round_half_up(price × quantity, cents); of an
// entry with usd (inverse, or a quantity that had more than 8 decimals) = round_half_up(usd, cents), and then
// quantity = round_half_up(usd ÷ price, 8 decimals).
import { divToScaled, mul, parseDecimal, toScaled } from '../core/decimal.js';
import { EVENTS_KEY, bucketKey, minuteOf } from '../core/keys.js';
import { MAX_SAFE, POW10, type SmallDecimal, scaleSafe, smallDecimal } from '../core/small.js';
import type { Exchanges } from './fields.js';
import { type Num, eq, intField } from './num.js';
import type { Check } from './report.js';
import type { Reply } from './resp-codec.js';
import type { IdSet } from './idset.js';
import { LogMinute } from './log-minute.js';

/** Identities to look up in liq:seen:60s:{minute}, per minute, with each one's symbol. */
export type SeenLookups = Map<number, { ids: string[]; symbols: string[] }>;

const ID_RE = /^[A-Za-z0-9_-]{20}$/;
export const EX_RE = /^[a-z0-9]+$/;

/** value_cents of price × quantity, rounded half up, exactly (p, q: their smallDecimal). */
function linearCents(price: string, quantity: string, p: SmallDecimal | undefined, q: SmallDecimal | undefined): bigint | number | undefined {
  if (p && q) {
    const m = p.m * q.m;
    const scale = p.scale + q.scale;
    if (m <= MAX_SAFE) {
      const v = scaleSafe(m, scale, 2);
      if (v >= 0) return v;
    }
  }
  const pd = parseDecimal(price);
  const qd = parseDecimal(quantity);
  if (!pd || !qd) return undefined;
  return toScaled(mul(pd, qd), 2);
}

function positiveDecimal(text: string, d: SmallDecimal | undefined): boolean {
  if (d !== undefined) return d.m > 0;
  const big = parseDecimal(text);
  return big !== undefined && big.m > 0n;
}

/** quantity × 10^8 when it is a decimal > 0 with at most 8 decimals (exact), else undefined (d: its smallDecimal). */
function quantityE8(text: string, d: SmallDecimal | undefined): Num | undefined {
  if (d !== undefined) {
    if (d.scale > 8 || d.m === 0) return undefined;
    const v = d.m * POW10[8 - d.scale];
    if (v <= MAX_SAFE) return v;
  }
  const big = parseDecimal(text);
  if (big === undefined || big.scale > 8 || big.m === 0n) return undefined;
  const v = toScaled(big, 8);
  return v <= BigInt(MAX_SAFE) ? Number(v) : v;
}

export interface EntryContext {
  readonly exchanges: Exchanges;
  /** Exchange names that passed the name check (the fast path's cache; indices are given when aggregating). */
  readonly validExchanges: Set<string>;
  readonly check: Check;
  readonly ids: IdSet;
  /** Minute starts of the window (entries elsewhere are only checked for their own content). */
  readonly from: number;
  readonly to: number;
  /** Only this symbol (undefined: all). */
  readonly symbol: string | undefined;
  readonly minutes: Map<number, LogMinute>;
  /** The stream being read, named by a finding without a bucket (liq:events, or a day's stream on a Cluster). */
  logKey?: string;
}

/** Checks and aggregates one XRANGE entry [streamId, [name, value, …]]. */
export function addEntry(ctx: EntryContext, entry: Reply, seen: SeenLookups): void {
  const pair = entry as Reply[];
  const sid = String(pair[0]);
  const flat = (pair[1] ?? []) as Reply[];
  let id: string | undefined;
  let ts: Num | undefined;
  let exchange: string | undefined;
  let symbol: string | undefined;
  let side = -1;
  let price: string | undefined;
  let quantity: string | undefined;
  let cents: Num | undefined;
  let usd: string | undefined;
  for (let i = 0; i + 1 < flat.length; i += 2) {
    const v = flat[i + 1];
    switch (flat[i]) {
      case 'id':
        id = String(v);
        break;
      case 'ts':
        ts = intField(v);
        break;
      case 'exchange':
        exchange = String(v);
        break;
      case 'symbol':
        symbol = String(v);
        break;
      case 'side':
        side = v === 'long' ? 0 : v === 'short' ? 1 : -2;
        break;
      case 'price':
        price = String(v);
        break;
      case 'quantity':
        quantity = String(v);
        break;
      case 'value_cents':
        cents = intField(v);
        break;
      case 'usd':
        usd = String(v);
        break;
    }
  }
  if (symbol !== undefined && ctx.symbol !== undefined && symbol !== ctx.symbol) return;
  const c = ctx.check;
  const minute = typeof ts === 'number' ? minuteOf(ts) : undefined;
  const where = symbol !== undefined && minute !== undefined ? bucketKey(symbol, minute) : ctx.logKey ?? EVENTS_KEY;
  const field = (name: string) => `entry ${sid} ${name}`;
  if (id === undefined || !ID_RE.test(id)) return c.fail(where, field('id'), 'a 20-character identity', id ?? '(absent)');
  if (typeof ts !== 'number') return c.fail(where, field('ts'), 'a time in ms', String(ts ?? '(absent)'));
  if (exchange === undefined || !EX_RE.test(exchange)) return c.fail(where, field('exchange'), 'an exchange name', exchange ?? '(absent)');
  if (symbol === undefined) return c.fail(where, field('symbol'), 'a symbol', '(absent)');
  if (side < 0) return c.fail(where, field('side'), 'long or short', '(other)');
  if (cents === undefined || cents === 0 || cents === 0n) return c.fail(where, field('value_cents'), 'an integer > 0', String(cents ?? '(absent)'));
  const p = price === undefined ? undefined : smallDecimal(price);
  if (price === undefined || !positiveDecimal(price, p)) return c.fail(where, field('price'), 'a decimal > 0', price ?? '(absent)');
  const q = quantity === undefined ? undefined : smallDecimal(quantity);
  const qtyE8 = quantity === undefined ? undefined : quantityE8(quantity, q);
  if (qtyE8 === undefined) return c.fail(where, field('quantity'), 'a decimal > 0 with ≤ 8 decimals', quantity ?? '(absent)');
  let ok = true;
  if (usd === undefined || usd === '') {
    const want = linearCents(price, quantity!, p, q)!;
    if (!eq(want, cents)) {
      c.fail(where, field('value_cents'), `round_half_up(${price} × ${quantity}) = ${want}`, cents);
      ok = false;
    }
  } else {
    const ud = parseDecimal(usd);
    if (ud === undefined) {
      c.fail(where, field('usd'), 'a decimal', usd);
      ok = false;
    } else {
      const want = toScaled(ud, 2);
      const wantQty = divToScaled(ud, parseDecimal(price)!, 8);
      if (want !== BigInt(cents)) {
        c.fail(where, field('value_cents'), `round_half_up(usd ${usd}) = ${want}`, cents);
        ok = false;
      } else if (wantQty !== BigInt(qtyE8)) {
        c.fail(where, field('quantity'), `round_half_up(${usd} ÷ ${price}, 8) = ${wantQty}e-8`, quantity);
        ok = false;
      }
    }
  }
  if (!ctx.ids.add(id)) {
    if (ok) c.fail(where, field('id'), 'an identity no other entry has', `${id} (also in an earlier entry)`);
    ok = false;
  }
  if (minute! < ctx.from || minute! > ctx.to) {
    if (ok) c.pass();
    return;
  }
  // within the window: aggregate (even a failed entry: it is in the log, so its bucket should count it)
  let lm = ctx.minutes.get(minute!);
  if (lm === undefined) ctx.minutes.set(minute!, (lm = new LogMinute()));
  // m ÷ 10^scale of exact doubles is the correctly rounded value of the decimal, as Number(price) would be
  lm.add(symbol, ctx.exchanges.of(exchange), side, cents, qtyE8, p === undefined ? Number(price) : p.m / POW10[p.scale]);
  // liq:seen membership is looked up right after the page; the entry passes or fails check 6 then
  if (ok) {
    let l = seen.get(minute!);
    if (l === undefined) seen.set(minute!, (l = { ids: [], symbols: [] }));
    l.ids.push(id);
    l.symbols.push(symbol);
  }
}
