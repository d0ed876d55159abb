// Seeds a private Redis or a Cluster in the documented schema (src/core/keys.ts), in the key layout in use, with the
// engine's TTLs, for dashboard tests. Each helper builds every key before its first await (one pipe() each), so a
// test seeding both layouts may switch useKeyLayout() as soon as the call returns, before awaiting it.
import type { Redis } from 'ioredis';
import {
  BUCKET_MS,
  alertsKey,
  bigKey,
  bigMember,
  aggKey,
  bucketKey,
  downKey,
  eventsKey,
  expireAtFor,
  expireAtSeconds,
  minuteOf,
  instancesKey,
  periodOf,
  rollupBigKey,
  rollupTopKey,
  statusKey,
  topKey,
} from '../../src/core/keys.js';
import { pipe } from '../../src/core/pipe.js';
import type { StreamStatus } from '../../src/core/status.js';

export const RETENTION_HOURS = 168;
export const EVIL = 'EVIL\u001b[31mX\u009b2J\u0007';

export interface SeedEvent {
  exchange: string;
  symbol: string;
  side: 'long' | 'short';
  valueCents: number;
  price: string;
  quantity: string;
  ts: number;
}

// per client, so that the same events seeded into two Redis deployments get the same ids
const seqs = new WeakMap<Redis, number>();

async function run(p: ReturnType<typeof pipe>): Promise<void> {
  for (const [err] of (await p.exec()) ?? []) if (err) throw err;
}

/** Adds events to the minute buckets (ALL and symbol) and their hourly and daily rollups, the top and big indexes of
 *  each, and liq:events, exactly as the engine would. With log false, not liq:events: events older than
 *  EVENT_LOG_RETENTION_HOURS, which the daemon has trimmed from the log. */
export async function addEvents(redis: Redis, events: SeedEvent[], opts: { log?: boolean } = {}): Promise<void> {
  const p = pipe(redis);
  const minutes = new Set<number>();
  let seq = seqs.get(redis) ?? 0;
  for (const e of events) {
    const start = minuteOf(e.ts);
    minutes.add(start);
    const id = `id${++seq}`;
    for (const res of ['60s', '1h', '1d'] as const) {
      const period = periodOf(e.ts, res);
      for (const key of [aggKey('ALL', res, period), aggKey(e.symbol, res, period)]) {
        for (const f of ['count', `${e.side}_count`, `${e.exchange}_count`, `${e.exchange}_${e.side}_count`]) p.hincrby(key, f, 1);
        for (const f of ['value_cents', `${e.side}_value_cents`, `${e.exchange}_value_cents`, `${e.exchange}_${e.side}_value_cents`]) p.hincrby(key, f, e.valueCents);
      }
      p.zincrby(rollupTopKey(res, period), e.valueCents, e.symbol);
      p.zadd(rollupBigKey(res, period), e.valueCents, bigMember({ ...e, id }));
      if (res !== '60s') {
        for (const key of [aggKey('ALL', res, period), aggKey(e.symbol, res, period), rollupTopKey(res, period), rollupBigKey(res, period)]) {
          p.expireat(key, expireAtFor(res, period, { bucketRetentionHours: RETENTION_HOURS }));
        }
      }
    }
    if (opts.log !== false) p.xadd(eventsKey(e.ts), '*', 'id', id, 'ts', String(e.ts), 'exchange', e.exchange, 'symbol', e.symbol, 'side', e.side, 'price', e.price, 'quantity', e.quantity, 'value_cents', String(e.valueCents));
  }
  for (const start of minutes) {
    const at = expireAtSeconds(start, RETENTION_HOURS);
    for (const key of [bucketKey('ALL', start), topKey(start), bigKey(start)]) p.expireat(key, at);
    for (const e of events) if (minuteOf(e.ts) === start) p.expireat(bucketKey(e.symbol, start), at);
  }
  seqs.set(redis, seq);
  await run(p);
}

/** Records alerts as the write script does, each with the stream id `{at}-0` (oldest first: ids must grow). */
export async function addAlerts(redis: Redis, alerts: Array<{ at: number; fields: Record<string, string> }>): Promise<void> {
  const p = pipe(redis);
  for (const a of alerts) p.xadd(alertsKey(a.at), `${a.at}-0`, ...Object.entries({ ...a.fields, at: String(a.at) }).flat());
  await run(p);
}

export async function markDown(redis: Redis, start: number, venue: string, state = 'backoff'): Promise<void> {
  await run(pipe(redis).hset(downKey(start), venue, state).expireat(downKey(start), expireAtSeconds(start, RETENTION_HOURS)));
}

export async function setStatus(redis: Redis, instance: string, streams: Partial<StreamStatus>[], now = Date.now()): Promise<void> {
  const hash: Record<string, string> = {};
  for (const s of streams) {
    const full: StreamStatus = {
      venue: 'venue',
      exchange: 'exchange',
      connection: 'conn',
      state: 'open',
      topics: 1,
      lastMessageAt: now - 2000,
      reconnects: 0,
      since: now - 3_600_000,
      updatedAt: now,
      ...s,
    };
    hash[full.connection] = JSON.stringify(full);
  }
  await run(pipe(redis).sadd(instancesKey(), instance).hset(statusKey(instance), hash).expire(statusKey(instance), 3600));
}

/**
 * The standard data set: 7 exchanges, several BTC instruments (BTCUSDT, BTCUSD, BTCUSDC, a dated future), a 1000x
 * contract, a symbol in Chinese characters and one full of escape sequences. Minute offsets are relative to the
 * current minute; the figures the tests expect are worked out by hand in test/dashboards/expected.ts.
 */
export async function seedStandard(redis: Redis, now = Date.now()): Promise<number> {
  const m = minuteOf(now);
  const at = (minutesAgo: number, sec = 10) => m - minutesAgo * BUCKET_MS + sec * 1000;
  const events = addEvents(redis, [
    { exchange: 'bybit', symbol: 'BTCUSDT', side: 'long', valueCents: 60_000_000, price: '97000.5', quantity: '6.18552', ts: at(5) },
    { exchange: 'bybit', symbol: 'BTCUSDT', side: 'long', valueCents: 40_000_000, price: '97001', quantity: '4.12367', ts: at(5, 20) },
    { exchange: 'bybit', symbol: 'ETHUSDT', side: 'long', valueCents: 23_456_750, price: '3500.1', quantity: '67.01', ts: at(3) },
    { exchange: 'bybit', symbol: 'SOLUSDT', side: 'short', valueCents: 23_456_700, price: '150.25', quantity: '1561.19', ts: at(4) },
    { exchange: 'binance', symbol: 'BTCUSDT', side: 'long', valueCents: 20_000_000, price: '97010', quantity: '2.0616', ts: at(5, 30) },
    { exchange: 'binance', symbol: 'ETHUSDT', side: 'long', valueCents: 20_000_000, price: '3501', quantity: '57.12', ts: at(4, 30) },
    { exchange: 'binance', symbol: EVIL, side: 'long', valueCents: 10_000_000, price: '1.5\u001b]0;pwned\u0007', quantity: '66666.67', ts: at(3, 30) },
    { exchange: 'binance', symbol: '牛来USDT', side: 'short', valueCents: 500_000, price: '0.05', quantity: '100000', ts: at(10) },
    { exchange: 'okx', symbol: 'ETHUSDT', side: 'short', valueCents: 1_234_567, price: '3499.9', quantity: '3.5274', ts: at(2) },
    { exchange: 'okx', symbol: '1000PEPEUSDT', side: 'long', valueCents: 3_000_000, price: '0.0123', quantity: '2439024.39', ts: at(9) },
    { exchange: 'okx', symbol: 'BTCUSDT', side: 'short', valueCents: 2_500_000, price: '96000', quantity: '0.26041667', ts: at(1, 30) },
    { exchange: 'kraken', symbol: 'XBTUSD', side: 'long', valueCents: 99_949, price: '97000', quantity: '0.0103', ts: at(2, 40) },
    { exchange: 'bitmex', symbol: 'BTCUSD', side: 'short', valueCents: 15_000_000, price: '96500', quantity: '1.55440415', ts: at(6) },
    { exchange: 'gate', symbol: 'BTCUSDT_261225', side: 'long', valueCents: 8_000_000, price: '98000', quantity: '0.81632653', ts: at(7) },
    { exchange: 'hyperliquid', symbol: 'BTCUSDC', side: 'short', valueCents: 4_500_000, price: '96900', quantity: '0.46439628', ts: at(8) },
    { exchange: 'hyperliquid', symbol: 'ETHUSDT', side: 'long', valueCents: 7_000_000, price: '3490', quantity: '20.05730659', ts: at(1) },
    // two hours ago: outside 1h, inside 4h
    { exchange: 'okx', symbol: 'BTCUSDT', side: 'long', valueCents: 700_000_000, price: '96000', quantity: '72.9166', ts: at(120) },
  ]);
  // started together: every key is built before the first await (see the top of this file)
  await Promise.all([events, markDown(redis, m - 4 * BUCKET_MS, 'bybit-linear'), setStatus(redis, 'test-1', standardStatus(now), now)]);
  return m;
}

/** The streams of the standard data set: six, one of them (bybit-linear-0) in backoff. */
export function standardStatus(now: number): Partial<StreamStatus>[] {
  return [
    { venue: 'binance-usdm', exchange: 'binance', connection: 'binance-usdm', state: 'open', topics: 1 },
    { venue: 'bybit-linear', exchange: 'bybit', connection: 'bybit-linear-0', state: 'backoff', topics: 500, reconnects: 7, lastMessageAt: now - 95_000, since: now - 60_000 },
    { venue: 'okx-swap', exchange: 'okx', connection: 'okx\u001b[2J-swap', state: 'open', topics: 3 },
    { venue: 'bitmex', exchange: 'bitmex', connection: 'bitmex-0', state: 'open', topics: 1 },
    { venue: 'gate-usdt', exchange: 'gate', connection: 'gate-usdt', state: 'open', topics: 1 },
    { venue: 'hyperliquid', exchange: 'hyperliquid', connection: 'hyperliquid-0', state: 'open', topics: 1 },
  ];
}

/** Rewrites the standard status every 5 s, as a running daemon would (a status older than 30 s reads as stale). */
export function keepStatusFresh(redis: Redis): () => void {
  const timer = setInterval(() => {
    const now = Date.now();
    setStatus(redis, 'test-1', standardStatus(now), now).catch(() => {});
  }, 5000);
  return () => clearInterval(timer);
}
