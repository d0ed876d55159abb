// The Redis deployment is chosen by configuration only, the same way in every process: contradictions stop each one
// with one line; the Cluster set-up of the tests comes up healthy, the readers run on it (REDIS_CLUSTER_NODES), and it
// goes away cleanly. test/integration/cluster-readers.test.ts compares what they read there with one Redis.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { targetEnv } from '../../src/core/redis-target.js';
import { startCluster } from '../support/cluster.js';
import { DAEMON } from '../support/daemon.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const script = (name: string) => path.join(ROOT, 'dist/scripts', name);

function run(file: string, args: string[], env: Record<string, string>) {
  const r = spawnSync(process.execPath, [file, ...args], { env: { PATH: process.env.PATH ?? '', HEALTH_PORT: '0', ...env }, encoding: 'utf8', timeout: 15_000 });
  return { code: r.status, stdout: r.stdout, lines: r.stderr.trim().split('\n') };
}

describe('the Redis deployment from configuration, in every process', () => {
  it('REDIS_URL with REDIS_SENTINELS is one line everywhere', () => {
    const env = { REDIS_URL: 'redis://127.0.0.1:1', REDIS_SENTINELS: '127.0.0.1:2' };
    const line = 'REDIS_URL names one Redis and REDIS_SENTINELS another deployment: unset one of them';
    expect(run(DAEMON, [], env)).toMatchObject({ code: 1, stdout: '', lines: [`liqd: invalid configuration: ${line}`] });
    expect(run(script('dashboard.js'), ['simple', '--once'], env)).toMatchObject({ code: 2, lines: [`liqd-dashboard: ${line} (see --help)`] });
    expect(run(script('forensic.js'), [], env)).toMatchObject({ code: 2, lines: [`liqd-forensic: ${line}`] });
  });

  it('replay writes only into a Sentinel deployment that --redis names', () => {
    const sample = path.join(ROOT, 'samples/cascade.ndjson.gz');
    const r = run(script('replay.js'), [sample, '--with-daemon'], { REDIS_SENTINELS: '127.0.0.1:2,127.0.0.1:3' });
    expect(r.code).toBe(2);
    expect(r.lines.at(-1)).toBe(
      "liqd-replay: REDIS_SENTINELS is set (redis-sentinel://127.0.0.1:2,127.0.0.1:3/mymaster) but this writes the capture's liquidations and uses only a Redis named by --redis: " +
        'unset REDIS_SENTINELS for a private redis-server, or pass --redis redis-sentinel://127.0.0.1:2,127.0.0.1:3/mymaster to write into it',
    );
    const bad = run(script('replay.js'), [sample, '--with-daemon', '--redis', 'sentinel:1'], {});
    expect(bad.code).toBe(2);
    expect(bad.lines.at(-1)).toMatch(/--redis must be a redis:\/\/ or rediss:\/\/ URL, redis-sentinel:\/\/host:port,…\[\/name\] or redis-cluster:\/\/host:port,…/);
  });
});

describe('the test Cluster (three masters, one replica each)', () => {
  it('starts healthy (cluster_state:ok, 6 nodes), the dashboards, query and alerts read it, and it stops every process and its directory', async () => {
    const c = await startCluster();
    let pids: number[] = [];
    try {
      const info = await c.info();
      expect(info).toMatchObject({ cluster_state: 'ok', cluster_known_nodes: '6', cluster_size: '3', cluster_slots_assigned: '16384' });
      const roles = await Promise.all(c.nodes.map(async (n) => ((await n.client().call('ROLE')) as string[])[0]));
      expect(roles.sort()).toEqual(['master', 'master', 'master', 'slave', 'slave', 'slave']);
      pids = c.nodes.map((n) => n.pid!);
      expect(c.target).toEqual({ mode: 'cluster', nodes: c.nodes.map((n) => ({ host: '127.0.0.1', port: n.port })) });
      // the readers take it from REDIS_CLUSTER_NODES and read it, empty as it is
      const env = targetEnv(c.target);
      const dash = run(script('dashboard.js'), ['pro', '--once'], env);
      expect(dash).toMatchObject({ code: 0, lines: [''] });
      expect(dash.stdout).toContain('no liquidations in liq:events yet');
      expect(run(script('query.js'), ['--from', '-3d', '--interval', '1d'], env)).toMatchObject({ code: 0, stdout: expect.stringMatching(/^total +0 +\$0\.00 +\$0\.00 +\$0\.00$/m) });
      expect(run(script('alerts.js'), ['--once'], env)).toMatchObject({ code: 0, stdout: '', lines: [''] });
    } finally {
      await c.stop();
    }
    const alive = (pid: number) => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    expect(pids.filter(alive)).toEqual([]);
    expect(existsSync(c.dir)).toBe(false);
  }, 60_000);
});
