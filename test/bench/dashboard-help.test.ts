// bench-dashboard's command line answers without the benchmark: --help prints the usage and exits 0, a bad option
// exits 2 with one line, and neither starts a redis-server (the benchmark's own would fill 1,000,000 keys). A
// redis-server first on PATH that notes each start in a file, then runs the real one, tells whether one was started.
import { execFile, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SCRIPT = path.join(ROOT, 'dist/scripts/bench-dashboard.js');
let dir: string;
let marks: string;
let env: Record<string, string>;

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'liqd-bench-help-'));
  marks = path.join(dir, 'started');
  const real = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' }).stdout.trim();
  expect(real).not.toBe('');
  const bin = path.join(dir, 'bin');
  spawnSync('mkdir', [bin]);
  writeFileSync(path.join(bin, 'redis-server'), `#!/bin/sh\necho "$*" >> '${marks}'\nexec '${real}' "$@"\n`);
  chmodSync(path.join(bin, 'redis-server'), 0o755);
  env = { PATH: `${bin}:${process.env.PATH ?? ''}`, HOME: dir };
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string; ms: number }> {
  const started = Date.now();
  return new Promise((resolve) => {
    execFile(process.execPath, [SCRIPT, ...args], { cwd: dir, env, timeout: 20_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : null) : 0, stdout, stderr, ms: Date.now() - started }),
    );
  });
}

describe('bench-dashboard command line', () => {
  it('the detector sees a redis-server started through PATH (so its silence below means something)', () => {
    const r = spawnSync('redis-server', ['--version'], { env, encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^Redis server v=/);
    expect(readFileSync(marks, 'utf8')).toBe('--version\n');
    rmSync(marks);
  });

  it('--help and -h print the usage on stdout and exit 0 at once, no redis-server started', async () => {
    for (const flag of ['--help', '-h']) {
      const r = await run([flag]);
      expect(r.code, flag).toBe(0);
      expect(r.stderr).toBe('');
      const lines = r.stdout.split('\n');
      expect(lines[0]).toBe('usage: node dist/scripts/bench-dashboard.js [--runs N]');
      expect(lines).toContain('  --runs N   reads per figure (median; default 20)');
      expect(r.stdout).toContain('Targets: refresh < 10 ms, cold read < 50 ms.');
      expect(r.stdout).not.toMatch(/filled|median of/);
      expect(r.ms).toBeLessThan(5_000);
    }
    expect(existsSync(marks)).toBe(false);
  });

  it('an unknown option exits 2 with one line naming it; --runs that is not a positive integer exits 2', async () => {
    const bad = await run(['--frob']);
    expect(bad.code).toBe(2);
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toBe("bench-dashboard: Unknown option '--frob' (see --help)\n");
    const stray = await run(['stray']);
    expect(stray.code).toBe(2);
    expect(stray.stderr).toBe("bench-dashboard: Unexpected argument 'stray'. This command does not take positional arguments (see --help)\n");
    expect(bad.ms).toBeLessThan(5_000);
    for (const args of [['--runs', '0'], ['--runs=-3'], ['--runs', '2.5'], ['--runs', 'many']]) {
      const r = await run(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.split('\n')[0]).toBe('bench-dashboard: --runs takes a positive integer');
    }
    expect(existsSync(marks)).toBe(false);
  });
});
