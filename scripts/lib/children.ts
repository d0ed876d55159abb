// Child processes of the scripts (daemon, redis-server, dashboard) and cleanup: everything a script starts is
// stopped when it ends, whether it ends normally, on an error, or on SIGINT / SIGTERM / SIGHUP.
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { rmSync } from 'node:fs';
import os from 'node:os';

export interface ManagedChild {
  readonly name: string;
  readonly proc: ChildProcess;
  /** Resolves with the exit code (or the signal name) once the process has exited. */
  readonly exited: Promise<number | string>;
  readonly running: boolean;
  /** signal (default SIGTERM), then SIGKILL after graceMs; resolves once it has exited. */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<number | string>;
}

const children = new Set<ManagedChild>();
const tempDirs = new Set<string>();
const cleanups: Array<() => Promise<void> | void> = [];

/** Spawns and tracks a child. A child that cannot start (ENOENT) rejects `started`. */
export function spawnChild(
  name: string,
  command: string,
  args: readonly string[],
  options: SpawnOptions,
): { child: ManagedChild; started: Promise<void> } {
  const proc = spawn(command, args, options);
  let running = true;
  const exited = new Promise<number | string>((resolve) => {
    proc.once('exit', (code, signal) => {
      running = false;
      children.delete(child);
      resolve(code ?? signal ?? 'unknown');
    });
    proc.once('error', () => {
      // spawn failure: 'exit' may never come
      running = false;
      children.delete(child);
      resolve('spawn-error');
    });
  });
  const started = new Promise<void>((resolve, reject) => {
    proc.once('spawn', () => resolve());
    proc.once('error', (err) => reject(err));
  });
  const child: ManagedChild = {
    name,
    proc,
    exited,
    get running() {
      return running;
    },
    async stop(signal: NodeJS.Signals = 'SIGTERM', graceMs = 10_000) {
      if (!running) return exited;
      try {
        proc.kill(signal);
      } catch {
        // already gone
      }
      const timer = setTimeout(() => {
        try {
          proc.kill('SIGKILL');
        } catch {
          // already gone
        }
      }, graceMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
  children.add(child);
  return { child, started };
}

/** A directory removed at cleanup (recursively). */
export function trackTempDir(dir: string): void {
  tempDirs.add(dir);
}

/** Runs at cleanup, last registered first, after the children were stopped. */
export function onCleanup(fn: () => Promise<void> | void): void {
  cleanups.push(fn);
}

let cleaning: Promise<void> | undefined;

/** Stops every child (in reverse start order), runs the cleanups, removes temporary directories. Idempotent. */
export function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    for (const c of [...children].reverse()) await c.stop();
    for (const fn of cleanups.splice(0).reverse()) {
      try {
        await fn();
      } catch {
        // keep cleaning
      }
    }
    for (const c of [...children].reverse()) await c.stop('SIGKILL', 1000);
    removeTempDirs();
  })();
  return cleaning;
}

function removeTempDirs(): void {
  for (const d of tempDirs) {
    try {
      rmSync(d, { recursive: true, force: true });
    } catch {
      // nothing more to do
    }
  }
  tempDirs.clear();
}

/**
 * On SIGINT / SIGTERM / SIGHUP: `onSignal` (e.g. stop playing), then cleanup, then exit with `exitCode(signal)`.
 * A second signal exits at once (after killing what is left). On any exit, children still alive are SIGKILLed.
 */
export function installSignalHandlers(
  onSignal?: (signal: NodeJS.Signals) => Promise<void> | void,
  exitCode: (signal: NodeJS.Signals) => number = signalExitCode,
): void {
  let last: NodeJS.Signals = 'SIGINT';
  const code = () => exitCode(last);
  let seen = false;
  const handler = (signal: NodeJS.Signals) => {
    last = signal;
    if (seen) {
      killAllNow();
      process.exit(code());
    }
    seen = true;
    void (async () => {
      try {
        await onSignal?.(signal);
      } finally {
        await cleanup();
        process.exit(code());
      }
    })();
  };
  for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(s, handler);
  process.on('exit', killAllNow);
}

/** 128 + the signal's number, as a shell reports a process ended by it (SIGINT 130, SIGTERM 143). */
export function signalExitCode(signal: NodeJS.Signals): number {
  return 128 + (os.constants.signals[signal] ?? 2);
}

function killAllNow(): void {
  for (const c of children) {
    try {
      c.proc.kill('SIGKILL');
    } catch {
      // gone
    }
  }
  removeTempDirs();
}
