// The Redis deployments the end-to-end section runs on (`bench --redis`): the private single Redis always; with
// sentinel also a master with one replica and three Sentinels (scripts/lib/sentinel.ts) reached through Sentinel,
// once with REDIS_WAIT_REPLICAS=0 (the cost of replication) and once with 1 (plus the cost of WAIT); with cluster
// also a Redis Cluster of three masters with one replica each (scripts/lib/cluster.ts, REDIS_CLUSTER_NODES), with
// WAIT 0 and WAIT 1 likewise. A cluster's masters are found through its client (e2e.ts); its replicas are listed
// here, as the Sentinel replica is: ioredis learns of a replica only once CLUSTER SLOTS names it, which Redis does
// not before the replica has had data from its master.
import { type RedisTarget, describeTarget } from '../../src/core/redis-target.js';
import { onCleanup } from '../lib/children.js';
import { startCluster } from '../lib/cluster.js';
import { query } from '../lib/redis-node.js';
import { startSentinelSetup } from '../lib/sentinel.js';

export const REDIS_MODES = ['single', 'sentinel', 'cluster'] as const;
export type RedisMode = (typeof REDIS_MODES)[number];

export interface Deployment {
  /** Its name in the table. */
  readonly mode: string;
  readonly redis: RedisTarget;
  /** Other redis-servers whose CPU time counts with Redis's (the replica). */
  readonly alsoRedis?: readonly string[];
  /** The daemon's variables for it. */
  readonly env: Readonly<Record<string, string>>;
}

/** The deployments of a mode; what it starts is stopped by `stop` (and at cleanup). */
export async function startDeployments(mode: RedisMode, singleUrl: string, progress: (line: string) => void): Promise<{ list: Deployment[]; stop(): Promise<void> }> {
  const list: Deployment[] = [{ mode: 'single', redis: { mode: 'single', url: singleUrl }, env: {} }];
  if (mode === 'single') return { list, stop: async () => {} };
  if (mode === 'cluster') {
    const c = await startCluster();
    onCleanup(() => c.stop());
    // WAIT 1 needs every master's replica online, not only the cluster's slots covered.
    await c.waitReplicated(1);
    const alsoRedis: string[] = [];
    for (const n of c.nodes) if (/^role:slave/m.test(String(await query(n, ['INFO', 'replication'])))) alsoRedis.push(n.url);
    progress(`Redis Cluster: 3 masters with a replica each on ports ${c.nodes.map((n) => n.port).join(',')} (replicas ${alsoRedis.map((u) => u.split(':').pop()).join(',')}), ${describeTarget(c.target)}`);
    list.push({ mode: 'cluster, WAIT 0', redis: c.target, alsoRedis, env: { REDIS_WAIT_REPLICAS: '0' } });
    list.push({ mode: 'cluster, WAIT 1', redis: c.target, alsoRedis, env: { REDIS_WAIT_REPLICAS: '1' } });
    return { list, stop: () => c.stop() };
  }
  const s = await startSentinelSetup();
  onCleanup(() => s.stop());
  progress(`Sentinel set-up: master on ${s.nodes[0].port}, replica on ${s.nodes[1].port}, ${describeTarget(s.target)}`);
  const alsoRedis = [s.nodes[1].url];
  list.push({ mode: 'sentinel, WAIT 0', redis: s.target, alsoRedis, env: { REDIS_WAIT_REPLICAS: '0' } });
  list.push({ mode: 'sentinel, WAIT 1', redis: s.target, alsoRedis, env: { REDIS_WAIT_REPLICAS: '1' } });
  return { list, stop: () => s.stop() };
}
