import { describe, expect, it } from 'vitest';
import { divToScaled, formatScaled, parseDecimal, toScaled } from '../../src/core/decimal.js';
import { bucketStart, idOf, identityOf, isValidSymbol, makeInverseEvent, makeLinearEvent } from '../../src/core/event.js';

const d = (s: string) => {
  const v = parseDecimal(s);
  if (!v) throw new Error(`not a decimal: ${s}`);
  return v;
};

describe('parseDecimal', () => {
  it.each(['0', '1', '0.014', '43511.70', '100', '0.00000001', '123456789012345678901234567890.123456789'])('accepts %s', (s) => {
    expect(parseDecimal(s)).toBeDefined();
  });
  it.each(['', '-1', '1e5', '1.', '.5', ' 1', '1,5', 'NaN', 'Infinity', '0x10', '1.2.3', '١٢'])('rejects %j', (s) => {
    expect(parseDecimal(s)).toBeUndefined();
  });
});

describe('half-up rounding to cents and 1e-8', () => {
  it.each([
    ['0.005', 1n], // exactly half a cent rounds up
    ['0.004999999999', 0n],
    ['0.015', 2n],
    ['1.234', 123n],
    ['1.235', 124n],
    ['2158.0052', 215801n],
    ['0', 0n],
    ['99999999999999.995', 10000000000000000n],
  ])('%s USD → %s cents', (usd, cents) => {
    expect(toScaled(d(usd), 2)).toBe(cents);
  });
  it('very small and very large values stay exact', () => {
    expect(toScaled(d('0.000000005'), 8)).toBe(1n);
    expect(toScaled(d('0.0000000049'), 8)).toBe(0n);
    expect(toScaled(d('123456789012.12345678'), 8)).toBe(12345678901212345678n);
  });
  it('inverse division rounds half-up exactly', () => {
    // 100 USD / 50000 = 0.002 exactly
    expect(divToScaled(d('100'), d('50000'), 8)).toBe(200000n);
    // 1 / 3 = 0.333333333… → 33333333
    expect(divToScaled(d('1'), d('3'), 8)).toBe(33333333n);
    // 2 / 3 = 0.666666666… → 66666667
    expect(divToScaled(d('2'), d('3'), 8)).toBe(66666667n);
    // exactly half at the 9th digit: 0.000000005 = 1 / 200000000 → rounds up to 1
    expect(divToScaled(d('1'), d('200000000'), 8)).toBe(1n);
    // 200 USD / 9496.5 → 0.02106039… (COIN-M: 2 contracts × 100 USD)
    expect(divToScaled(d('200'), d('9496.5'), 8)).toBe(2106039n);
    expect(divToScaled(d('0.5'), d('0.25'), 8)).toBe(200000000n);
  });
  it('formats scaled integers exactly', () => {
    expect(formatScaled(1400000n, 8)).toBe('0.014');
    expect(formatScaled(200000000n, 8)).toBe('2');
    expect(formatScaled(1n, 8)).toBe('0.00000001');
    expect(formatScaled(12345678901212345678n, 8)).toBe('123456789012.12345678');
  });
});

describe('events', () => {
  const c = { exchange: 'binance', symbol: 'BTCUSDT', side: 'long' as const, ts: 1_700_000_000_000, priceText: '0.005', sizeText: '1' };
  it('never goes through binary floating point: 0.1 × 3 is 0.30', () => {
    const e = makeLinearEvent({ ...c, priceText: '0.1', sizeText: '3' }, d('0.1'), d('3'));
    expect(e).toMatchObject({ valueCents: 30, qtyE8: 300000000n, quantity: '3' });
  });
  it('rounds half a cent up and refuses values that round to nothing', () => {
    expect(makeLinearEvent(c, d('0.005'), d('1'))).toMatchObject({ valueCents: 1 });
    expect(makeLinearEvent(c, d('0.004'), d('1'))).toBe('zero_value');
  });
  it('logs the exact USD when the quantity has more than 8 decimals', () => {
    const e = makeLinearEvent(c, d('20000'), d('0.123456789'));
    expect(e).toMatchObject({ quantity: '0.12345679', usd: '2469.13578', valueCents: 246914 });
  });
  it('inverse events carry usd and a derived quantity', () => {
    const e = makeInverseEvent({ ...c, exchange: 'okx', symbol: 'BTCUSD' }, d('50000'), d('100'));
    expect(e).toMatchObject({ valueCents: 10000, qtyE8: 200000n, quantity: '0.002', usd: '100' });
  });
  it('identity is exactly the strings sent: "0.0140" and "0.014" are different reports', () => {
    expect(identityOf('binance', 'BTCUSDT', 1, 'long', '1', '0.0140')).not.toBe(identityOf('binance', 'BTCUSDT', 1, 'long', '1', '0.014'));
    const a = idOf(identityOf('binance', 'BTCUSDT', 1, 'long', '1', '0.014'));
    expect(a).toMatch(/^[A-Za-z0-9_-]{20}$/);
    expect(idOf(identityOf('binance', 'BTCUSDT', 1, 'long', '1', '0.014'))).toBe(a);
    expect(idOf(identityOf('binance', 'BTCUSDT', 1, 'short', '1', '0.014'))).not.toBe(a);
  });
  it.each([
    ['BTCUSDT', true],
    ['BTCUSD_261225', true],
    ['牛来USDT', true],
    ['1000PEPEUSDT', true],
    ['ALL', false],
    ['BTC-USDT', false],
    ['EVIL\u001b[31m', false],
    ['A B', false],
    ['', false],
    ['X'.repeat(41), false],
    ['X'.repeat(40), true],
  ])('symbol %j valid: %s', (s, ok) => {
    expect(isValidSymbol(s)).toBe(ok);
  });
  it.each([
    [1_700_000_039_999, 1_699_999_980_000],
    [1_700_000_040_000, 1_700_000_040_000],
    [1_700_000_099_999, 1_700_000_040_000],
    [1_700_000_100_000, 1_700_000_100_000],
  ])('bucket start of %i is %i (minute edges …59.999 and …00.000)', (ts, start) => {
    expect(bucketStart(ts)).toBe(start);
  });
});
