// The forensic validator on a Redis Cluster (3 masters, 1 replica each) against the same data on one Redis: the
// same report when the data holds, the same findings when it does not, and a failover followed.
//
// Seeding: the events are written through the real BucketWriter on one Redis (the single layout); each key is then
// written into the Cluster under its name in the cluster layout (keys.ts), one single-slot command each (RESTORE,
// and XADD of each log entry, with its id, into its UTC day's stream). The writer cannot write to a Cluster yet
// (issue 15); once it can, the Cluster gets the events through it instead.
import { Cluster, type Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { LiquidationEvent } from '../../src/core/event.js';
import {
  type KeyLayout,
  ALL,
  aggKey,
  downKey,
  eventsKey,
  keyLayout,
  minuteOf,
  parseAggKey,
  rollupBigKey,
  rollupTopKey,
  seenKey,
  useKeyLayout,
} from '../../src/core/keys.js';
import { BucketWriter } from '../../src/engine/writer.js';
import { ClusterClient } from '../../src/forensic/cluster.js';
import { Encoder } from '../../src/forensic/resp-codec.js';
import { type RedisNode, query, until } from '../../scripts/lib/redis-node.js';
import { keySlot } from '../../src/forensic/slot.js';
import { type ClusterSetup, startCluster } from '../support/cluster.js';
import { inverse, linear } from '../support/events.js';
import { type PrivateRedis, startRedis } from '../support/redis.js';
import { type JsonReport, forensicJson } from './cli.js';

const NOW_MIN = Math.floor(Date.now() / 60_000) * 60_000;
// minutes of today's hours and one of the UTC day before (26 h back is always another day): two day streams at least
const MINUTES = [NOW_MIN - 26 * 3_600_000, NOW_MIN - 75 * 60_000, NOW_MIN - 30 * 60_000, NOW_MIN - 10 * 60_000, NOW_MIN - 3 * 60_000];
const WINDOW = ['--window', '7d'];

let single: PrivateRedis;
let src: Redis;
let cluster: ClusterSetup;
let dst: Cluster;
let snapshot: Array<{ key: string; dump: Buffer; expireAt: number }> = [];

function events(): LiquidationEvent[] {
  const out: LiquidationEvent[] = [];
  for (const m of MINUTES) {
    out.push(linear('binance', 'BTCUSDT', 'long', m + 100, '50000.10', '0.014'));
    out.push(linear('bybit', 'BTCUSDT', 'short', m + 200, '50010.5', '0.5'));
    out.push(linear('okx', 'BTCUSDT', 'long', m + 300, '50000', '2'));
    out.push(linear('binance', 'ETHUSDT', 'short', m + 400, '3000.25', '0.5'));
    out.push(linear('bybit', 'ETHUSDT', 'long', m + 500, '2999.5', '1.25'));
    out.push(linear('okx', 'SOLUSDT', 'long', m + 600, '150.1', '7'));
    out.push(linear('bybit', 'SOLUSDT', 'short', m + 700, '150.2', '10'));
    out.push(inverse('bybit', 'BTCUSD', 'long', m + 800, '50000', '1000'));
    out.push(inverse('okx', 'BTCUSD', 'short', m + 900, '50001', '300'));
  }
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

/** A key of the single layout under its cluster-layout name; undefined for keys the validator does not read. */
function clusterName(key: string): string | undefined {
  const agg = parseAggKey(key);
  if (agg) return inLayout('cluster', () => aggKey(agg.symbol, agg.res, agg.start));
  const m = /^liq:(top|big|seen|down):(60s|1h|1d):(\d+)$/.exec(key);
  if (m === null) return undefined;
  const [res, start] = [m[2] as '60s' | '1h' | '1d', Number(m[3])];
  return inLayout('cluster', () =>
    m[1] === 'top' ? rollupTopKey(res, start) : m[1] === 'big' ? rollupBigKey(res, start) : m[1] === 'seen' ? seenKey(start) : downKey(start),
  );
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
async function masters(): Promise<Redis[]> {
  const out: Redis[] = [];
  for (const n of cluster.nodes.filter((x) => x.running)) {
    const c = n.client();
    const role = (await c.call('ROLE')) as [string];
    if (role[0] === 'master') out.push(c);
  }
  return out;
}

/** Writes the single Redis's data into the Cluster, in the cluster layout, one single-slot command per key or entry. */
async function copyToCluster(): Promise<void> {
  for (const m of await masters()) await m.flushall();
  for (const key of await src.keys('liq:*')) {
    const name = clusterName(key);
    if (name === undefined) continue;
    const [dump, at] = [(await src.dumpBuffer(key))!, Number(await src.call('PEXPIRETIME', key))];
    await dst.restore(name, at > 0 ? at : 0, dump, ...((at > 0 ? ['ABSTTL'] : []) as []));
  }
  for (const [id, fields] of await src.xrange('liq:events', '-', '+')) {
    const ts = Number(fields[fields.indexOf('ts') + 1]);
    await dst.xadd(inLayout('cluster', () => eventsKey(ts)), id, ...fields);
  }
}

async function restore(): Promise<void> {
  await src.flushall();
  for (const { key, dump, expireAt } of snapshot) await src.restore(key, expireAt > 0 ? expireAt : 0, dump, ...((expireAt > 0 ? ['ABSTTL'] : []) as []));
  await copyToCluster();
}

beforeAll(async () => {
  [single, cluster] = await Promise.all([startRedis(), startCluster()]);
  src = single.client();
  dst = new Cluster(cluster.target.mode === 'cluster' ? cluster.target.nodes.map((n) => ({ host: n.host, port: n.port })) : [], { scaleReads: 'master' });
  const writer = new BucketWriter(src, { bucketRetentionHours: 168, eventLogRetentionHours: 24 });
  const batch = events();
  const r = await writer.write(batch, Date.now());
  expect(r.written).toBe(batch.length);
  for (const key of await src.keys('liq:*')) {
    snapshot.push({ key, dump: (await src.dumpBuffer(key))!, expireAt: Number(await src.call('PEXPIRETIME', key)) });
  }
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
  const [c, s] = await Promise.all([forensicJson(cluster.target, args), forensicJson(single.url, args)]);
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
    const [[id]] = await src.xrange('liq:events', '-', '+').then((all) => all.filter(([, f]) => Number(f[f.indexOf('ts') + 1]) === MINUTES[3] + 300));
    await src.xdel('liq:events', id);
    await dst.xdel(inLayout('cluster', () => eventsKey(MINUTES[3])), id);
    const m = MINUTES[0];
    await src.del(`liq:agg:SOLUSDT:60s:${m}`);
    await dst.del(inLayout('cluster', () => aggKey('SOLUSDT', '60s', m)));
    const { c, s } = await both();
    expect(c.run.code).toBe(1);
    expect(check(c.report, 5).examples.map((e) => e.key)).toEqual(
      expect.arrayContaining([inLayout('cluster', () => aggKey('BTCUSDT', '60s', MINUTES[3])), inLayout('cluster', () => aggKey('SOLUSDT', '60s', m))]),
    );
    expect(findings(c.report)).toEqual(findings(s.report));
    // One Redis has one log: an entry removed from inside it leaves only the last EVENT_LOG_RETENTION_HOURS of every
    // minute comparable. On a Cluster the removal is in one day's stream: the other days' minutes are still compared.
    expect(check(c.report, 5).passed).toBeGreaterThan(check(s.report, 5).passed);
  });

  it('a day without a log stream is a day without entries; no log at all is a note, as on one Redis', async () => {
    const day = (t: number) => Math.floor(t / 86_400_000);
    const gone = day(MINUTES[4]);
    await dst.del(inLayout('cluster', () => eventsKey(MINUTES[4])));
    const { run, report } = await forensicJson(cluster.target, WINDOW);
    // the other days' entries are read; the buckets of the day without a log no longer match it
    expect(report.logEntries).toBe(MINUTES.filter((m) => day(m) !== gone).length * PER_MINUTE);
    expect(run.code).toBe(1);
    const lost = MINUTES.filter((m) => day(m) === gone);
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
      forensicJson(cluster.target, WINDOW),
      forensicJson(single.url, WINDOW),
      // while the validator connects and reads (its run takes about a second)
      new Promise((r) => setTimeout(r, 300)).then(() => master.kill()),
    ]);
    expect(c.run.stderr).toBe('');
    expect(c.run.code).toBe(0);
    expect(comparable(c.report)).toEqual(comparable(s.report));
  });
});
