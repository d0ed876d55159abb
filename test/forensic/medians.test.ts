// PriceSamples: the median per (symbol slot, exchange) equals the textbook median of that group's prices, over
// random groups of every size (one price, two, odd, even), including groups with no price.
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../scripts/lib/prng.js';
import { PriceSamples } from '../../src/forensic/medians.js';

function textbook(xs: number[]): number {
  const a = [...xs].sort((x, y) => x - y);
  const mid = a.length >> 1;
  return a.length % 2 === 1 ? a[mid] : (a[mid - 1] + a[mid]) / 2;
}

describe('PriceSamples.medians', () => {
  it.each([1, 2, 3])('equals the median of each group (seed %i)', (seed) => {
    const rand = mulberry32(seed);
    const nSlots = 40;
    const nEx = 4;
    const samples = new PriceSamples();
    const groups = new Map<number, number[]>();
    for (let i = 0; i < 400; i++) {
      // skewed so that some groups get one or two prices and some none
      const slot = Math.floor(rand() ** 2 * nSlots);
      const ex = Math.floor(rand() * (slot % 2 === 0 ? nEx : 2));
      const price = Math.round((100 + rand() * 10) * 1e4) / 1e4;
      samples.add(slot, ex, price);
      const g = slot * nEx + ex;
      groups.set(g, [...(groups.get(g) ?? []), price]);
    }
    const medians = samples.medians(nSlots, nEx);
    expect(medians).toHaveLength(nSlots * nEx);
    const sizes = new Set<number>();
    for (let g = 0; g < nSlots * nEx; g++) {
      const xs = groups.get(g);
      sizes.add(Math.min(xs?.length ?? 0, 3));
      expect(medians[g], `group ${g}`).toBe(xs === undefined ? 0 : textbook(xs));
    }
    // groups of no, one, two and more prices were all there
    expect([...sizes].sort()).toEqual([0, 1, 2, 3]);
  });
});
