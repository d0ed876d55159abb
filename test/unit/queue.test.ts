import { describe, expect, it } from 'vitest';
import { ChunkQueue } from '../../src/engine/queue.js';

describe('ChunkQueue', () => {
  it('keeps FIFO order across chunk boundaries, unshift and compaction', () => {
    const q = new ChunkQueue();
    let next = 0;
    const mk = (n: number) => Array.from({ length: n }, () => ({ id: String(next++) }) as never);
    for (let i = 0; i < 5000; i++) q.push(mk(1 + (i % 4)));
    const total = next;
    const seen: number[] = [];
    let batch = q.take(7);
    q.unshift(batch); // a failed write goes back to the front
    while (q.size > 0) {
      batch = q.take(333);
      for (const e of batch) seen.push(Number((e as { id: string }).id));
      if (seen.length % 999 === 0) {
        const back = q.take(5);
        q.unshift(back);
      }
    }
    expect(seen).toHaveLength(total);
    expect(seen).toEqual(Array.from({ length: total }, (_, i) => i));
    expect(q.take(10)).toEqual([]);
  });
});
