// `liqd query` (the real command, as a process) on a known data set written by the real writer: each format, a
// breakdown, a range that runs past the retention (said, not shown as zeros), and a feed-down minute (said).
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { HOUR_MS, downKey, periodOf } from '../../src/core/keys.js';
import { BucketWriter } from '../../src/engine/writer.js';
import { linear } from '../support/events.js';
import { redisForFile } from '../support/redis-file.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const NOW = Date.now();
const H = periodOf(NOW, '1h');
const iso = (t: number) => new Date(t).toISOString().replace(':00.000Z', 'Z');

const redis = redisForFile();
beforeAll(async () => {
  const w = new BucketWriter(redis.db, { bucketRetentionHours: 168, eventLogRetentionHours: 24 });
  await w.write(
    [
      linear('binance', 'BTCUSDT', 'long', H - 2 * HOUR_MS + 60_000, '100', '2'), // 20000 cents
      linear('bybit', 'BTCUSDT', 'short', H - 2 * HOUR_MS + 120_000, '100.5', '1'), // 10050
      linear('okx', 'ETHUSDT', 'long', H - HOUR_MS + 300_000, '3000', '0.1'), // 30000
    ],
    NOW,
  );
  await redis.db.hset(downKey(H - HOUR_MS + 300_000), 'okx', 'reconnecting');
});

function query(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [path.join(ROOT, 'dist/scripts/query.js'), ...args], { env: { PATH: process.env.PATH ?? '', REDIS_URL: redis.url, ...env } }, (err, stdout, stderr) =>
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
    );
  });
}

describe('liqd query', () => {
  const range = ['--from', iso(H - 3 * HOUR_MS), '--to', iso(H)];

  it('CSV: a header row, every hour of the range (a quiet one as zeros), exact cents and dollars; notes on stderr', async () => {
    const r = await query([...range, '--interval', '1h', '--format', 'csv']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n')).toEqual([
      'period_start,count,long_count,short_count,value_cents,long_value_cents,short_value_cents,usd',
      `${iso(H - 3 * HOUR_MS)},0,0,0,0,0,0,0.00`,
      `${iso(H - 2 * HOUR_MS)},2,1,1,30050,20000,10050,300.50`,
      `${iso(H - HOUR_MS)},1,1,0,30000,30000,0,300.00`,
    ]);
    expect(r.stderr).toContain(`liqd-query: note: feed okx down during 1 minute: ${iso(H - HOUR_MS + 300_000)}–${iso(H - HOUR_MS + 360_000)}`);
  });

  it('JSON lines by exchange, largest first in each hour', async () => {
    const r = await query([...range, '--interval', '1h', '--format', 'json', '--by', 'exchange']);
    expect(r.code).toBe(0);
    const rows = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(rows).toEqual([
      { period_start: iso(H - 2 * HOUR_MS), exchange: 'binance', count: 1, long_count: 1, short_count: 0, value_cents: 20000, long_value_cents: 20000, short_value_cents: 0, usd: '200.00' },
      { period_start: iso(H - 2 * HOUR_MS), exchange: 'bybit', count: 1, long_count: 0, short_count: 1, value_cents: 10050, long_value_cents: 0, short_value_cents: 10050, usd: '100.50' },
      { period_start: iso(H - HOUR_MS), exchange: 'okx', count: 1, long_count: 1, short_count: 0, value_cents: 30000, long_value_cents: 30000, short_value_cents: 0, usd: '300.00' },
    ]);
  });

  it('a table of minutes past the minute retention: says where there is no data instead of showing zeros', async () => {
    const r = await query(['--symbol', 'btcusdt', '--interval', '1m', '--from', '-200h', '--by', 'side']);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^BTCUSDT, 1m from minute buckets, /);
    expect(lines[1]).toMatch(/^period \(UTC\)\s+side\s+count\s+long\s+short\s+total$/);
    expect(lines[2]).toMatch(new RegExp(`^${iso(H - 2 * HOUR_MS + 60_000).replace('T', ' ').replace('Z', '')}\\s+long\\s+1\\s+\\$200\\.00\\s+\\$0\\.00\\s+\\$200\\.00$`));
    expect(lines[3]).toMatch(/\s+short\s+1\s+\$0\.00\s+\$100\.50\s+\$100\.50$/);
    expect(lines[5]).toMatch(/^total\s+2\s+\$200\.00\s+\$100\.50\s+\$300\.50$/);
    const note = lines.find((l) => l.startsWith('note: no data from'));
    expect(note).toMatch(/beyond the retention \(minute buckets are kept 168 h \(BUCKET_RETENTION_HOURS\)\); --interval 1h reaches further/);
    // the hourly rollups reach back 90 days: no such note
    const hours = await query(['--symbol', 'BTCUSDT', '--interval', '1h', '--from', '-200h', '--format', 'csv']);
    expect(hours.stderr).not.toContain('no data');
    expect(hours.stdout.trim().split('\n')).toHaveLength(1 + 201);
  });

  it('a coin sums its instruments; bad options exit 2 with one line', async () => {
    const r = await query([...range, '--coin', 'eth', '--interval', '1d', '--format', 'csv']);
    expect(r.stdout).toContain(',1,1,0,30000,30000,0,300.00');
    const bad = await query(['--interval', '5m']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('liqd-query: --interval must be one of 1m, 1h, 1d (got "5m") (see --help)\n');
    const down = await query(['--format', 'csv'], { REDIS_URL: 'redis://127.0.0.1:1' });
    expect(down.code).toBe(2);
    expect(down.stderr).toMatch(/^liqd-query: cannot reach Redis at redis:\/\/127\.0\.0\.1:1/);
  });
});
