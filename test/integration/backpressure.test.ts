// Read-side backpressure: a closed ReadGate stops a real Connection from reading its socket (the server's frames
// wait in TCP buffers, none is lost), a socket opened while the gate is closed starts paused, and the engine's
// Backpressure closes the gate while Redis drains and opens it when Redis stops acknowledging (never trading
// data for memory).
import net from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket as ServerSocket } from 'ws';
import { Backpressure } from '../../src/engine/backpressure.js';
import { parseDecimal } from '../../src/core/decimal.js';
import { Engine } from '../../src/engine/engine.js';
import { makeLinearEvent, type LiquidationEvent } from '../../src/core/event.js';
import { createRedis } from '../../src/engine/redis.js';
import { Spool } from '../../src/engine/spool.js';
import { createLogger } from '../../src/log.js';
import { Connection } from '../../src/venues/connection.js';
import { ReadGate } from '../../src/core/gate.js';
import { startRedis, type PrivateRedis } from '../support/redis.js';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const log = createLogger('silent');
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
async function waitFor(cond: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function wsServer(): Promise<{ url: string; clients: ServerSocket[] }> {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
  const clients: ServerSocket[] = [];
  wss.on('connection', (ws) => clients.push(ws));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        for (const c of wss.clients) c.terminate();
        wss.close(() => resolve());
      }),
  );
  return { url: `ws://127.0.0.1:${(wss.address() as net.AddressInfo).port}/ws`, clients };
}

function connect(url: string, gate: ReadGate): { conn: Connection; got: string[] } {
  const conn = new Connection(
    { name: 'bp#1', venue: 'bybit-linear', url, subscribeMessages: () => [], keepalive: { kind: 'ws-ping', intervalMs: 30_000, timeoutMs: 30_000 } },
    { log, reconnectBaseMs: 20, reconnectMaxMs: 1000, connectTimeoutMs: 2000, gate },
  );
  const got: string[] = [];
  conn.on('message', (text) => got.push(text));
  cleanups.push(() => conn.stop());
  conn.start();
  return { conn, got };
}

describe('ReadGate and Connection', () => {
  it('stops reading while closed and delivers every frame, in order, once opened', async () => {
    const { url, clients } = await wsServer();
    const gate = new ReadGate();
    const { conn, got } = connect(url, gate);
    await waitFor(() => clients.length === 1 && conn.state === 'open', 'open');
    clients[0]!.send('before');
    await waitFor(() => got.length === 1, 'first frame');
    gate.set(true);
    // Larger than the socket buffers, so the server really has to wait for the reader.
    const big = 'x'.repeat(64 * 1024);
    for (let i = 0; i < 200; i++) clients[0]!.send(`${i}:${big}`);
    await sleep(300);
    expect(got.length).toBe(1);
    expect(clients[0]!.bufferedAmount).toBeGreaterThan(0); // held back by TCP, not read into our memory
    gate.set(false);
    await waitFor(() => got.length === 201, 'all frames after resume');
    expect(got.slice(1).map((t) => Number(t.slice(0, t.indexOf(':'))))).toEqual(Array.from({ length: 200 }, (_, i) => i));
    expect(gate.pauses).toBe(1);
  });

  it('a socket opened while the gate is closed starts paused', async () => {
    const { url, clients } = await wsServer();
    const gate = new ReadGate();
    gate.set(true);
    const { conn, got } = connect(url, gate);
    await waitFor(() => clients.length === 1 && conn.state === 'open', 'open');
    clients[0]!.send('held');
    await sleep(200);
    expect(got).toEqual([]);
    gate.set(false);
    await waitFor(() => got.length === 1, 'frame after resume');
  });
});

describe('Backpressure', () => {
  let redis: PrivateRedis;
  let dir: string;
  beforeAll(async () => {
    redis = await startRedis();
    dir = mkdtempSync(path.join(os.tmpdir(), 'liqd-bp-'));
  });
  afterAll(async () => {
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  let seq = 0;
  // One timestamp for every event, taken at run time: the test looks its minute up afterwards, whatever the clock says then.
  const T = Date.now() - 500;
  const events = (n: number): LiquidationEvent[] =>
    Array.from({ length: n }, () => {
      const i = seq++;
      const e = makeLinearEvent(
        { exchange: 'bybit', symbol: 'BTCUSDT', side: i % 2 ? 'long' : 'short', ts: T, priceText: '97000.5', sizeText: `0.${i + 1}` },
        parseDecimal('97000.5')!,
        parseDecimal(`0.${i + 1}`)!,
      );
      if (typeof e === 'string') throw new Error(e);
      return e;
    });

  it('pauses while Redis drains a backlog and resumes at the low mark; opens when Redis stalls, until it acknowledges again', async () => {
    const client = createRedis(redis.url, log);
    const engine = new Engine(client, new Spool(dir, log), { flushIntervalMs: 10, flushMaxEvents: 100, maxBufferedEvents: 100_000, bucketRetentionHours: 168, eventLogRetentionHours: 24 }, log);
    engine.start();
    await client.connect();
    const gate = new ReadGate();
    const changes: boolean[] = [];
    gate.on('change', (p) => changes.push(p));
    const bp = new Backpressure(engine, gate, { high: 1000, low: 200, maxPauseMs: 1000 });
    cleanups.push(async () => {
      bp.close();
      await engine.stop(2000);
      client.disconnect();
    });

    // Draining: a backlog over the high mark closes the gate; it opens once the engine is down to the low mark.
    engine.push(events(1500));
    bp.check();
    expect(gate.paused).toBe(true);
    await waitFor(() => !gate.paused, 'resume after drain');
    expect(engine.buffered).toBeLessThanOrEqual(200);
    await waitFor(() => engine.buffered === 0, 'drained');

    // Stalled: Redis is connected but acknowledges nothing. The pause ends after maxPauseMs and does not come
    // back while nothing is acknowledged, so the daemon keeps reading (and buffering) through the stall.
    const staller = redis.client();
    await staller.ping();
    const t0 = Date.now();
    const stalled = staller.call('DEBUG', 'SLEEP', '4');
    await sleep(50);
    changes.length = 0;
    engine.push(events(1500));
    bp.check();
    expect(gate.paused).toBe(true);
    await waitFor(() => !gate.paused, 'the pause to end during the stall');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1000);
    expect(Date.now() - t0).toBeLessThan(4000); // Redis still asleep
    engine.push(events(100));
    bp.check();
    expect(gate.paused).toBe(false);
    expect(changes).toEqual([true, false]);
    expect(Date.now() - t0).toBeLessThan(4000);
    await stalled;
    staller.disconnect();
    await waitFor(() => engine.buffered === 0, 'drained after the stall');
    const count = Number(await redis.client().hget(`liq:agg:BTCUSDT:60s:${Math.floor(T / 60_000) * 60_000}`, 'count'));
    expect(count).toBe(3100);
    expect(await redis.client().xlen('liq:events')).toBe(3100);
  });
});
