// Every reader on both key layouts: the same data seeded into a private Redis (the single layout) and into a Redis
// Cluster of three masters with a replica each (the cluster layout: each UTC day's hash tag, the event log and the
// alerts in one stream per day), then the dashboards (--once), `liqd query`, `liqd alerts` (the latest, and the tail
// across the day streams) and the dump run as processes against each: the same output. The data spans several UTC
// days whatever the time of day (events of three days ago, alerts of eight), so the readers cross slots and nodes.
import { execFile, spawn } from 'node:child_process';
import path from 'node:path';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DAY_MS, HOUR_MS, type KeyLayout, alertsKey, minuteOf, periodOf, useKeyLayout } from '../../src/core/keys.js';
import { type RedisTarget, targetEnv, targetSpec } from '../../src/core/redis-target.js';
import { redisClient } from '../../scripts/lib/redis.js';
import { ROOT, runCli } from '../dashboards/cli.js';
import { addAlerts, addEvents, markDown, seedStandard, setStatus, standardStatus } from '../dashboards/seed.js';
import { type ClusterSetup, startCluster } from '../support/cluster.js';
import { waitUntil } from '../support/daemon.js';
import { type PrivateRedis, startRedis } from '../support/redis.js';

const NOW = Date.now();
const M = minuteOf(NOW);
const iso = (t: number) => new Date(t).toISOString().replace(':00.000Z', 'Z');

let single: PrivateRedis;
let cluster: ClusterSetup;
let singleClient: Redis;
let clusterClient: Redis;
const deployments: Array<{ name: string; target: () => RedisTarget }> = [
  { name: 'single', target: () => ({ mode: 'single', url: single.url }) },
  { name: 'cluster', target: () => cluster.target },
];

/** `seed` on the single Redis in the single layout, then on the Cluster in the cluster layout (one at a time: the
 *  layout is the process's). */
async function both(seed: (r: Redis) => Promise<unknown>): Promise<void> {
  const runs: Array<[KeyLayout, Redis]> = [['single', singleClient], ['cluster', clusterClient]];
  try {
    for (const [layout, client] of runs) {
      useKeyLayout(layout);
      await seed(client);
    }
  } finally {
    useKeyLayout('single');
  }
}

const liquidationAlert = (at: number, symbol: string, cents: string) => ({
  at,
  fields: { kind: 'liquidation', id: `alert-${at}`, ts: String(at - 1500), exchange: 'okx', symbol, side: 'long', price: '100', quantity: '1', value_cents: cents },
});
const minuteAlert = (at: number, symbol: string, cents: string) => ({
  at,
  fields: { kind: 'minute', id: `${minuteOf(at)}|${symbol}|500000`, minute: String(minuteOf(at)), symbol, threshold_cents: '500000', value_cents: cents },
});

beforeAll(async () => {
  [single, cluster] = await Promise.all([startRedis(), startCluster()]);
  singleClient = single.client();
  clusterClient = redisClient(cluster.target, { maxRetriesPerRequest: 2 });
  clusterClient.on('error', () => undefined);
  await both(async (r) => {
    await seedStandard(r, NOW);
    // yesterday's log stream (unless it is 23:00 UTC or later), and three days ago in the buckets only: the log
    // keeps EVENT_LOG_RETENTION_HOURS (24)
    await addEvents(r, [{ exchange: 'bybit', symbol: 'SOLUSDT', side: 'long', valueCents: 31_000_000, price: '151', quantity: '2052.98', ts: NOW - 23 * HOUR_MS }]);
    await addEvents(r, [{ exchange: 'okx', symbol: 'BTCUSDT', side: 'short', valueCents: 55_500_000, price: '95000', quantity: '5.8421', ts: NOW - 3 * DAY_MS }], { log: false });
    await markDown(r, minuteOf(NOW - 23 * HOUR_MS), 'okx-swap');
    // alerts of five days, oldest first; OLDUSDT's, eight days ago, is found only by reading back past yesterday
    await addAlerts(r, [
      liquidationAlert(NOW - 200 * HOUR_MS, 'OLDUSDT', '12345600'),
      minuteAlert(NOW - 50 * HOUR_MS, 'ALL', '777700'),
      liquidationAlert(NOW - 26 * HOUR_MS, 'ETHUSDT', '2500000'),
      minuteAlert(NOW - 3 * HOUR_MS, 'BTCUSDT', '600000'),
      liquidationAlert(NOW - HOUR_MS, 'SOLUSDT', '3100000'),
    ]);
  });
}, 120_000);

afterAll(async () => {
  clusterClient?.disconnect();
  await Promise.all([cluster?.stop(), single?.stop()]);
});

/** The statuses rewritten, as a running daemon would: a status older than 30 s reads as stale. */
const freshStatus = () => both((r) => setStatus(r, 'test-1', standardStatus(Date.now())));

const envOf = (t: RedisTarget) => ({ ...targetEnv(t) });

/** The dashboard's frame without the moment it was drawn (`as of 12:34:56 UTC`) and feed ages (`1m37s ago`, their
 *  lines' column padding with them). */
const steady = (out: string) =>
  out
    .replace(/as of \d\d:\d\d:\d\d UTC/g, 'as of … UTC')
    .split('\n')
    .map((l) => (/ ago\b/.test(l) ? l.replace(/\b[\dhms]+ ago\b/g, '… ago').replace(/ {2,}/g, ' ') : l))
    .join('\n');
const drawnAt = (out: string) => /as of (\d\d:\d\d):\d\d UTC/.exec(out)?.[1];

describe('readers on a Cluster print what they print on one Redis, for the same data', () => {
  it.each([
    [['simple']],
    [['compact', '--window', '24h']],
    [['pro']],
    [['pro', '--window', '24h', '--exchange', 'okx,bybit']],
    [['cumulative']],
    [['simple', '--window', '7d']],
    [['compact', '--coin', 'BTC', '--window', '4h']],
    [['pro', '--window', '30d', '--min-usd', '100k']],
  ])('dashboard %j --once', async (args) => {
    // the two at once, again when they straddled a minute (another window)
    for (let attempt = 1; ; attempt++) {
      await freshStatus();
      const [a, b] = await Promise.all(deployments.map((d) => runCli([...args, '--once'], envOf(d.target()))));
      for (const r of [a, b]) expect(r).toMatchObject({ code: 0, stderr: '' });
      if (drawnAt(a.stdout) !== drawnAt(b.stdout) && attempt < 3) continue;
      expect(steady(b.stdout)).toBe(steady(a.stdout));
      expect(b.stdout).toMatch(/TOTAL/);
      if (args[0] === 'pro') expect(b.stdout).toContain('OLDUSDT');
      return;
    }
  }, 90_000);

  const H = periodOf(NOW, '1h');
  it.each([
    [['--from', iso(periodOf(NOW, '1d') - 4 * DAY_MS), '--to', iso(periodOf(NOW, '1d') + DAY_MS), '--interval', '1d']],
    [['--from', iso(H - 30 * HOUR_MS), '--to', iso(H + HOUR_MS), '--interval', '1h', '--by', 'symbol']],
    [['--from', iso(H - 26 * HOUR_MS), '--to', iso(H + HOUR_MS), '--interval', '1h', '--coin', 'BTC', '--format', 'json']],
    [['--from', iso(M - 30 * 60_000), '--to', iso(M + 60_000), '--interval', '1m', '--by', 'exchange', '--format', 'csv']],
    [['--from', iso(minuteOf(NOW - 23 * HOUR_MS) - 5 * 60_000), '--to', iso(minuteOf(NOW - 23 * HOUR_MS) + 5 * 60_000), '--interval', '1m']],
  ])('liqd query %j', async (args) => {
    const [a, b] = await Promise.all(deployments.map((d) => run('query.js', args, envOf(d.target()))));
    expect(a.code).toBe(0);
    expect(b).toEqual(a);
    expect(a.stdout.trim().split('\n').length).toBeGreaterThan(1);
  });

  it('liq:down of yesterday (or earlier today) is reported by both', async () => {
    const m = minuteOf(NOW - 23 * HOUR_MS);
    const b = await run('query.js', ['--from', iso(m - 60_000), '--to', iso(m + 120_000), '--interval', '1m'], envOf(cluster.target));
    expect(b.stdout + b.stderr).toContain(`feed okx-swap down during 1 minute: ${iso(m)}–${iso(m + 60_000)}`);
  });

  it('liqd alerts --once: the latest, newest last, over every day stream back to eight days ago', async () => {
    for (const args of [['--once'], ['--once', '--json', '--count', '3'], ['--once', '--count', '100']]) {
      const [a, b] = await Promise.all(deployments.map((d) => run('alerts.js', args, envOf(d.target()))));
      expect(a.code).toBe(0);
      expect(b).toEqual(a);
    }
    const all = await run('alerts.js', ['--once', '--json'], envOf(cluster.target));
    expect(all.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { symbol: string }).symbol)).toEqual(['OLDUSDT', 'ALL', 'ETHUSDT', 'BTCUSDT', 'SOLUSDT']);
  });

  it('liqd alerts tails new alerts: in a Cluster from yesterday’s, today’s and tomorrow’s stream, in order', async () => {
    const tails = deployments.map((d) => {
      const child = spawn(process.execPath, [path.join(ROOT, 'dist/scripts/alerts.js'), '--json', '--count', '1'], { env: { PATH: process.env.PATH ?? '', ...envOf(d.target()) } });
      const tail = { child, out: '', err: '', exit: new Promise<number | null>((r) => child.once('exit', (code) => r(code))) };
      child.stdout.on('data', (d: Buffer) => (tail.out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (tail.err += d.toString()));
      return tail;
    });
    try {
      // the latest printed: each tail has noted where every stream stood
      await waitUntil(() => tails.every((t) => t.out.includes('SOLUSDT')), 15_000, 'the latest alert on both');
      const t = Date.now();
      // one Redis: liq:alerts; the Cluster: the stream of the day each is recorded under
      const days = [t - DAY_MS, t, t + DAY_MS];
      const fresh = days.map((_, i) => ({ id: `${t}-${i + 1}`, fields: liquidationAlert(t, `NEW${i}USDT`, '100000').fields }));
      for (const [i, f] of fresh.entries()) {
        const flat = Object.entries({ ...f.fields, at: String(t) }).flat();
        await singleClient.xadd('liq:alerts', f.id, ...flat);
        useKeyLayout('cluster');
        const key = alertsKey(days[i]);
        useKeyLayout('single');
        await clusterClient.xadd(key, f.id, ...flat);
      }
      await waitUntil(() => tails.every((x) => x.out.includes('NEW2USDT')), 15_000, 'the new alerts on both').catch((err: Error) => {
        throw new Error(`${err.message}: ${JSON.stringify(tails.map((x) => [x.out, x.err]))}`);
      });
      const [a, b] = tails.map((x) => x.out.trim().split('\n').map((l) => JSON.parse(l) as Record<string, string>));
      expect(b).toEqual(a);
      expect(b.map((x) => [x.stream_id, x.symbol])).toEqual([[`${NOW - HOUR_MS}-0`, 'SOLUSDT'], ...fresh.map((f, i) => [f.id, `NEW${i}USDT`])]);
    } finally {
      for (const x of tails) x.child.kill('SIGINT');
    }
    expect(await Promise.all(tails.map((x) => x.exit))).toEqual([0, 0]);
  }, 60_000);

  it('the dump is the same, keys named as on one Redis', async () => {
    const [a, b] = await Promise.all(deployments.map((d) => run('dump.js', ['--redis', targetSpec(d.target()), '--rollups'], {})));
    expect(a.code).toBe(0);
    expect(b.stdout).toBe(a.stdout);
    expect(b.stdout).toContain('["agg","liq:agg:ALL:60s:');
    expect(b.stdout).toContain('"symbol":"SOLUSDT"');
  });
});

function run(script: string, args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [path.join(ROOT, 'dist/scripts', script), ...args], { env: { PATH: process.env.PATH ?? '', ...env }, timeout: 30_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
    );
  });
}
