// The safe-integer fast path (src/core/small.ts, linearSmall/inverseSmall in event.ts) against the BigInt
// reference, on random decimals of every size around the limits where the fast path must hand over to BigInt.
import { describe, expect, it } from 'vitest';
import { type Decimal, divHalfUp, divToScaled, formatScaled, mul, parseDecimal, toScaled } from '../../src/core/decimal.js';
import {
  type Common,
  identityOf,
  inverseSmall,
  linearSmall,
  makeInverseEvent,
  makeInverseEventBig,
  makeLinearEvent,
  makeLinearEventBig,
} from '../../src/core/event.js';
import { MAX_SAFE, divHalfUpSafe, formatSmall, intText, scaleSafe, smallDecimal, usdOverPriceE8 } from '../../src/core/small.js';
import { mulberry32 } from '../../scripts/lib/prng.js';

const r = mulberry32(20261121);
const int = (n: number) => Math.floor(r() * n);

/** A random plain decimal: 1–20 integer digits (leading zeros sometimes), 0–14 decimals (trailing zeros sometimes). */
function randomDecimal(): string {
  const intDigits = r() < 0.6 ? 1 + int(6) : 1 + int(20);
  let i = '';
  for (let k = 0; k < intDigits; k++) i += String(int(10));
  if (r() < 0.7) i = i.replace(/^0+(?=\d)/, '');
  const scale = r() < 0.25 ? 0 : int(15);
  let f = '';
  for (let k = 0; k < scale; k++) f += String(int(10));
  if (scale > 0 && r() < 0.2) f = f.slice(0, -1) + '0';
  return scale > 0 ? `${i}.${f}` : i;
}

/** The grammar and value parseDecimal had before its fast path: the reference. */
function referenceDecimal(text: string): Decimal | undefined {
  const m = /^(\d+)(?:\.(\d+))?$/.exec(text);
  if (m === null || text.length > 64) return undefined;
  return { m: BigInt(m[1] + (m[2] ?? '')), scale: (m[2] ?? '').length };
}

const common = (priceText: string, sizeText: string): Common => ({
  exchange: 'bybit',
  symbol: 'BTCUSDT',
  side: 'long',
  ts: 1_700_000_000_000,
  priceText,
  sizeText,
});

const d = (s: string): Decimal => {
  const v = parseDecimal(s);
  if (v === undefined) throw new Error(`not a decimal: ${s}`);
  return v;
};

const N = 20_000;

describe('safe-integer arithmetic (small.ts)', () => {
  it('smallDecimal and parseDecimal read every text as the regex reference does', () => {
    const odd = ['', '.', '1.', '.5', '1..2', '1.2.3', '-1', '+1', '1e5', ' 1', '1 ', '0x1', '١', '00', '0.0', '9'.repeat(15), '9'.repeat(16), '1.' + '0'.repeat(13)];
    for (let k = 0; k < N; k++) odd.push(randomDecimal());
    for (let k = 0; k < 2000; k++) {
      // random characters among digits, point and a few others
      let t = '';
      for (let j = int(8); j > 0; j--) t += '0123456789..-e '[int(15)];
      odd.push(t);
    }
    let small = 0;
    for (const text of odd) {
      const want = referenceDecimal(text);
      expect(parseDecimal(text), text).toEqual(want);
      const s = smallDecimal(text);
      if (s !== undefined) {
        small++;
        expect(want, text).toBeDefined();
        expect(BigInt(s.m), text).toBe(want?.m);
        expect(s.scale, text).toBe(want?.scale);
      } else if (want !== undefined) expect(text.length, text).toBeGreaterThan(15);
    }
    expect(small).toBeGreaterThan(N / 2);
  });

  it('divHalfUpSafe, scaleSafe and formatSmall agree with the BigInt functions', () => {
    for (let k = 0; k < N; k++) {
      const n = r() < 0.5 ? int(1e6) : Math.floor(r() * MAX_SAFE);
      const dv = 1 + (r() < 0.5 ? int(1000) : Math.floor(r() * (MAX_SAFE - n)));
      if (n + dv <= MAX_SAFE) expect(divHalfUpSafe(n, dv), `${n}/${dv}`).toBe(Number(divHalfUp(BigInt(n), BigInt(dv))));
      const scale = int(16);
      const digits = int(12);
      const got = scaleSafe(n, scale, digits);
      const want = toScaled({ m: BigInt(n), scale }, digits);
      if (got >= 0) expect(BigInt(got), `${n}e-${scale} to ${digits}`).toBe(want);
      else expect(want > BigInt(MAX_SAFE) || Math.abs(digits - scale) > 15, `${n}e-${scale} to ${digits}`).toBe(true);
      expect(formatSmall(n, scale)).toBe(formatScaled(BigInt(n), scale));
    }
    for (let k = 0; k < N; k++) {
      const um = r() < 0.5 ? int(1e7) : Math.floor(r() * MAX_SAFE);
      const pm = r() < 0.1 ? 0 : 1 + (r() < 0.5 ? int(1e7) : Math.floor(r() * MAX_SAFE));
      const us = int(16);
      const ps = int(16);
      const got = usdOverPriceE8(um, us, pm, ps);
      if (pm === 0) expect(got).toBe(-1);
      else if (got >= 0) expect(BigInt(got), `${um}e-${us} / ${pm}e-${ps}`).toBe(divToScaled({ m: BigInt(um), scale: us }, { m: BigInt(pm), scale: ps }, 8));
    }
    expect(usdOverPriceE8(100, 0, 50000, 0)).toBe(200000); // 100 USD at 50,000: 0.002
    expect(usdOverPriceE8(1, 0, 200000000, 0)).toBe(1); // exactly half of 1e-8 rounds up
    // ties round up, at every distance
    expect(divHalfUpSafe(5, 10)).toBe(1);
    expect(divHalfUpSafe(MAX_SAFE - 1, 2)).toBe((MAX_SAFE - 1) / 2);
    expect(scaleSafe(5, 3, 2)).toBe(1);
    expect(scaleSafe(4, 3, 2)).toBe(0);
    expect(formatSmall(0, 8)).toBe('0');
    expect(formatSmall(1, 8)).toBe('0.00000001');
    expect(formatSmall(1_400_000, 8)).toBe('0.014');
  });
});

describe('intText', () => {
  it('prints every safe integer as String() does', () => {
    const edges = [0, 9, 10, 999_999, 1_000_000, 1_000_001, 999_999_999, 1e9, 1e9 + 1, 1_700_000_000_000, 1_700_000_000_001, 1_700_000_999_999, 2 ** 31, 2 ** 32, 1e15, MAX_SAFE];
    for (const n of edges) expect(intText(n)).toBe(String(n));
    for (let k = 0; k < N; k++) {
      const n = k % 2 === 0 ? 1_600_000_000_000 + int(4e11) : Math.floor(r() * 10 ** (1 + int(16)));
      expect(intText(n)).toBe(String(n));
    }
  });
  it('leaves identities as they were: the ts in decimal digits', () => {
    expect(identityOf('binance', 'BTCUSDT', 1_700_000_000_012, 'long', '1', '0.014')).toBe('binance|BTCUSDT|1700000000012|long|1|0.014');
  });
});

describe('event builders: the safe-integer path gives exactly what the BigInt path gives', () => {
  /** Pairs that land on exact half cents and half 1e-8 units, where rounding mistakes show. */
  function tie(): [string, string] {
    const cents = 1 + int(1e6);
    return [`${cents}.005`, '1'];
  }

  it('linear: price × quantity on random decimals, ties and the edges of the safe range', () => {
    let fast = 0;
    for (let k = 0; k < N; k++) {
      const [p, q] = k % 10 === 0 ? tie() : [randomDecimal(), randomDecimal()];
      const price = d(p);
      const qty = d(q);
      const c = common(p, q);
      const want = makeLinearEventBig(c, price, qty);
      expect(makeLinearEvent(c, price, qty), `${p} × ${q}`).toEqual(want);
      if (price.m <= BigInt(MAX_SAFE) && qty.m <= BigInt(MAX_SAFE)) {
        const small = linearSmall(c, Number(price.m), price.scale, Number(qty.m), qty.scale);
        if (small !== undefined) {
          fast++;
          expect(small, `${p} × ${q}`).toEqual(want);
        } else {
          // only a product or a rounding beyond 2^53 hands over to BigInt
          const um = price.m * qty.m;
          const qE8 = toScaled(qty, 8);
          expect(um > BigInt(MAX_SAFE) || toScaled(mul(price, qty), 2) > BigInt(MAX_SAFE) || qE8 > BigInt(MAX_SAFE) || qty.scale > 15 + 8 || price.scale + qty.scale > 17, `${p} × ${q}`).toBe(true);
        }
      }
    }
    expect(fast).toBeGreaterThan(N / 4);
  });

  it('inverse: usd ÷ price on random decimals, ties and the edges of the safe range', () => {
    let fast = 0;
    for (let k = 0; k < N; k++) {
      const [p, u] = k % 10 === 0 ? ['0.5', `0.00000000${1 + int(9)}`] : [randomDecimal(), randomDecimal()];
      const price = d(p);
      const usd = d(u);
      if (price.m === 0n) continue; // the parsers reject a zero price before building
      const c = common(p, u);
      const want = makeInverseEventBig(c, price, usd);
      expect(makeInverseEvent(c, price, usd), `${u} ÷ ${p}`).toEqual(want);
      if (price.m <= BigInt(MAX_SAFE) && usd.m <= BigInt(MAX_SAFE)) {
        const small = inverseSmall(c, Number(price.m), price.scale, Number(usd.m), usd.scale);
        if (small !== undefined) {
          fast++;
          expect(small, `${u} ÷ ${p}`).toEqual(want);
        }
      }
    }
    expect(fast).toBeGreaterThan(N / 4);
  });

  it('the usual shapes of the three exchanges all take the fast path', () => {
    const cases: Array<[string, string]> = [
      ['43511.70', '0.014'],
      ['0.04499', '20000'],
      ['97000.1', '1.234'],
      ['0.000001234', '12345678'], // 1000SATS-style price, 12M units
      ['2.3456', '0.123456789'], // 9 decimals: usd is logged
    ];
    for (const [p, q] of cases) {
      const price = d(p);
      const qty = d(q);
      const small = linearSmall(common(p, q), Number(price.m), price.scale, Number(qty.m), qty.scale);
      expect(small, `${p} × ${q}`).toBeDefined();
      expect(small).toEqual(makeLinearEventBig(common(p, q), price, qty));
    }
    const inv = inverseSmall(common('50000', '100'), 50000, 0, 100, 0);
    expect(inv).toMatchObject({ valueCents: 10000, qtyE8: 200000n, quantity: '0.002', usd: '100' });
  });
});

