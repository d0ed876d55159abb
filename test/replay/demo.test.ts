// `npm run demo` in a real terminal (tmux): it draws the pro dashboard with non-zero figures from a private
// redis-server it started (never REDIS_URL, never 127.0.0.1:6379), and `q` stops every process it started (daemon,
// private redis-server, dashboard, the demo itself with its stand-ins) and removes its temporary files. With
// --redis it writes into the Redis named, after saying what it will write; REDIS_URL alone is refused. Without
// redis-server it stops with one line saying how to get one.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCapture } from '../../scripts/lib/capture.js';
import { parseCapture } from '../../scripts/lib/expected.js';
import { lookupsFrom } from '../../scripts/lib/meta.js';
import { startCaptureStandins } from '../../scripts/lib/serve.js';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitUntil } from '../support/daemon.js';
import { freePort, startRedis } from '../support/redis.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SOCKET = `liqd-demo-test-${process.pid}`;
const SESSION = 'demo';

const tmux = (...args: string[]): string => execFileSync('tmux', ['-L', SOCKET, ...args], { encoding: 'utf8' });
const pane = (session = SESSION): string => {
  try {
    // with the scrollback: the demo's lines before the dashboard took the screen
    return tmux('capture-pane', '-p', '-J', '-S', '-200', '-t', session);
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

function environ(pid: number): Record<string, string> {
  const pairs = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').filter(Boolean);
  return Object.fromEntries(pairs.map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
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
    // No REDIS_URL: the demo starts (and later removes) its own private redis-server, whatever answers on 6379.
    const cmd = `cd '${ROOT}' && unset REDIS_URL && TMPDIR='${tmp}' npm run demo; echo EXIT=$?; sleep 30`;
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
    // The daemon and the dashboard write to and read from that private server, not 6379.
    const port = /:(\d+)/.exec(redisArgs!)![1]; // redis-server shows itself as "redis-server 127.0.0.1:PORT"
    expect(port).not.toBe('6379');
    for (const pattern of [/dist\/src\/main\.js/, /dist\/scripts\/dashboard\.js pro/]) {
      const pid = started.find((p) => pattern.test(argsOf(p)))!;
      expect(environ(pid).REDIS_URL, argsOf(pid)).toBe(`redis://127.0.0.1:${port}`);
    }

    tmux('send-keys', '-t', SESSION, 'q');
    await waitUntil(() => /EXIT=\d+/.test(pane()), 30_000, 'the demo to exit');
    expect(pane()).toMatch(/EXIT=0/);
    expect(pane()).toMatch(/stopped:/);
    expect(pane()).toContain(`started a private redis-server on port ${port}`);

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

  it('with --redis writes into that Redis after saying what it writes there, and leaves it running', async () => {
    const given = await startRedis();
    const client = given.client();
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'liqd-demo-test-'));
    tmpdirs.push(tmp);
    const session = 'given';
    try {
      // REDIS_URL is accepted when --redis names the same URL.
      const cmd = `cd '${ROOT}' && REDIS_URL=${given.url} TMPDIR='${tmp}' npm run demo -- --speed max --redis ${given.url}; echo EXIT=$?; sleep 30`;
      tmux('new-session', '-d', '-s', session, '-x', '160', '-y', '50', cmd);
      // every event of the sample in the given Redis (the ALL buckets' counts)
      const counted = async () => {
        let n = 0;
        for (const key of await client.keys('liq:agg:ALL:60s:*')) n += Number(await client.hget(key, 'count'));
        return n;
      };
      await waitUntil(async () => (await counted()) === SAMPLE_EVENTS, 60_000, 'the sample written into the given Redis');
      await waitUntil(() => /liqd pro/.test(pane(session)), 30_000, 'the dashboard');
      tmux('send-keys', '-t', session, 'q');
      await waitUntil(() => /EXIT=\d+/.test(pane(session)), 30_000, 'the demo to exit');
      const text = pane(session);
      expect(text).toMatch(/EXIT=0/);
      // what it said before writing: how many events, which keys, how long they are kept
      expect(text).toContain(`the demo will write ${SAMPLE_EVENTS.toLocaleString('en-US')} made-up liquidations`);
      expect(text).toMatch(/liq:agg:\{SYMBOL\|ALL\}:60s:\{minute\} \(\d+ minutes × \d+ symbols \+ ALL\)/);
      expect(text).toMatch(/kept 168 h after their minute/);
      expect(text).toMatch(/liq:events \(one entry per event, trimmed after 24 h\)/);
      expect(text).not.toMatch(/private redis-server/);
      // the given Redis is the user's: still running, still holding what was written
      expect(await client.ping()).toBe('PONG');
      expect(await counted()).toBe(SAMPLE_EVENTS);
      expect(readdirSync(tmp)).toEqual([]);
    } finally {
      await given.stop();
    }
  });

  it('refuses REDIS_URL from the environment unless --redis names it: one line, exit 2, nothing written', async () => {
    const given = await startRedis();
    try {
      for (const args of [[], ['--redis', `redis://127.0.0.1:${await freePort()}`]]) {
        const r = await runDemo(args, { PATH: process.env.PATH ?? '', REDIS_URL: given.url });
        expect(r.code).toBe(2);
        const lines = r.stderr.trim().split('\n');
        expect(lines, r.stderr).toHaveLength(1);
        expect(lines[0]).toMatch(/^liqd-demo: REDIS_URL is set \(redis:\/\/127\.0\.0\.1:\d+\)/);
        expect(lines[0]).toContain(`--redis ${given.url}`);
      }
      expect(await given.client().dbsize()).toBe(0);
    } finally {
      await given.stop();
    }
  });

  it('without redis-server says in one line how to get one', async () => {
    // No redis-server on PATH, no REDIS_URL.
    const r = await runDemo([], { PATH: '/nonexistent' });
    expect(r.code).toBe(1);
    const lines = r.stderr.trim().split('\n');
    expect(lines, r.stderr).toHaveLength(1);
    expect(lines[0]).toMatch(/apt-get install redis-server/);
    expect(lines[0]).toMatch(/brew install redis/);
    expect(lines[0]).toMatch(/--redis <url>/);
  });
});

/** The sample's events, counted once per identity (test/replay/replay.test.ts computes them from the frames). */
/** Distinct liquidations in the sample, worked out by the parsers from the capture (as replay.test.ts does). */
let SAMPLE_EVENTS = 0;
beforeAll(async () => {
  const capture = await loadCapture(path.join(ROOT, 'samples/cascade.ndjson.gz'));
  const standins = await startCaptureStandins(capture);
  try {
    const lastT = Math.max(...capture.frames.map((f) => f.t));
    const shiftMs = Math.floor((Date.now() - lastT) / 60_000) * 60_000;
    SAMPLE_EVENTS = parseCapture(capture.frames, await lookupsFrom(standins.env), { shiftMs, retentionMs: 168 * 3_600_000 }).unique.length;
  } finally {
    await standins.close();
  }
  expect(SAMPLE_EVENTS).toBeGreaterThan(30_000);
});

function runDemo(args: string[], env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const proc = spawn(process.execPath, [path.join(ROOT, 'dist/scripts/demo.js'), ...args], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    proc.once('exit', (code) => resolve({ code, stderr }));
  });
}
