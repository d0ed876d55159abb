// A private redis-server for one test file: free port, temporary directory, nothing persisted, killed after.
// Tests never touch a Redis they did not start.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from '../../scripts/lib/redis.js';

export { freePort };

export interface PrivateRedis {
  readonly port: number;
  readonly url: string;
  /** A new client on this server (closed by stop()). */
  client(): Redis;
  /** Kills the server process (SIGKILL), as a crash would. */
  kill(): Promise<void>;
  /** Starts the server again on the same port (empty unless started with persist). */
  start(): Promise<void>;
  stop(): Promise<void>;
}

async function waitForPing(port: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const sock = net.connect(port, '127.0.0.1');
      sock.once('connect', () => {
        sock.write('PING\r\n');
      });
      sock.once('data', (d) => {
        sock.destroy();
        resolve(d.toString().startsWith('+PONG'));
      });
      sock.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`private redis-server on port ${port} did not answer PING`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export interface RedisOptions {
  /** Keep data across kill()/start() (append-only file, fsync always), like a production Redis with AOF. */
  persist?: boolean;
}

export async function startRedis(options: RedisOptions = {}): Promise<PrivateRedis> {
  const port = await freePort();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'liqd-redis-'));
  let proc: ChildProcess | undefined;
  const clients: Redis[] = [];

  const start = async () => {
    proc = spawn(
      'redis-server',
      [
        '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--dir', dir, '--daemonize', 'no',
        // DEBUG SLEEP stalls this private server in tests (a busy Redis, still connected).
        '--enable-debug-command', 'local',
        ...(options.persist ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no']),
      ],
      { stdio: 'ignore' },
    );
    proc.on('error', (err) => {
      throw new Error(`cannot start redis-server (is it installed?): ${err.message}`);
    });
    await waitForPing(port);
  };
  const kill = async () => {
    const p = proc;
    proc = undefined;
    if (!p || p.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      p.once('exit', () => resolve());
      p.kill('SIGKILL');
    });
  };
  await start();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    client() {
      const c = new Redis({ port, host: '127.0.0.1', lazyConnect: false, maxRetriesPerRequest: 2 });
      // a test may kill the server under its clients: their reconnect errors are expected, not unhandled
      c.on('error', () => undefined);
      clients.push(c);
      return c;
    },
    kill,
    start,
    async stop() {
      for (const c of clients) c.disconnect();
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
