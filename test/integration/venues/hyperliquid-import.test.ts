// liqd-import hyperliquid DIR: the real command (dist/scripts/import.js) into a private Redis, on two hourly files named
// after the current and the previous UTC hour. Imported twice they count once; the buckets equal hand-computed values;
// a run goes on where the last one stopped; a half-written last line waits; a missing directory is one line.
import { execFile, execFileSync } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { FILLS_DIR, HOUR_MS, hourName } from '../../../src/venues/hyperliquid/files.js';
import { blockLine, liquidationTrade, nodeFill } from '../../../src/venues/hyperliquid/frames.js';
import { redisForFile } from '../../support/redis-file.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const IMPORT = path.join(ROOT, 'dist/scripts/import.js');
const USER = '0x31ca8395cf837de08b24da3f660e77761dfb974b';
const MAKER = '0x010461c14e146ac35fe42271bdc1134ee31c703a';

const redis = redisForFile({ flushEachTest: true });
const dirs: string[] = [];

afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function run(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [IMPORT, ...args], { env: { PATH: process.env.PATH ?? '', REDIS_URL: redis.url, ...env } }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

function append(file: string, text: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  appendFileSync(file, text);
}

function liq(tid: number, coin: string, side: 'A' | 'B', px: string, sz: string, time: number): string {
  return `${blockLine(liquidationTrade({ liquidated: USER, counterparty: MAKER, coin, px, sz, side, time, tid }), { block: tid })}\n`;
}

// Minutes inside the previous and the current hour (at least a minute old, so never ahead of the clock).
const NOW = Date.now();
const M1 = Math.floor((NOW - HOUR_MS) / 60_000) * 60_000;
const M2 = Math.floor((NOW - 60_000) / 60_000) * 60_000;

/** A node data directory with two hourly files; the liquidations and their hand-computed values in the comments. */
function twoHours(): { data: string; first: string; second: string } {
  const data = mkdtempSync(path.join(os.tmpdir(), 'liqd-hl-import-'));
  dirs.push(data);
  const first = path.join(data, FILLS_DIR, hourName(M1));
  const second = path.join(data, FILLS_DIR, hourName(NOW));
  append(
    first,
    liq(1, 'BTC', 'A', '60000.5', '0.25', M1 + 1) + // long $15,000.125 → 1500013 cents, 0.25 BTC
      `${blockLine([nodeFill({ user: MAKER, coin: 'BTC', px: '60000', sz: '3', side: 'B', time: M1 + 2, tid: 99 })])}\n` + // an ordinary trade
      liq(2, 'BTC', 'B', '60010', '0.1', M1 + 3), // short $6,001 → 600100 cents, 0.1 BTC
  );
  append(
    second,
    liq(3, 'ETH', 'A', '2500.1', '3.3333', M2 + 1) + // long 8333.58333 → 833358 cents
      liq(4, '@107', 'A', '36.8', '1', M2 + 2) + // spot: unsupported_instrument
      liq(5, 'kPEPE', 'B', '0.012345', '1000', M2 + 3), // short 12.345 → 1235 cents
  );
  return { data, first, second };
}

describe('liqd-import hyperliquid', () => {
  it('imports two hourly files; a second run and a --reread count nothing again; the buckets are the hand-computed ones', async () => {
    const { data } = twoHours();
    const r1 = await run(['hyperliquid', data]);
    expect(r1.stderr).toContain(`liqd-import: 1/2 ${hourName(M1)} done (`);
    expect(r1.stderr).toContain(`liqd-import: 2/2 ${hourName(NOW)} done (100%): 4 counted, 0 already counted so far`);
    expect(r1.code).toBe(0);
    expect(r1.stdout).toContain('liquidations read: 4 ($29,347.06)');
    expect(r1.stdout).toContain('counted now: 4; already counted: 0; older than BUCKET_RETENTION_HOURS, not written: 0');
    expect(r1.stdout).toContain('rejected: 1 unsupported_instrument');

    const expectBuckets = async () => {
      expect(await redis.db.hgetall(`liq:agg:BTCUSD:60s:${M1}`)).toEqual({
        count: '2', long_count: '1', short_count: '1',
        value_cents: '2100113', long_value_cents: '1500013', short_value_cents: '600100',
        hyperliquid_count: '2', hyperliquid_long_count: '1', hyperliquid_short_count: '1',
        hyperliquid_value_cents: '2100113', hyperliquid_long_value_cents: '1500013', hyperliquid_short_value_cents: '600100',
        qty_e8: '35000000', long_qty_e8: '25000000', short_qty_e8: '10000000',
      });
      expect(await redis.db.hgetall(`liq:agg:ALL:60s:${M2}`)).toEqual({
        count: '2', long_count: '1', short_count: '1',
        value_cents: '834593', long_value_cents: '833358', short_value_cents: '1235',
        hyperliquid_count: '2', hyperliquid_long_count: '1', hyperliquid_short_count: '1',
        hyperliquid_value_cents: '834593', hyperliquid_long_value_cents: '833358', hyperliquid_short_value_cents: '1235',
      });
      expect(await redis.db.hgetall(`liq:agg:ETHUSD:60s:${M2}`)).toMatchObject({ count: '1', qty_e8: '333330000' });
      expect(await redis.db.hgetall(`liq:agg:KPEPEUSD:60s:${M2}`)).toMatchObject({ count: '1', qty_e8: '100000000000' });
      expect(await redis.db.xlen('liq:events')).toBe(4);
    };
    await expectBuckets();

    const r2 = await run(['hyperliquid', data]);
    expect(r2.code).toBe(0);
    expect(r2.stdout).toContain('2 already imported whole by an earlier run');
    expect(r2.stdout).toContain('counted now: 0; already counted: 0');
    await expectBuckets();

    const r3 = await run(['hyperliquid', path.join(data, FILLS_DIR), '--reread']);
    expect(r3.code).toBe(0);
    expect(r3.stdout).toContain('liquidations read: 4');
    expect(r3.stdout).toContain('counted now: 0; already counted: 4');
    await expectBuckets();
  });

  it('goes on where the last run stopped: only what was appended since is read, and a half-written last line waits', async () => {
    const { data, second } = twoHours();
    expect((await run(['hyperliquid', data])).code).toBe(0);
    const more = liq(6, 'SOL', 'B', '150.25', '10', M2 + 4); // short $1,502.50
    const half = liq(7, 'SOL', 'B', '150.25', '10', M2 + 5);
    append(second, more + half.slice(0, 80));
    const r = await run(['hyperliquid', data]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('liquidations read: 1 ($1,502.50)');
    expect(r.stdout).toContain('counted now: 1; already counted: 0');
    expect(r.stdout).toContain(`last line still being written, read on a later run: ${hourName(NOW)}`);
    expect(r.stdout).not.toContain('rejected');
    append(second, half.slice(80));
    const done = await run(['hyperliquid', data]);
    expect(done.stdout).toContain('counted now: 1; already counted: 0');
    expect(await redis.db.hget(`liq:agg:SOLUSD:60s:${M2}`, 'count')).toBe('2');
  });

  it('--from and --to choose the hours', async () => {
    const { data } = twoHours();
    const r = await run(['hyperliquid', data, '--from', new Date(Math.floor(NOW / HOUR_MS) * HOUR_MS).toISOString()]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/imported 1\/1 files/);
    expect(await redis.db.exists(`liq:agg:BTCUSD:60s:${M1}`)).toBe(0);
    expect(await redis.db.hget(`liq:agg:ALL:60s:${M2}`, 'count')).toBe('2');
    const before = await run(['hyperliquid', data, '--to', new Date(Math.floor(NOW / HOUR_MS) * HOUR_MS).toISOString()]);
    expect(before.stdout).toMatch(/^imported 1\/1 files /);
    expect(before.stdout).toContain(`(${hourName(M1)} to ${hourName(M1)}, resume record liq:import:hyperliquid:`);
    expect(await redis.db.hget(`liq:agg:BTCUSD:60s:${M1}`, 'count')).toBe('2');
    const none = await run(['hyperliquid', data, '--from', '2020-01-01', '--to', '2020-01-02']);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/^liqd-import: no hourly file of .* overlaps 2020-01-01T00:00:00.000Z to 2020-01-02T00:00:00.000Z: it holds .*\n$/);
  });

  it('on a terminal: a progress bar; Ctrl-C stops it, and the same command goes on from there, each liquidation once', async () => {
    const data = mkdtempSync(path.join(os.tmpdir(), 'liqd-hl-import-tty-'));
    dirs.push(data);
    // three hours of ordinary fills (~25 MB) with a liquidation every 2,000 lines: 100 of them, $1,000 each
    let total = 0;
    for (const h of [2, 1, 0]) {
      const t = M2 - h * HOUR_MS;
      const parts: string[] = [];
      for (let i = 0; i < 60_000; i++) {
        if (i % 2_000 === 0) {
          parts.push(liq(h * 100_000 + i, 'BTC', 'A', '1000', '1', M2));
          total++;
        } else {
          parts.push(`${blockLine([nodeFill({ user: MAKER, coin: 'ETH', px: '2500.5', sz: '0.01', side: 'B', time: t, tid: i })])}\n`);
        }
      }
      const file = path.join(data, FILLS_DIR, hourName(t));
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, parts.join(''));
    }
    const socket = `liqd-test-import-${process.pid}`;
    const tmux = (...args: string[]) => execFileSync('tmux', ['-u', '-f', '/dev/null', '-L', socket, ...args], { encoding: 'utf8' });
    const quote = (v: string) => `'${v.replace(/'/g, `'\\''`)}'`;
    const cmd = `env REDIS_URL=${quote(redis.url)} ${quote(process.execPath)} ${quote(IMPORT)} hyperliquid ${quote(data)}; echo EXIT=$?; sleep 60`;
    tmux('new-session', '-d', '-s', 'imp', '-x', '160', '-y', '20', cmd);
    try {
      let pane = '';
      const deadline = Date.now() + 20_000;
      while (!/\[#+\.*\] \d+%/.test(pane) && !pane.includes('EXIT=')) {
        if (Date.now() > deadline) throw new Error(`no progress bar; pane:\n${pane}`);
        pane = tmux('capture-pane', '-p', '-t', 'imp');
      }
      expect(pane).toMatch(/liqd-import hyperliquid: \[#+\.*\] \d+% {2}\d\/3 files {2}[\d.]+ MB\/[\d.]+ MB {2}\d+ counted, 0 already/);
      tmux('send-keys', '-t', 'imp', 'C-c');
      while (!pane.includes('EXIT=')) {
        if (Date.now() > deadline) throw new Error(`did not stop; pane:\n${pane}`);
        pane = tmux('capture-pane', '-p', '-J', '-t', 'imp');
      }
      expect(pane).toContain('EXIT=1');
      expect(pane).toMatch(/stopped after \d\/3 files/);
      expect(pane).toContain('run the same command again to go on from here');
    } finally {
      tmux('kill-server');
    }
    const before = Number((await redis.db.hget(`liq:agg:BTCUSD:60s:${M2}`, 'count')) ?? 0);
    expect(before).toBeLessThan(total);
    const rest = await run(['hyperliquid', data]);
    expect(rest.code).toBe(0);
    expect(rest.stdout).toContain(`counted now: ${total - before}; already counted: 0`);
    expect(await redis.db.hgetall(`liq:agg:BTCUSD:60s:${M2}`)).toMatchObject({ count: String(total), value_cents: String(total * 100_000) });
  });

  it('liquidations older than BUCKET_RETENTION_HOURS are not written, and the summary says how to keep them', async () => {
    const data = mkdtempSync(path.join(os.tmpdir(), 'liqd-hl-import-old-'));
    dirs.push(data);
    const old = Math.floor((NOW - 200 * HOUR_MS) / 60_000) * 60_000;
    append(path.join(data, FILLS_DIR, hourName(old)), liq(1, 'BTC', 'A', '100', '1', old));
    const r = await run(['hyperliquid', data]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('counted now: 0; already counted: 0; older than BUCKET_RETENTION_HOURS, not written: 1');
    expect(r.stdout).toContain('to keep older days, raise BUCKET_RETENTION_HOURS');
    expect(r.stdout).not.toContain('rejected');
    const kept = await run(['hyperliquid', data, '--reread'], { BUCKET_RETENTION_HOURS: '240' });
    expect(kept.stdout).toContain('counted now: 1');
    expect(await redis.db.hget(`liq:agg:BTCUSD:60s:${old}`, 'count')).toBe('1');
  });

  it('says what is wrong in one line: a missing directory, a bad time, an exchange without files, a Redis that does not answer', async () => {
    const missing = await run(['hyperliquid', path.join(os.tmpdir(), 'liqd-no-such-dir')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe(`liqd-import: ${path.join(os.tmpdir(), 'liqd-no-such-dir')}: no such directory\n`);
    const badTime = await run(['hyperliquid', os.tmpdir(), '--from', 'yesterday']);
    expect(badTime.code).toBe(2);
    expect(badTime.stderr).toMatch(/^liqd-import: --from must be an ISO time with its zone .*\n$/);
    const none = await run(['okx', os.tmpdir()]);
    expect(none.stderr).toBe('liqd-import: okx has no files to import: one of hyperliquid\n');
    const { data } = twoHours();
    const down = await run(['hyperliquid', data], { REDIS_URL: 'redis://127.0.0.1:1' });
    expect(down.code).toBe(1);
    expect(down.stderr).toMatch(/^liqd-import: cannot reach Redis at redis:\/\/127\.0\.0\.1:1 .*\n$/);
    const help = await run(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--write-fills --batch-by-block');
    // the same command as `liqd import …` (the daemon's bin dispatches it)
    const viaLiqd = spawnSync(process.execPath, [path.join(ROOT, 'dist/src/main.js'), 'import', '--help'], { encoding: 'utf8', timeout: 10_000 });
    expect(viaLiqd.status).toBe(0);
    expect(viaLiqd.stdout).toBe(help.stdout);
  });
});
