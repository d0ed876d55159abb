// Small filesystems for fault tests: a tmpfs of a given size (a disk that fills up), remounted read-only on demand.
// Mounting needs root (as in CI and on the development machine); tests that need one skip with a reason otherwise.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface Tmpfs {
  readonly dir: string;
  readOnly(on: boolean): void;
  unmount(): void;
}

/** Whether this process may mount a tmpfs (root, and a kernel that lets it). */
export function canMount(): boolean {
  if (process.getuid?.() !== 0) return false;
  let t: Tmpfs | undefined;
  try {
    t = mountTmpfs(16);
    return true;
  } catch {
    return false;
  } finally {
    t?.unmount();
  }
}

export function mountTmpfs(sizeKb: number): Tmpfs {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'liqd-tmpfs-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeKb}k,mode=0755`, 'tmpfs', dir], { stdio: 'pipe' });
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  let mounted = true;
  return {
    dir,
    readOnly(on) {
      execFileSync('mount', ['-o', `remount,${on ? 'ro' : 'rw'}`, dir], { stdio: 'pipe' });
    },
    unmount() {
      if (!mounted) return;
      mounted = false;
      try {
        execFileSync('umount', ['-l', dir], { stdio: 'pipe' });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
