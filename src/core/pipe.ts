// Reading many keys in one round trip, on one Redis or a Cluster. ioredis pipelines a Cluster only when every key of
// the pipeline lives on one node; readers ask for keys of many days (many slots, many nodes). On a Cluster,
// `pipe(redis)` therefore queues the same calls and sends each as its own command on a client with auto-pipelining,
// which ioredis batches per node (one write per node per tick): the same round trips, the replies in call order, and
// exec()'s [error, reply] pairs as a pipeline gives them. On one Redis it is redis.pipeline().
import type { ChainableCommander, Redis } from 'ioredis';

type Call = { name: string; args: unknown[] };

/** Whether the client is an ioredis Cluster (it has no single connection). */
export function isCluster(redis: unknown): boolean {
  return (redis as { isCluster?: boolean }).isCluster === true;
}

/** A pipeline on one Redis, or its per-node equivalent on a Cluster (see the top of this file). */
export function pipe(redis: Redis): ChainableCommander {
  if (!isCluster(redis)) return redis.pipeline();
  const calls: Call[] = [];
  const target = redis as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;
  const proxy: ChainableCommander = new Proxy({} as ChainableCommander, {
    get(_t, prop) {
      if (prop === 'exec') {
        return async () => Promise.all(calls.map((c) => target[c.name](...c.args).then((r) => [null, r] as [null, unknown], (e: Error) => [e, null] as [Error, null])));
      }
      if (prop === 'length') return calls.length;
      if (typeof prop !== 'string' || typeof target[prop] !== 'function') return undefined;
      return (...args: unknown[]) => {
        calls.push({ name: prop, args });
        return proxy;
      };
    },
  });
  return proxy;
}
