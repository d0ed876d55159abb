// Noticing a Redis that lost data. Each instance keeps a small hash in Redis, `liq:marker:{instance}`, holding its
// start time and a running count of the events it has written: every batch adds to it in the same script call
// (script.ts) and returns the count from before, and an idle daemon probes it every few seconds. Redis must hold at
// least what this instance has had acknowledged; when it holds less (a restart without persistence, a restore from
// an older snapshot, a failover to a replica that had not caught up), the difference is events that were counted
// and are gone. The marker is then recreated from what Redis holds now, so the loss is reported once.
import type { Redis } from 'ioredis';
import { isCluster } from '../core/pipe.js';

export const MARKER_PROBE_LUA = `
local before = redis.call('HGET', KEYS[1], 'written') or '0'
redis.call('HSETNX', KEYS[1], 'started', ARGV[1])
redis.call('HSETNX', KEYS[1], 'written', '0')
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return before
`;

type ProbeCommands = { liqMarkerProbe(key: string, started: number, ttlMs: number): Promise<string> };

/** A reply of the marker, in the order Redis ran the calls, until its write is confirmed or not (see MarkerWatch). */
export interface MarkerReply {
  readonly before: bigint;
  readonly added: number;
  state: 'pending' | 'confirmed' | 'failed';
}

/**
 * What Redis should hold for this instance, against what it reports. Replies are taken in the order Redis ran the
 * calls (reserve) and judged in that order once each is settled: with REDIS_WAIT_REPLICAS a batch counts only once
 * WAIT confirms it, and a later reply (the other batch in flight, the idle probe) must not be judged before it, or
 * its count would be expected before it is known to survive a failover.
 */
export class MarkerWatch {
  /** Events this instance has had acknowledged, as Redis should count them in the marker. */
  private expected = 0n;
  private readonly replies: MarkerReply[] = [];
  /** Lost events found while settling, not yet handed to a caller (a settle that failed cannot return them). */
  private unreported = 0n;

  /** A reply (`before`: the marker's count before `added` events were counted into it), in reply order. */
  reserve(before: bigint, added: number): MarkerReply {
    const r: MarkerReply = { before, added, state: 'pending' };
    this.replies.push(r);
    return r;
  }

  /** The write of a reserved reply was confirmed (or not: its events are not expected, they will be sent again). */
  settle(r: MarkerReply, confirmed: boolean): void {
    r.state = confirmed ? 'confirmed' : 'failed';
    while (this.replies.length > 0 && this.replies[0].state !== 'pending') {
      const head = this.replies.shift()!;
      // Not confirmed: Redis may or may not keep its count; a later reply shows what it holds and is followed.
      if (head.state === 'failed') continue;
      if (head.before < this.expected) this.unreported += this.expected - head.before;
      // More than expected: another process writes under the same instance name, or a batch that was not
      // confirmed is there after all; follow what Redis holds.
      this.expected = head.before + BigInt(head.added);
    }
  }

  /** Events found missing since the last call (0n when none). */
  take(): bigint {
    const lost = this.unreported;
    this.unreported = 0n;
    return lost;
  }

  /**
   * A reply whose write needs no confirmation, taken in reply order. Returns the number of events Redis no longer
   * has (0 when none are missing).
   */
  observe(before: bigint, added: number): bigint {
    this.settle(this.reserve(before, added), true);
    return this.take();
  }

  get count(): bigint {
    return this.expected;
  }
}

export function defineMarkerProbe(redis: Redis): void {
  if (typeof (redis as Redis & Partial<ProbeCommands>).liqMarkerProbe !== 'function') {
    redis.defineCommand('liqMarkerProbe', { numberOfKeys: 1, lua: MARKER_PROBE_LUA });
  }
}

/** A small write: refreshes the marker (creating it if it is gone) and returns its count. Throws as a write would. */
export async function probeMarker(redis: Redis, key: string, started: number, ttlMs: number): Promise<bigint> {
  defineMarkerProbe(redis);
  return BigInt(await (redis as Redis & ProbeCommands).liqMarkerProbe(key, started, ttlMs));
}

/** Redis's run_id (changes at every Redis start), or undefined when INFO does not say. */
export async function redisRunId(redis: Redis): Promise<string | undefined> {
  // A Cluster answers INFO from any node: no one run_id to follow (each day's marker still notices a loss).
  if (isCluster(redis)) return undefined;
  const info = await redis.info('server');
  return /^run_id:(\w+)/m.exec(info)?.[1];
}
