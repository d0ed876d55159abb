// The instance marker's bookkeeping (engine/marker.ts): replies judged in the order Redis ran them, each once its
// write is confirmed (REDIS_WAIT_REPLICAS) or not. A batch that was not confirmed is never expected, so a failover
// to a replica without it reports nothing; a confirmed batch that is gone is reported, once.
import { describe, expect, it } from 'vitest';
import { MarkerWatch } from '../../src/engine/marker.js';

describe('MarkerWatch', () => {
  it('without confirmation: each reply judged at once (the single-Redis behaviour)', () => {
    const w = new MarkerWatch();
    expect(w.observe(0n, 10)).toBe(0n);
    expect(w.observe(10n, 5)).toBe(0n);
    expect(w.observe(15n, 0)).toBe(0n);
    // Redis restarted with an older copy: 12 of the 15 events are gone
    expect(w.observe(3n, 4)).toBe(12n);
    expect(w.count).toBe(7n);
    expect(w.observe(7n, 0)).toBe(0n);
  });

  it('a later reply waits behind a batch not yet confirmed: the probe that saw it does not make it expected early', () => {
    const w = new MarkerWatch();
    w.observe(0n, 10);
    const a = w.reserve(10n, 5); // batch A ran: the marker went 10 → 15, WAIT pending
    const probe = w.reserve(15n, 0); // the idle probe ran after it and saw 15
    w.settle(probe, true);
    expect(w.count).toBe(10n); // judged only once A is settled
    w.settle(a, true);
    expect(w.take()).toBe(0n);
    expect(w.count).toBe(15n);
  });

  it('a batch whose WAIT failed is not expected: the failover to a replica without it is no loss, and its resend counts', () => {
    const w = new MarkerWatch();
    w.observe(0n, 10); // confirmed: on the replica
    const a = w.reserve(10n, 5); // on the master only
    const b = w.reserve(15n, 3);
    w.settle(a, false);
    w.settle(b, false);
    expect(w.take()).toBe(0n);
    expect(w.count).toBe(10n);
    // the master died; the replica (10) is the master now and A and B are sent again
    expect(w.observe(10n, 8)).toBe(0n);
    expect(w.count).toBe(18n);
  });

  it('a batch not confirmed that the master kept after all is followed by the next reply', () => {
    const w = new MarkerWatch();
    w.observe(0n, 10);
    w.settle(w.reserve(10n, 5), false);
    // same master: the next batch sees 15, more than expected, and follows it
    expect(w.observe(15n, 2)).toBe(0n);
    expect(w.count).toBe(17n);
  });

  it('a confirmed batch that is gone is reported once, even when found while settling a failed one', () => {
    const w = new MarkerWatch();
    const a = w.reserve(0n, 10);
    const b = w.reserve(0n, 4); // ran after a Redis that lost A's 10 (an older copy)
    w.settle(b, true); // waits behind A
    expect(w.take()).toBe(0n);
    w.settle(a, true); // A confirmed: then B's reply shows A gone
    expect(w.take()).toBe(10n);
    expect(w.take()).toBe(0n);
    expect(w.count).toBe(4n);
  });
});
