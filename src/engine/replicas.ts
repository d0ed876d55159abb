// REDIS_WAIT_REPLICAS: a batch counts as written only once WAIT says that many replicas have it. Replication is
// asynchronous: a master that acknowledged a batch and died before sending it on takes the batch with it, and the
// replica that replaces it never had it. A batch that is not confirmed (WAIT answers fewer replicas within the
// timeout, or the connection dies first) fails like a refused write: its events go back to the hold and are sent
// again, to the new master after a failover; the identities make the second write count nothing twice.
//
// WAIT waits for the replicas to reach this connection's last write, so it is sent in the same continuation as the
// reply of the write it confirms (nothing awaited in between: same connection, no reconnect in between).
import type { Redis } from 'ioredis';
import type { LiquidationEvent } from '../core/event.js';

export interface ReplicaOptions {
  /** Replicas that must have a write (WAIT's numreplicas); 0 turns confirmation off. */
  readonly replicas: number;
  /** WAIT's timeout. */
  readonly timeoutMs: number;
}

/** Fewer replicas confirmed a write than REDIS_WAIT_REPLICAS: code NOREPLICAS, as Redis's own min-replicas refusal. */
export class NoReplicasError extends Error {
  override name = 'NoReplicasError';
  constructor(acked: number, o: ReplicaOptions) {
    super(`NOREPLICAS ${acked} of ${o.replicas} replicas confirmed the write within ${o.timeoutMs} ms (REDIS_WAIT_REPLICAS)`);
  }
}

/** Sends WAIT now; throws NoReplicasError when fewer replicas than asked have this connection's writes. */
export async function confirmReplicas(redis: Redis, o: ReplicaOptions): Promise<void> {
  const acked = await redis.wait(o.replicas, o.timeoutMs);
  if (acked < o.replicas) throw new NoReplicasError(acked, o);
}

/**
 * The ids of events this writer wrote whose WAIT failed. They come back in a later batch, where the script finds
 * them counted (DUP) when the master kept them: then they are this writer's own write being confirmed, not
 * duplicates. Only ids waiting for a second attempt are held (at most the events held for a retry).
 */
export class Unconfirmed {
  private readonly ids = new Set<string>();

  add(events: readonly LiquidationEvent[]): void {
    for (const e of events) this.ids.add(e.id);
  }

  /** The events of `events` whose id is in `seen` and was written here before without confirmation. */
  own(events: readonly LiquidationEvent[], seen: ReadonlySet<string>): LiquidationEvent[] {
    if (this.ids.size === 0) return [];
    return events.filter((e) => seen.has(e.id) && this.ids.has(e.id));
  }

  /** Confirmed (or written afresh): no longer waiting. */
  remove(events: readonly LiquidationEvent[]): void {
    if (this.ids.size === 0) return;
    for (const e of events) this.ids.delete(e.id);
  }

  get size(): number {
    return this.ids.size;
  }
}
