// The forensic validator on a Redis Cluster (3 masters, 1 replica each) against the same data on one Redis: the
// same report when the data holds, the same findings when it does not, and a failover followed.
//
// The same events are written through the real BucketWriter into both, each in its layout (keys.ts); each test
// starts from what the writers wrote (DUMP/RESTORE).
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { LiquidationEvent } from '../../src/core/event.js';
import {
  type KeyLayout,
  ALL,
  aggKey,
  eventsKey,
  keyLayout,
  minuteOf,
  parseAggKey,
  seenKey,
  useKeyLayout,
} from '../../src/core/keys.js';
import { BucketWriter } from '../../src/engine/writer.js';
import { redisClient } from '../../scripts/lib/redis.js';
import { ClusterClient } from '../../src/forensic/cluster.js';
import { Encoder } from '../../src/forensic/resp-codec.js';
import { type RedisNode, query, until } from '../../scripts/lib/redis-node.js';
import { keySlot } from '../../src/forensic/slot.js';
import { type ClusterSetup, startCluster } from '../support/cluster.js';
import { inverse, linear } from '../support/events.js';
import { type PrivateRedis, startRedis } from '../support/redis.js';
import { type JsonReport, forensicJson } from './cli.js';

const NOW_MIN = Math.floor(Date.now() / 60_000) * 60_000;
const TODAY = Math.floor(NOW_MIN / 86_400_000) * 86_400_000;
// the last half hour of the UTC day before (its log still kept: a day's stream expires a day after the day's end),
// and minutes of the last hour and a quarter up to the current one (always today): two day streams at least
const MINUTES = [TODAY - 30 * 60_000, NOW_MIN - 75 * 60_000, NOW_MIN - 30 * 60_000, NOW_MIN - 10 * 60_000, NOW_MIN - 3 * 60_000, NOW_MIN];
// 7d: the minute of the day before is up to 24.5 h ago
const WINDOW = ['--window', '7d'];
// On a Cluster a day's log expires a day after the day's end (EVENT_LOG_RETENTION_HOURS): a day of the window
// without its stream is taken as expired (its minutes not compared) once that time has passed, as trimming leaves
// One Redis's minutes older than the retention uncompared. Here every entry was written just now and nothing is
// trimmed on one Redis: told the log is kept a week, both compare every minute of the window.
const KEPT = { EVENT_LOG_RETENTION_HOURS: '168' };
const dayOf = (t: number) => Math.floor(t / 86_400_000) * 86_400_000;

let single: PrivateRedis;
let src: Redis;
let cluster: ClusterSetup;
let dst: Redis;
type Snapshot = Array<{ key: string; dump: Buffer; expireAt: number }>;
const snapshot: { single: Snapshot; cluster: Snapshot } = { single: [], cluster: [] };

function events(): LiquidationEvent[] {
  const out: LiquidationEvent[] = [];
  MINUTES.forEach((m, i) => {
    // i: distinct events (identities) even where two of the minutes coincide
    out.push(linear('binance', 'BTCUSDT', 'long', m + 100 + i, '50000.10', '0.014'));
    out.push(linear('bybit', 'BTCUSDT', 'short', m + 200 + i, '50010.5', '0.5'));
    out.push(linear('okx', 'BTCUSDT', 'long', m + 300 + i, '50000', '2'));
    out.push(linear('binance', 'ETHUSDT', 'short', m + 400 + i, '3000.25', '0.5'));
    out.push(linear('bybit', 'ETHUSDT', 'long', m + 500 + i, '2999.5', '1.25'));
    out.push(linear('okx', 'SOLUSDT', 'long', m + 600 + i, '150.1', '7'));
    out.push(linear('bybit', 'SOLUSDT', 'short', m + 700 + i, '150.2', '10'));
    out.push(inverse('bybit', 'BTCUSD', 'long', m + 800 + i, '50000', '1000'));
    out.push(inverse('okx', 'BTCUSD', 'short', m + 900 + i, '50001', '300'));
  });
  return out;
}
const PER_MINUTE = 9;

function inLayout<T>(l: KeyLayout, f: () => T): T {
  const before = keyLayout();
  useKeyLayout(l);
  try {
    return f();
  } finally {
    useKeyLayout(before);
  }
}

/** A report without what differs between runs (times), the cluster layout's day tags removed from its key names. */
function comparable(r: JsonReport): unknown {
  const { generatedAt, elapsedMs, from, to, ...rest } = r as JsonReport & Record<string, unknown>;
  void generatedAt, elapsedMs, from, to;
  return JSON.parse(JSON.stringify(rest).replace(/\{\d{4}-\d\d-\d\d\}:/g, '').replace(/:\{\d{4}-\d\d-\d\d\}/g, ''));
}

/** Each check's failures (the offending key and field, and what was expected), day tags removed. */
function findings(r: JsonReport): unknown {
  const strip = (x: string) => x.replace(/\{\d{4}-\d\d-\d\d\}:/g, '').replace(/:\{\d{4}-\d\d-\d\d\}/g, '');
  return r.checks.map((c) => ({ id: c.id, failed: c.failed, examples: c.examples.map((e) => [strip(e.key), e.field, strip(e.expected)]) }));
}

/** The Cluster's masters' clients. */
const nodeClients = new Map<RedisNode, Redis>();
async function masters(): Promise<Redis[]> {
  const out: Redis[] = [];
  for (const n of cluster.nodes.filter((x) => x.running)) {
    let c = nodeClients.get(n);
    if (c === undefined) nodeClients.set(n, (c = n.client()));
    const role = (await c.call('ROLE')) as [string];
    if (role[0] === 'master') out.push(c);
  }
  return out;
}

async function dumpAll(from: Redis[]): Promise<Snapshot> {
  const out: Snapshot = [];
  for (const r of from) {
    for (const key of await r.keys('liq:*')) out.push({ key, dump: (await r.dumpBuffer(key))!, expireAt: Number(await r.call('PEXPIRETIME', key)) });
  }
  return out;
}

async function restoreAll(to: Redis, keys: Snapshot): Promise<void> {
  for (const { key, dump, expireAt } of keys) await to.restore(key, expireAt > 0 ? expireAt : 0, dump, ...((expireAt > 0 ? ['ABSTTL'] : []) as []));
}

async function restore(): Promise<void> {
  await src.flushall();
  await restoreAll(src, snapshot.single);
  for (const m of await masters()) await m.flushall();
  await restoreAll(dst, snapshot.cluster);
}

beforeAll(async () => {
  [single, cluster] = await Promise.all([startRedis(), startCluster()]);
  const batch = events();
  const now = Date.now();
  const opts = { bucketRetentionHours: 168, eventLogRetentionHours: 24 };
  src = single.client();
  useKeyLayout('single');
  expect((await new BucketWriter(src, opts).write(batch, now)).written).toBe(batch.length);
  // the Cluster's client adopts the cluster layout: the writer and this file build keys in it from here on
  dst = redisClient(cluster.target, { maxRetriesPerRequest: 2 });
  expect(keyLayout()).toBe('cluster');
  expect((await new BucketWriter(dst, opts).write(batch, now)).written).toBe(batch.length);
  await replicated();
  snapshot.single = await dumpAll([src]);
  snapshot.cluster = await dumpAll(await masters());
}, 120_000);

afterAll(async () => {
  dst?.disconnect();
  await single?.stop();
  await cluster?.stop();
});

beforeEach(async () => {
  await restore();
});

const check = (r: JsonReport, id: number) => r.checks.find((c) => c.id === id)!;

/** The validator on both, with the same arguments: the Cluster's report, and the single Redis's. */
async function both(args: string[] = WINDOW): Promise<{ c: Awaited<ReturnType<typeof forensicJson>>; s: Awaited<ReturnType<typeof forensicJson>> }> {
  const [c, s] = await Promise.all([forensicJson(cluster.target, args, KEPT), forensicJson(single.url, args, KEPT)]);
  return { c, s };
}

describe('forensic on a Redis Cluster', () => {
  it('the slot of every key is the one the Cluster gives', async () => {
    const node = cluster.nodes[0].client();
    const keys = inLayout('cluster', () => [aggKey('BTCUSDT', '60s', NOW_MIN), aggKey(ALL, '1d', NOW_MIN), eventsKey(NOW_MIN), seenKey(NOW_MIN)]);
    for (const k of [...keys, 'foo', '{user1000}.following', 'liq:ids:{ids-3}', 'ключ', 'a{}b{c}']) {
      expect(keySlot(k), k).toBe(Number(await node.call('CLUSTER', 'KEYSLOT', k)));
    }
  });

  it('passes every check, with the report the same data gives on one Redis', async () => {
    const { c, s } = await both();
    expect(c.run.stderr).toBe('');
    expect(c.run.code).toBe(0);
    expect(s.run.code).toBe(0);
    expect(c.report.logEntries).toBe(MINUTES.length * PER_MINUTE);
    for (const x of c.report.checks) expect(x.passed, x.name).toBeGreaterThan(0);
    expect(comparable(c.report)).toEqual(comparable(s.report));
    // and with --symbol, and a window of today's minutes only (one day's stream, or two after midnight)
    const one = await both(['--symbol', 'BTCUSD', '--window', '1h']);
    expect(one.c.run.code).toBe(0);
    expect(comparable(one.c.report)).toEqual(comparable(one.s.report));
  });

  it('a bucket field changed by one: the same findings as on one Redis', async () => {
    const m = MINUTES[3];
    await src.hincrby(`liq:agg:BTCUSDT:60s:${m}`, 'long_count', 1);
    await dst.hincrby(inLayout('cluster', () => aggKey('BTCUSDT', '60s', m)), 'long_count', 1);
    const { c, s } = await both();
    expect(c.run.code).toBe(1);
    expect(check(c.report, 1).examples.map((e) => e.key)).toContain(inLayout('cluster', () => aggKey('BTCUSDT', '60s', m)));
    expect(comparable(c.report)).toEqual(comparable(s.report));
  });

  it('a log entry deleted, and a bucket of the day before gone: the same findings', async () => {
    // the third entry of MINUTES[3] (never the first of the log nor of its day's stream): removed from inside the log
    const remove = async (r: Redis, log: string) => {
      const [[id]] = (await r.xrange(log, '-', '+')).filter(([, f]) => Number(f[f.indexOf('ts') + 1]) === MINUTES[3] + 303);
      expect(await r.xdel(log, id)).toBe(1);
    };
    await remove(src, 'liq:events');
    await remove(dst, inLayout('cluster', () => eventsKey(MINUTES[3])));
    const m = MINUTES[0];
    await src.del(`liq:agg:SOLUSDT:60s:${m}`);
    await dst.del(inLayout('cluster', () => aggKey('SOLUSDT', '60s', m)));
    const { c, s } = await both();
    expect(c.run.code).toBe(1);
    expect(check(c.report, 5).examples.map((e) => e.key)).toEqual(
      expect.arrayContaining([inLayout('cluster', () => aggKey('BTCUSDT', '60s', MINUTES[3])), inLayout('cluster', () => aggKey('SOLUSDT', '60s', m))]),
    );
    expect(findings(c.report)).toEqual(findings(s.report));
    // (the ids of the log's first entry, named by the removal's finding, differ: one log, or one day's stream)
    expect(c.report.checks.map((x) => x.passed)).toEqual(s.report.checks.map((x) => x.passed));
  });

  it('a day whose log has expired: its buckets outlive it, and are not compared with it', async () => {
    const old = TODAY - 3 * 86_400_000 + 10 * 60_000;
    const batch = [linear('binance', 'BTCUSDT', 'long', old + 100, '50000', '0.5'), linear('okx', 'BTCUSDT', 'short', old + 200, '50010', '1')];
    const opts = { bucketRetentionHours: 168, eventLogRetentionHours: 24 };
    useKeyLayout('single');
    try {
      expect((await new BucketWriter(src, opts).write(batch, Date.now())).written).toBe(2);
    } finally {
      useKeyLayout('cluster');
    }
    expect((await new BucketWriter(dst, opts).write(batch, Date.now())).written).toBe(2);
    // the day's stream expired as it was written (a day after its day's end), its bucket is kept for a week
    const bucket = aggKey('BTCUSDT', '60s', minuteOf(old));
    expect(await dst.exists(eventsKey(old))).toBe(0);
    expect(await dst.hget(bucket, 'count')).toBe('2');
    const { run, report } = await forensicJson(cluster.target, WINDOW);
    expect(run.code).toBe(0);
    expect(report.logEntries).toBe(MINUTES.length * PER_MINUTE);
    // told the log is kept a week, the missing stream is a day without entries: the bucket does not match it
    const kept = await forensicJson(cluster.target, WINDOW, KEPT);
    expect(kept.run.code).toBe(1);
    expect(check(kept.report, 5).examples.map((e) => e.key)).toEqual([bucket, aggKey(ALL, '60s', minuteOf(old))]);
  });

  it('a day without a log stream is a day without entries; no log at all is a note, as on one Redis', async () => {
    // the day before's stream gone (not expired: it would be kept until a day after its day's end)
    const gone = dayOf(MINUTES[0]);
    await dst.del(inLayout('cluster', () => eventsKey(gone)));
    const { run, report } = await forensicJson(cluster.target, WINDOW);
    // the other days' entries are read; the buckets of the day without a log no longer match it
    expect(report.logEntries).toBe(MINUTES.filter((m) => dayOf(m) !== gone).length * PER_MINUTE);
    expect(run.code).toBe(1);
    const lost = [...new Set(MINUTES.filter((m) => dayOf(m) === gone))];
    // every bucket of those minutes (four symbols and ALL) differs from the empty log, and no other
    expect(check(report, 5).failed).toBe(lost.length * 5);
    for (const e of check(report, 5).examples) expect(lost).toContain(parseAggKey(e.key)!.start);
    for (const m of await masters()) for (const k of await m.keys('liq:events:*')) await m.del(k);
    const none = await forensicJson(cluster.target, WINDOW);
    expect(none.run.code).toBe(0);
    expect(none.report.logEntries).toBe(0);
    expect(none.report.notes.join(' ')).toMatch(/no day's log of the window \(liq:events:\{YYYY-MM-DD\}\) exists/);
  });
});

/** The node (of the setup) serving `slot` as master, by CLUSTER SLOTS of a running node. */
async function masterOf(slot: number): Promise<RedisNode> {
  const any = cluster.nodes.find((n) => n.running)!;
  const ranges = (await query(any, ['CLUSTER', 'SLOTS'])) as Array<[number, number, [string, number]]>;
  const [, , [, port]] = ranges.find(([a, b]) => a <= slot && slot <= b)!;
  return cluster.nodes.find((n) => n.port === Number(port))!;
}

/** Waits until every replica has every write its master has (a failover then loses nothing). */
async function replicated(): Promise<void> {
  await until(
    async () => {
      for (const n of cluster.nodes.filter((x) => x.running)) {
        const info = (await query(n, ['INFO', 'replication'])) as string;
        if (!/role:master/.test(info)) continue;
        const offset = Number(/master_repl_offset:(\d+)/.exec(info)![1]);
        const replicas = [...info.matchAll(/slave\d+:.*offset=(\d+)/g)].map((m) => Number(m[1]));
        if (replicas.length === 0 || replicas.some((o) => o < offset)) return false;
      }
      return true;
    },
    10_000,
    'the replicas to catch up',
  );
}

describe('forensic on a Cluster whose slots move', () => {
  const day = () => inLayout('cluster', () => ({ key: aggKey('BTCUSDT', '60s', MINUTES[3]), seen: seenKey(MINUTES[3]), log: eventsKey(MINUTES[3]) }));
  const reads = () => {
    const k = day();
    return [['HGETALL', k.key], ['EXPIRETIME', k.key], ['HGETALL', k.seen], ['XINFO', 'STREAM', k.log], ['HGETALL', inLayout('cluster', () => aggKey(ALL, '1d', MINUTES[0]))]];
  };
  const joined = async (c: ClusterClient) => {
    const enc = new Encoder();
    for (const cmd of reads()) enc.command(cmd);
    const r = await c.sendJoined(enc);
    return r.bytes.toString('latin1');
  };

  it('a slot being migrated (ASK), then moved (MOVED): the client follows, the report stays the same', async () => {
    const slot = keySlot(day().key);
    const from = await masterOf(slot);
    const to = cluster.nodes.find((n) => n !== from && n.running)!;
    const toMaster = (await query(to, ['ROLE'])) as [string];
    const target = toMaster[0] === 'master' ? to : await masterOf((slot + 8192) % 16384);
    expect(target).not.toBe(from);
    const client = await ClusterClient.connect(cluster.target.mode === 'cluster' ? cluster.target.nodes : []);
    try {
      const before = await client.pipeline(reads());
      const beforeJoined = await joined(client);
      expect((before[0] as unknown[]).length).toBeGreaterThan(0);
      const [fromId, targetId] = [await query(from, ['CLUSTER', 'MYID']), await query(target, ['CLUSTER', 'MYID'])] as string[];
      await query(target, ['CLUSTER', 'SETSLOT', String(slot), 'IMPORTING', fromId]);
      await query(from, ['CLUSTER', 'SETSLOT', String(slot), 'MIGRATING', targetId]);
      // one key of the slot moved: asked for it, its old master answers ASK; the slot's other keys are still there
      await query(from, ['MIGRATE', '127.0.0.1', String(target.port), '', '0', '5000', 'KEYS', day().key]);
      expect(await client.pipeline(reads())).toEqual(before);
      expect(await joined(client)).toBe(beforeJoined);
      // the rest of the slot moved and the slot assigned: its old master answers MOVED
      const rest = (await query(from, ['CLUSTER', 'GETKEYSINSLOT', String(slot), '100000'])) as string[];
      if (rest.length > 0) await query(from, ['MIGRATE', '127.0.0.1', String(target.port), '', '0', '5000', 'KEYS', ...rest]);
      for (const n of [target, from]) await query(n, ['CLUSTER', 'SETSLOT', String(slot), 'NODE', targetId]);
      expect(await client.pipeline(reads())).toEqual(before);
      expect(await joined(client)).toBe(beforeJoined);
    } finally {
      client.close();
    }
    await cluster.waitHealthy();
    const { c, s } = await both();
    expect(c.run.code).toBe(0);
    expect(comparable(c.report)).toEqual(comparable(s.report));
  });

  it('a replica taking over (CLUSTER FAILOVER): the client follows its MOVED replies', async () => {
    const slot = keySlot(day().key);
    const master = await masterOf(slot);
    await replicated();
    const client = await ClusterClient.connect(cluster.target.mode === 'cluster' ? cluster.target.nodes : []);
    try {
      const before = await client.pipeline(reads());
      const mine = [];
      for (const n of cluster.nodes.filter((x) => x.running && x !== master)) {
        const role = (await query(n, ['ROLE'])) as [string, string, number];
        if (role[0] === 'slave' && Number(role[2]) === master.port) mine.push(n);
      }
      expect(mine).toHaveLength(1);
      await query(mine[0], ['CLUSTER', 'FAILOVER']);
      await until(async () => (await masterOf(slot)) === mine[0], 10_000, 'the replica to take over');
      expect(await client.pipeline(reads())).toEqual(before);
    } finally {
      client.close();
    }
  });

  it('a master killed while the validator runs: its replica takes over and the report is the one of one Redis', async () => {
    await replicated();
    const master = await masterOf(keySlot(day().key));
    const [c, s] = await Promise.all([
      forensicJson(cluster.target, WINDOW, KEPT),
      forensicJson(single.url, WINDOW, KEPT),
      // while the validator connects and reads (its run takes about a second)
      new Promise((r) => setTimeout(r, 300)).then(() => master.kill()),
    ]);
    expect(c.run.stderr).toBe('');
    expect(c.run.code).toBe(0);
    expect(comparable(c.report)).toEqual(comparable(s.report));
  });
});
