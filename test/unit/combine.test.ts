// combine() sums per (bucket, exchange, side) before spreading over fields; this checks it against the plain
// definition (every field of every event's buckets, one by one, in BigInt) on random batches, on both its Number
// path and its BigInt fallback. buildPacked() writes the script's JSON argument directly; it is checked against
// JSON.stringify of the layout built the plain way.
import { describe, expect, it } from 'vitest';
import { buildPacked, combine } from '../../src/engine/batch.js';
import { parseDecimal } from '../../src/core/decimal.js';
import { makeInverseEvent, makeLinearEvent, type LiquidationEvent } from '../../src/core/event.js';
import {
  ALL,
  BIG_PER_MINUTE,
  bigKey,
  bigMember,
  aggKey,
  countFields,
  expireAtFor,
  minuteOf,
  periodOf,
  rollupBigKey,
  rollupTopKey,
  qtyFields,
  seenKey,
  topKey,
  parseAggKey,
  valueFields,
} from '../../src/core/keys.js';
import { mulberry32 } from '../../scripts/lib/prng.js';

function reference(events: LiquidationEvent[]): Map<string, Map<string, bigint>> {
  const acc = new Map<string, Map<string, bigint>>();
  const add = (key: string, field: string, v: bigint) => {
    const m = acc.get(key) ?? new Map<string, bigint>();
    acc.set(key, m);
    m.set(field, (m.get(field) ?? 0n) + v);
  };
  // every event adds to its minute, its hour and its day, the same fields at each
  for (const res of ['60s', '1h', '1d'] as const) {
    for (const e of events) {
      const start = periodOf(e.ts, res);
      for (const key of [aggKey(e.symbol, res, start), aggKey(ALL, res, start)]) {
        for (const f of countFields(e.exchange, e.side)) add(key, f, 1n);
        for (const f of valueFields(e.exchange, e.side)) add(key, f, BigInt(e.valueCents));
      }
      for (const f of qtyFields(e.side)) add(aggKey(e.symbol, res, start), f, e.qtyE8);
    }
  }
  return acc;
}

function asBig(m: Map<string, Map<string, number | bigint>>): Map<string, Map<string, bigint>> {
  return new Map([...m].map(([k, f]) => [k, new Map([...f].map(([n, v]) => [n, BigInt(v)]))]));
}

function randomBatch(seed: number, n: number, huge: boolean, inverseShare = 0): LiquidationEvent[] {
  const rnd = mulberry32(seed);
  const out: LiquidationEvent[] = [];
  // a pure test (no Redis): a fixed time, two minutes before a day boundary, so batches cross an hour and a day
  const t0 = Date.UTC(2026, 10, 20, 23, 58, 30);
  while (out.length < n) {
    const price = huge ? `${1 + Math.floor(rnd() * 9)}000000.5` : `${1 + Math.floor(rnd() * 99999)}.${Math.floor(rnd() * 100)}`;
    const qty = huge ? `${1 + Math.floor(rnd() * 900)}000000.12345678` : `0.${Math.floor(rnd() * 1e6)}1`;
    const common = {
      exchange: ['binance', 'bybit', 'okx'][Math.floor(rnd() * 3)]!,
      symbol: ['BTCUSDT', 'ETHUSDT', 'SOLUSDT', 'DOGEUSDT', '牛来USDT', 'BTCUSD_261225'][Math.floor(rnd() * (inverseShare > 0 ? 6 : 4))]!,
      side: rnd() < 0.5 ? ('long' as const) : ('short' as const),
      ts: t0 + Math.floor(rnd() * 3 * 60_000),
      priceText: price,
      sizeText: qty,
    };
    const e = rnd() < inverseShare
      ? makeInverseEvent(common, parseDecimal(price)!, parseDecimal(qty)!)
      : makeLinearEvent(common, parseDecimal(price)!, parseDecimal(qty)!);
    if (typeof e !== 'string') out.push(e);
  }
  return out;
}

/** The script's argument layout (script.ts) built the plain way, as an array of strings. */
function plainLayout(events: readonly LiquidationEvent[], minid: string, retentionHours: number, alerts?: { minCents?: number; minuteCents?: number; now: number }): string[] {
  const retention = { bucketRetentionHours: retentionHours };
  const byMinute = new Map<number, LiquidationEvent[]>();
  for (const e of events) byMinute.set(minuteOf(e.ts), [...(byMinute.get(minuteOf(e.ts)) ?? []), e]);
  const args: string[] = [minid, '', '', '', '', '0', '0', '', '0', '0', '0'];
  // alerts: minute threshold, MINID of liq:alerts (a day here), now, the entries at or above the single threshold
  const ordered = [...byMinute.values()].flat();
  const singles = alerts?.minCents === undefined ? [] : ordered.flatMap((e, i) => (e.valueCents >= alerts.minCents! ? [String(i)] : []));
  args.push(alerts?.minuteCents === undefined ? '' : String(alerts.minuteCents), String(alerts ? alerts.now - 86_400_000 : 0), String(alerts?.now ?? 0), String(singles.length), ...singles);
  const groups: string[][] = [];
  for (const [res, keyed] of [['60s', byMinute], ['1h', undefined], ['1d', undefined]] as const) {
    const periods = keyed ?? new Map<number, LiquidationEvent[]>();
    if (keyed === undefined) for (const e of ordered) periods.set(periodOf(e.ts, res), [...(periods.get(periodOf(e.ts, res)) ?? []), e]);
    for (const [start, list] of periods) {
      const g: string[] = res === '60s' ? [seenKey(start), topKey(start), bigKey(start)] : ['', rollupTopKey(res, start), rollupBigKey(res, start)];
      g.push(String(expireAtFor(res, start, retention)));
      g.push(...(res === '60s' ? [String(list.length), ...list.map((e) => e.id)] : ['0']));
      // a rollup's top is the sum of its minutes' (as doubles, the scores of liq:top, in the same order)
      const top = new Map<string, number>();
      for (const [m, mList] of byMinute) {
        if (periodOf(m, res) !== start) continue;
        const mTop = new Map<string, number>();
        for (const e of mList) mTop.set(e.symbol, (mTop.get(e.symbol) ?? 0) + e.valueCents);
        for (const [sym, v] of mTop) top.set(sym, (top.get(sym) ?? 0) + v);
      }
      g.push(String(top.size));
      for (const [symbol, cents] of top) g.push(symbol, String(cents));
      const big = list.length <= BIG_PER_MINUTE ? list : [...list].sort((x, y) => y.valueCents - x.valueCents).slice(0, BIG_PER_MINUTE);
      g.push(String(big.length));
      for (const e of big) g.push(String(e.valueCents), bigMember(e));
      g.push(String(BIG_PER_MINUTE));
      groups.push(g);
    }
  }
  args[1] = String(groups.length);
  args.push(...groups.flat());
  const combined = combine(events);
  args[2] = String(combined.size);
  // a rollup that shares its only minute's increments (the same Map) refers to that bucket: 'R' and its position
  const sent = new Map<unknown, number>();
  let position = 0;
  for (const [key, fields] of combined) {
    const p = parseAggKey(key)!;
    position++;
    if (sent.has(fields)) {
      expect(p.res).not.toBe('60s');
      args.push(key, String(expireAtFor(p.res, p.start, retention)), 'R', String(sent.get(fields)));
      continue;
    }
    sent.set(fields, position);
    args.push(key, String(expireAtFor(p.res, p.start, retention)), String(fields.size));
    const watch = alerts?.minuteCents !== undefined && p.res === '60s' ? [...fields.keys()].indexOf('value_cents') + 1 : 0;
    args.push(String(watch));
    for (const [field, v] of fields) args.push(field, v.toString());
  }
  args[3] = String(ordered.length);
  args[10] = '0';
  for (const e of ordered) args.push(e.id, String(e.ts), e.exchange, e.symbol, e.side, e.price, e.quantity, String(e.valueCents), e.usd ?? '');
  return args;
}

describe('combine', () => {
  it('equals the field-by-field BigInt sums on random batches (Number path)', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const events = randomBatch(seed, 500, false);
      const got = combine(events);
      expect([...got.values()].every((f) => [...f.values()].every((v) => typeof v === 'number'))).toBe(true);
      expect(asBig(got)).toEqual(reference(events));
    }
  });

  it('falls back to BigInt, still exact, when sums pass 2^53', () => {
    const events = randomBatch(7, 2000, true);
    const got = combine(events);
    expect([...got.values()].some((f) => [...f.values()].some((v) => typeof v === 'bigint'))).toBe(true);
    expect(asBig(got)).toEqual(reference(events));
  });

  it('sums only the quantity fields in BigInt when only quantities pass 2^53 (a sub-cent coin counted in coins)', () => {
    for (let seed = 21; seed <= 26; seed++) {
      const events = randomBatch(seed, 2000, false).map((e, i) =>
        i % 3 === 0 ? { ...e, price: '0.0000042', quantity: '2500000000', qtyE8: 250_000_000_000_000_000n + BigInt(i), valueCents: 1_050_000 } : e,
      );
      const got = combine(events);
      const values = [...got.values()].flatMap((f) => [...f.entries()]);
      // counts and cents stay numbers; the quantities are exact bigints
      for (const [field, v] of values) expect(typeof v, field).toBe(field.endsWith('qty_e8') ? 'bigint' : 'number');
      expect(asBig(got)).toEqual(reference(events));
    }
  });});

describe('buildPacked', () => {
  it('is JSON.stringify of the plain layout, byte for byte (Unicode symbols, usd, several minutes, big sums)', () => {
    const cases = [
      randomBatch(11, 1, false),
      randomBatch(12, 7, false, 0.5),
      randomBatch(13, 500, false, 0.3),
      randomBatch(14, 3000, false, 0.3),
      randomBatch(15, 800, true, 0.2),
    ];
    for (const events of cases) {
      const packed = buildPacked(events, { bucketRetentionHours: 168, minid: '1763640000000' });
      expect(packed.toString('utf8')).toBe(JSON.stringify(plainLayout(events, '1763640000000', 168)));
      expect(Buffer.from(JSON.stringify(plainLayout(events, '1763640000000', 168)))).toEqual(packed);
      expect(JSON.parse(packed.toString('utf8'))).toEqual(plainLayout(events, '1763640000000', 168));
    }
    const mixed = cases[3];
    expect(mixed.some((e) => e.usd !== undefined) && mixed.some((e) => e.symbol === '牛来USDT')).toBe(true);
    expect(buildPacked(mixed, { bucketRetentionHours: 1, minid: '' }).toString('utf8')).toBe(JSON.stringify(plainLayout(mixed, '', 1)));
    // with alert thresholds: the watched value_cents positions and the single-liquidation entries
    const now = 1_763_683_200_000;
    for (const events of cases) {
      const a = { minCents: 5_000_000, minuteCents: 100_000_000 };
      const packed = buildPacked(events, { bucketRetentionHours: 168, minid: '1', now, alerts: { ...a, retentionMs: 86_400_000 } });
      expect(JSON.parse(packed.toString('utf8'))).toEqual(plainLayout(events, '1', 168, { ...a, now }));
    }
  });
});
