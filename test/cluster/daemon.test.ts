// The real daemon on a real Redis Cluster (three masters, one replica each), against the stand-in exchanges:
// - the mixed burst of the single-node end-to-end test, fed at once to two daemons on the cluster and one on a
//   single Redis: the cluster holds exactly the single Redis's buckets (counted once, not twice), and the
//   dashboards (--once) and liqd query print the same for both;
// - a stream of events while the replica of the day slot's master is held behind, the master SIGKILLed and the
//   replica promoted: with REDIS_WAIT_REPLICAS=1 every event counted once, none lost, none doubled, and forensic
//   passes; with 0 the events the replica never got are gone, and the day's marker reports exactly how many.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { sumMetric } from '../../scripts/lib/daemon.js';
import { redisClient } from '../../scripts/lib/redis.js';
import { type KeyLayout, aggKey, eventsKey, instancesKey, minuteOf, useKeyLayout } from '../../src/core/keys.js';
import { masterOf } from '../../src/engine/cluster.js';
import { targetEnv } from '../../src/core/redis-target.js';
import { type RunResult, runCli } from '../dashboards/cli.js';
import { FORENSIC, runNode } from '../forensic/cli.js';
import { type RedisNode, query } from '../../scripts/lib/redis-node.js';
import { startCluster, type ClusterSetup } from '../support/cluster.js';
import { startDaemon, waitUntil, type RunningDaemon } from '../support/daemon.js';
import { freePort, startRedis, type PrivateRedis } from '../support/redis.js';
import { DELIVERY, binanceFrame, bybitFrame, okxFrame, startStandins, type Standins } from '../support/venues.js';

const QUERY = path.join(path.dirname(FORENSIC), 'query.js');
let cluster: ClusterSetup;
let single: PrivateRedis;
let standins: Standins;
let onCluster: Redis;
const daemons: RunningDaemon[] = [];
const spools: string[] = [];
const t0 = Date.now();
const MIN = minuteOf(t0 - 120_000);

beforeAll(async () => {
  [cluster, single, standins] = await Promise.all([startCluster(), startRedis(), startStandins()]);
  await cluster.waitReplicated();
  onCluster = redisClient(cluster.target, { maxRetriesPerRequest: 3 });
}, 90_000);
// A test that fails leaves no daemon behind to write the next test's frames.
afterEach(async () => {
  for (const d of daemons.splice(0)) await d.stop('SIGKILL');
});
afterAll(async () => {
  onCluster?.disconnect();
  await cluster?.stop();
  await single?.stop();
  await standins?.close();
  for (const s of spools) rmSync(s, { recursive: true, force: true });
});

function launch(env: Record<string, string>, instance: string): Promise<RunningDaemon> {
  const spool = mkdtempSync(path.join(os.tmpdir(), 'liqd-cluster-spool-'));
  spools.push(spool);
  return freePort().then((port) => {
    const d = startDaemon({ ...standins.env, SPOOL_DIR: spool, INSTANCE_ID: instance, SUMMARY_INTERVAL_MS: '500', ...env }, port);
    daemons.push(d);
    d.proc.on('exit', (code) => { if (code !== 0 && code !== null) console.error(instance, code, d.stderr.join('\n'), JSON.stringify(d.logs.slice(-5))); });
    return d;
  });
}

/** Reads with keys built in one layout (the test process reads both). */
async function inLayout<T>(layout: KeyLayout, read: () => Promise<T>): Promise<T> {
  useKeyLayout(layout);
  try {
    return await read();
  } finally {
    useKeyLayout('single');
  }
}

/** The same mixed burst over five feeds as test/integration/daemon.test.ts: nine liquidations. */
function burst(s: Standins, t = MIN) {
  s.send('binance-usdm', binanceFrame({ symbol: 'BTCUSDT', side: 'SELL', price: '50000.10', qty: '0.014', ts: t + 100 }));
  s.send('binance-usdm', binanceFrame({ symbol: 'BTCUSDT', side: 'BUY', price: '50001', qty: '0.002', orig: '0.010', status: 'EXPIRED', ts: t + 200 }, false));
  s.send('binance-coinm', binanceFrame({ symbol: 'BTCUSD_PERP', side: 'SELL', price: '50000', qty: '3', ts: t + 300 }));
  s.send('bybit-linear', bybitFrame([
    { symbol: 'BTCUSDT', side: 'Buy', price: '50010.5', size: '0.5', ts: t + 400 },
    { symbol: 'BTCUSDT', side: 'Sell', price: '50000', size: '0.1', ts: t + 500 },
  ]));
  s.send('bybit-inverse', bybitFrame([{ symbol: 'BTCUSD', side: 'Sell', price: '50000', size: '1000', ts: t + 600 }]));
  s.send('okx', okxFrame('SWAP', [
    { instId: 'BTC-USDT-SWAP', details: [{ posSide: 'long', side: 'sell', bkPx: '50000', sz: '2', ts: t + 700 }] },
    { instId: 'BTC-USD-SWAP', details: [{ posSide: 'net', side: 'buy', bkPx: '50000', sz: '3', ts: t + 800 }] },
  ]));
  s.send('okx', okxFrame('FUTURES', [{ instId: `BTC-USD-${DELIVERY.yymmdd}`, details: [{ posSide: 'short', side: 'buy', bkPx: '51000', sz: '1', ts: t + 900 }] }]));
}

const SYMBOLS = ['ALL', 'BTCUSDT', 'BTCUSD', `BTCUSD_${DELIVERY.yymmdd}`];

interface Outcome {
  d: RunningDaemon;
  sent: number;
  /** Events of the stream's minute in the ALL bucket and in the day's log, once the daemon holds nothing. */
  counted: number;
  logged: number;
}

/** The replica of a master (from its INFO replication). */
async function replicaOf(master: RedisNode): Promise<RedisNode> {
  const info = (await query(master, ['INFO', 'replication'])) as string;
  const port = Number(/^slave0:.*port=(\d+)/m.exec(info)?.[1]);
  const node = cluster.nodes.find((n) => n.port === port);
  if (node === undefined) throw new Error(`no replica of ${master.port}: ${info}`);
  return node;
}

/**
 * A daemon on the cluster and a steady stream of events into one minute of the current day; the replica of that
 * day's master held behind (stopped, its link cut) while the master takes batches it never passes on; the master
 * SIGKILLed and the replica let go; the cluster promotes it, the daemon follows, the killed node comes back as its
 * replica (WAIT can be met again); the stream stops and the daemon writes what it holds.
 */
async function failover(waitReplicas: number, instance: string, whileBehind: (d: RunningDaemon) => Promise<void>): Promise<Outcome> {
  await cluster.waitHealthy();
  await cluster.waitReplicated();
  const d = await launch({ EXCHANGES: 'binance', ...targetEnv(cluster.target), REDIS_WAIT_REPLICAS: String(waitReplicas), REDIS_WAIT_TIMEOUT_MS: '300' }, instance);
  await d.waitForLog((l) => l.msg === 'ready', 20_000);
  await waitUntil(async () => (await d.health()).body.status === 'ok', 20_000, '/health ok');
  const base = minuteOf(Date.now()) - 60_000;
  const count = () => inLayout('cluster', async () => Number((await onCluster.hget(aggKey('ALL', '60s', base), 'count')) ?? 0));
  const logLength = () => inLayout('cluster', () => onCluster.xlen(eventsKey(base)));
  const [before, logBefore] = [await count(), await logLength()];
  // A price of its own per run (its cents digit), so that one run's events are never another's repeats.
  let sent = 0;
  let sending = true;
  const sender = (async () => {
    while (sending) {
      for (let i = 0; i < 4; i++, sent++) {
        standins.send('binance-usdm', binanceFrame({ symbol: sent % 3 ? 'BTCUSDT' : 'ETHUSDT', side: sent % 2 ? 'SELL' : 'BUY', price: `${30_000 + sent}.${waitReplicas}5`, qty: '0.01', ts: base + (sent % 60_000) }));
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  try {
    await waitUntil(async () => (await count()) - before >= 200, 15_000, 'the first events counted');
    const owner = await inLayout('cluster', async () => masterOf(onCluster, aggKey('ALL', '60s', base)));
    const victim = cluster.nodes.find((n) => `${n.address.host}:${n.address.port}` === owner)!;
    expect(victim).toBeDefined();
    const replica = await replicaOf(victim);
    process.kill(replica.pid!, 'SIGSTOP');
    try {
      expect(await victim.client().client('KILL', 'TYPE', 'replica')).toBe(1);
      await whileBehind(d);
      await victim.kill('SIGKILL');
    } finally {
      process.kill(replica.pid!, 'SIGCONT');
    }
    // The replica takes over (cluster-node-timeout 1 s); the daemon follows once the slot answers again.
    await waitUntil(async () => /^role:master/m.test((await query(replica, ['INFO', 'replication'])) as string) && (await cluster.info(replica)).cluster_state === 'ok', 30_000, 'the replica promoted');
    await victim.start();
    await cluster.waitHealthy();
    await cluster.waitReplicated();
    await new Promise((r) => setTimeout(r, 1000));
  } finally {
    sending = false;
    await sender;
  }
  try {
    await waitUntil(async () => (await d.health()).status === 200 && (await d.health()).body.bufferedEvents === 0, 30_000, '/health 200, nothing held');
  } catch (err) {
    console.error(JSON.stringify((await d.health()).body), d.logs.filter((l) => l.level !== 'info' || l.mod === 'redis').slice(-25).map((l) => JSON.stringify(l).slice(0, 400)).join('\n'));
    throw err;
  }
  await waitUntil(async () => (await count()) - before >= sent || sumMetric(await d.metrics(), 'liq_redis_data_loss_total') > 0, 30_000, `all ${sent} events written`);
  // Give a doubled write time to show.
  await new Promise((r) => setTimeout(r, 1000));
  return { d, sent, counted: (await count()) - before, logged: (await logLength()) - logBefore };
}

describe('the daemon on a Redis Cluster', () => {
  it('two daemons on the cluster and one on a single Redis, the same frames: the same buckets, counted once; the same dashboards and query', async () => {
    // The first status write after the streams opened (not during the connect, which would mark the minute as down
    // on one side only, as it happens).
    const three = { EXCHANGES: 'binance,bybit,okx', STATUS_INTERVAL_MS: '3000' };
    const ds = await Promise.all([
      launch({ ...three, ...targetEnv(cluster.target) }, 'cluster-a'),
      launch({ ...three, ...targetEnv(cluster.target) }, 'cluster-b'),
      launch({ ...three, REDIS_URL: single.url }, 'single'),
    ]);
    for (const d of ds) await d.waitForLog((l) => l.msg === 'ready', 20_000);
    for (const d of ds) await waitUntil(async () => (await d.health()).body.status === 'ok', 20_000, '/health ok');
    await waitUntil(() => standins.venues.okx.subscriptions().filter((t) => t.length === 2).length >= 3 && standins.venues['binance-usdm'].connections() >= 3, 15_000, 'every daemon subscribed');
    burst(standins);
    burst(standins); // the exchange repeats itself
    const onSingle = single.client();
    await waitUntil(async () => Number(await onSingle.hget(`liq:agg:ALL:60s:${MIN}`, 'count')) === 9, 15_000, 'nine on the single Redis');
    await waitUntil(async () => Number(await inLayout('cluster', () => onCluster.hget(aggKey('ALL', '60s', MIN), 'count'))) === 9, 15_000, 'nine on the cluster');
    await waitUntil(async () => sumMetric(await ds[0].metrics(), 'liq_duplicates_total') + sumMetric(await ds[1].metrics(), 'liq_duplicates_total') >= 27, 15_000, 'the repeats and the other daemon counted as duplicates');
    for (const res of ['60s', '1h', '1d'] as const) {
      for (const sym of SYMBOLS) {
        const want = await inLayout('single', () => onSingle.hgetall(aggKey(sym, res, res === '60s' ? MIN : Math.floor(MIN / (res === '1h' ? 3_600_000 : 86_400_000)) * (res === '1h' ? 3_600_000 : 86_400_000))));
        const got = await inLayout('cluster', () => onCluster.hgetall(aggKey(sym, res, res === '60s' ? MIN : Math.floor(MIN / (res === '1h' ? 3_600_000 : 86_400_000)) * (res === '1h' ? 3_600_000 : 86_400_000))));
        expect(Object.keys(want).length, `${sym} ${res}`).toBeGreaterThan(0);
        expect(got, `${sym} ${res}`).toEqual(want);
      }
    }
    expect(await inLayout('cluster', () => onCluster.xlen(eventsKey(MIN)))).toBe(9);
    expect(sumMetric(await ds[0].metrics(), 'liq_events_written_total') + sumMetric(await ds[1].metrics(), 'liq_events_written_total')).toBe(9);

    await waitUntil(async () => (await onSingle.scard('liq:instances')) === 1 && (await inLayout('cluster', () => onCluster.scard(instancesKey()))) === 2, 10_000, 'status written');
    // Readers print the same for both deployments (the first line of a dashboard holds the time it was drawn; the
    // feed count is of the daemons writing there: two on the cluster, one on the single Redis).
    // pro's FEED HEALTH lists each instance's streams: left out here, checked below.
    const body = (out: string) => {
      const lines = out.split('\n').slice(1);
      const health = lines.findIndex((l) => l.includes('FEED HEALTH'));
      if (health >= 0) lines.splice(health, lines.slice(health).findIndex((l) => l.trim() === '') + 1);
      return lines.join('\n').replace(/feeds (\x1b\[[0-9;]*m)?(10\/10|5\/5)/g, 'feeds $1N/N');
    };
    for (const name of ['simple', 'cumulative', 'compact', 'pro']) {
      // Drawn side by side; drawn again when a minute turned between the two (the rate lines name the minute).
      let a: RunResult | undefined;
      let b: RunResult | undefined;
      for (let attempt = 0; attempt < 3 && (a === undefined || body(a.stdout) !== body(b!.stdout)); attempt++) {
        [a, b] = await Promise.all([runCli([name, '--window', '15m', '--once'], targetEnv(cluster.target)), runCli([name, '--window', '15m', '--once'], { REDIS_URL: single.url })]);
      }
      if (a === undefined || b === undefined) throw new Error('unreachable');
      expect(a.stderr, name).toBe('');
      expect(a.code, name).toBe(0);
      expect(body(a.stdout), name).toBe(body(b.stdout));
      if (name === 'pro') for (const instance of ['cluster-a', 'cluster-b']) expect(a.stdout).toContain(instance);
      if (name === 'simple') {
        expect(a.stdout).toMatch(/feeds (\x1b\[[0-9;]*m)?10\/10/);
        expect(b.stdout).toMatch(/feeds (\x1b\[[0-9;]*m)?5\/5/);
      }
    }
    const q = ['--from', new Date(MIN - 60_000).toISOString(), '--interval', '1m', '--by', 'exchange', '--format', 'csv'];
    const qa = await runNode(QUERY, q, targetEnv(cluster.target));
    expect(qa.stderr).toBe('');
    expect(qa.stdout).toBe((await runNode(QUERY, q, { REDIS_URL: single.url })).stdout);
    for (const d of ds.splice(0)) expect(await d.stop()).toBe(0);
    daemons.length = 0;
  }, 120_000);

  it('REDIS_WAIT_REPLICAS=1: the master of the day slot SIGKILLed mid-stream with its replica behind, the replica promoted: every event counted once', async () => {
    const { d, sent, counted, logged } = await failover(1, 'cluster-wait', async (daemon) => {
      // None of the master's batches is confirmed while its replica is cut off: held, and /health says so.
      await waitUntil(async () => ((await daemon.health()).body.redis as { code?: string } | undefined)?.code === 'NOREPLICAS', 15_000, 'NOREPLICAS in /health');
      expect((await daemon.health()).status).toBe(503);
      await new Promise((r) => setTimeout(r, 500));
    });
    // Nothing lost, nothing doubled: each event once in the buckets and once in the day's log.
    expect(counted).toBe(sent);
    expect(logged).toBe(sent);
    const m = await d.metrics();
    expect(sumMetric(m, 'liq_redis_lost_events_total')).toBe(0);
    expect(sumMetric(m, 'liq_dropped_total')).toBe(0);
    expect(sumMetric(m, 'liq_events_written_total')).toBe(sent);
    expect(m).toMatch(/liq_write_errors_total\{error="NOREPLICAS"\} [1-9]/);
    expect(sent).toBeGreaterThan(300);

    // Forensic on the cluster after the failover: every bucket equals its log entries, rollups their minutes.
    const f = await runNode(FORENSIC, ['--window', '1h', '--json'], targetEnv(cluster.target));
    expect(f.stderr).toBe('');
    expect(f.code).toBe(0);
    const report = JSON.parse(f.stdout) as { ok: boolean; logEntries: number };
    expect(report.ok).toBe(true);
    expect(report.logEntries).toBeGreaterThanOrEqual(sent);
  }, 150_000);

  it('REDIS_WAIT_REPLICAS=0: the same failover loses what the replica never got, and the day marker reports exactly that, loudly', async () => {
    const { d, sent, counted, logged } = await failover(0, 'cluster-nowait', async (daemon) => {
      // Acknowledged by the master alone: /health stays ok while the replica falls behind.
      await new Promise((r) => setTimeout(r, 1500));
      expect((await daemon.health()).body.status).toBe('ok');
    });
    expect(logged).toBe(counted);
    expect(counted).toBeLessThan(sent);
    await d.waitForLog((l) => typeof l.msg === 'string' && l.msg.startsWith('Redis lost data'));
    const lines = d.logs.filter((l) => typeof l.msg === 'string' && l.msg.startsWith('Redis lost data'));
    expect(lines.every((l) => l.level === 'error')).toBe(true);
    expect(lines.reduce((n, l) => n + Number(l.lost), 0)).toBe(sent - counted);
    const m = await d.metrics();
    expect(sumMetric(m, 'liq_redis_lost_events_total')).toBe(sent - counted);
    expect((await d.health()).body.status).toBe('degraded');
  }, 150_000);
});
