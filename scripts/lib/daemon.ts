// The real daemon (dist/src/main.js) as a child of a script, pointed at the stand-ins: its JSON log goes to a file,
// its progress is read from /health and /metrics.
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { spawnChild, type ManagedChild } from './children.js';
import { freePort } from './redis.js';

/** dist/ (this file is dist/scripts/lib/daemon.js once built). */
export const DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const DAEMON_MAIN = path.join(DIST, 'src/main.js');
/**
 * Node flags the daemon runs with (also in package.json's start script and ecosystem.config.cjs; test/unit/docs
 * checks they agree). A young generation of 4 MB semi-spaces instead of 16: a batch's events die young either way,
 * and the peak resident set after a million events drops by about 60 MB (bench: 264 → 205 MB, same throughput).
 * It has to be a command-line flag: v8.setFlagsFromString after start-up does not resize the heap.
 */
export const DAEMON_NODE_ARGS = ['--max-semi-space-size=4'];
/**
 * Environment the daemon is started with (also in package.json's start script and ecosystem.config.cjs): glibc's
 * malloc keeps one arena per thread that allocates (V8's GC helpers, libuv's pool) and their pages stay resident;
 * two arenas cost no throughput and about 15 MB of peak resident set at a million events (bench: 192/195 → 177/180
 * MB, two runs each).
 */
export const DAEMON_ENV: Record<string, string> = { MALLOC_ARENA_MAX: '2' };

export interface DaemonChild {
  readonly child: ManagedChild;
  readonly healthPort: number;
  readonly logFile: string;
  health(): Promise<Record<string, unknown> | undefined>;
  /** Sum of every sample of a Prometheus metric (all label sets); undefined when /metrics does not answer. */
  metric(name: string): Promise<number | undefined>;
  metrics(): Promise<string | undefined>;
  /** The last lines of its log, for error messages. */
  logTail(lines?: number): string;
  stop(): Promise<number | string>;
}

export interface DaemonOptions {
  /** Stand-in URLs (Standins.env), REDIS_URL, EXCHANGES… */
  env: Record<string, string>;
  /** Where the log file and the spool go. */
  dir: string;
  instance: string;
}

export async function startDaemonChild(opts: DaemonOptions): Promise<DaemonChild> {
  if (!existsSync(DAEMON_MAIN)) throw new Error(`the daemon is not built (${DAEMON_MAIN} missing): run npm run build`);
  const healthPort = await freePort();
  const logFile = path.join(opts.dir, 'daemon.log');
  const fd = openSync(logFile, 'a');
  const env: Record<string, string> = {
    ...DAEMON_ENV,
    PATH: process.env.PATH ?? '',
    ...(process.env.HOME ? { HOME: process.env.HOME } : {}),
    HEALTH_HOST: '127.0.0.1',
    HEALTH_PORT: String(healthPort),
    SPOOL_DIR: path.join(opts.dir, 'spool'),
    INSTANCE_ID: opts.instance,
    LOG_LEVEL: 'info',
    STATUS_INTERVAL_MS: '1000',
    RECONNECT_BASE_MS: '200',
    RECONNECT_MAX_MS: '5000',
    ...opts.env,
  };
  // Own process group: a Ctrl-C on the terminal reaches the script, which stops the daemon in order (flush first).
  const { child, started } = spawnChild('daemon', process.execPath, [...DAEMON_NODE_ARGS, DAEMON_MAIN], {
    env,
    stdio: ['ignore', fd, fd],
    detached: true,
  });
  closeSync(fd);
  await started;
  const base = `http://127.0.0.1:${healthPort}`;
  const get = async (p: string): Promise<Response | undefined> => {
    try {
      return await fetch(base + p, { signal: AbortSignal.timeout(2000) });
    } catch {
      return undefined;
    }
  };
  const metrics = async () => (await get('/metrics'))?.text();
  return {
    child,
    healthPort,
    logFile,
    async health() {
      const res = await get('/health');
      if (!res) return undefined;
      try {
        return (await res.json()) as Record<string, unknown>;
      } catch {
        return undefined;
      }
    },
    metrics,
    async metric(name: string) {
      const text = await metrics();
      if (text === undefined) return undefined;
      return sumMetric(text, name);
    },
    logTail(lines = 15) {
      try {
        return readFileSync(logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
      } catch {
        return '';
      }
    },
    stop: () => child.stop('SIGTERM', 12_000),
  };
}

/** Sum of the samples of one metric in Prometheus text format (0 when it has none yet). */
export function sumMetric(text: string, name: string): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const rest = line.slice(name.length);
    if (rest[0] !== ' ' && rest[0] !== '{') continue;
    const value = Number(line.slice(line.lastIndexOf(' ') + 1));
    if (Number.isFinite(value)) sum += value;
  }
  return sum;
}

/** Polls until the daemon answers /health (it is listening), or it exits, or timeoutMs. */
export async function waitForHealth(d: DaemonChild, timeoutMs = 15_000): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (!d.child.running) return false;
    if ((await d.health()) !== undefined) return true;
    await sleep(50);
  }
  return false;
}
