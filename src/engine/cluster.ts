// Writing to a Redis Cluster. The write script's keys all carry one day's hash tag (core/keys.ts), so ioredis routes
// each call to the master of that slot. Two things need the master itself:
// - WAIT (REDIS_WAIT_REPLICAS) confirms the writes of one connection, so it goes to the connection of the master that
//   took the write. The master is looked up before the write and again in the reply's continuation: if the slot
//   moved in between (a failover), the write is not confirmed and goes back to be sent again (identities make the
//   second write count nothing twice).
// - Own ids are claimed in their shard (liq:ids:{ids-N}, a slot of its own) before the batch is written: the claim
//   script returns, per id, the minute it was first claimed in; the event is written in that minute, whose liq:seen
//   then decides exactly once, as liq:ids does inside the one script on a single Redis.
import calculateSlot from 'cluster-key-slot';
import type { Cluster, Redis } from 'ioredis';
import { isCluster } from '../core/pipe.js';
import { NoReplicasError, type ReplicaOptions } from './replicas.js';

/** The master that holds `key`'s slot now ("host:port"), as the client's slot map says. */
export function masterOf(redis: Redis, key: string): string | undefined {
  return (redis as unknown as Cluster).slots[calculateSlot(key)]?.[0];
}

function connectionOf(redis: Redis, node: string): Redis | undefined {
  return (redis as unknown as Cluster).nodes('master').find((n) => `${n.options.host}:${n.options.port}` === node);
}

/** The slot of `key` moved to another master between a write and its confirmation: the write is not confirmed. */
export class SlotMovedError extends Error {
  override name = 'SlotMovedError';
  constructor(key: string, before: string | undefined, after: string | undefined) {
    super(`the slot of ${key} moved from ${before ?? 'no master'} to ${after ?? 'no master'} during the write: not confirmed, sent again`);
  }
}

/**
 * WAIT for the last write on the connection that carries `key`: on one Redis (or through Sentinel) the client's one
 * connection; on a Cluster the connection of the master of `key`'s slot, which must still be `before` (the master
 * the write was sent to). Throws NoReplicasError or SlotMovedError when the write is not confirmed.
 */
export async function confirmOn(redis: Redis, key: string, before: string | undefined, o: ReplicaOptions): Promise<void> {
  let conn = redis;
  if (isCluster(redis)) {
    const after = masterOf(redis, key);
    const c = after === undefined ? undefined : connectionOf(redis, after);
    // (A client that had no slot map yet when it sent the write learned it from that write: nothing moved.)
    if ((before !== undefined && after !== before) || c === undefined) throw new SlotMovedError(key, before, after);
    conn = c;
  }
  const acked = await conn.wait(o.replicas, o.timeoutMs);
  if (acked < o.replicas) throw new NoReplicasError(acked, o);
}

// Claims ids in one shard: an id claimed before (and not pruned) keeps its minute, a new one takes the minute sent
// with it. Pruned by score (the minute) below ARGV[1]: ids are kept IDS_RETENTION_MS, as liq:ids on a single Redis.
export const CLAIM_IDS_LUA = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[1])
local out = {}
for i = 2, #ARGV, 2 do
  local s = redis.call('ZSCORE', KEYS[1], ARGV[i])
  if s then
    out[#out + 1] = s
  else
    redis.call('ZADD', KEYS[1], ARGV[i + 1], ARGV[i])
    out[#out + 1] = ARGV[i + 1]
  end
end
return out
`;

type ClaimCommands = { liqClaimIds(key: string, pruneBelow: number, ...idMinutes: Array<string | number>): Promise<string[]> };

export function defineClaim(redis: Redis): void {
  if (typeof (redis as Redis & Partial<ClaimCommands>).liqClaimIds !== 'function') {
    redis.defineCommand('liqClaimIds', { numberOfKeys: 1, lua: CLAIM_IDS_LUA });
  }
}

/**
 * Claims every (id, minute) in its shard key, one script call per shard (in parallel: ioredis pipelines them per
 * node), and with replicas > 0 WAITs on each shard's master. Returns id → the canonical minute (ms).
 */
export async function claimIds(
  redis: Redis,
  byShard: ReadonlyMap<string, Array<[string, number]>>,
  pruneBelow: number,
  replicas: ReplicaOptions | undefined,
): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  await Promise.all(
    [...byShard].map(async ([key, list]) => {
      const before = masterOf(redis, key);
      const args: Array<string | number> = [];
      for (const [id, minute] of list) args.push(id, minute);
      const got = await (redis as Redis & ClaimCommands).liqClaimIds(key, pruneBelow, ...args);
      if (replicas !== undefined && replicas.replicas > 0) await confirmOn(redis, key, before, replicas);
      for (let i = 0; i < list.length; i++) out.set(list[i][0], Number(got[i]));
    }),
  );
  return out;
}
