// Noticing a Redis that lost data. Each instance keeps a small hash in Redis, `liq:marker:{instance}`, holding its
// start time and a running count of the events it has written: every batch adds to it in the same script call
// (script.ts) and returns the count from before, and an idle daemon probes it every few seconds. Redis must hold at
// least what this instance has had acknowledged; when it holds less (a restart without persistence, a restore from
// an older snapshot, a failover to a replica that had not caught up), the difference is events that were counted
// and are gone. The marker is then recreated from what Redis holds now, so the loss is reported once.
import type { Redis } from 'ioredis';

export const MARKER_PROBE_LUA = `
local before = redis.call('HGET', KEYS[1], 'written') or '0'
redis.call('HSETNX', KEYS[1], 'started', ARGV[1])
redis.call('HSETNX', KEYS[1], 'written', '0')
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return before
`;

type ProbeCommands = { liqMarkerProbe(key: string, started: number, ttlMs: number): Promise<string> };

/** What Redis should hold for this instance, against what it reports. */
export class MarkerWatch {
  /** Events this instance has had acknowledged, as Redis should count them in the marker. */
  private expected = 0n;

  /**
   * A reply of the marker (`before`: its count before `added` events were counted into it), taken in reply order.
   * Returns the number of events Redis no longer has (0 when none are missing).
   */
  observe(before: bigint, added: number): bigint {
    const lost = before < this.expected ? this.expected - before : 0n;
    // More than expected: another process writes under the same instance name; follow what Redis holds.
    this.expected = before + BigInt(added);
    return lost;
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
  const info = await redis.info('server');
  return /^run_id:(\w+)/m.exec(info)?.[1];
}
