import { describe, expect, it } from 'vitest';
import { backoffDelay } from '../../src/core/backoff.js';

const lo = () => 0;
const hi = () => 0.999999;
const mid = () => 0.5;

describe('backoffDelay (equal jitter)', () => {
  it('attempt 0 lies in [base/2, base]', () => {
    expect(backoffDelay(0, 1000, 60_000, lo)).toBe(500);
    expect(backoffDelay(0, 1000, 60_000, hi)).toBe(1000);
    expect(backoffDelay(0, 1000, 60_000, mid)).toBe(750);
  });

  it('grows exponentially: the ceiling doubles with each attempt', () => {
    for (let a = 0; a < 6; a++) {
      const ceiling = 1000 * 2 ** a;
      expect(backoffDelay(a, 1000, 1e9, lo)).toBe(ceiling / 2);
      expect(backoffDelay(a, 1000, 1e9, hi)).toBe(ceiling);
      expect(backoffDelay(a + 1, 1000, 1e9, mid)).toBe(2 * backoffDelay(a, 1000, 1e9, mid));
    }
  });

  it('is capped at maxMs, also for huge attempts (no Infinity/NaN)', () => {
    expect(backoffDelay(6, 1000, 60_000, hi)).toBe(60_000); // 64 s ceiling → 60 s
    expect(backoffDelay(6, 1000, 60_000, lo)).toBe(30_000);
    for (const a of [10, 50, 1023, 1024, 5000, Number.MAX_SAFE_INTEGER, Infinity]) {
      const d = backoffDelay(a, 1000, 60_000, hi);
      expect(d).toBe(60_000);
      expect(backoffDelay(a, 1000, 60_000, lo)).toBe(30_000);
    }
  });

  it('stays within [ceiling/2, ceiling] ⊆ [min(base,max)/2, max] for random draws', () => {
    let seed = 42;
    const rnd = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let i = 0; i < 5000; i++) {
      const attempt = i % 20;
      const base = 20 + (i % 7) * 13;
      const max = 200 + (i % 11) * 97;
      const ceiling = Math.min(max, base * 2 ** attempt);
      const d = backoffDelay(attempt, base, max, rnd);
      expect(d).toBeGreaterThanOrEqual(ceiling / 2);
      expect(d).toBeLessThanOrEqual(ceiling);
      expect(d).toBeGreaterThanOrEqual(Math.min(base, max) / 2);
      expect(d).toBeLessThanOrEqual(max);
      expect(Number.isFinite(d)).toBe(true);
    }
  });

  it('jitter actually varies the delay (not constant)', () => {
    const seen = new Set<number>();
    for (let i = 0; i < 200; i++) seen.add(backoffDelay(3, 1000, 60_000));
    expect(seen.size).toBeGreaterThan(50);
  });

  it('tolerates bad input: negative attempt, random out of [0,1)', () => {
    expect(backoffDelay(-3, 1000, 60_000, lo)).toBe(500);
    expect(backoffDelay(Number.NaN, 1000, 60_000, lo)).toBe(500);
    expect(backoffDelay(0, 1000, 60_000, () => 7)).toBe(1000);
    expect(backoffDelay(0, 1000, 60_000, () => -1)).toBe(500);
    expect(backoffDelay(0, 1000, 60_000, () => Number.NaN)).toBe(500);
  });

  it('a max below base caps attempt 0 as well', () => {
    expect(backoffDelay(0, 1000, 400, hi)).toBe(400);
    expect(backoffDelay(0, 1000, 400, lo)).toBe(200);
  });

  it('uses Math.random by default and returns whole milliseconds for integer inputs', () => {
    for (let i = 0; i < 100; i++) {
      const d = backoffDelay(i % 8, 1000, 60_000);
      expect(Number.isInteger(d)).toBe(true);
    }
  });
});
