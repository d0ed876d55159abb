// JsonStrings writes the write script's argument straight into bytes; it must give exactly the bytes of
// Buffer.from(JSON.stringify(strings)), whatever the strings hold and however often the buffer has to grow.
import { describe, expect, it } from 'vitest';
import { JsonStrings } from '../../src/engine/pack.js';
import { mulberry32 } from '../../scripts/lib/prng.js';

const r = mulberry32(7);
const ALPHABET = ['a', 'Z', '0', '9', '_', '-', '.', ':', '|', ' ', '"', '\\', '\n', '\u0000', '\u001f', '\u007f', 'é', '牛', '\u2028', '😀', '\ud800'];

function randomString(): string {
  let s = '';
  const plain = r() < 0.6;
  for (let n = Math.floor(r() * 30); n > 0; n--) s += plain ? ALPHABET[Math.floor(r() * 9)] : ALPHABET[Math.floor(r() * ALPHABET.length)];
  return s;
}

describe('JsonStrings', () => {
  it('gives the bytes of JSON.stringify for random strings and integers, growing from a tiny buffer', () => {
    for (let round = 0; round < 200; round++) {
      const out = new JsonStrings(round % 2 === 0 ? 1 : 10_000);
      const want: string[] = [];
      for (let k = Math.floor(r() * 200); k > 0; k--) {
        if (r() < 0.3) {
          const n = r() < 0.5 ? Math.floor(r() * 1e9) : Math.floor(r() * Number.MAX_SAFE_INTEGER);
          out.int(n);
          want.push(String(n));
        } else {
          const s = randomString();
          out.str(s);
          want.push(s);
        }
      }
      expect(out.done()).toEqual(Buffer.from(JSON.stringify(want)));
    }
  });

  it('prints integers at the digit edges as String() does, and anything else through String()', () => {
    const ns = [0, 1, 9, 10, 99, 100, 999_999_999, 1e9, 1e9 + 1, 1_700_000_000_000, 2 ** 31, 2 ** 32 + 5, Number.MAX_SAFE_INTEGER, -1, 1.5, 2 ** 53];
    const out = new JsonStrings(8);
    for (const n of ns) out.int(n);
    expect(out.done().toString('utf8')).toBe(JSON.stringify(ns.map(String)));
  });

  it('two arrays built at once do not share a buffer', () => {
    const a = new JsonStrings(16);
    const b = new JsonStrings(16);
    a.str('first');
    b.str('second');
    a.int(1);
    b.int(2);
    expect(a.done().toString()).toBe('["first","1"]');
    expect(b.done().toString()).toBe('["second","2"]');
  });

  it('an empty array and an empty string', () => {
    expect(new JsonStrings(0).done().toString()).toBe('[]');
    const out = new JsonStrings(0);
    out.str('');
    out.str('');
    expect(out.done().toString()).toBe('["",""]');
  });
});
