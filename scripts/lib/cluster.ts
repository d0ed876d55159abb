// A Redis Cluster on loopback ports, for the tests (and, with cluster mode, the benchmark): three masters with one
// replica each by default, each a redis-server process with cluster-enabled, joined by
// `redis-cli --cluster create … --cluster-replicas 1 --cluster-yes`, in one temporary directory removed by stop().
// Each node's cluster bus port is chosen free too (cluster-port), not taken as port + 10000.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { RedisTarget } from '../../src/core/redis-target.js';
import { NoRedisError, freePort } from './redis.js';
import { HOST, type RedisNode, query, startRedisNode, until } from './redis-node.js';

export interface ClusterOptions {
  masters?: number;
  replicasPerMaster?: number;
  /** cluster-node-timeout: how long a master may not answer before its replica takes over (default 1000). */
  nodeTimeoutMs?: number;
}

export interface ClusterSetup {
  readonly dir: string;
  readonly nodes: readonly RedisNode[];
  /** What REDIS_CLUSTER_NODES (or --redis redis-cluster://…) says for it. */
  readonly target: RedisTarget;
  /** CLUSTER INFO of one node, as key → value. */
  info(node?: RedisNode): Promise<Record<string, string>>;
  /** Waits until every running node says cluster_state:ok and knows `known` nodes. */
  waitHealthy(known?: number, timeoutMs?: number): Promise<void>;
  /** Waits until every running master has `replicas` replicas online (WAIT can confirm writes). */
  waitReplicated(replicas?: number, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/** `n` distinct free loopback ports. */
async function freePorts(n: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < n) ports.add(await freePort());
  return [...ports];
}

export async function startCluster(opts: ClusterOptions = {}): Promise<ClusterSetup> {
  const masters = opts.masters ?? 3;
  const replicas = opts.replicasPerMaster ?? 1;
  const count = masters * (1 + replicas);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'liqd-cluster-'));
  const nodes: RedisNode[] = [];
  const stop = async () => {
    for (const n of nodes) await n.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const ports = await freePorts(2 * count);
    for (let i = 0; i < count; i++) {
      const [port, bus] = [ports[2 * i], ports[2 * i + 1]];
      const nodeDir = path.join(dir, `node-${port}`);
      mkdirSync(nodeDir);
      const args = [
        '--port', String(port), '--cluster-port', String(bus), '--bind', HOST, '--dir', nodeDir, '--daemonize', 'no',
        '--save', '', '--appendonly', 'no',
        '--cluster-enabled', 'yes', '--cluster-config-file', path.join(nodeDir, 'nodes.conf'),
        '--cluster-node-timeout', String(opts.nodeTimeoutMs ?? 1000),
      ];
      nodes.push(await startRedisNode(`redis-cluster-${i + 1}`, port, args));
    }
    const create = spawnSync(
      'redis-cli',
      ['--cluster', 'create', ...nodes.map((n) => `${HOST}:${n.port}`), '--cluster-replicas', String(replicas), '--cluster-yes'],
      { encoding: 'utf8', timeout: 60_000 },
    );
    if (create.error !== undefined) {
      const code = (create.error as NodeJS.ErrnoException).code;
      throw new NoRedisError(code === 'ENOENT' ? 'no redis-cli on PATH: install redis-tools (apt-get install redis-tools / brew install redis)' : `redis-cli: ${create.error.message}`);
    }
    if (create.status !== 0) throw new Error(`redis-cli --cluster create failed (${create.status}): ${(create.stdout + create.stderr).trim().split('\n').slice(-5).join(' | ')}`);
    const setup: ClusterSetup = {
      dir,
      nodes,
      target: { mode: 'cluster', nodes: nodes.map((n) => n.address) },
      async info(node = nodes.find((n) => n.running) ?? nodes[0]) {
        const text = (await query(node, ['CLUSTER', 'INFO'])) as string;
        return Object.fromEntries(text.split(/\r?\n/).filter((l) => l.includes(':')).map((l) => l.split(':', 2) as [string, string]));
      },
      async waitHealthy(known = count, timeoutMs = 30_000) {
        await until(
          async () => {
            for (const n of nodes.filter((x) => x.running)) {
              const i = await setup.info(n);
              if (i.cluster_state !== 'ok' || Number(i.cluster_known_nodes) !== known) return false;
            }
            return true;
          },
          timeoutMs,
          `the cluster to be ok with ${known} nodes`,
        );
      },
      async waitReplicated(want = replicas, timeoutMs = 30_000) {
        await until(
          async () => {
            for (const n of nodes.filter((x) => x.running)) {
              const info = (await query(n, ['INFO', 'replication'])) as string;
              if (!/^role:master/m.test(info)) continue;
              const online = info.match(/^slave\d+:.*state=online/gm)?.length ?? 0;
              if (online < want) return false;
            }
            return true;
          },
          timeoutMs,
          `every master to have ${want} replica(s) online`,
        );
      },
      stop,
    };
    await setup.waitHealthy();
    return setup;
  } catch (err) {
    await stop();
    throw err;
  }
}
