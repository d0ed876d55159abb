// parseBucket reads a bucket hash in one pass; this compares it with the straightforward reading it replaced (an
// object of the fields, the exchanges found by `^[a-z0-9]+_count$` minus long/short, six lookups for each), on
// random buckets and on hashes no daemon writes (edited by hand, odd names, values that are not integers).
import { describe, expect, it } from 'vitest';
import { type Bucket, type Totals, parseBucket } from '../../src/aggregator/bucket.js';
import { mulberry32 } from '../../scripts/lib/prng.js';

function reference(start: number, flat: string[]): Bucket {
  const h: Record<string, string> = Object.create(null) as Record<string, string>;
  for (let i = 0; i + 1 < flat.length; i += 2) h[flat[i]] = flat[i + 1];
  const int = (f: string) => {
    const raw = h[f];
    if (raw === undefined) return 0;
    const n = Number(raw);
    return Number.isSafeInteger(n) ? n : 0;
  };
  const totals = (p: string): Totals => ({
    count: int(`${p}count`),
    valueCents: int(`${p}value_cents`),
    long: { count: int(`${p}long_count`), valueCents: int(`${p}long_value_cents`) },
    short: { count: int(`${p}short_count`), valueCents: int(`${p}short_value_cents`) },
  });
  const found = new Set<string>();
  for (const f of Object.keys(h)) {
    const m = /^([a-z0-9]+)_count$/.exec(f);
    if (m && m[1] !== 'long' && m[1] !== 'short') found.add(m[1]);
  }
  const exchanges = new Map([...found].sort().map((ex) => [ex, { exchange: ex, ...totals(`${ex}_`) }]));
  return { start, ...totals(''), exchanges };
}

const TOTAL_FIELDS = ['count', 'value_cents', 'long_count', 'long_value_cents', 'short_count', 'short_value_cents'];
const ODD = ['qty_e8', 'long_qty_e8', 'short_qty_e8', 'toString', '__proto__', 'constructor', 'hasOwnProperty', 'Binance_count', 'bin-ance_count', '_count', 'x_', 'long_long_count', 'short_count_count', 'value_count', 'a_b_count'];

function randomHash(rand: () => number): string[] {
  const flat: string[] = [];
  const value = () => {
    const r = rand();
    if (r < 0.05) return 'abc';
    if (r < 0.1) return '1.5';
    if (r < 0.12) return '9007199254740993';
    if (r < 0.14) return '-42';
    return String(Math.floor(rand() * 1e12));
  };
  for (const f of TOTAL_FIELDS) if (rand() < 0.9) flat.push(f, value());
  const exchanges = ['binance', 'bybit', 'okx', 'hyperliquid', 'long', 'short', 'gate2'].filter(() => rand() < 0.5);
  for (const ex of exchanges) for (const f of TOTAL_FIELDS) if (rand() < 0.8) flat.push(`${ex}_${f}`, value());
  for (const f of ODD) if (rand() < 0.2) flat.push(f, value());
  // field order is Redis's (any): shuffle the pairs
  const pairs: [string, string][] = [];
  for (let i = 0; i < flat.length; i += 2) pairs.push([flat[i], flat[i + 1]]);
  for (let i = pairs.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [pairs[i], pairs[j]] = [pairs[j], pairs[i]];
  }
  return pairs.flat();
}

describe('parseBucket', () => {
  it('reads 20,000 random and hand-edited hashes exactly as the field-by-field reading does', () => {
    const rand = mulberry32(20261129);
    for (let n = 0; n < 20_000; n++) {
      const flat = randomHash(rand);
      const got = parseBucket(n, flat);
      const want = reference(n, flat);
      expect(got).toEqual(want);
      expect([...got.exchanges.keys()]).toEqual([...want.exchanges.keys()]);
    }
  });

  it('takes the object form too, and an empty or missing hash is an empty bucket', () => {
    const flat = ['count', '3', 'value_cents', '1500', 'okx_count', '3', 'okx_value_cents', '1500', 'okx_long_count', '2'];
    const obj = Object.fromEntries([[flat[0], flat[1]], [flat[2], flat[3]], [flat[4], flat[5]], [flat[6], flat[7]], [flat[8], flat[9]]]);
    expect(parseBucket(1, obj)).toEqual(reference(1, flat));
    expect(parseBucket(1, obj).exchanges.get('okx')).toEqual({ exchange: 'okx', count: 3, valueCents: 1500, long: { count: 2, valueCents: 0 }, short: { count: 0, valueCents: 0 } });
    for (const empty of [[], null, undefined, {}]) expect(parseBucket(7, empty)).toEqual(reference(7, []));
  });

  it('a field named like an Object property is just a field', () => {
    const b = parseBucket(0, ['toString', '5', 'constructor_count', '1', 'count', '2']);
    expect(b.count).toBe(2);
    expect(b.short.valueCents).toBe(0);
    // `constructor` is a well-formed exchange name ([a-z0-9]+): its count is read as any other's
    expect(b.exchanges.get('constructor')?.count).toBe(1);
  });
});
