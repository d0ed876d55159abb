// The Hyperliquid tail saves a position only once the events before it are kept: marks.ts decides which.
import { describe, expect, it } from 'vitest';
import { Marks } from '../../../src/venues/hyperliquid/marks.js';

const at = (offset: number) => ({ file: '20261129/23', offset });

describe('Marks: the position that may be saved', () => {
  it('is where reading is once every push is settled, and forgets the marks', () => {
    const m = new Marks();
    m.add(at(100), 1);
    m.add(at(200), 2);
    expect(m.safe(at(250), { pushed: 2, settled: 2 })).toEqual(at(250));
    // the marks are gone: a later unsettled state has nothing older to offer
    expect(m.safe(at(300), { pushed: 3, settled: 2 })).toBeUndefined();
  });

  it('is the newest mark whose pushes are settled while the engine holds later ones', () => {
    const m = new Marks();
    m.add(at(100), 1);
    m.add(at(200), 2);
    m.add(at(300), 3);
    expect(m.safe(at(300), { pushed: 3, settled: 0 })).toBeUndefined();
    expect(m.safe(at(300), { pushed: 3, settled: 2 })).toEqual(at(200));
    // nothing newer settled since: keep what was saved
    expect(m.safe(at(300), { pushed: 3, settled: 2 })).toBeUndefined();
    expect(m.safe(at(300), { pushed: 4, settled: 3 })).toEqual(at(300));
  });

  it('without progress (no engine) it is where reading is', () => {
    const m = new Marks();
    m.add(at(100), 1);
    expect(m.safe(at(120), undefined)).toEqual(at(120));
  });

  it('keeps only the newest 100,000 marks: the oldest go, so a save waits for a later mark, never an earlier one', () => {
    const m = new Marks();
    for (let i = 1; i <= 150_000; i++) m.add(at(i * 10), i);
    // pushes up to 40,000 settled: their marks were dropped, so no position yet (never one past an unsettled push)
    expect(m.safe(at(1_500_000), { pushed: 150_000, settled: 40_000 })).toBeUndefined();
    expect(m.safe(at(1_500_000), { pushed: 150_000, settled: 60_000 })).toEqual(at(600_000));
    expect(m.safe(at(1_500_000), { pushed: 150_001, settled: 149_999 })).toEqual(at(1_499_990));
  });
});
