// Runs the real daemon (dist/src/main.js, built by `npm test`'s pretest) as a child process and reads its JSON logs.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DAEMON_NODE_ARGS } from '../../scripts/lib/daemon.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const DAEMON = path.join(ROOT, 'dist/src/main.js');

export interface RunningDaemon {
  proc: ChildProcess;
  logs: Array<Record<string, unknown>>;
  /** Lines on stdout that were not JSON (must stay empty). */
  garbage: string[];
  stderr: string[];
  healthPort: number;
  health(): Promise<{ status: number; body: Record<string, unknown> }>;
  metrics(): Promise<string>;
  waitForLog(pred: (l: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
  /** SIGTERM, resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export function startDaemon(env: Record<string, string>, healthPort: number): RunningDaemon {
  const proc = spawn(process.execPath, [...DAEMON_NODE_ARGS, DAEMON], {
    env: {
      PATH: process.env.PATH ?? '',
      HEALTH_PORT: String(healthPort),
      STATUS_INTERVAL_MS: '300',
      FLUSH_INTERVAL_MS: '20',
      LOG_LEVEL: 'info',
      RECONNECT_BASE_MS: '50',
      RECONNECT_MAX_MS: '500',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: Array<Record<string, unknown>> = [];
  const garbage: string[] = [];
  const stderr: string[] = [];
  let buf = '';
  proc.stdout!.on('data', (d: Buffer) => {
    buf += d.toString();
    let i: number;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      try {
        logs.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        garbage.push(line);
      }
    }
  });
  proc.stderr!.on('data', (d: Buffer) => stderr.push(d.toString()));
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  return {
    proc,
    logs,
    garbage,
    stderr,
    healthPort,
    async health() {
      const res = await fetch(`http://127.0.0.1:${healthPort}/health`);
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    },
    async metrics() {
      return (await fetch(`http://127.0.0.1:${healthPort}/metrics`)).text();
    },
    async waitForLog(pred, timeoutMs = 15_000) {
      const end = Date.now() + timeoutMs;
      for (;;) {
        const hit = logs.find(pred);
        if (hit) return hit;
        if (Date.now() > end || proc.exitCode !== null) {
          throw new Error(`log line not seen; last lines: ${JSON.stringify(logs.slice(-5))} stderr: ${stderr.join('')}`);
        }
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    async stop(signal = 'SIGTERM') {
      if (proc.exitCode !== null) return proc.exitCode;
      proc.kill(signal);
      return exited;
    },
  };
}

export async function waitUntil(pred: () => Promise<boolean> | boolean, timeoutMs = 15_000, what = 'condition'): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await pred())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
