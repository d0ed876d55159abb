// Vitest globalSetup: each test run gets a temporary directory of its own as TMPDIR, inherited by the test workers
// and by everything they start (daemons, redis-servers, the scripts), so what a run leaves behind is its own and
// can be named, even while other runs share /tmp. At teardown the directory must be empty: anything left fails
// the run with its names (each test removes what it creates), and the directory is removed either way.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

let dir: string | undefined;
let before: string | undefined;

export function setup(): void {
  before = process.env.TMPDIR;
  dir = mkdtempSync(path.join(os.tmpdir(), 'liqd-test-run-'));
  process.env.TMPDIR = dir;
}

export function teardown(): void {
  if (dir === undefined) return;
  const left = readdirSync(dir);
  rmSync(dir, { recursive: true, force: true });
  if (before === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = before;
  if (left.length > 0) {
    // an error thrown here is printed with vitest's stack but does not change the exit code
    process.stderr.write(`\nFAIL the tests left ${left.length} temporary file(s) behind in TMPDIR (removed now): ${left.sort().join(', ')}\n`);
    process.exitCode = 1;
  }
}
