import { describe, expect, it } from 'vitest';
import { parseDecimal } from '../../src/core/decimal.js';
import { makeLinearEvent, type LiquidationEvent } from '../../src/core/event.js';
import { minuteOf } from '../../src/core/keys.js';
import { BucketWriter } from '../../src/engine/writer.js';
import { linear, inverse } from '../support/events.js';
import { redisForFile } from '../support/redis-file.js';

// Redis applies EXPIREAT with its own clock: the events must be recent by that clock, so take the time at run time.
const NOW = Date.now();
const MIN = minuteOf(NOW);

const redis = redisForFile({ flushEachTest: true });

const opts = { bucketRetentionHours: 168, eventLogRetentionHours: 24 };

describe('BucketWriter against a private Redis', () => {
  const events = () => [
    linear('binance', 'BTCUSDT', 'long', MIN + 1_000, '50000.10', '0.014'), // 700.0014 → 70000 cents
    linear('bybit', 'BTCUSDT', 'short', MIN + 2_000, '50010', '0.5'), // 25005.00
    inverse('okx', 'BTCUSD', 'long', MIN + 3_000, '50000', '100'), // $100, qty 0.002
    linear('okx', 'ETHUSDT', 'short', MIN + 61_000, '3000.5', '2'), // next minute, 6001.00
  ];

  it('lands a batch in the symbol and ALL buckets with every contract field', async () => {
    const w = new BucketWriter(redis.db, opts);
    const r = await w.write(events(), NOW);
    expect(r).toMatchObject({ written: 4, duplicates: 0, expired: 0 });
    const btc = await redis.db.hgetall(`liq:agg:BTCUSDT:60s:${MIN}`);
    expect(btc).toEqual({
      count: '2', long_count: '1', short_count: '1',
      binance_count: '1', binance_long_count: '1', bybit_count: '1', bybit_short_count: '1',
      value_cents: String(70000 + 2500500), long_value_cents: '70000', short_value_cents: '2500500',
      binance_value_cents: '70000', binance_long_value_cents: '70000', bybit_value_cents: '2500500', bybit_short_value_cents: '2500500',
      qty_e8: String(1_400_000 + 50_000_000), long_qty_e8: '1400000', short_qty_e8: '50000000',
    });
    const all = await redis.db.hgetall(`liq:agg:ALL:60s:${MIN}`);
    expect(all.count).toBe('3');
    expect(all.value_cents).toBe(String(70000 + 2500500 + 10000));
    expect(all.okx_long_value_cents).toBe('10000');
    expect(all.qty_e8).toBeUndefined();
    const usd = await redis.db.hgetall(`liq:agg:BTCUSD:60s:${MIN}`);
    expect(usd.qty_e8).toBe('200000');
    // TTL: minute end + 168 h
    const ttl = await redis.db.expiretime(`liq:agg:BTCUSDT:60s:${MIN}`);
    expect(ttl).toBe((MIN + 60_000) / 1000 + 168 * 3600);
    expect(await redis.db.expiretime(`liq:agg:ALL:60s:${MIN + 60_000}`)).toBe((MIN + 120_000) / 1000 + 168 * 3600);
    const log = await redis.db.xrange('liq:events', '-', '+');
    expect(log).toHaveLength(4);
    const inv = Object.fromEntries(
      log.map(([, f]) => f).find((f) => f.includes('okx') && f.includes('BTCUSD'))!.reduce<string[][]>((acc, v, i, arr) => (i % 2 ? acc : [...acc, [v, arr[i + 1]]]), []),
    );
    expect(inv).toMatchObject({ exchange: 'okx', symbol: 'BTCUSD', side: 'long', price: '50000', quantity: '0.002', value_cents: '10000', usd: '100' });
    expect(await redis.db.zscore(`liq:top:60s:${MIN}`, 'BTCUSDT')).toBe(String(2570500));
    expect(await redis.db.zcard(`liq:big:60s:${MIN}`)).toBe(3);
  });

  it('writes nothing the second time: same batch, another writer, partial overlap', async () => {
    const w1 = new BucketWriter(redis.db, opts);
    await w1.write(events(), NOW);
    const before = await redis.db.hgetall(`liq:agg:ALL:60s:${MIN}`);
    const w2 = new BucketWriter(redis.client(), opts);
    const again = await w2.write(events(), NOW);
    expect(again).toMatchObject({ written: 0, duplicates: 4 });
    const extra = linear('bybit', 'SOLUSDT', 'long', MIN + 5_000, '150', '3');
    const mixed = await w1.write([...events(), extra, extra], NOW);
    expect(mixed).toMatchObject({ written: 1, duplicates: 5 });
    const after = await redis.db.hgetall(`liq:agg:ALL:60s:${MIN}`);
    expect(Number(after.count)).toBe(Number(before.count) + 1);
    expect(Number(after.value_cents)).toBe(Number(before.value_cents) + 45000);
    expect(await redis.db.xlen('liq:events')).toBe(5);
  });

  it('keeps non-ASCII symbols and every logged string byte for byte through the packed (JSON) script argument', async () => {
    const w = new BucketWriter(redis.db, opts);
    const e = linear('binance', '牛来USDT', 'long', MIN + 4_000, '0.0012345', '1234567.00000001');
    expect((await w.write([e], NOW)).written).toBe(1);
    const b = await redis.db.hgetall(`liq:agg:牛来USDT:60s:${MIN}`);
    expect(b.count).toBe('1');
    expect(b.qty_e8).toBe('123456700000001');
    const [[, fields]] = (await redis.db.xrange('liq:events', '-', '+')) as [string, string[]][];
    const entry = Object.fromEntries(fields.reduce<[string, string][]>((acc, v, i) => (i % 2 ? acc : [...acc, [v, fields[i + 1]!]]), []));
    expect(entry).toMatchObject({ id: e.id, symbol: '牛来USDT', price: '0.0012345', quantity: '1234567.00000001', value_cents: String(e.valueCents) });
    expect(await redis.db.zscore(`liq:top:60s:${MIN}`, '牛来USDT')).toBe(String(e.valueCents));
  });

  it('does not write events whose bucket has already expired', async () => {
    const w = new BucketWriter(redis.db, { bucketRetentionHours: 1, eventLogRetentionHours: 1 });
    const r = await w.write([linear('binance', 'BTCUSDT', 'long', MIN - 3 * 3_600_000, '1', '1')], NOW);
    expect(r).toMatchObject({ written: 0, expired: 1 });
    expect(await redis.db.dbsize()).toBe(0);
  });

  it('a quantity sum that would pass 2^63 - 1 still counts the events: that bucket keeps its qty fields and counts them in qty_capped', async () => {
    const w = new BucketWriter(redis.db, opts);
    const day = Math.floor(MIN / 86_400_000) * 86_400_000;
    // the day's PEPEUSDT quantity near the limit (a sub-cent coin counted in coins); its minute is far from it
    await redis.db.hset(`liq:agg:PEPEUSDT:1d:${day}`, { count: '7', long_count: '7', qty_e8: '9220000000000000000', long_qty_e8: '9220000000000000000' });
    const big = linear('binance', 'PEPEUSDT', 'long', MIN + 1, '0.000001', '100000000');
    const big2 = linear('binance', 'PEPEUSDT', 'short', MIN + 2, '0.000002', '50000000');
    const ok = linear('binance', 'BTCUSDT', 'long', MIN + 1, '1', '1');
    const r = await w.write([big, big2, ok], NOW);
    expect(r.written).toBe(3);
    expect(r.overflow).toEqual([]);
    // counted everywhere: the minute (with its quantity), ALL, the day (count and value, quantity capped)
    expect(await redis.db.hmget(`liq:agg:PEPEUSDT:60s:${MIN}`, 'count', 'qty_e8', 'long_qty_e8', 'short_qty_e8', 'qty_capped')).toEqual(['2', '15000000000000000', '10000000000000000', '5000000000000000', null]);
    expect(await redis.db.hget(`liq:agg:ALL:60s:${MIN}`, 'count')).toBe('3');
    expect(await redis.db.hmget(`liq:agg:PEPEUSDT:1d:${day}`, 'count', 'value_cents', 'qty_e8', 'long_qty_e8', 'short_qty_e8', 'qty_capped')).toEqual(['9', '20000', '9220000000000000000', '9220000000000000000', null, '2']);
    // the hour was far from the limit: its quantity is whole
    expect(await redis.db.hmget(`liq:agg:PEPEUSDT:1h:${Math.floor(MIN / 3_600_000) * 3_600_000}`, 'qty_e8', 'qty_capped')).toEqual(['15000000000000000', null]);
    // a later batch that fits adds its quantity again
    const small = linear('binance', 'PEPEUSDT', 'long', MIN + 3, '1', '0.01');
    expect((await w.write([small], NOW)).written).toBe(1);
    expect(await redis.db.hmget(`liq:agg:PEPEUSDT:1d:${day}`, 'count', 'qty_e8', 'qty_capped')).toEqual(['10', '9220000000001000000', '2']);
  });

  it('refuses the events of a qty field HINCRBY cannot add to (not an integer), and writes the rest', async () => {
    const w = new BucketWriter(redis.db, opts);
    await redis.db.hset(`liq:agg:PEPEUSDT:60s:${MIN}`, 'qty_e8', 'x');
    const big = linear('binance', 'PEPEUSDT', 'long', MIN + 1, '0.000001', '100000000');
    const ok = linear('binance', 'BTCUSDT', 'long', MIN + 1, '1', '1');
    const r = await w.write([big, ok], NOW);
    expect(r.written).toBe(1);
    expect(r.overflow.map((e) => e.id)).toEqual([big.id]);
    expect(await redis.db.hget(`liq:agg:PEPEUSDT:60s:${MIN}`, 'count')).toBeNull();
  });

  it('refuses only the events that would carry a value sum past 2^63 - 1; the rest of the batch is written and every bucket stays whole', async () => {
    // Observation 3 of the issue: 1,030 events of 90,000,000,000 × 1,000 ($9e13, 9e15 cents each) in one minute and 5
    // ordinary ones in the same batch. HINCRBY used to overflow in the middle of the write phase.
    const w = new BucketWriter(redis.db, opts);
    const huge: LiquidationEvent[] = [];
    for (let i = 0; i < 1030; i++) huge.push(linear('bybit', 'XUSDT', 'long', MIN + 100 + i, '90000000000', '1000'));
    const ordinary = [
      linear('binance', 'BTCUSDT', 'long', MIN + 1, '50000', '0.1'),
      linear('okx', 'BTCUSDT', 'short', MIN + 2, '50001', '0.2'),
      linear('bybit', 'ETHUSDT', 'long', MIN + 3, '3000', '1'),
      linear('bybit', 'XUSDT', 'short', MIN + 4, '1', '1'),
      inverse('okx', 'BTCUSD', 'long', MIN + 5, '50000', '100'),
    ];
    const r = await w.write([...huge.slice(0, 500), ...ordinary, ...huge.slice(500)], NOW);
    // 1,024 × 9e15 = 9.216e18 fits under 9,223,372,036,854,775,807; the 1,025th would not.
    expect(r.written).toBe(1024 + 5);
    expect(r.overflow.map((e) => e.id)).toEqual(huge.slice(1024).map((e) => e.id));
    const x = await redis.db.hgetall(`liq:agg:XUSDT:60s:${MIN}`);
    expect(x.long_count).toBe('1024');
    expect(x.long_value_cents).toBe(String(1024n * 9_000_000_000_000_000n));
    expect(x.short_count).toBe('1');
    expect(x.count).toBe('1025');
    const all = await redis.db.hgetall(`liq:agg:ALL:60s:${MIN}`);
    expect(all.count).toBe(String(1024 + 5));
    expect(BigInt(all.value_cents)).toBe(1024n * 9_000_000_000_000_000n + 500_000n + 1_000_020n + 300_000n + 100n + 10_000n);
    expect(BigInt(all.value_cents)).toBe(BigInt(all.long_value_cents) + BigInt(all.short_value_cents));
    expect(await redis.db.hget(`liq:agg:BTCUSDT:60s:${MIN}`, 'count')).toBe('2');
    expect(await redis.db.xlen('liq:events')).toBe(1024 + 5);
    // every identity refused is not marked seen: nothing of it was written
    const seen = await redis.db.hmget(`liq:seen:60s:${MIN}`, ...huge.slice(1024).map((e) => e.id));
    expect(seen.every((v) => v === null)).toBe(true);
  });

  it('refuses the events of a field HINCRBY cannot add to (not an integer), and writes the rest', async () => {
    const w = new BucketWriter(redis.db, opts);
    await redis.db.hset(`liq:agg:SOLUSDT:60s:${MIN}`, 'bybit_long_value_cents', 'garbage');
    const bad = linear('bybit', 'SOLUSDT', 'long', MIN + 1, '150', '1');
    const fine = linear('bybit', 'SOLUSDT', 'short', MIN + 2, '150', '1');
    const r = await w.write([bad, fine], NOW);
    expect(r.written).toBe(1);
    expect(r.overflow.map((e) => e.id)).toEqual([bad.id]);
    expect(await redis.db.hget(`liq:agg:SOLUSDT:60s:${MIN}`, 'short_count')).toBe('1');
    expect(await redis.db.hget(`liq:agg:SOLUSDT:60s:${MIN}`, 'long_count')).toBeNull();
  });

  it('counts every batch into the instance marker and returns the count before it', async () => {
    const marker = { key: 'liq:marker:test', start: NOW - 5_000, ttlMs: 3_600_000 };
    const w = new BucketWriter(redis.db, { ...opts, marker });
    const r1 = await w.write(events(), NOW);
    expect(r1.markerBefore).toBe(0n);
    const r2 = await w.write([linear('bybit', 'SOLUSDT', 'long', MIN + 5_000, '150', '3')], NOW);
    expect(r2.markerBefore).toBe(4n);
    expect(await redis.db.hgetall('liq:marker:test')).toEqual({ started: String(NOW - 5_000), written: '5' });
    const ttl = await redis.db.pttl('liq:marker:test');
    expect(ttl).toBeGreaterThan(3_500_000);
    expect(ttl).toBeLessThanOrEqual(3_600_000);
  });

  it('counts an event identified by the exchange\'s own id once, even when its time changes between deliveries (BitMEX rows carry none)', async () => {
    const w = new BucketWriter(redis.db, opts);
    const own = (ts: number, qty: string) => {
      const e = makeLinearEvent({ exchange: 'bitmex', symbol: 'BTCUSDT', side: 'long', ts, priceText: '50000', sizeText: qty, ownId: 'order-1' }, parseDecimal('50000')!, parseDecimal(qty)!);
      if (typeof e === 'string') throw new Error(e);
      return e;
    };
    const first = own(MIN + 1_000, '0.1');
    const again = own(MIN + 61_000, '0.1'); // re-sent after a reconnect, received a minute later
    expect(first.byId).toBe(true);
    expect(again.id).toBe(first.id);
    expect((await w.write([first], NOW)).written).toBe(1);
    expect(await w.write([again], NOW)).toMatchObject({ written: 0, duplicates: 1 });
    expect(await redis.db.hget(`liq:agg:BTCUSDT:60s:${MIN + 60_000}`, 'count')).toBeNull();
    expect(await redis.db.zscore('liq:ids', first.id)).toBe(String(NOW));
    // tuple identities never go to liq:ids
    await w.write([linear('okx', 'ETHUSDT', 'short', MIN + 2_000, '3000', '1')], NOW);
    expect(await redis.db.zcard('liq:ids')).toBe(1);
    // remembered for a day, then pruned by a later write
    const later = NOW + 24 * 3_600_000 + 1;
    const other = makeLinearEvent({ exchange: 'bitmex', symbol: 'BTCUSDT', side: 'short', ts: MIN + 3_000, priceText: '1', sizeText: '1', ownId: 'order-2' }, parseDecimal('1')!, parseDecimal('1')!);
    if (typeof other === 'string') throw new Error(other);
    await w.write([other], later);
    expect(await redis.db.zscore('liq:ids', first.id)).toBeNull();
    expect(await redis.db.zscore('liq:ids', other.id)).toBe(String(later));
  });

  it('writes a 5,000-event batch spread over thousands of buckets (~150,000 script arguments) in one call', async () => {
    const w = new BucketWriter(redis.db, opts);
    const many: LiquidationEvent[] = [];
    for (let i = 0; i < 5000; i++) many.push(linear('okx', `S${i % 3000}USDT`, 'long', MIN - 60_000 * (i % 2), '1.5', `${1 + i}`));
    const r = await w.write(many, NOW);
    expect(r.written).toBe(5000);
    expect(await redis.db.xlen('liq:events')).toBe(5000);
    expect(await redis.db.hget(`liq:agg:ALL:60s:${MIN}`, 'count')).toBe('2500');
  });

  it('combines large batches exactly (10,000 events, sums beyond 2^53 in qty)', async () => {
    const w = new BucketWriter(redis.db, opts);
    const many: LiquidationEvent[] = [];
    for (let i = 0; i < 10_000; i++) many.push(linear('bybit', 'PEPEUSDT', i % 2 ? 'long' : 'short', MIN + (i % 60_000), '0.00001234', `${1_000_000 + i}`));
    const r = await w.write(many, NOW);
    expect(r.written).toBe(10_000);
    let qty = 0n;
    let cents = 0n;
    for (const e of many) {
      qty += e.qtyE8;
      cents += BigInt(e.valueCents);
    }
    const b = await redis.db.hgetall(`liq:agg:PEPEUSDT:60s:${MIN}`);
    expect(BigInt(b.qty_e8)).toBe(qty);
    expect(BigInt(b.value_cents)).toBe(cents);
    expect(await redis.db.xlen('liq:events')).toBe(10_000);
  });
});
