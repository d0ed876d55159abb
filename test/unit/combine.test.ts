// combine() sums per (bucket, exchange, side) before spreading over fields; this checks it against the plain
// definition (every field of every event's buckets, one by one, in BigInt) on random batches, on both its Number
// path and its BigInt fallback.
import { describe, expect, it } from 'vitest';
import { combine } from '../../src/engine/batch.js';
import { parseDecimal } from '../../src/engine/decimal.js';
import { makeLinearEvent, type LiquidationEvent } from '../../src/engine/event.js';
import { ALL, bucketKey, countFields, minuteOf, qtyFields, valueFields } from '../../src/engine/keys.js';
import { mulberry32 } from '../../scripts/lib/prng.js';

function reference(events: LiquidationEvent[]): Map<string, Map<string, bigint>> {
  const acc = new Map<string, Map<string, bigint>>();
  const add = (key: string, field: string, v: bigint) => {
    const m = acc.get(key) ?? new Map<string, bigint>();
    acc.set(key, m);
    m.set(field, (m.get(field) ?? 0n) + v);
  };
  for (const e of events) {
    const start = minuteOf(e.ts);
    for (const key of [bucketKey(e.symbol, start), bucketKey(ALL, start)]) {
      for (const f of countFields(e.exchange, e.side)) add(key, f, 1n);
      for (const f of valueFields(e.exchange, e.side)) add(key, f, BigInt(e.valueCents));
    }
    for (const f of qtyFields(e.side)) add(bucketKey(e.symbol, start), f, e.qtyE8);
  }
  return acc;
}

function asBig(m: Map<string, Map<string, number | bigint>>): Map<string, Map<string, bigint>> {
  return new Map([...m].map(([k, f]) => [k, new Map([...f].map(([n, v]) => [n, BigInt(v)]))]));
}

function randomBatch(seed: number, n: number, huge: boolean): LiquidationEvent[] {
  const rnd = mulberry32(seed);
  const out: LiquidationEvent[] = [];
  const t0 = Date.UTC(2026, 10, 20, 12, 0, 0);
  while (out.length < n) {
    const price = huge ? `${1 + Math.floor(rnd() * 9)}000000.5` : `${1 + Math.floor(rnd() * 99999)}.${Math.floor(rnd() * 100)}`;
    const qty = huge ? `${1 + Math.floor(rnd() * 900)}000000.12345678` : `0.${Math.floor(rnd() * 1e6)}1`;
    const e = makeLinearEvent(
      {
        exchange: ['binance', 'bybit', 'okx'][Math.floor(rnd() * 3)]!,
        symbol: ['BTCUSDT', 'ETHUSDT', 'SOLUSDT', 'DOGEUSDT'][Math.floor(rnd() * 4)]!,
        side: rnd() < 0.5 ? 'long' : 'short',
        ts: t0 + Math.floor(rnd() * 3 * 60_000),
        priceText: price,
        sizeText: qty,
      },
      parseDecimal(price)!,
      parseDecimal(qty)!,
    );
    if (typeof e !== 'string') out.push(e);
  }
  return out;
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
});
