// `npm run demo` in a real terminal (tmux): it draws the pro dashboard with non-zero figures, and `q` stops every
// process it started (daemon, private redis-server, dashboard, the demo itself with its stand-ins) and removes its
// temporary files. Without any Redis it stops with one line saying how to get one.
import { afterAll, describe, expect, it } from 'vitest';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitUntil } from '../support/daemon.js';
import { freePort } from '../support/redis.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SOCKET = `liqd-demo-test-${process.pid}`;
const SESSION = 'demo';

const tmux = (...args: string[]): string => execFileSync('tmux', ['-L', SOCKET, ...args], { encoding: 'utf8' });
const pane = (): string => {
  try {
    return tmux('capture-pane', '-p', '-t', SESSION);
  } catch {
    return '';
  }
};

function children(pid: number): number[] {
  try {
    return execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean)
      .map(Number);
  } catch {
    return []; // pgrep exits 1 when there is none
  }
}

function descendants(pid: number): number[] {
  const out: number[] = [];
  for (const c of children(pid)) out.push(c, ...descendants(c));
  return out;
}

function argsOf(pid: number): string {
  try {
    return execFileSync('ps', ['-o', 'args=', '-p', String(pid)], { encoding: 'utf8' }).trim();
  } catch {
    return '';
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const tmpdirs: string[] = [];

afterAll(() => {
  try {
    tmux('kill-server');
  } catch {
    // not running
  }
  for (const d of tmpdirs) rmSync(d, { recursive: true, force: true });
});

describe('npm run demo', () => {
  it('shows the pro dashboard with figures; q leaves no process and no temporary file behind', async () => {
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'liqd-demo-test-'));
    tmpdirs.push(tmp);
    // No Redis at REDIS_URL: the demo must start (and later remove) its own private redis-server.
    const noRedis = `redis://127.0.0.1:${await freePort()}`;
    const cmd = `cd '${ROOT}' && REDIS_URL=${noRedis} TMPDIR='${tmp}' npm run demo; echo EXIT=$?; sleep 30`;
    tmux('new-session', '-d', '-s', SESSION, '-x', '160', '-y', '50', cmd);
    const panePid = Number(tmux('display-message', '-p', '-t', SESSION, '#{pane_pid}').trim());

    // The dashboard is up and shows money: a non-zero USD figure in the "USD by exchange" panel and the feed table.
    await waitUntil(
      () => {
        const text = pane();
        return /liqd pro/.test(text) && /USD by exchange/.test(text) && /\$[1-9][\d,]*/.test(text) && /feed health/.test(text);
      },
      60_000,
      'the pro dashboard with non-zero figures',
    );
    const screen = pane();
    expect(screen).toMatch(/bybit|binance|okx/);

    // Everything the demo started, while it runs.
    const started = descendants(panePid).filter((p) => !/^sleep\b/.test(argsOf(p)));
    const names = started.map(argsOf);
    expect(names.some((a) => /dist\/scripts\/demo\.js/.test(a)), names.join('\n')).toBe(true);
    expect(names.some((a) => /dist\/src\/main\.js/.test(a)), names.join('\n')).toBe(true);
    expect(names.some((a) => /dist\/scripts\/dashboard\.js pro/.test(a)), names.join('\n')).toBe(true);
    const redisArgs = names.find((a) => /^redis-server /.test(a));
    expect(redisArgs, names.join('\n')).toBeDefined();
    expect(readdirSync(tmp).length).toBeGreaterThan(0);

    tmux('send-keys', '-t', SESSION, 'q');
    await waitUntil(() => /EXIT=\d+/.test(pane()), 30_000, 'the demo to exit');
    expect(pane()).toMatch(/EXIT=0/);
    expect(pane()).toMatch(/stopped:/);

    const left = started.filter(alive).map((p) => `${p} ${argsOf(p)}`);
    expect(left).toEqual([]);
    // By name as well: no redis-server on that port (daemons of other runs may share the daemon's command line).
    const pgrep = (pattern: string) => {
      try {
        return execFileSync('pgrep', ['-f', pattern], { encoding: 'utf8' }).trim();
      } catch {
        return '';
      }
    };
    expect(pgrep(redisArgs!.replace(/[.*]/g, '\\$&'))).toBe('');
    expect(readdirSync(tmp)).toEqual([]);
  });

  it('without any Redis says in one line how to get one', async () => {
    const noRedis = `redis://127.0.0.1:${await freePort()}`;
    const r = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const proc = spawn(process.execPath, [path.join(ROOT, 'dist/scripts/demo.js')], {
        // No redis-server on PATH.
        env: { PATH: '/nonexistent', REDIS_URL: noRedis },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      proc.once('exit', (code) => resolve({ code, stderr }));
    });
    expect(r.code).toBe(1);
    const lines = r.stderr.trim().split('\n');
    expect(lines, r.stderr).toHaveLength(1);
    expect(lines[0]).toMatch(/apt-get install redis-server/);
    expect(lines[0]).toMatch(/brew install redis/);
  });
});
