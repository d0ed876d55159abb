// Keepalive by what the client SENT: every connection sends its keepalive whenever it has sent nothing for the
// interval, whatever it received. OKX closes a connection that has sent nothing for 30 s (4004) however much
// data it is pushing, so a rule based on what was received loses the connection under steady traffic.
import { afterEach, describe, expect, it } from 'vitest';
import type { WebSocket as ServerSocket } from 'ws';
import { loadConfig } from '../../src/config.js';
import type { LiquidationEvent } from '../../src/core/event.js';
import { createStreams } from '../../src/venues/runtime.js';
import type { Rejection } from '../../src/core/parse.js';
import { startStandins } from '../support/venues.js';
import { captureLog, makeConn, onCleanup, runCleanups, sleep, statesOf, waitFor, wsServer } from '../support/connection.js';

afterEach(runCleanups);

function okxFrame(seq: number): string {
  return JSON.stringify({
    arg: { channel: 'liquidation-orders', instType: 'SWAP' },
    data: [
      {
        instId: 'BTC-USDT-SWAP',
        instType: 'SWAP',
        details: [{ posSide: 'long', side: 'sell', bkPx: '50000', sz: String(seq), ts: String(Date.now()), bkLoss: '0', ccy: '' }],
      },
    ],
  });
}

describe('keepalive by what was sent', () => {
  it('OKX under steady traffic: the stand-in never closes the connection (4004) and nothing reconnects', async () => {
    const IDLE_CLOSE_MS = 1500;
    const s = await startStandins({ okxIdleCloseMs: IDLE_CLOSE_MS });
    onCleanup(() => s.close());
    const cfg = loadConfig({ ...s.env, EXCHANGES: 'okx', PING_INTERVAL_MS: '500', PONG_TIMEOUT_MS: '1000', RECONNECT_BASE_MS: '50' });
    const { log, lines } = captureLog();
    const events: LiquidationEvent[] = [];
    const rejections: Rejection[] = [];
    const okx = createStreams(cfg, { log, onEvents: (e) => events.push(...e), onRejections: (r) => rejections.push(...r) });
    okx.start();
    onCleanup(() => okx.stop());
    await s.venues.okx.waitFor(() => s.venues.okx.subscriptions()[0]?.length === 2);

    // A frame every 100 ms for three idle-close periods and more: the client always has something to read.
    let delivered = 0;
    const until = Date.now() + 3 * IDLE_CLOSE_MS + 500;
    while (Date.now() < until) {
      delivered += s.send('okx', okxFrame(delivered + 1));
      await sleep(100);
    }
    await waitFor(() => events.length >= delivered, 2000, 'every frame parsed');

    expect(delivered).toBeGreaterThanOrEqual(40);
    expect(s.venues.okx.totalConnections()).toBe(1);
    expect(s.venues.okx.connections()).toBe(1);
    expect(lines.filter((l) => l.msg === 'reconnect scheduled')).toEqual([]);
    expect(okx.statuses()[0]).toMatchObject({ state: 'open', reconnects: 0 });
    expect(events).toHaveLength(delivered);
    expect(rejections).toEqual([]);
    // It kept pinging while data flowed: about one ping per 500 ms over ≥ 5 s.
    const pings = s.venues.okx.received().filter((t) => t === 'ping').length;
    expect(pings).toBeGreaterThanOrEqual(8);
  });

  it('a text keepalive goes out every intervalMs while the server streams data', async () => {
    const { wss, url } = await wsServer();
    let serverPings = 0;
    wss.on('connection', (ws: ServerSocket) => {
      const iv = setInterval(() => ws.readyState === ws.OPEN && ws.send('{"data":[1]}'), 20);
      ws.on('close', () => clearInterval(iv));
      ws.on('message', (d) => {
        if (d.toString() !== 'ping') return;
        serverPings++;
        ws.send('pong');
      });
    });
    const pingsAt: number[] = []; // by the client's clock, when each keepalive went out
    const h = makeConn({
      url,
      venue: 'okx',
      keepalive: {
        kind: 'text',
        message: () => {
          pingsAt.push(Date.now());
          return 'ping';
        },
        isPong: (t) => t === 'pong',
        intervalMs: 100,
        timeoutMs: 300,
      },
    });
    h.conn.start();
    await waitFor(() => h.opens.length === 1, 2000, 'open');
    await sleep(650);
    expect(h.messages.length).toBeGreaterThanOrEqual(20);
    expect(pingsAt.length).toBeGreaterThanOrEqual(4);
    // The first one an interval after the subscribe (the 'open' event is seen a little after the keepalive was armed,
    // later still on a loaded machine: 10 ms of slack); then one per interval, by the same clock.
    expect(pingsAt[0] - h.opens[0]).toBeGreaterThanOrEqual(90);
    for (let i = 1; i < pingsAt.length; i++) expect(pingsAt[i] - pingsAt[i - 1]).toBeGreaterThanOrEqual(99);
    await waitFor(() => serverPings >= pingsAt.length, 2000, 'the server got every ping');
    expect(statesOf(h, 'backoff')).toHaveLength(0);
  });

  it('ws ping frames go out every intervalMs while the server streams data (Binance)', async () => {
    const { wss, url } = await wsServer({ autoPong: true });
    let pings = 0;
    wss.on('connection', (ws: ServerSocket) => {
      const iv = setInterval(() => ws.readyState === ws.OPEN && ws.send('{"e":"x"}'), 20);
      ws.on('close', () => clearInterval(iv));
      ws.on('ping', () => pings++);
    });
    const h = makeConn({ url, venue: 'binance-usdm', keepalive: { kind: 'ws-ping', intervalMs: 100, timeoutMs: 300 } });
    h.conn.start();
    await sleep(650);
    expect(h.messages.length).toBeGreaterThanOrEqual(20);
    expect(pings).toBeGreaterThanOrEqual(5);
    expect(statesOf(h, 'backoff')).toHaveLength(0);
  });

  it('anything sent (subscribe messages, send()) counts: the keepalive waits until intervalMs after the last send', async () => {
    const { wss, url } = await wsServer();
    const received: string[] = [];
    wss.on('connection', (ws: ServerSocket) => {
      ws.on('message', (d) => {
        received.push(d.toString());
        if (d.toString() === 'ping') ws.send('pong');
      });
    });
    // What the client sent and when, by its own clock (the server's receipt times would add scheduling noise).
    const sent: Array<{ text: string; at: number }> = [];
    const h = makeConn({
      url,
      venue: 'okx',
      subscribeMessages: () => {
        sent.push({ text: 'sub', at: Date.now() });
        return ['sub'];
      },
      keepalive: {
        kind: 'text',
        message: () => {
          sent.push({ text: 'ping', at: Date.now() });
          return 'ping';
        },
        isPong: (t) => t === 'pong',
        intervalMs: 150,
        timeoutMs: 300,
      },
    });
    h.conn.start();
    await waitFor(() => received.includes('sub'), 2000, 'subscribe');
    // Something goes out every 60 ms for 600 ms: no keepalive is needed meanwhile.
    for (let i = 0; i < 10; i++) {
      await sleep(60);
      sent.push({ text: `msg-${i}`, at: Date.now() });
      expect(h.conn.send(`msg-${i}`)).toBe(true);
    }
    await waitFor(() => received.filter((t) => t === 'ping').length >= 2, 2000, 'two pings');
    // Every keepalive went out at least intervalMs after whatever was sent before it. The old rule pinged every
    // intervalMs from the open regardless: at most 60 ms after a message.
    const pings = sent.flatMap((s, i) => (s.text === 'ping' && i > 0 ? [s.at - sent[i - 1].at] : []));
    expect(pings.length).toBeGreaterThanOrEqual(2);
    for (const gap of pings) expect(gap).toBeGreaterThanOrEqual(149);
    expect(received).toEqual(sent.map((s) => s.text).slice(0, received.length)); // all of it arrived, in order
    expect(statesOf(h, 'backoff')).toHaveLength(0);
  });
});
