// The Redis deployments the end-to-end section runs on (`bench --redis`): the private single Redis always; with
// sentinel also a master with one replica and three Sentinels (scripts/lib/sentinel.ts) reached through Sentinel,
// once with REDIS_WAIT_REPLICAS=0 (the cost of replication) and once with 1 (plus the cost of WAIT).
import { type RedisTarget, describeTarget } from '../../src/core/redis-target.js';
import { onCleanup } from '../lib/children.js';
import { startSentinelSetup } from '../lib/sentinel.js';

export const REDIS_MODES = ['single', 'sentinel'] as const;
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
  const s = await startSentinelSetup();
  onCleanup(() => s.stop());
  progress(`Sentinel set-up: master on ${s.nodes[0].port}, replica on ${s.nodes[1].port}, ${describeTarget(s.target)}`);
  const alsoRedis = [s.nodes[1].url];
  list.push({ mode: 'sentinel, WAIT 0', redis: s.target, alsoRedis, env: { REDIS_WAIT_REPLICAS: '0' } });
  list.push({ mode: 'sentinel, WAIT 1', redis: s.target, alsoRedis, env: { REDIS_WAIT_REPLICAS: '1' } });
  return { list, stop: () => s.stop() };
}
