// A Redis Cluster of three masters with one replica each on free loopback ports (scripts/lib/cluster.ts): every
// process stopped by PID and the directory under TMPDIR removed by stop().
export { startCluster, type ClusterOptions, type ClusterSetup } from '../../scripts/lib/cluster.js';
