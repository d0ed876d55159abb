// The validator's byte-level readers against the generic ones they shortcut. readPage checks log entries straight
// from an XRANGE reply's bytes and hands anything unusual to addEntry; readBucket reads an HGETALL reply into a
// Vec and hands anything unusual to checkBucket. On random entries and buckets (most well formed, many broken in
// one way or another) both must give exactly what the generic path gives: every finding, every aggregate.
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../scripts/lib/prng.js';
import { divToScaled, mul, parseDecimal, toScaled } from '../../src/core/decimal.js';
import { checkBucket, checkTotals, readBucket } from '../../src/forensic/bucket.js';
import { type EntryContext, type SeenLookups, addEntry } from '../../src/forensic/entries.js';
import { LogMinute } from '../../src/forensic/log-minute.js';
import { Exchanges, FieldClassifier } from '../../src/forensic/fields.js';
import { IdSet } from '../../src/forensic/idset.js';
import { readPage } from '../../src/forensic/page.js';
import { Check, type Checks } from '../../src/forensic/report.js';
import { Interner, type Reply, decodeAt } from '../../src/forensic/resp-codec.js';

/** A Check that also records every failure (a Check keeps only the first few). */
class Recording extends Check {
  readonly all: string[] = [];
  override fail(key: string, field: string, expected: unknown, actual: unknown): void {
    this.all.push(`${key} | ${field} | ${String(expected)} | ${String(actual)}`);
    super.fail(key, field, expected, actual);
  }
}

const bulk = (s: string) => `$${Buffer.byteLength(s)}\r\n${s}\r\n`;
const array = (items: string[]) => `*${items.length}\r\n${items.join('')}`;

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const MINUTE = 1_795_221_420_000;

type Fields = Array<[string, string]>;

function randomEntries(seed: number, n: number, brokenRate = 0.33): Array<{ sid: string; fields: Fields }> {
  const rand = mulberry32(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
  const id = () => Array.from({ length: 20 }, () => B64[Math.floor(rand() * 64)]).join('');
  const ids: string[] = [];
  const out: Array<{ sid: string; fields: Fields }> = [];
  for (let k = 0; k < n; k++) {
    const ts = MINUTE + Math.floor((rand() - 0.3) * 4 * 60_000);
    // 200000000 and 0.5 put exact halves in the rounding of usd ÷ price and of price × quantity
    const price = pick(['50000.1', '3000.25', '0.0001234', '150', '43511.70', '1', '99999999.12345', '200000000', '0.5'])!;
    const inverse = rand() < 0.3;
    let fields: Fields;
    if (inverse) {
      const usd = pick(['100', '1000', '250', '7', '12345.678', '0.5', '3'])!;
      const u = parseDecimal(usd)!;
      const qty = divToScaled(u, parseDecimal(price)!, 8);
      const q = qty.toString().padStart(9, '0');
      const quantity = `${q.slice(0, -8)}.${q.slice(-8)}`;
      fields = [
        ['id', ''], ['ts', String(ts)], ['exchange', pick(['binance', 'bybit', 'okx'])!], ['symbol', pick(['BTCUSD', 'ETHUSD'])!],
        ['side', pick(['long', 'short'])!], ['price', price], ['quantity', quantity], ['value_cents', String(toScaled(u, 2))], ['usd', usd],
      ];
    } else {
      const quantity = pick(['0.014', '1', '2.5', '0.00000001', '123456.7', '3.3', '0.01', '0.03'])!;
      const cents = toScaled(mul(parseDecimal(price)!, parseDecimal(quantity)!), 2);
      fields = [
        ['id', ''], ['ts', String(ts)], ['exchange', pick(['binance', 'bybit', 'okx'])!], ['symbol', pick(['BTCUSDT', 'ETHUSDT', 'SOLUSDT'])!],
        ['side', pick(['long', 'short'])!], ['price', price], ['quantity', quantity], ['value_cents', String(cents)],
      ];
      if (rand() < 0.1) fields.push(['usd', '']);
    }
    fields[0][1] = ids.length > 0 && rand() < 0.03 ? pick(ids)! : id();
    ids.push(fields[0][1]);
    // by default one in three entries broken in one way
    const set = (name: string, v: string) => {
      const f = fields.find(([n]) => n === name);
      if (f) f[1] = v;
    };
    if (rand() < brokenRate) {
      const r = Math.floor(rand() * 22);
      if (r === 0) set('value_cents', String(Number(fields[7][1]) + 1));
      else if (r === 1) set('value_cents', '0');
      else if (r === 2) set('price', '0');
      else if (r === 3) set('price', '1e5');
      else if (r === 4) set('quantity', '0.000000001');
      else if (r === 5) set('quantity', '12345678901234.56');
      else if (r === 6) set('side', 'Buy');
      else if (r === 7) set('exchange', 'Binance');
      else if (r === 8) set('symbol', pick(['1000', 'ÉTHUSD', '0012', ''])!);
      else if (r === 9) set('id', 'short');
      else if (r === 10) set('ts', pick(['', '17952214200001234', 'x'])!);
      else if (r === 11) fields.splice(Math.floor(rand() * fields.length), 1);
      else if (r === 12) fields.push(['price', '1.5']);
      else if (r === 13) fields.push(['note', 'extra field']);
      else if (r === 14) set('usd', '1000.005');
      else if (r === 15) set('value_cents', '123456789012345678');
      else if (r === 16) set('price', '000150.00');
      else if (r === 17) set('quantity', '7.');
      else if (r === 18) set('value_cents', '00' + fields[7][1]);
      else if (r === 19) fields.reverse();
      else if (r === 20) set('id', `${fields[0][1].slice(0, 19)}!`);
      else set('usd', pick(['abc', '100.0000000000000001', '5'])!);
    }
    out.push({ sid: `${ts}-${k}`, fields });
  }
  return out;
}

function pageBytes(entries: Array<{ sid: string; fields: Fields }>): Buffer {
  return Buffer.from(array(entries.map((e) => array([bulk(e.sid), array(e.fields.flatMap(([n, v]) => [bulk(n), bulk(v)]))]))));
}

function context(symbol?: string): EntryContext & { check: Recording } {
  return {
    exchanges: new Exchanges(),
    validExchanges: new Set(),
    check: new Recording(6, 'entries', 'entries'),
    ids: new IdSet(16),
    from: MINUTE - 60_000,
    to: MINUTE + 60_000,
    symbol,
    minutes: new Map<number, LogMinute>(),
  };
}

function state(ctx: EntryContext & { check: Recording }, seen: SeenLookups) {
  return {
    passed: ctx.check.passed,
    failed: ctx.check.failed,
    failures: ctx.check.all,
    exchanges: ctx.exchanges.names,
    minutes: [...ctx.minutes].map(([m, lm]) => [m, lm.events, [...lm.slots], ...['BTCUSDT', 'ETHUSDT', 'SOLUSDT', 'BTCUSD', 'ETHUSD', 'ALL'].map((s) => lm.vec(s, [0, 1, 2]))]),
    seen: [...seen],
  };
}

describe('readPage', () => {
  it.each([1, 2, 3, 4, 5])('finds and aggregates exactly what addEntry does (seed %i)', (seed) => {
    const entries = randomEntries(seed, 3000);
    const page = pageBytes(entries);
    for (const symbol of [undefined, 'ETHUSDT']) {
      const fast = context(symbol);
      const fastSeen: SeenLookups = new Map();
      const r = readPage(fast, page, fastSeen, new Interner());
      expect(r.entries).toBe(entries.length);
      expect(r.lastId).toBe(entries[entries.length - 1].sid);

      const slow = context(symbol);
      const slowSeen: SeenLookups = new Map();
      const at = { pos: 0 };
      const decoded = decodeAt(page, 0, new Interner(), at) as Reply[];
      for (const e of decoded) addEntry(slow, e, slowSeen);

      expect(state(fast, fastSeen)).toEqual(state(slow, slowSeen));
      // the sample is varied enough to mean something: passes, failures and aggregates of several minutes
      // passed here, or (inside the window) passed on to the liq:seen lookup
      const passing = slow.check.passed + [...slowSeen.values()].reduce((n, l) => n + l.ids.length, 0);
      expect(passing).toBeGreaterThan(symbol === undefined ? 1500 : 300);
      expect(slow.check.failed).toBeGreaterThan(symbol === undefined ? 500 : 100);
      expect(slow.minutes.size).toBeGreaterThan(1);
      // and the byte path did the work: only broken entries (about a third) were decoded
      expect(r.decoded).toBeGreaterThanOrEqual(slow.check.failed); // a finding comes from a decoded entry
      expect(r.decoded).toBeLessThan(entries.length / 2);
    }
  });

  it('decodes nothing from a page of well-formed entries', () => {
    const ctx = context();
    // (products and quotients beyond 2^53, and integers of more than 15 digits, are left to addEntry's BigInt
    // arithmetic: not these)
    const entries = randomEntries(9, 3000, 0).filter((e) => !['99999999.12345', '0.0001234'].includes(e.fields[5][1]) && e.fields[7][1].length <= 15);
    const r = readPage(ctx, pageBytes(entries), new Map(), new Interner());
    // only the entries with a finding (a repeated id, a value that rounds to 0 cents) were decoded
    expect(ctx.check.failed).toBeGreaterThan(0);
    expect(r.decoded).toBe(ctx.check.failed);
  });

  it('reports an error reply as an error', () => {
    expect(() => readPage(context(), Buffer.from('-WRONGTYPE Operation against a key\r\n'), new Map(), new Interner())).toThrow(/WRONGTYPE/);
  });
});

function checks(): Checks {
  return Array.from({ length: 8 }, (_, i) => new Recording(i + 1, `c${i + 1}`, 'buckets')) as unknown as Checks;
}

describe('readBucket', () => {
  it('reads every bucket as checkBucket does, or leaves it to checkBucket', () => {
    const rand = mulberry32(7);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
    const names = ['count', 'long_count', 'short_count', 'value_cents', 'long_value_cents', 'short_value_cents', 'qty_e8', 'long_qty_e8', 'short_qty_e8'];
    for (const ex of ['binance', 'bybit', 'okx']) for (const f of ['count', 'long_count', 'short_count', 'value_cents', 'long_value_cents', 'short_value_cents']) names.push(`${ex}_${f}`);
    const odd = ['binance_qty_e8', 'long_binance_count', 'volume', '7', 'all_count'];
    const values = () => pick(['1', '2', '0', '150', '78006495', '999999999999999', '1000000000000000', '12345678901234567890', '-1', '1.5', '', 'x']);
    let fastCount = 0;
    for (let k = 0; k < 2000; k++) {
      const isAll = rand() < 0.2;
      const fields: string[] = [];
      const n = Math.floor(rand() * 12);
      for (let i = 0; i < n; i++) {
        const normal = rand() < 0.97;
        fields.push(normal ? pick(names) : pick(odd), normal && rand() < 0.95 ? String(1 + Math.floor(rand() * 1e6)) : values());
      }
      const bytes = Buffer.from(array(fields.map(bulk)));
      const symbol = isAll ? 'ALL' : 'BTCUSDT';
      const expire = pick([-1, 1_795_300_000, 1_795_300_001]);
      const fastChecks = checks();
      const fastEx = new FieldClassifier(new Exchanges());
      const at = { pos: 0 };
      const vec = readBucket(bytes, 0, fastEx, isAll, new Interner(), at);
      const slowChecks = checks();
      const slowEx = new FieldClassifier(new Exchanges());
      const slowVec = checkBucket(slowChecks, slowEx, symbol, MINUTE, decodeAt(bytes, 0, new Interner(), { pos: 0 }) as Reply[], expire);
      if (vec === undefined) continue;
      fastCount++;
      expect(at.pos).toBe(bytes.length);
      const fastVec = checkTotals(fastChecks, fastEx, symbol, MINUTE, vec, undefined, expire);
      expect(fastVec).toEqual(slowVec);
      expect(fastEx.exchanges.names).toEqual(slowEx.exchanges.names);
      expect(fastChecks.map((c) => [c.passed, c.failed, (c as Recording).all])).toEqual(slowChecks.map((c) => [c.passed, c.failed, (c as Recording).all]));
    }
    // most buckets are well formed and take the byte path; the rest were left to checkBucket
    expect(fastCount).toBeGreaterThan(1000);
    expect(fastCount).toBeLessThan(2000);
  });
});
