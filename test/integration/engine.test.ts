// The engine against a real, private Redis that is killed mid-stream and started again on the same port:
// nothing lost, nothing doubled; past the memory bound events go to the spool and come back from it.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDecimal } from '../../src/core/decimal.js';
import { Engine } from '../../src/engine/engine.js';
import { makeLinearEvent, type LiquidationEvent } from '../../src/core/event.js';
import { createRedis } from '../../src/engine/redis.js';
import { Spool } from '../../src/engine/spool.js';
import { createLogger } from '../../src/log.js';
import { captureLog } from '../support/log.js';
import { startRedis, type PrivateRedis } from '../support/redis.js';
import { createMetrics } from '../../src/metrics.js';
import { writeFileSync } from 'node:fs';
import { eventToJson } from '../../src/core/event.js';

const log = createLogger('silent');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let seq = 0;
function event(i: number): LiquidationEvent {
  const price = `${100 + (i % 7)}.25`;
  const qty = `0.${String(1 + (i % 13)).padStart(3, '0')}`;
  const e = makeLinearEvent(
    { exchange: ['binance', 'bybit', 'okx'][i % 3], symbol: ['BTCUSDT', 'ETHUSDT', 'SOLUSDT'][i % 3], side: i % 2 ? 'long' : 'short', ts: Date.now() - 1000 + (seq++ % 10), priceText: price, sizeText: `${qty}${i}` },
    parseDecimal(price)!,
    parseDecimal(qty)!,
  );
  if (typeof e === 'string') throw new Error(e);
  return e;
}

async function totals(redis: PrivateRedis, events: LiquidationEvent[]) {
  const c = redis.client();
  const minutes = [...new Set(events.map((e) => Math.floor(e.ts / 60_000) * 60_000))];
  let count = 0;
  let cents = 0;
  for (const m of minutes) {
    const h = await c.hgetall(`liq:agg:ALL:60s:${m}`);
    count += Number(h.count ?? 0);
    cents += Number(h.value_cents ?? 0);
  }
  const logLen = await c.xlen('liq:events');
  c.disconnect();
  return { count, cents, logLen };
}

async function waitFor(pred: () => Promise<boolean> | boolean, timeoutMs = 20_000) {
  const end = Date.now() + timeoutMs;
  while (!(await pred())) {
    if (Date.now() > end) throw new Error('timed out');
    await sleep(50);
  }
}

describe('engine through a Redis outage', () => {
  let redis: PrivateRedis;
  let spoolDir: string;
  beforeAll(async () => {
    redis = await startRedis({ persist: true });
    spoolDir = mkdtempSync(path.join(os.tmpdir(), 'liqd-spool-'));
  });
  afterAll(async () => {
    await redis.stop();
    rmSync(spoolDir, { recursive: true, force: true });
  });

  it('loses nothing and doubles nothing when redis-server is killed and started again', async () => {
    const client = createRedis(redis.url, log);
    const spool = new Spool(spoolDir, log);
    // A small memory bound, so the outage also exercises the spool.
    const engine = new Engine(client, spool, { flushIntervalMs: 10, flushMaxEvents: 200, maxBufferedEvents: 300, bucketRetentionHours: 168, eventLogRetentionHours: 24 }, log);
    engine.start();
    await client.connect();
    const sent: LiquidationEvent[] = [];
    const pushSome = (n: number) => {
      const batch = Array.from({ length: n }, (_, k) => event(sent.length + k));
      sent.push(...batch);
      engine.push(batch);
      // Streams repeat frames after reconnects: push a repeat of the previous chunk too.
      if (sent.length > n) engine.push(sent.slice(sent.length - 2 * n, sent.length - n));
    };
    for (let i = 0; i < 20; i++) {
      pushSome(50);
      await sleep(5);
    }
    await redis.kill();
    for (let i = 0; i < 20; i++) {
      pushSome(50); // 1000 events while Redis is down: more than the memory bound
      await sleep(5);
    }
    expect(engine.connected).toBe(false);
    expect(readdirSync(spoolDir).length).toBeGreaterThan(0);
    await redis.start();
    for (let i = 0; i < 10; i++) {
      pushSome(50);
      await sleep(5);
    }
    const expectedCents = sent.reduce((s, e) => s + e.valueCents, 0);
    await waitFor(async () => (await totals(redis, sent)).count >= sent.length && engine.buffered === 0 && !spool.hasWork());
    const t = await totals(redis, sent);
    expect(t).toEqual({ count: sent.length, cents: expectedCents, logLen: sent.length });
    expect(readdirSync(spoolDir)).toEqual([]);
    await engine.stop();
    client.disconnect();
  });

  it('keeps two batches in flight; stop() spools both while Redis is stalled, and their late writes plus the replay count once', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'liqd-spool-'));
    const client = createRedis(redis.url, log);
    const opts = { flushIntervalMs: 10, flushMaxEvents: 100, maxBufferedEvents: 10_000, bucketRetentionHours: 168, eventLogRetentionHours: 24 };
    const captured = captureLog('info');
    const engine = new Engine(client, new Spool(dir, log), opts, captured.log);
    engine.start();
    await client.connect();
    await client.ping();
    // Stall Redis (it is alive, just busy): the engine's scripts queue up behind DEBUG SLEEP.
    const staller = redis.client();
    await staller.ping();
    const t0 = Date.now();
    const stalled = staller.call('DEBUG', 'SLEEP', '3');
    await sleep(100);
    const held = Array.from({ length: 500 }, (_, i) => event(200_000 + i));
    engine.push(held);
    await waitFor(() => engine.buffered === 300, 2000); // two batches of 100 taken and sent, three left
    const { spooled } = await engine.stop(200);
    expect(spooled).toBe(500); // both unacknowledged batches and the queue
    expect(Date.now() - t0).toBeLessThan(3000); // all of the above happened while Redis slept
    // Redis was only busy: the log says so, not "not writable"
    expect(captured.lines.find((l) => l.msg === 'shutdown: held events spooled for the next start')).toMatchObject({ level: 'warn', events: 500, why: 'Redis too slow to take everything before the deadline' });
    client.disconnect();
    await stalled;
    staller.disconnect();
    // Redis has run the two queued scripts by now (they were on its socket): 200 counted, the rest spooled.
    const mid = await totals(redis, held);

    const client2 = createRedis(redis.url, log);
    const spool2 = new Spool(dir, log);
    const engine2 = new Engine(client2, spool2, opts, log);
    engine2.start();
    await client2.connect();
    await waitFor(async () => !spool2.hasWork());
    const after = await totals(redis, held);
    expect(after.count - mid.count + 200).toBe(500);
    expect(after.logLen - mid.logLen + 200).toBe(500);
    await engine2.stop();
    client2.disconnect();
    rmSync(dir, { recursive: true, force: true });
  });

  it('sends a batch that fills while another is in flight at once, without waiting for every write to finish', async () => {
    const client = createRedis(redis.url, log);
    const opts = { flushIntervalMs: 10_000, flushMaxEvents: 100, maxBufferedEvents: 10_000, bucketRetentionHours: 168, eventLogRetentionHours: 24 };
    const dir = mkdtempSync(path.join(os.tmpdir(), 'liqd-spool-'));
    const engine = new Engine(client, new Spool(dir, log), opts, log);
    engine.start();
    await client.connect();
    await client.ping();
    const events = Array.from({ length: 300 }, (_, i) => event(300_000 + i));
    const before = await totals(redis, events);
    const staller = redis.client();
    await staller.ping();
    const t0 = Date.now();
    const stalled = staller.call('DEBUG', 'SLEEP', '2');
    await sleep(100);
    engine.push(events.slice(0, 100));
    await waitFor(() => engine.buffered === 0, 1000); // first batch sent, Redis still asleep
    engine.push(events.slice(100, 200));
    // The second full batch goes while the first is unacknowledged (it used to wait for the first to finish).
    await waitFor(() => engine.buffered === 0, 1000);
    engine.push(events.slice(200, 300));
    await sleep(100);
    expect(engine.buffered).toBe(100); // two in flight: the third waits for a slot
    expect(Date.now() - t0).toBeLessThan(2000); // all of the above happened while Redis slept
    await stalled;
    staller.disconnect();
    await waitFor(() => engine.buffered === 0);
    await engine.stop();
    const after = await totals(redis, events);
    expect(after.count - before.count).toBe(300);
    expect(after.logLen - before.logLen).toBe(300);
    client.disconnect();
    rmSync(dir, { recursive: true, force: true });
  });

  it('spools what it holds at stop() when Redis is down, and a new engine replays it at start', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'liqd-spool-'));
    const client = createRedis(redis.url, log);
    const captured = captureLog('info');
    const engine = new Engine(client, new Spool(dir, log), { flushIntervalMs: 10, flushMaxEvents: 100, maxBufferedEvents: 10_000, bucketRetentionHours: 168, eventLogRetentionHours: 24 }, captured.log);
    engine.start();
    await client.connect();
    await redis.kill();
    await waitFor(() => !engine.connected);
    const held = Array.from({ length: 500 }, (_, i) => event(100_000 + i));
    engine.push(held);
    const { spooled, lost } = await engine.stop(500);
    expect({ spooled, lost }).toEqual({ spooled: 500, lost: 0 });
    expect(captured.lines.find((l) => l.msg === 'shutdown: held events spooled for the next start')).toMatchObject({ events: 500, why: 'Redis not reachable' });
    client.disconnect();
    expect(readdirSync(dir).length).toBe(1);

    await redis.start();
    const before = await totals(redis, held);
    const client2 = createRedis(redis.url, log);
    const spool2 = new Spool(dir, log);
    const engine2 = new Engine(client2, spool2, { flushIntervalMs: 10, flushMaxEvents: 100, maxBufferedEvents: 10_000, bucketRetentionHours: 168, eventLogRetentionHours: 24 }, log);
    engine2.start();
    await client2.connect();
    await waitFor(async () => !spool2.hasWork());
    const after = await totals(redis, held);
    expect(after.count - before.count).toBe(500);
    expect(after.cents - before.cents).toBe(held.reduce((s, e) => s + e.valueCents, 0));
    expect(readdirSync(dir)).toEqual([]);
    await engine2.stop();
    client2.disconnect();
    rmSync(dir, { recursive: true, force: true });
  });

  it('counts spool lines that cannot be read back as dropped (liq_dropped_total{reason="spool_unreadable"}) and logs them at error', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'liqd-spool-'));
    const good = Array.from({ length: 3 }, (_, i) => event(300_000 + i));
    const lines = [eventToJson(good[0]), '{"exchange":"binance","broken', eventToJson(good[1]), 'not json at all', eventToJson(good[2]), '{"half":'];
    writeFileSync(path.join(dir, 'spool-1-1-0.ndjson'), lines.join('\n'));
    const metrics = createMetrics();
    const captured = captureLog('info');
    const client = createRedis(redis.url, log);
    const spool = new Spool(dir, log);
    const engine = new Engine(client, spool, { flushIntervalMs: 10, flushMaxEvents: 100, maxBufferedEvents: 10_000, bucketRetentionHours: 168, eventLogRetentionHours: 24 }, captured.log, metrics);
    const before = await totals(redis, good);
    engine.start();
    await client.connect();
    await waitFor(async () => !spool.hasWork());
    const after = await totals(redis, good);
    expect(after.count - before.count).toBe(3);
    expect(await metrics.registry.getSingleMetricAsString('liq_dropped_total')).toContain('liq_dropped_total{reason="spool_unreadable"} 3');
    await engine.stop();
    client.disconnect();
    rmSync(dir, { recursive: true, force: true });
  });
});
