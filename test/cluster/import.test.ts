// liqd-import on a Redis Cluster (REDIS_CLUSTER_NODES): the real command writes through the daemon's write path in the
// cluster layout. Hyperliquid's liquidations carry their own id (tid, user), so each is claimed in its shard first:
// imported twice, and read again with --reread, they count once; the buckets equal the hand-computed ones.
import { execFile } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisClient } from '../../scripts/lib/redis.js';
import { aggKey, eventsKey, idsKey } from '../../src/core/keys.js';
import { targetEnv } from '../../src/core/redis-target.js';
import { FILLS_DIR, HOUR_MS, hourName } from '../../src/venues/hyperliquid/files.js';
import { blockLine, liquidationTrade } from '../../src/venues/hyperliquid/frames.js';
import { ROOT } from '../dashboards/cli.js';
import { startCluster, type ClusterSetup } from '../support/cluster.js';

const IMPORT = path.join(ROOT, 'dist/scripts/import.js');
const USER = '0x31ca8395cf837de08b24da3f660e77761dfb974b';
const MAKER = '0x010461c14e146ac35fe42271bdc1134ee31c703a';
let cluster: ClusterSetup;
let redis: Redis;
let data: string;
// Minutes inside the previous and the current hour (at least a minute old, so never ahead of the clock).
const NOW = Date.now();
const M1 = Math.floor((NOW - HOUR_MS) / 60_000) * 60_000;
const M2 = Math.floor((NOW - 60_000) / 60_000) * 60_000;

beforeAll(async () => {
  cluster = await startCluster();
  redis = redisClient(cluster.target, { maxRetriesPerRequest: 3 }); // this process reads in the cluster layout
  data = mkdtempSync(path.join(os.tmpdir(), 'liqd-hl-import-cluster-'));
  const liq = (tid: number, coin: string, side: 'A' | 'B', px: string, sz: string, time: number) =>
    `${blockLine(liquidationTrade({ liquidated: USER, counterparty: MAKER, coin, px, sz, side, time, tid }), { block: tid })}\n`;
  const write = (file: string, text: string) => {
    mkdirSync(path.dirname(file), { recursive: true });
    appendFileSync(file, text);
  };
  write(path.join(data, FILLS_DIR, hourName(M1)), liq(1, 'BTC', 'A', '60000.5', '0.25', M1 + 1) + liq(2, 'BTC', 'B', '60010', '0.1', M1 + 3)); // $15,000.125 long, $6,001 short
  write(path.join(data, FILLS_DIR, hourName(NOW)), liq(3, 'ETH', 'A', '2500.1', '3.3333', M2 + 1)); // $8,333.58333 long
}, 90_000);
afterAll(async () => {
  redis?.disconnect();
  await cluster?.stop();
  if (data) rmSync(data, { recursive: true, force: true });
});

function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [IMPORT, ...args], { env: { PATH: process.env.PATH ?? '', ...targetEnv(cluster.target) } }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe('liqd-import on a Redis Cluster', () => {
  it('imports once: again and with --reread nothing is counted twice; the buckets are the hand-computed ones', async () => {
    const r1 = await run(['hyperliquid', data]);
    expect(r1.stderr).not.toMatch(/error|CROSSSLOT/i);
    expect(r1.code).toBe(0);
    expect(r1.stdout).toContain('counted now: 3; already counted: 0');
    const expectBuckets = async () => {
      expect(await redis.hgetall(aggKey('BTCUSD', '60s', M1))).toMatchObject({ count: '2', value_cents: '2100113', long_value_cents: '1500013', short_value_cents: '600100', qty_e8: '35000000' });
      expect(await redis.hgetall(aggKey('ALL', '60s', M2))).toMatchObject({ count: '1', hyperliquid_long_value_cents: '833358' });
      const hours = new Set([Math.floor(M1 / HOUR_MS) * HOUR_MS, Math.floor(M2 / HOUR_MS) * HOUR_MS]);
      let hourly = 0;
      for (const h of hours) hourly += Number((await redis.hget(aggKey('ALL', '1h', h), 'count')) ?? 0);
      expect(hourly).toBe(3);
      const logs = new Set([eventsKey(M1), eventsKey(M2)]);
      let logged = 0;
      for (const k of logs) logged += await redis.xlen(k);
      expect(logged).toBe(3);
    };
    await expectBuckets();
    // the own ids were claimed in their shards
    expect(await redis.zscore(idsKey(await firstId()), await firstId())).not.toBeNull();

    const r2 = await run(['hyperliquid', data]);
    expect(r2.code).toBe(0);
    expect(r2.stdout).toContain('counted now: 0');
    const r3 = await run(['hyperliquid', data, '--reread']);
    expect(r3.code).toBe(0);
    expect(r3.stdout).toContain('counted now: 0; already counted: 3');
    await expectBuckets();
  }, 90_000);
});

/** The id of the first liquidation, as the log holds it. */
async function firstId(): Promise<string> {
  const entries = (await redis.xrange(eventsKey(M1), '-', '+', 'COUNT', 1)) as Array<[string, string[]]>;
  const f = entries[0][1];
  return f[f.indexOf('id') + 1];
}
