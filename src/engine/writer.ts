// Writes batches through the one Lua script. Exactly once: the script refuses a batch holding an identity that
// is already counted (naming those ids); the writer removes them and sends the rest. Safe to call again with a
// batch that was written but not acknowledged: the second call finds every id seen and writes nothing.
import type { Redis } from 'ioredis';
import { buildPacked } from './batch.js';
import type { LiquidationEvent } from './event.js';
import { bucketKey, expireAtSeconds, minuteOf } from './keys.js';
import { WRITE_BATCH_LUA } from './script.js';

export interface WriteResult {
  written: number;
  duplicates: number;
  /** Events whose bucket had already expired (older than the retention): never written. */
  expired: number;
  /** Events that would overflow a 64-bit quantity sum of their bucket: refused (a bug or absurd input). */
  overflow: LiquidationEvent[];
  /** Events written, per exchange. */
  byExchange: Map<string, number>;
}

export interface WriterOptions {
  bucketRetentionHours: number;
  eventLogRetentionHours: number;
}

type ScriptReply = [string, ...string[]];

// The whole batch goes as one JSON argument (see script.ts).
type LiqCommands = { liqWriteBatch(packed: Buffer): Promise<ScriptReply> };

export class BucketWriter {
  constructor(
    private readonly redis: Redis,
    private readonly opts: WriterOptions,
  ) {
    if (typeof (redis as Redis & Partial<LiqCommands>).liqWriteBatch !== 'function') {
      redis.defineCommand('liqWriteBatch', { numberOfKeys: 0, lua: WRITE_BATCH_LUA });
    }
  }

  async write(events: readonly LiquidationEvent[], now = Date.now()): Promise<WriteResult> {
    const result: WriteResult = { written: 0, duplicates: 0, expired: 0, overflow: [], byExchange: new Map() };
    const nowSec = now / 1000;
    // One event per identity within the batch; events whose bucket has expired would leave a log entry without
    // its bucket, so they are not written.
    const unique = new Map<string, LiquidationEvent>();
    for (const e of events) {
      if (expireAtSeconds(minuteOf(e.ts), this.opts.bucketRetentionHours) <= nowSec) result.expired++;
      else if (unique.has(e.id)) result.duplicates++;
      else unique.set(e.id, e);
    }
    let pending = [...unique.values()];
    const minid = String(Math.max(0, now - this.opts.eventLogRetentionHours * 3_600_000));
    // Each round either writes or strictly shrinks the batch, so this ends.
    while (pending.length > 0) {
      const packed = buildPacked(pending, { bucketRetentionHours: this.opts.bucketRetentionHours, minid });
      const reply = await (this.redis as Redis & LiqCommands).liqWriteBatch(packed);
      if (reply[0] === 'OK') {
        result.written += pending.length;
        for (const e of pending) result.byExchange.set(e.exchange, (result.byExchange.get(e.exchange) ?? 0) + 1);
        break;
      }
      if (reply[0] === 'DUP') {
        const seen = new Set(reply.slice(1));
        result.duplicates += seen.size;
        pending = pending.filter((e) => !seen.has(e.id));
      } else if (reply[0] === 'OVERFLOW') {
        const key = reply[1];
        const keep: LiquidationEvent[] = [];
        for (const e of pending) {
          if (key === bucketKey(e.symbol, minuteOf(e.ts))) result.overflow.push(e);
          else keep.push(e);
        }
        if (keep.length === pending.length) throw new Error(`write script reported overflow of unknown bucket ${key}`);
        pending = keep;
      } else {
        throw new Error(`unexpected reply from the write script: ${String(reply[0])}`);
      }
    }
    return result;
  }
}
