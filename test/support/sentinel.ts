// A master, one replica and three Sentinels on free loopback ports (scripts/lib/sentinel.ts, shared with
// `bench --redis sentinel`): every process stopped by PID and the directory under TMPDIR removed by stop().
export { startSentinelSetup, type SentinelOptions, type SentinelSetup } from '../../scripts/lib/sentinel.js';
export type { RedisNode } from '../../scripts/lib/redis-node.js';
