// A Sentinel-managed Redis on loopback ports, for the tests and `bench --redis sentinel`: a master, one replica and
// three Sentinels (quorum 2), each a redis-server process (`redis-server sentinel.conf --sentinel`), in one
// temporary directory removed by stop(). Short Sentinel timeouts by default, so that a killed master is replaced
// within a few seconds.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_SENTINEL_NAME, type HostPort, type RedisTarget } from '../../src/core/redis-target.js';
import { freePort } from './redis.js';
import { HOST, type RedisNode, query, startRedisNode, until } from './redis-node.js';

export interface SentinelOptions {
  /** The master's name at the Sentinels (default mymaster). */
  name?: string;
  /** Sentinel down-after-milliseconds: how long a master may not answer before it is taken for down (default 1000). */
  downAfterMs?: number;
  /** Sentinel failover-timeout (default 3000). */
  failoverTimeoutMs?: number;
  /** More redis-server arguments for the master and the replica. */
  dataArgs?: readonly string[];
}

export interface SentinelSetup {
  readonly name: string;
  readonly dir: string;
  /** The two data nodes; the first is the master at the start. */
  readonly nodes: readonly RedisNode[];
  readonly sentinels: readonly RedisNode[];
  /** What REDIS_SENTINELS / REDIS_SENTINEL_NAME (or --redis redis-sentinel://…) say for it. */
  readonly target: RedisTarget;
  /** The master's address, as the first Sentinel that answers says. */
  master(): Promise<HostPort>;
  /** The data node at that address. */
  masterNode(): Promise<RedisNode>;
  /** Waits until the Sentinels name a master other than `old` and that server answers as a master. */
  waitForFailover(old: HostPort, timeoutMs?: number): Promise<RedisNode>;
  /** Waits until the master has `n` replicas online and caught up with it. */
  waitForReplicas(n: number, timeoutMs?: number): Promise<void>;
  /** Stops the Sentinels first (no failover while the data nodes stop), then the data nodes; removes the directory. */
  stop(): Promise<void>;
}

const same = (a: HostPort, b: HostPort) => a.host === b.host && a.port === b.port;

export async function startSentinelSetup(opts: SentinelOptions = {}): Promise<SentinelSetup> {
  const name = opts.name ?? DEFAULT_SENTINEL_NAME;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'liqd-sentinel-'));
  const nodes: RedisNode[] = [];
  const sentinels: RedisNode[] = [];
  const stop = async () => {
    for (const s of sentinels) await s.stop();
    for (const n of nodes) await n.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (const role of ['master', 'replica'] as const) {
      const port = await freePort();
      const nodeDir = path.join(dir, `${role}-${port}`);
      mkdirSync(nodeDir);
      const args = ['--port', String(port), '--bind', HOST, '--dir', nodeDir, '--save', '', '--appendonly', 'no', '--daemonize', 'no', ...(opts.dataArgs ?? [])];
      if (role === 'replica') args.push('--replicaof', HOST, String(nodes[0].port));
      nodes.push(await startRedisNode(`redis-${role}`, port, args));
    }
    for (let i = 0; i < 3; i++) {
      const port = await freePort();
      const sdir = path.join(dir, `sentinel-${port}`);
      mkdirSync(sdir);
      // Sentinel rewrites its configuration file (what it learns about replicas and peers), so each has its own.
      const conf = path.join(sdir, 'sentinel.conf');
      writeFileSync(
        conf,
        [
          `port ${port}`,
          `bind ${HOST}`,
          'daemonize no',
          `dir ${sdir}`,
          `sentinel monitor ${name} ${HOST} ${nodes[0].port} 2`,
          `sentinel down-after-milliseconds ${name} ${opts.downAfterMs ?? 1000}`,
          `sentinel failover-timeout ${name} ${opts.failoverTimeoutMs ?? 3000}`,
          `sentinel parallel-syncs ${name} 1`,
          '',
        ].join('\n'),
      );
      sentinels.push(await startRedisNode(`redis-sentinel-${i + 1}`, port, [conf, '--sentinel']));
    }
    const setup = makeSetup(name, dir, nodes, sentinels, stop);
    // Ready once every Sentinel knows the replica and the two other Sentinels (hello messages, every 2 s).
    await until(
      async () => {
        for (const s of sentinels) {
          const m = pairs((await query(s, ['SENTINEL', 'MASTER', name])) as string[]);
          if (Number(m['num-slaves']) < 1 || Number(m['num-other-sentinels']) < 2) return false;
        }
        return true;
      },
      20_000,
      'the Sentinels to know the replica and each other',
    );
    await setup.waitForReplicas(1);
    return setup;
  } catch (err) {
    await stop();
    throw err;
  }
}

function makeSetup(name: string, dir: string, nodes: RedisNode[], sentinels: RedisNode[], stop: () => Promise<void>): SentinelSetup {
  const master = async (): Promise<HostPort> => {
    let last: unknown;
    for (const s of sentinels) {
      try {
        const r = (await query(s, ['SENTINEL', 'GET-MASTER-ADDR-BY-NAME', name])) as [string, string] | null;
        if (r) return { host: r[0], port: Number(r[1]) };
      } catch (err) {
        last = err;
      }
    }
    throw new Error(`no Sentinel names a master for ${name}${last ? `: ${(last as Error).message}` : ''}`);
  };
  const nodeAt = (a: HostPort) => {
    const n = nodes.find((x) => same(x.address, a));
    if (!n) throw new Error(`the Sentinels name ${a.host}:${a.port}, which is not a node of this set-up`);
    return n;
  };
  return {
    name,
    dir,
    nodes,
    sentinels,
    target: { mode: 'sentinel', sentinels: sentinels.map((s) => s.address), name },
    master,
    masterNode: async () => nodeAt(await master()),
    async waitForFailover(old, timeoutMs = 30_000) {
      let now: HostPort = old;
      await until(
        async () => {
          now = await master();
          return !same(now, old) && (await query(nodeAt(now), ['ROLE']) as string[])[0] === 'master';
        },
        timeoutMs,
        `a failover away from ${old.host}:${old.port}`,
      );
      return nodeAt(now);
    },
    async waitForReplicas(n, timeoutMs = 30_000) {
      await until(
        async () => {
          const info = (await query(nodeAt(await master()), ['INFO', 'replication'])) as string;
          const offset = Number(/master_repl_offset:(\d+)/.exec(info)?.[1] ?? -1);
          const online = [...info.matchAll(/^slave\d+:.*state=online,offset=(\d+)/gm)].filter((m) => Number(m[1]) >= offset);
          return online.length >= n;
        },
        timeoutMs,
        `${n} replica(s) online and caught up`,
      );
    },
    stop,
  };
}

function pairs(flat: readonly string[]): Record<string, string> {
  const o: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) o[flat[i]] = flat[i + 1];
  return o;
}
