// Sentinel failover against the real daemon (REDIS_SENTINELS, REDIS_WAIT_REPLICAS=1): a master, one replica and
// three Sentinels on loopback ports, a stream of events from the stand-in exchange throughout. The replica is held
// behind (SIGSTOP, its link cut) while the master takes batches it can never pass on, the master is
// SIGKILLed, Sentinel promotes the replica, the daemon follows it, and the old master comes back as its replica.
// Every total equals what was sent: the batches the master took but the replica never got were not counted until
// confirmed, and were sent again to the new master. Then the dashboards (--once), forensic and dump read the same
// numbers through Sentinel as straight from the master. Without WAIT the same failover loses events, and the
// instance marker reports exactly how many.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sumMetric } from '../../scripts/lib/daemon.js';
import { EVENTS_KEY, minuteOf } from '../../src/core/keys.js';
import { targetEnv, targetSpec } from '../../src/core/redis-target.js';
import { dumpLines } from '../../scripts/dump.js';
import { runCli } from '../dashboards/cli.js';
import { FORENSIC, runNode } from '../forensic/cli.js';

const QUERY = path.join(path.dirname(FORENSIC), 'query.js');
const ALERTS = path.join(path.dirname(FORENSIC), 'alerts.js');
import { startDaemon, waitUntil, type RunningDaemon } from '../support/daemon.js';
import { freePort } from '../support/redis.js';
import { startSentinelSetup, type SentinelSetup } from '../support/sentinel.js';
import { binanceFrame, startStandins, type Standins } from '../support/venues.js';

let setup: SentinelSetup;
let standins: Standins;
let daemon: RunningDaemon | undefined;
let spool: string;
const t0 = Date.now();

beforeAll(async () => {
  setup = await startSentinelSetup({ downAfterMs: 1000, failoverTimeoutMs: 3000 });
  standins = await startStandins();
  spool = mkdtempSync(path.join(os.tmpdir(), 'liqd-sentinel-spool-'));
}, 60_000);
afterAll(async () => {
  await daemon?.stop('SIGKILL');
  for (const n of setup?.nodes ?? []) if (n.pid !== undefined) process.kill(n.pid, 'SIGCONT');
  await setup?.stop();
  await standins?.close();
  rmSync(spool, { recursive: true, force: true });
});

/** Events counted in the ALL buckets since the test started, and log entries. */
async function totals(c: Redis): Promise<{ count: number; log: number }> {
  let count = 0;
  for (let m = minuteOf(t0 - 60_000); m <= Date.now(); m += 60_000) count += Number((await c.hget(`liq:agg:ALL:60s:${m}`, 'count')) ?? 0);
  return { count, log: await c.xlen(EVENTS_KEY) };
}

interface Outcome {
  d: RunningDaemon;
  sent: number;
  /** What the promoted master holds once the daemon has written everything it holds. */
  counted: { count: number; log: number };
}

/**
 * The scenario: a daemon on the Sentinel set-up, a steady stream of events; the replica held behind (stopped, and
 * its link cut: it cannot reconnect while stopped) while the master takes batches it will never pass on; the
 * master SIGKILLed and the replica let go; Sentinel promotes it, the daemon follows, the old master comes back as
 * its replica; the stream stops and the daemon writes what it holds.
 */
async function failover(waitReplicas: number, instance: string, whileBehind: (d: RunningDaemon) => Promise<void>): Promise<Outcome> {
  const old = await setup.masterNode();
  const replica = setup.nodes.find((n) => n !== old)!;
  const onOld = old.client();
  await onOld.flushall();
  await setup.waitForReplicas(1);
  daemon = startDaemon(
    {
      ...standins.env,
      ...targetEnv(setup.target),
      EXCHANGES: 'binance',
      SPOOL_DIR: spool,
      INSTANCE_ID: instance,
      REDIS_WAIT_REPLICAS: String(waitReplicas),
      REDIS_WAIT_TIMEOUT_MS: '300',
      SUMMARY_INTERVAL_MS: '500',
    },
    await freePort(),
  );
  const d = daemon;
  await d.waitForLog((l) => l.msg === 'open' && l.conn === 'binance-usdm');
  await waitUntil(async () => (await d.health()).body.status === 'ok', 15_000, '/health ok');

  // 4 liquidations every 20 ms, each its own identity, until told to stop.
  let sent = 0;
  let sending = true;
  const sender = (async () => {
    while (sending) {
      for (let i = 0; i < 4; i++, sent++) {
        standins.send('binance-usdm', binanceFrame({ symbol: sent % 3 ? 'BTCUSDT' : 'ETHUSDT', side: sent % 2 ? 'SELL' : 'BUY', price: `${30_000 + sent}.5`, qty: '0.01', ts: Date.now() - 5_000 }));
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  try {
    await waitUntil(async () => (await totals(onOld)).count >= 200, 15_000, 'the first events counted');
    process.kill(replica.pid!, 'SIGSTOP');
    try {
      expect(await onOld.client('KILL', 'TYPE', 'replica')).toBe(1);
      await whileBehind(d);
      await old.kill('SIGKILL');
    } finally {
      process.kill(replica.pid!, 'SIGCONT');
    }
    const promoted = await setup.waitForFailover(old.address, 45_000);
    expect(promoted).toBe(replica);
    // The daemon follows it (with WAIT, told NOREPLICAS there until a replica is back).
    await d.waitForLog((l) => l.msg === 'redis ready' && l.master === `127.0.0.1:${promoted.port}`, 30_000);
    await old.start(['--replicaof', '127.0.0.1', String(promoted.port)]);
    await setup.waitForReplicas(1, 30_000);
    await new Promise((r) => setTimeout(r, 1000));
  } finally {
    sending = false;
    await sender;
  }
  const onNew = (await setup.masterNode()).client();
  // ok, or degraded by a data loss (without WAIT): writes taken again, nothing held
  await waitUntil(async () => (await d.health()).status === 200 && (await d.health()).body.bufferedEvents === 0, 30_000, '/health 200, nothing held');
  await waitUntil(async () => (await totals(onNew)).count >= sent || sumMetric(await d.metrics(), 'liq_redis_data_loss_total') > 0, 30_000, `all ${sent} events written`);
  return { d, sent, counted: await totals(onNew) };
}

describe('Sentinel failover', () => {
  it('REDIS_WAIT_REPLICAS=1: the master SIGKILLed mid-stream with a replica behind: promoted, followed, every event counted once', async () => {
    const { d, sent, counted } = await failover(1, 'sentinel-wait', async (daemon) => {
      // None of the master's batches is confirmed: /health says so, and they are held.
      await waitUntil(async () => ((await daemon.health()).body.redis as { code?: string } | undefined)?.code === 'NOREPLICAS', 15_000, 'NOREPLICAS in /health');
      const h = await daemon.health();
      expect(h.status).toBe(503);
      expect(h.body).toMatchObject({ status: 'down', redis: { writable: false, code: 'NOREPLICAS' } });
      await daemon.waitForLog((l) => l.msg === 'Redis replicas do not confirm writes (REDIS_WAIT_REPLICAS): events are held until they do' && l.level === 'error');
      await new Promise((r) => setTimeout(r, 1000));
    });
    // Nothing lost, nothing doubled: each event once in the buckets and once in the log.
    expect(counted).toEqual({ count: sent, log: sent });
    const m = await d.metrics();
    expect(sumMetric(m, 'liq_redis_lost_events_total')).toBe(0);
    expect(sumMetric(m, 'liq_redis_data_loss_total')).toBe(0);
    expect(sumMetric(m, 'liq_dropped_total')).toBe(0);
    expect(m).toMatch(/liq_write_errors_total\{error="NOREPLICAS"\} [1-9]/);
    expect(d.logs.some((l) => typeof l.msg === 'string' && l.msg.startsWith('Redis lost data'))).toBe(false);
    expect(sent).toBeGreaterThan(300);
  }, 150_000);

  it('the dashboards (--once), forensic and dump read the same numbers through Sentinel as from the master', async () => {
    // the numbers stand still; a daemon on Sentinel stops as on one Redis
    if (daemon !== undefined) expect(await daemon.stop()).toBe(0);
    const master = await setup.masterNode();
    const direct = { REDIS_URL: master.url };
    const viaSentinel = targetEnv(setup.target);
    const count = (await totals(master.client())).count;
    expect(count).toBeGreaterThan(0);

    for (const name of ['simple', 'cumulative']) {
      const a = await runCli([name, '--window', '15m', '--once'], viaSentinel);
      expect(a.stderr).toBe('');
      expect(a.code).toBe(0);
      const b = await runCli([name, '--window', '15m', '--once'], direct);
      // the same frame but for the time it was drawn, in its first line
      const body = (out: string) => out.split('\n').slice(1).join('\n');
      expect(body(a.stdout)).toBe(body(b.stdout));
      if (name === 'simple') expect(a.stdout).toMatch(new RegExp(`TOTAL\\*\\s+${count}\\s`));
    }

    const f = await runNode(FORENSIC, ['--window', '15m', '--json'], viaSentinel);
    expect(f.stderr).toBe('');
    expect(f.code).toBe(0);
    const report = JSON.parse(f.stdout) as { ok: boolean; logEntries: number };
    expect(report.ok).toBe(true);
    expect(report.logEntries).toBe(count);

    expect(await dumpLines(targetSpec(setup.target), 0)).toEqual(await dumpLines(master.url, 0));

    // liqd query and liqd alerts read through Sentinel too (REDIS_SENTINELS), the same rows as from the master
    const from = new Date(minuteOf(t0) - 60_000).toISOString();
    const q = ['--from', from, '--interval', '1m', '--by', 'exchange', '--format', 'csv'];
    const qa = await runNode(QUERY, q, viaSentinel);
    expect(qa.stderr).toBe('');
    expect(qa.code).toBe(0);
    expect(qa.stdout).toBe((await runNode(QUERY, q, direct)).stdout);
    const rows = qa.stdout.trim().split('\n').slice(1);
    const header = qa.stdout.split('\n')[0].split(',');
    expect(rows.reduce((n, r) => n + Number(r.split(',')[header.indexOf('count')]), 0)).toBe(count);
    const al = await runNode(ALERTS, ['--once', '--json'], viaSentinel);
    expect(al.code).toBe(0);
    expect(al.stdout).toBe((await runNode(ALERTS, ['--once', '--json'], direct)).stdout);
  }, 60_000);

  it('REDIS_WAIT_REPLICAS=0: the same failover loses what the replica never got, and the instance marker counts exactly that', async () => {
    await daemon?.stop();
    const { d, sent, counted } = await failover(0, 'sentinel-nowait', async (daemon) => {
      // Acknowledged by the master alone: /health stays ok.
      await new Promise((r) => setTimeout(r, 1500));
      expect((await daemon.health()).body.status).toBe('ok');
    });
    expect(counted.count).toBe(counted.log);
    expect(counted.count).toBeLessThan(sent);
    // Each loss is one error line and one count (a loaded machine can make the Sentinels fail over twice).
    await d.waitForLog((l) => typeof l.msg === 'string' && l.msg.startsWith('Redis lost data'));
    const lines = d.logs.filter((l) => typeof l.msg === 'string' && l.msg.startsWith('Redis lost data'));
    expect(lines.every((l) => l.level === 'error')).toBe(true);
    expect(lines.reduce((n, l) => n + Number(l.lost), 0)).toBe(sent - counted.count);
    const m = await d.metrics();
    expect(sumMetric(m, 'liq_redis_lost_events_total')).toBe(sent - counted.count);
    expect(sumMetric(m, 'liq_redis_data_loss_total')).toBe(lines.length);
  }, 150_000);
});
