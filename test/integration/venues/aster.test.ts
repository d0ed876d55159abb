// Aster: the stand-in speaks the protocol (stream in the URL, SUBSCRIBE acks, server pings, a client that stops
// answering dropped), and the real daemon against it counts a burst exactly, repeats once across a drop of every
// connection, and survives garbage.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { asterFrame } from '../../../src/venues/aster/frames.js';
import { startStandins, type Standins } from '../../../src/venues/standin/index.js';
import { startDaemon, waitUntil, type RunningDaemon } from '../../support/daemon.js';
import { freePort, startRedis, type PrivateRedis } from '../../support/redis.js';

let redis: PrivateRedis;
let client: Redis;
let standins: Standins | undefined;
const daemons: RunningDaemon[] = [];
const dirs: string[] = [];

beforeAll(async () => {
  redis = await startRedis();
  client = redis.client();
});
afterAll(async () => {
  await redis.stop();
});
beforeEach(async () => {
  await client.flushall();
});
afterEach(async () => {
  for (const d of daemons.splice(0)) await d.stop('SIGKILL');
  await standins?.close();
  standins = undefined;
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function launch(extra: Record<string, string> = {}): Promise<RunningDaemon> {
  const spool = mkdtempSync(path.join(os.tmpdir(), 'liqd-aster-spool-'));
  dirs.push(spool);
  const d = startDaemon({ ...standins!.env, REDIS_URL: redis.url, SPOOL_DIR: spool, EXCHANGES: 'aster', ...extra }, await freePort());
  daemons.push(d);
  return d;
}

/** /health answers 200 (a loaded machine may take a moment; the body is shown when it never does). */
async function healthy(d: RunningDaemon): Promise<void> {
  let last: unknown;
  await waitUntil(async () => {
    const h = await d.health();
    last = h.body;
    return h.status === 200;
  }, 10_000, 'health 200').catch((err: Error) => {
    throw new Error(`${err.message}: ${JSON.stringify(last)}`);
  });
}

const MIN = Math.floor((Date.now() - 120_000) / 60_000) * 60_000;

/** Four liquidations, one frame each (Aster pushes one order per frame). */
function burst(s: Standins, t0 = MIN) {
  s.send('aster', asterFrame({ symbol: 'BTCUSDT', side: 'SELL', price: '50000.10', qty: '0.014', ts: t0 + 100 })); // long $700.0014
  s.send('aster', asterFrame({ symbol: 'BTCUSDT', side: 'BUY', price: '50001', qty: '0.002', orig: '0.010', status: 'EXPIRED', ts: t0 + 200 }, false)); // short $100.002, bare
  s.send('aster', asterFrame({ symbol: 'ETHUSDT', side: 'SELL', price: '3000.55', qty: '1.5', ts: t0 + 300 })); // long $4,500.825
  s.send('aster', asterFrame({ symbol: 'BTCUSDT', side: 'SELL', price: '49999.9', qty: '0.001', ts: t0 + 400 })); // long $49.9999
}

const allCount = async () => Number((await client.hget(`liq:agg:ALL:60s:${MIN}`, 'count')) ?? 0);

describe('aster stand-in', () => {
  it('carries the stream in the URL, acks SUBSCRIBE, pings, and drops a client that stops answering', async () => {
    standins = await startStandins({ asterPingIntervalMs: 50, asterPongTimeoutMs: 200 }, ['aster']);
    const server = standins.venues.aster;
    const ws = new WebSocket(standins.env.ASTER_WS_URL, { autoPong: false });
    const messages: string[] = [];
    let pings = 0;
    ws.on('message', (d) => messages.push(d.toString()));
    ws.on('ping', () => pings++);
    await new Promise((r) => ws.once('open', r));
    expect(server.subscriptions()).toEqual([['!forceOrder@arr']]);
    ws.send(JSON.stringify({ method: 'SUBSCRIBE', params: ['btcusdt@forceOrder'], id: 7 }));
    await waitUntil(() => messages.length === 1, 2000, 'ack');
    expect(JSON.parse(messages[0])).toEqual({ result: null, id: 7 });
    expect(standins.send('aster', asterFrame({ symbol: 'BTCUSDT', side: 'SELL', price: '1', qty: '1', ts: Date.now() }))).toBe(1);
    // No pongs (autoPong off): pinged, then terminated after the pong timeout.
    const closed = new Promise((r) => ws.once('close', r));
    await closed;
    expect(pings).toBeGreaterThan(0);
    await waitUntil(() => server.connections() === 0, 2000, 'the server forgot the connection');
  });
});

describe('daemon against the aster stand-in', () => {
  it('counts a burst exactly, a repeated burst once, and again once after every connection is dropped', async () => {
    standins = await startStandins({}, ['aster']);
    const d = await launch();
    await waitUntil(() => standins!.venues.aster.connections() > 0, 10_000, 'aster connected');
    burst(standins);
    await waitUntil(async () => (await allCount()) === 4, 10_000, 'four events');
    expect(await client.hgetall(`liq:agg:BTCUSDT:60s:${MIN}`)).toEqual({
      count: '3', long_count: '2', short_count: '1',
      value_cents: '85000', long_value_cents: '75000', short_value_cents: '10000', // longs 70000 + 5000 (each event rounded), short 10000
      aster_count: '3', aster_long_count: '2', aster_short_count: '1',
      aster_value_cents: '85000', aster_long_value_cents: '75000', aster_short_value_cents: '10000',
      qty_e8: '1700000', long_qty_e8: '1500000', short_qty_e8: '200000',
    });
    expect(await client.hgetall(`liq:agg:ETHUSDT:60s:${MIN}`)).toMatchObject({ count: '1', aster_long_value_cents: '450083', qty_e8: '150000000' });

    burst(standins); // the same frames again
    await waitUntil(async () => (await d.metrics()).includes('liq_duplicates_total 4'), 10_000, 'duplicates counted');
    const before = standins.venues.aster.totalConnections();
    standins.venues.aster.dropAll();
    await waitUntil(() => standins!.venues.aster.totalConnections() > before && standins!.venues.aster.connections() > 0, 10_000, 'reconnect');
    burst(standins); // repeated after the reconnect
    standins.send('aster', asterFrame({ symbol: 'SOLUSDT', side: 'BUY', price: '150.5', qty: '2', ts: MIN + 500 })); // short $301
    await waitUntil(async () => (await allCount()) === 5, 10_000, 'the new event');
    await new Promise((r) => setTimeout(r, 300));
    expect(await allCount()).toBe(5);
    expect(await client.hget(`liq:agg:ALL:60s:${MIN}`, 'value_cents')).toBe(String(85000 + 450083 + 30100));
    await healthy(d);
    const h = await d.health();
    expect((h.body.streams as Array<{ connection: string; reconnects: number }>).find((s) => s.connection === 'aster')?.reconnects).toBeGreaterThanOrEqual(1);
    expect(d.garbage).toEqual([]);
  });

  it('survives garbage: nothing counted, rejections in metrics, daemon up', async () => {
    standins = await startStandins({}, ['aster']);
    const d = await launch();
    await waitUntil(() => standins!.venues.aster.connections() > 0, 10_000, 'aster connected');
    standins.send('aster', 'garbage \u001b[2J');
    standins.send('aster', '[1,2,3]');
    standins.send('aster', asterFrame({ symbol: 'BTCUSDT', side: 'SELL', price: '1', qty: '0', status: 'EXPIRED', ts: MIN + 5 }));
    standins.send('aster', JSON.stringify({ stream: '!forceOrder@arr', data: { e: 'forceOrder', E: 1, o: { s: 'BTCUSDT', S: 'SELL', ap: 50000, z: '1', T: MIN + 5 } } }));
    await waitUntil(async () => /liq_rejected_total\{exchange="aster",reason="json_number"\} 1/.test(await d.metrics()), 10_000, 'rejections counted');
    const m = await d.metrics();
    expect(m).toMatch(/liq_rejected_total\{exchange="aster",reason="invalid_json"\} 1/);
    expect(m).toMatch(/liq_rejected_total\{exchange="aster",reason="bad_shape"\} 1/);
    expect(m).toMatch(/liq_rejected_total\{exchange="aster",reason="unfilled"\} 1/);
    expect((await client.keys('liq:agg:*')).length).toBe(0);
    await healthy(d);
    expect(d.proc.exitCode).toBeNull();
  });
});
