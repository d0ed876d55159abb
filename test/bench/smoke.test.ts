// Keeps the benchmark from rotting: `bench --quick` (1k events end to end, naive baseline on 1k, steady load for
// 2 s) runs as a real process against its own private redis-server and must produce every section with positive
// figures. The figures themselves are not asserted: targets are measured by `npm run bench`, not tested. With
// `--redis cluster` the end-to-end runs also go through a Redis Cluster it starts (3 masters, a replica each).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FEED_NAMES } from '../../src/venues/registry.js';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BENCH = path.join(ROOT, 'dist/scripts/bench.js');
const dir = mkdtempSync(path.join(os.tmpdir(), 'liqd-bench-smoke-'));

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(args: string[], timeoutMs: number): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [BENCH, ...args], { cwd: dir, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? dir } });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      proc.kill('SIGTERM');
      reject(new Error(`bench ${args.join(' ')} did not finish in ${timeoutMs} ms; stderr: ${stderr.slice(-2000)}`));
    }, timeoutMs);
    proc.once('error', reject);
    proc.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

const positive = (n: unknown) => typeof n === 'number' && Number.isFinite(n) && n > 0;

describe('bench --quick', () => {
  it('runs every section and writes positive figures to the JSON file', async () => {
    const json = path.join(dir, 'results.json');
    const { code, stdout, stderr } = await run(['--quick', '--json', json], 150_000);
    expect(code, stderr).toBe(0);
    // The table on stdout, progress on stderr.
    for (const heading of ['1. End to end', '2. Naive baseline', '3. Parsers alone', '4. Steady load', '5. The write script inside Redis', 'Targets']) expect(stdout).toContain(heading);
    expect(stderr).toContain('bench:');

    const r = JSON.parse(readFileSync(json, 'utf8'));
    expect(r.meta.quick).toBe(true);

    expect(r.endToEnd).toHaveLength(1);
    const e = r.endToEnd[0];
    expect(e.events).toBe(1000);
    expect(e.visible).toBe(1000);
    expect(e.duplicates).toBe(0);
    expect(e.rejected).toBe(0);
    for (const v of [e.eventsPerSec, e.seconds, e.latencyMs.p50, e.latencyMs.p99, e.latencyMs.max, e.latencyMs.samples, e.peakRssMb, e.redis.perEvent, e.redis.scriptCalls, e.timesNaive]) {
      expect(positive(v), JSON.stringify(e)).toBe(true);
    }
    // CPU per event of each process (Linux /proc and INFO cpu); the daemon's /proc ticks are 10 ms, so ≥ 0 there
    expect(e.cpuUsPerEvent, JSON.stringify(e)).toBeDefined();
    expect(positive(e.cpuUsPerEvent.redis) && positive(e.cpuUsPerEvent.bench) && e.cpuUsPerEvent.daemon >= 0).toBe(true);
    expect(stdout).toContain('CPU time per event');

    expect(positive(r.naive.eventsPerSec)).toBe(true);
    expect(r.naive.events).toBe(1000);

    expect(r.parsers.map((p: { parser: string }) => p.parser)).toEqual(FEED_NAMES);
    for (const p of r.parsers) {
      expect(p.rejections).toBe(0);
      for (const v of [p.framesPerSec, p.eventsPerSec, p.jsonParseFramesPerSec, p.ofJsonParse]) expect(positive(v), JSON.stringify(p)).toBe(true);
    }

    const s = r.steady;
    expect(s.rate).toBe(10_000);
    expect(s.visible).toBe(s.events);
    for (const v of [s.achievedEventsPerSec, s.latencyMs.p50, s.latencyMs.p99, s.latencyMs.samples, s.peakRssMb]) expect(positive(v), JSON.stringify(s)).toBe(true);

    // Cumulative cuts of the script: each later cut does more work, and the writer figure includes the client.
    expect(r.scriptCost.sections).toHaveLength(4);
    for (const c of r.scriptCost.sections) expect(positive(c.usPerEvent), JSON.stringify(c)).toBe(true);
    expect(positive(r.scriptCost.writerUsPerEvent)).toBe(true);

    for (const t of Object.values(r.targets) as Array<{ target: number; measured: number; met: boolean }>) {
      expect(positive(t.target)).toBe(true);
      expect(positive(t.measured)).toBe(true);
      expect(typeof t.met).toBe('boolean');
    }
  });

  // About 40 s: the quick run plus a cluster and two more daemons. The single row must be what it is without
  // --redis (the probes' ZSCOREs are not the daemon's), the cluster rows count every event once in the day streams.
  it('--redis cluster: the end-to-end runs on a Redis Cluster with WAIT 0 and WAIT 1, beside the single Redis', async () => {
    const json = path.join(dir, 'cluster.json');
    const { code, stdout, stderr } = await run(['--quick', '--redis', 'cluster', '--json', json], 110_000);
    expect(code, stderr).toBe(0);
    expect(stderr).toMatch(/Redis Cluster: 3 masters with a replica each on ports (\d+,){5}\d+ \(replicas (\d+,){2}\d+\)/);
    expect(stdout).toContain('cluster: 3 masters with a replica each');
    for (const mode of ['single ', 'cluster, WAIT 0 ', 'cluster, WAIT 1 ']) expect(stdout).toMatch(new RegExp(`^${mode}\\s+1k `, 'm'));

    const r = JSON.parse(readFileSync(json, 'utf8'));
    expect(r.meta.redisModes).toEqual(['single', 'cluster, WAIT 0', 'cluster, WAIT 1']);
    expect(r.endToEnd.map((e: { mode: string }) => e.mode)).toEqual(r.meta.redisModes);
    for (const e of r.endToEnd) {
      expect(e.visible, e.mode).toBe(1000);
      expect(e.duplicates, e.mode).toBe(0);
      expect(e.rejected, e.mode).toBe(0);
      for (const v of [e.eventsPerSec, e.latencyMs.p99, e.latencyMs.samples, e.peakRssMb, e.redis.perEvent, e.redis.scriptCalls, e.cpuUsPerEvent?.redis]) {
        expect(positive(v), JSON.stringify(e)).toBe(true);
      }
      // every event's entry in the log, once, on the masters (a replica's replayed XADDs are not counted)
      expect(e.redis.byCommand.xadd, e.mode).toBe(1000);
    }
    const [single, wait0, wait1] = r.endToEnd;
    expect(single.redis.byCommand.zscore, JSON.stringify(single.redis.byCommand)).toBeUndefined();
    expect(wait0.redis.byCommand.wait, JSON.stringify(wait0.redis.byCommand)).toBeUndefined();
    expect(positive(wait1.redis.byCommand.wait), JSON.stringify(wait1.redis.byCommand)).toBe(true);
  }, 120_000);
});
