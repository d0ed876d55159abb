// Benchmark of the dashboards' reads: a private redis-server holding 24 h of ALL buckets, top and big indexes for
// 200 symbols, with their hourly and daily rollups as the engine writes them, plus 1,000,000 unrelated keys; each
// dashboard's 24h refresh and cold read are timed (median of 20; targets: refresh < 10 ms, cold read < 50 ms), and
// the long windows (7d, 30d) read from the rollups.
// Usage: node dist/scripts/bench-dashboard.js [--runs N]
import { EXCHANGE_NAMES } from '../src/venues/registry.js';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { SnapshotCache, loadSnapshot } from '../src/aggregator/index.js';
import { DASHBOARDS, DASHBOARD_NAMES, type ViewState } from '../src/dashboards/index.js';
import { BIG_PER_MINUTE, BUCKET_MS, type Resolution, aggKey, bigMember, minuteOf, periodOf, rollupBigKey, rollupTopKey } from '../src/core/keys.js';
import { startPrivateRedis } from './lib/redis.js';

const USAGE = `usage: node dist/scripts/bench-dashboard.js [--runs N]
  Times each dashboard's 24h refresh (a running dashboard, its caches warm) and cold read (--once, start-up), and
  the 7d and 30d windows, on a private redis-server from PATH holding 24 h of 200 symbols' minutes and rollups plus
  1,000,000 other keys (about 15 s to fill). Targets: refresh < 10 ms, cold read < 50 ms.
  --runs N   reads per figure (median; default 20)`;

const MINUTES = 24 * 60;
const SYMBOLS = 200;
const OTHER_KEYS = 1_000_000;
let RUNS = 20;
const REFRESH_TARGET_MS = 10;
const COLD_TARGET_MS = 50;
/** Three of the registered venues' names (bucket fields per exchange). */
const EXCHANGES = EXCHANGE_NAMES.slice(0, 3);

// Deterministic pseudo-random numbers, so every run fills the same data.
let seed = 42;
function rand(n: number): number {
  seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
  return seed % n;
}

/** The rollups of the filled minutes, summed as the engine does (per hour and day: ALL fields, top, largest). */
interface Rollup {
  all: Record<string, number>;
  top: Map<string, number>;
  big: Array<[number, string]>;
}

async function fill(redis: Redis, now: number): Promise<void> {
  const last = minuteOf(now);
  const symbols = Array.from({ length: SYMBOLS }, (_, i) => `SYM${i}USDT`);
  const rollups = new Map<string, Rollup>();
  const rollup = (res: Resolution, start: number) => {
    const k = `${res} ${start}`;
    let r = rollups.get(k);
    if (r === undefined) rollups.set(k, (r = { all: {}, top: new Map(), big: [] }));
    return r;
  };
  for (let m = 0; m < MINUTES; m++) {
    const start = last - m * BUCKET_MS;
    const p = redis.pipeline();
    const all: Record<string, number> = {};
    const add = (f: string, v: number) => (all[f] = (all[f] ?? 0) + v);
    for (const ex of EXCHANGES) {
      for (const side of ['long', 'short']) {
        const n = 1 + rand(20);
        const cents = n * (1000 + rand(5_000_000));
        for (const f of ['count', `${side}_count`, `${ex}_count`, `${ex}_${side}_count`]) add(f, n);
        for (const f of ['value_cents', `${side}_value_cents`, `${ex}_value_cents`, `${ex}_${side}_value_cents`]) add(f, cents);
      }
    }
    p.hset(aggKey('ALL', '60s', start), all);
    const top: (string | number)[] = [];
    const ups = (['1h', '1d'] as const).map((res) => rollup(res, periodOf(start, res)));
    for (const s of symbols) {
      const v = 1 + rand(10_000_000);
      top.push(v, s);
      for (const r of ups) r.top.set(s, (r.top.get(s) ?? 0) + v);
    }
    for (const r of ups) for (const [f, v] of Object.entries(all)) r.all[f] = (r.all[f] ?? 0) + v;
    p.zadd(rollupTopKey('60s', start), ...top);
    const big: (string | number)[] = [];
    for (let i = 0; i < BIG_PER_MINUTE; i++) {
      const sym = symbols[rand(SYMBOLS)];
      const v = 1 + rand(100_000_000);
      const member = bigMember({ exchange: EXCHANGES[rand(3)], symbol: sym, side: rand(2) ? 'long' : 'short', price: '100.5', quantity: '3', ts: start + rand(60_000), id: `b${m}-${i}` });
      big.push(v, member);
      for (const r of ups) r.big.push([v, member]);
    }
    p.zadd(rollupBigKey('60s', start), ...big);
    await p.exec();
  }
  for (const [k, r] of rollups) {
    const [res, start] = [k.split(' ')[0] as Resolution, Number(k.split(' ')[1])];
    const p = redis.pipeline();
    p.hset(aggKey('ALL', res, start), r.all);
    p.zadd(rollupTopKey(res, start), ...[...r.top].flatMap(([s, v]) => [v, s]));
    p.zadd(rollupBigKey(res, start), ...r.big.sort((a, b) => b[0] - a[0]).slice(0, BIG_PER_MINUTE).flat());
    await p.exec();
  }
  // 1,000,000 keys the dashboards must never touch.
  try {
    await redis.call('DEBUG', 'POPULATE', String(OTHER_KEYS), 'other', '16');
  } catch {
    for (let i = 0; i < OTHER_KEYS; i += 10_000) {
      const p = redis.pipeline();
      for (let j = i; j < Math.min(OTHER_KEYS, i + 10_000); j++) p.set(`other:${j}`, 'x');
      await p.exec();
    }
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

async function main(): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({ options: { runs: { type: 'string' }, help: { type: 'boolean', short: 'h' } } }));
  } catch (err) {
    // a wrong command line is a usage error (2), as in every other script, not a failed benchmark (1)
    console.error(`bench-dashboard: ${(err as Error).message} (see --help)`);
    process.exit(2);
  }
  if (values.help) {
    console.log(USAGE);
    return;
  }
  if (values.runs !== undefined) {
    RUNS = Number(values.runs);
    if (!Number.isInteger(RUNS) || RUNS < 1) {
      console.error(`bench-dashboard: --runs takes a positive integer\n${USAGE}`);
      process.exit(2);
    }
  }
  const server = await startPrivateRedis(['--enable-debug-command', 'yes']);
  const redis = new Redis(server.url, { maxRetriesPerRequest: 1 });
  try {
    const now = Date.now();
    const t0 = performance.now();
    await fill(redis, now);
    const dbsize = await redis.dbsize();
    console.log(`filled ${dbsize.toLocaleString('en-US')} keys in ${((performance.now() - t0) / 1000).toFixed(1)} s ` + `(${MINUTES} minutes × ALL bucket + top (${SYMBOLS} symbols) + big, plus ${OTHER_KEYS.toLocaleString('en-US')} other keys)`);
    // One more liquidation in the current minute, as the daemon would write it between two refreshes.
    let n = 0;
    // the minute, its hour and its day, in one transaction (the engine's script is atomic too)
    const tick = async () => {
      const p = redis.multi();
      const ex = EXCHANGES[1];
      n++;
      for (const res of ['60s', '1h', '1d'] as const) {
        const start = periodOf(now, res);
        for (const f of ['count', 'long_count', `${ex}_count`, `${ex}_long_count`]) p.hincrby(aggKey('ALL', res, start), f, 1);
        for (const f of ['value_cents', 'long_value_cents', `${ex}_value_cents`, `${ex}_long_value_cents`]) p.hincrby(aggKey('ALL', res, start), f, 12_345);
        p.zincrby(rollupTopKey(res, start), 12_345, 'SYM7USDT');
        p.zadd(rollupBigKey(res, start), 12_345, bigMember({ exchange: EXCHANGES[1], symbol: 'SYM7USDT', side: 'long', price: '1', quantity: '123.45', ts: now, id: `tick${n}` }));
      }
      await p.exec();
    };
    const time = async (run: () => Promise<unknown>) => {
      const times: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        await tick();
        const s = performance.now();
        await run();
        times.push(performance.now() - s);
      }
      return times;
    };
    const fmt = (xs: number[]) => `median ${median(xs).toFixed(1).padStart(6)} ms (min ${Math.min(...xs).toFixed(1)}, max ${Math.max(...xs).toFixed(1)})`;
    console.log(`median of ${RUNS}; a new liquidation lands in the current minute before every read (targets: refresh < ${REFRESH_TARGET_MS} ms, cold < ${COLD_TARGET_MS} ms):`);
    console.log(`  refresh = what a running dashboard reads every --refresh seconds (its first read is the cold one)`);
    console.log(`  cold    = a read without the dashboard's per-minute cache of liq:top/liq:big (--once, start-up, window change)`);
    let worst = 0;
    let worstCold = 0;
    const all = { window: '24h' as const, symbol: 'ALL', group: 'symbol' as const };
    // The filters read more per minute: a coin sums its symbols' buckets, an exchange filter reads the symbols'
    // {ex}_value_cents for the top list (HMGET per symbol and minute when cold).
    const cases: [string, ViewState][] = [
      ...DASHBOARD_NAMES.map((name): [string, ViewState] => [name, all]),
      ['compact --coin SYM7', { ...all, coin: 'SYM7' }],
      [`compact --exchange ${EXCHANGES[2]},${EXCHANGES[1]}`, { ...all, exchanges: [EXCHANGES[2], EXCHANGES[1]] }],
      ['pro --window 7d', { ...all, window: '7d' }],
      ['compact --window 30d', { ...all, window: '30d' }],
    ];
    for (const [label, state] of cases) {
      const name = label.split(' ')[0] as (typeof DASHBOARD_NAMES)[number];
      const req = { ...DASHBOARDS[name].request(state), now };
      const cache = new SnapshotCache();
      await loadSnapshot(redis, req, cache); // the dashboard's first read fills its cache
      const warm = await time(() => loadSnapshot(redis, req, cache));
      const cold = await time(() => loadSnapshot(redis, req));
      worst = Math.max(worst, median(warm));
      worstCold = Math.max(worstCold, median(cold));
      const flag = (x: number, target: number) => (x < target ? 'ok  ' : 'OVER');
      console.log(`  ${label.padEnd(28)} refresh ${fmt(warm)} ${flag(median(warm), REFRESH_TARGET_MS)}   cold ${fmt(cold)} ${flag(median(cold), COLD_TARGET_MS)}`);
    }
    console.log(worst < REFRESH_TARGET_MS ? `every refresh under ${REFRESH_TARGET_MS} ms` : `slowest refresh ${worst.toFixed(1)} ms is over the ${REFRESH_TARGET_MS} ms target`);
    console.log(worstCold < COLD_TARGET_MS ? `every cold read under ${COLD_TARGET_MS} ms` : `slowest cold read ${worstCold.toFixed(1)} ms is over the ${COLD_TARGET_MS} ms target`);
  } finally {
    redis.disconnect();
    await server.stop();
  }
}

main().catch((err) => {
  console.error(`bench-dashboard: ${(err as Error).message}`);
  process.exit(1);
});
