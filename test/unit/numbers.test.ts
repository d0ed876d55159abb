// Decimals some venues send as JSON numbers: exact through the shortest round-trip text of the double, refused when
// that text cannot be trusted (an exponent, more than 15 significant digits), and strings as ever.
import { describe, expect, it } from 'vitest';
import { formatDecimal } from '../../src/core/decimal.js';
import { readNumeric } from '../../src/venues/parsing.js';

const ok = (v: unknown) => {
  const r = readNumeric(v);
  if (typeof r === 'string') throw new Error(r);
  return [formatDecimal(r.d), r.text];
};

describe('readNumeric', () => {
  it.each([
    [0.1, '0.1'],
    [43511.7, '43511.7'],
    [100, '100'],
    [1e20, '100000000000000000000'],
    [0.000001, '0.000001'],
    [123456789012345, '123456789012345'],
    [0.00012345678901234, '0.00012345678901234'],
    [99999.5, '99999.5'],
  ])('%s reads as its shortest text %s', (n, text) => {
    expect(ok(n)).toEqual([text, text]);
  });

  it.each([
    [0.1 + 0.2, 'imprecise_number'], // 0.30000000000000004: 17 significant digits
    [1234567890123456, 'imprecise_number'], // 16 digits
    [1e-7, 'imprecise_number'], // "1e-7"
    [1e21, 'imprecise_number'], // "1e+21"
    [-1, 'non_positive'],
    [0, 'non_positive'],
    [Number.NaN, 'non_numeric'],
    [null, 'missing_field'],
    [undefined, 'missing_field'],
    [true, 'non_numeric'],
  ])('%s is refused as %s', (v, reason) => {
    expect(readNumeric(v)).toBe(reason);
  });

  it('strings follow the string rule, text kept as sent', () => {
    expect(ok('0.0100')).toEqual(['0.01', '0.0100']);
    expect(readNumeric('1e5')).toBe('non_numeric');
    expect(readNumeric('-3')).toBe('non_positive');
    expect(readNumeric(0, true)).toMatchObject({ text: '0' });
  });

  it('takes JSON.parse output: what the venue wrote, when it wrote at most 15 significant digits', () => {
    const frame = JSON.parse('{"price":43511.70,"size":0.0010,"bad":0.1234567890123456789}') as Record<string, unknown>;
    expect(ok(frame.price)).toEqual(['43511.7', '43511.7']);
    expect(ok(frame.size)).toEqual(['0.001', '0.001']);
    expect(readNumeric(frame.bad)).toBe('imprecise_number');
  });
});
