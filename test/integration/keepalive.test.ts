// Keepalive by what the client SENT: every connection sends its keepalive whenever it has sent nothing for the
// interval, whatever it received. OKX closes a connection that has sent nothing for 30 s (4004) however much
// data it is pushing, so a rule based on what was received loses the connection under steady traffic.
import { afterEach, describe, expect, it } from 'vitest';
import type { WebSocket as ServerSocket } from 'ws';
import { loadConfig } from '../../src/config.js';
import type { LiquidationEvent } from '../../src/engine/event.js';
import { createOkx } from '../../src/streams/okx.js';
import type { Rejection } from '../../src/streams/types.js';
import { startStandins } from '../../scripts/standins/index.js';
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
    const okx = createOkx(cfg, { log, onEvents: (e) => events.push(...e), onRejections: (r) => rejections.push(...r) });
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
    const pingsAt: number[] = [];
    let openAt = 0;
    wss.on('connection', (ws: ServerSocket) => {
      openAt = Date.now();
      const iv = setInterval(() => ws.readyState === ws.OPEN && ws.send('{"data":[1]}'), 20);
      ws.on('close', () => clearInterval(iv));
      ws.on('message', (d) => {
        if (d.toString() !== 'ping') return;
        pingsAt.push(Date.now());
        ws.send('pong');
      });
    });
    const h = makeConn({
      url,
      venue: 'okx',
      keepalive: { kind: 'text', message: () => 'ping', isPong: (t) => t === 'pong', intervalMs: 100, timeoutMs: 300 },
    });
    h.conn.start();
    await sleep(650);
    expect(h.messages.length).toBeGreaterThanOrEqual(20);
    expect(pingsAt.length).toBeGreaterThanOrEqual(5);
    expect(pingsAt[0] - openAt).toBeGreaterThanOrEqual(90);
    expect(pingsAt[0] - openAt).toBeLessThan(250);
    for (let i = 1; i < pingsAt.length; i++) expect(pingsAt[i] - pingsAt[i - 1]).toBeGreaterThanOrEqual(90);
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
    const received: Array<{ text: string; at: number }> = [];
    wss.on('connection', (ws: ServerSocket) => {
      ws.on('message', (d) => {
        const text = d.toString();
        received.push({ text, at: Date.now() });
        if (text === 'ping') ws.send('pong');
      });
    });
    const h = makeConn({
      url,
      venue: 'okx',
      subscribeMessages: () => ['sub'],
      keepalive: { kind: 'text', message: () => 'ping', isPong: (t) => t === 'pong', intervalMs: 150, timeoutMs: 300 },
    });
    h.conn.start();
    await waitFor(() => received.some((r) => r.text === 'sub'), 2000, 'subscribe');
    // Something goes out every 60 ms for 600 ms: no keepalive is needed meanwhile.
    for (let i = 0; i < 10; i++) {
      await sleep(60);
      expect(h.conn.send(`msg-${i}`)).toBe(true);
    }
    await waitFor(() => received.some((r) => r.text === 'ping'), 2000, 'first ping');
    const lastSend = received.filter((r) => r.text.startsWith('msg-')).at(-1)!.at;
    const pings = received.filter((r) => r.text === 'ping');
    expect(received.findIndex((r) => r.text === 'ping')).toBeGreaterThan(received.findIndex((r) => r.text === 'msg-9'));
    expect(pings[0].at - lastSend).toBeGreaterThanOrEqual(140);
    expect(pings[0].at - lastSend).toBeLessThan(350);
    expect(statesOf(h, 'backoff')).toHaveLength(0);
  });
});
