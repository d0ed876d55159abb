// The Redis the daemon writes to when REDIS_URL is not set (README, "Redis: managed or your own"): whatever answers
// at 127.0.0.1:6379, or else a redis-server of its own, started as its child with an append-only file in
// DATA_DIR/redis, restarted when it dies, and stopped after the daemon's final flush.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, fstatSync, mkdirSync, openSync, readSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Config } from './config.js';
import type { RedisTarget } from './core/redis-target.js';
import type { Logger } from './log.js';
import { probeRedis, redisProcessId, type ProbeResult } from './redis-probe.js';
import { backoffDelay } from './core/backoff.js';

const HOST = '127.0.0.1';
/** Until a new redis-server answers; it answers (LOADING) while it reads a large append-only file. */
const READY_TIMEOUT_MS = 10_000;
/** SIGTERM makes Redis fsync its append-only file and exit, normally in milliseconds; SIGKILL past this. */
export const STOP_TIMEOUT_MS = 3_000;
const RESTART_BASE_MS = 500;
const RESTART_MAX_MS = 30_000;
/** A redis-server that ran this long before dying starts the restart backoff from the beginning. */
const STABLE_MS = 60_000;
const INSTALL = 'install it (apt-get install redis-server, or brew install redis), or set REDIS_URL to an existing Redis';

/** Start-up cannot get a Redis; the message is one line that says what to do. */
export class ManagedRedisError extends Error {
  override name = 'ManagedRedisError';
}

export interface ProvidedRedis {
  /** The Redis the daemon writes to. */
  readonly target: RedisTarget;
  /** Stops the managed redis-server, if this process started one; call it after the daemon's final flush. */
  stop(): Promise<void>;
}

const nothingToStop = async () => {};

/** Decides which Redis the daemon uses, starting one when REDIS_MANAGED says so. Throws ManagedRedisError. */
export async function provideRedis(cfg: Readonly<Config>, log: Logger): Promise<ProvidedRedis> {
  // A Redis named by REDIS_URL, or found through Sentinel (or a Cluster): never one of our own.
  if (cfg.redisUrlSet || cfg.redis.mode !== 'single') return { target: cfg.redis, stop: nothingToStop };
  const port = cfg.LIQD_MANAGED_REDIS_PORT;
  const url = `redis://${HOST}:${port}`;
  const target: RedisTarget = { mode: 'single', url };
  if (cfg.REDIS_MANAGED === 'never') return { target, stop: nothingToStop };
  const found = await probeRedis(HOST, port);
  if (found !== 'free') {
    if (cfg.REDIS_MANAGED === 'always') {
      throw new ManagedRedisError(
        `REDIS_MANAGED=always but ${HOST}:${port} is taken (${described(found)}): stop it, or set REDIS_MANAGED=auto to use a Redis there`,
      );
    }
    usable(found, port);
    // Under pm2 this is the second instance of the gapless-restart recipe, writing into the first one's Redis.
    log.info({ url }, 'a Redis answers at the default address: writing to it, starting none');
    return { target, stop: nothingToStop };
  }
  const managed = new ManagedRedis(port, path.resolve(cfg.DATA_DIR, 'redis'), log);
  try {
    await managed.start();
  } catch (err) {
    // Two daemons starting at the same moment: the one whose redis-server lost the port uses the other's.
    if (err instanceof ManagedRedisError && (await probeRedis(HOST, port)) === 'redis') {
      log.warn({ url, reason: err.message }, 'a Redis started answering at the default address meanwhile: writing to it, starting none');
      return { target, stop: nothingToStop };
    }
    throw err;
  }
  return { target, stop: () => managed.stop() };
}

function described(found: Exclude<ProbeResult, 'free'>): string {
  return found === 'redis' ? 'a Redis answers there' : found === 'auth' ? 'a Redis with a password answers there' : 'something that is not a Redis listens there';
}

function usable(found: Exclude<ProbeResult, 'free'>, port: number): void {
  if (found === 'auth') {
    throw new ManagedRedisError(`the Redis at ${HOST}:${port} asks for a password: set REDIS_URL=redis://:PASSWORD@${HOST}:${port}`);
  }
  if (found === 'other') {
    throw new ManagedRedisError(`something listens at ${HOST}:${port} but does not answer PING as a Redis: set REDIS_URL to your Redis, or free the port`);
  }
}

interface Child {
  readonly proc: ChildProcess;
  readonly startedAt: number;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** A redis-server child on 127.0.0.1:port with its data in dataDir. */
class ManagedRedis {
  private current: Child | undefined;
  private readonly alive = new Set<Child>();
  private stopping = false;
  private restartTimer: NodeJS.Timeout | undefined;
  private restarting: Promise<void> | undefined;
  private failures = 0;
  private restarts = 0;
  private readonly url: string;
  private readonly logFile: string;
  // An exit that skips stop() (a fatal error, the hard shutdown deadline) still asks redis-server to stop: it runs
  // in its own process group, so nothing else would.
  private readonly onProcessExit = () => {
    for (const c of this.alive) c.proc.kill('SIGTERM');
  };

  constructor(
    private readonly port: number,
    private readonly dataDir: string,
    private readonly log: Logger,
  ) {
    this.url = `redis://${HOST}:${port}`;
    this.logFile = path.join(dataDir, 'redis-server.log');
  }

  async start(): Promise<void> {
    try {
      mkdirSync(this.dataDir, { recursive: true });
    } catch (err) {
      throw new ManagedRedisError(
        `cannot create ${this.dataDir} for the managed Redis (${(err as NodeJS.ErrnoException).code ?? String(err)}): set DATA_DIR to a writable directory, or REDIS_URL to an existing Redis`,
      );
    }
    process.on('exit', this.onProcessExit);
    const child = await this.spawnReady();
    this.adopt(child);
    this.log.info(
      { redisPid: child.proc.pid, url: this.url, dataDir: this.dataDir, redisLog: this.logFile },
      'managed Redis started: redis-server as a child of this daemon, append-only file in dataDir; set REDIS_URL to use an existing Redis instead',
    );
  }

  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.restartTimer);
    await this.restarting;
    const child = this.current;
    this.current = undefined;
    if (child) await this.terminate(child);
    process.off('exit', this.onProcessExit);
  }

  private async spawnReady(): Promise<Child> {
    const fd = openSync(this.logFile, 'a');
    let proc: ChildProcess;
    try {
      // Its own process group: a Ctrl-C on the terminal (or pm2's tree kill) must not stop it before the daemon's
      // final flush; the daemon stops it afterwards.
      proc = spawn(
        'redis-server',
        ['--port', String(this.port), '--bind', HOST, '--dir', this.dataDir, '--daemonize', 'no',
          '--appendonly', 'yes', '--appendfsync', 'everysec', '--save', ''],
        { cwd: this.dataDir, detached: true, stdio: ['ignore', fd, fd] },
      );
    } finally {
      closeSync(fd);
    }
    let exitedWith: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    const child: Child = {
      proc,
      startedAt: Date.now(),
      exited: new Promise((resolve) =>
        proc.once('exit', (code, signal) => {
          exitedWith = { code, signal };
          this.alive.delete(child);
          resolve(exitedWith);
        }),
      ),
    };
    let spawned = false;
    try {
      await new Promise<void>((resolve, reject) => {
        proc.once('spawn', () => {
          spawned = true;
          resolve();
        });
        proc.on('error', (err) => (spawned ? this.log.warn({ err, redisPid: proc.pid }, 'managed Redis: signal not delivered') : reject(err)));
      });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') throw new ManagedRedisError(`no Redis answers at ${HOST}:${this.port} and redis-server is not on PATH: ${INSTALL}`);
      throw new ManagedRedisError(`cannot start redis-server (${code ?? String(err)}): ${INSTALL}`);
    }
    this.alive.add(child);
    const deadline = Date.now() + READY_TIMEOUT_MS;
    // Ready when the Redis that answers is this child (not another one that took the port first).
    while ((await redisProcessId(HOST, this.port, 500)) !== proc.pid) {
      if (this.stopping && !exitedWith) {
        await this.terminate(child);
        throw new ManagedRedisError('stopped while starting');
      }
      if (exitedWith) {
        throw new ManagedRedisError(
          `the managed redis-server exited at start-up (${exitedWith.signal ?? `code ${exitedWith.code}`}): ${this.lastLogLine()} (log: ${this.logFile})`,
        );
      }
      if (Date.now() > deadline) {
        await this.terminate(child);
        throw new ManagedRedisError(`the managed redis-server did not answer at ${HOST}:${this.port} within ${READY_TIMEOUT_MS / 1000} s (log: ${this.logFile})`);
      }
      await sleep(50);
    }
    return child;
  }

  private adopt(child: Child): void {
    this.current = child;
    void child.exited.then(({ code, signal }) => {
      if (this.current === child) this.current = undefined;
      if (this.stopping) return;
      const upMs = Date.now() - child.startedAt;
      if (upMs >= STABLE_MS) this.failures = 0;
      this.scheduleRestart(
        { redisPid: child.proc.pid, code, signal, upMs, lastLog: this.lastLogLine() },
        'managed Redis exited while the daemon runs; restarting it (events are held meanwhile)',
      );
    });
  }

  private scheduleRestart(fields: Record<string, unknown>, msg: string): void {
    const delayMs = backoffDelay(this.failures++, RESTART_BASE_MS, RESTART_MAX_MS);
    this.log.error({ ...fields, delayMs, restarts: this.restarts }, msg);
    this.restartTimer = setTimeout(() => {
      this.restarting = this.restart().finally(() => (this.restarting = undefined));
    }, delayMs);
  }

  private async restart(): Promise<void> {
    if (this.stopping) return;
    let child: Child;
    try {
      child = await this.spawnReady();
    } catch (err) {
      if (!this.stopping) this.scheduleRestart({ err }, 'managed Redis could not be restarted; trying again');
      return;
    }
    if (this.stopping) return void (await this.terminate(child));
    this.restarts++;
    this.adopt(child);
    this.log.warn({ redisPid: child.proc.pid, url: this.url, dataDir: this.dataDir, restarts: this.restarts }, 'managed Redis restarted');
  }

  private async terminate(child: Child): Promise<void> {
    const t0 = Date.now();
    child.proc.kill('SIGTERM');
    let result = await Promise.race([child.exited, sleep(STOP_TIMEOUT_MS, undefined, { ref: false })]);
    if (!result) {
      // What Redis acknowledged is written to the append-only file already (everysec defers only the fsync), so a
      // SIGKILL loses nothing short of a power cut.
      this.log.error({ redisPid: child.proc.pid, timeoutMs: STOP_TIMEOUT_MS }, 'managed Redis did not stop in time; killing it');
      child.proc.kill('SIGKILL');
      result = await child.exited;
    }
    this.log.info({ redisPid: child.proc.pid, code: result.code, signal: result.signal, ms: Date.now() - t0 }, 'managed Redis stopped');
  }

  /** The last line of redis-server's log (it says why it stopped), read from the file's end. */
  private lastLogLine(): string {
    let fd: number | undefined;
    try {
      fd = openSync(this.logFile, 'r');
      const size = fstatSync(fd).size;
      const buf = Buffer.alloc(Math.min(size, 4096));
      readSync(fd, buf, 0, buf.length, size - buf.length);
      return (buf.toString('utf8').trimEnd().split('\n').at(-1) ?? '').slice(0, 300);
    } catch {
      return '';
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
  }
}
