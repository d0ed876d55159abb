// The connection loop against tiny ws servers scripted here (port 0, short intervals).
import http from 'node:http';
import type net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket as ServerSocket } from 'ws';
import { parseRetryAfter } from '../../src/venues/connection.js';
import {
  closeWss,
  freePort,
  makeConn,
  onCleanup,
  rawServer,
  runCleanups,
  sleep,
  statesOf,
  waitFor,
  wsServer,
} from '../support/connection.js';

afterEach(runCleanups);

// ------------------------------------------------------------------ tests

describe('parseRetryAfter', () => {
  it('reads delta-seconds and HTTP dates', () => {
    const now = Date.parse('2024-05-01T12:00:00Z');
    expect(parseRetryAfter('1', now)).toBe(1000);
    expect(parseRetryAfter(' 120 ', now)).toBe(120_000);
    expect(parseRetryAfter('0.5', now)).toBe(500);
    expect(parseRetryAfter('Wed, 01 May 2024 12:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Wed, 01 May 2024 11:00:00 GMT', now)).toBe(0); // in the past
    expect(parseRetryAfter(['7', '9'], now)).toBe(7000);
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
    expect(parseRetryAfter('', now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter('-5', now)).toBeUndefined();
  });
});

describe('Connection', () => {
  it('reconnects after a server close (OKX 4004) and re-sends every subscribe message', async () => {
    const { wss, url } = await wsServer();
    const server: Array<{ subs: string[] }> = [];
    wss.on('connection', (ws) => {
      const rec = { subs: [] as string[] };
      const idx = server.push(rec);
      ws.on('message', (d) => {
        rec.subs.push(d.toString());
        if (rec.subs.length === 2) {
          ws.send(`hello-${idx}`);
          if (idx === 1) setTimeout(() => ws.close(4004, 'No data received in 30s.'), 20);
        }
      });
    });
    let calls = 0;
    const h = makeConn({
      url,
      subscribeMessages: () => {
        calls++;
        return ['{"op":"subscribe","args":["a"]}', `{"op":"subscribe","args":["b${calls}"]}`];
      },
    });
    expect(h.conn.state).toBe('idle');
    h.conn.start();
    await waitFor(() => h.messages.some((m) => m.text === 'hello-2'), 5000, 'second connection greeting');

    expect(server.length).toBe(2);
    expect(server[0].subs).toEqual(['{"op":"subscribe","args":["a"]}', '{"op":"subscribe","args":["b1"]}']);
    expect(server[1].subs).toEqual(['{"op":"subscribe","args":["a"]}', '{"op":"subscribe","args":["b2"]}']);
    expect(calls).toBe(2);
    expect(h.opens).toHaveLength(2);
    expect(h.conn.reconnects).toBe(1);
    expect(h.conn.state).toBe('open');
    const backoff = statesOf(h, 'backoff');
    expect(backoff).toHaveLength(1);
    expect(backoff[0].info.reason).toContain('4004');
    expect(backoff[0].info.attempt).toBe(0);
    expect(h.states.map((s) => s.state)).toEqual(['connecting', 'open', 'backoff', 'connecting', 'open']);
    // Text frames arrive as strings with a receipt time.
    expect(h.messages.map((m) => m.text)).toEqual(['hello-1', 'hello-2']);
    for (const m of h.messages) expect(Math.abs(Date.now() - m.at)).toBeLessThan(5000);
    expect(h.conn.lastMessageAt).toBe(h.messages[1].at);
    expect(Math.abs((h.conn.openedAt ?? 0) - h.opens[1])).toBeLessThanOrEqual(5);
    const st = h.conn.status();
    expect(st).toMatchObject({ name: 'test#1', venue: 'bybit-linear', state: 'open', reconnects: 1 });
    expect(st.since).toBeGreaterThanOrEqual(0);
    // The reconnect is logged (object first, message second), once, not per message.
    const logged = h.lines.filter((l) => l.msg === 'reconnect scheduled');
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({ conn: 'test#1', code: 4004, level: 'warn' });
    expect(typeof logged[0].delayMs).toBe('number');
    // send() goes out on the current socket.
    expect(h.conn.send('later')).toBe(true);
    await waitFor(() => server[1].subs.includes('later'), 2000, 'later message');
  });

  it('backoff delays grow between failed attempts (closed port) and are capped', async () => {
    const port = await freePort();
    const h = makeConn({ url: `ws://127.0.0.1:${port}/` }, { reconnectBaseMs: 20, reconnectMaxMs: 10_000 });
    h.conn.start();
    await waitFor(() => statesOf(h, 'connecting').length >= 7, 5000, '7 attempts');
    await h.conn.stop();
    const connecting = statesOf(h, 'connecting').map((s) => s.at);
    const backoff = statesOf(h, 'backoff').slice(0, 6);
    expect(backoff.map((b) => b.info.attempt)).toEqual([0, 1, 2, 3, 4, 5]);
    backoff.forEach((b, i) => {
      const ceiling = 20 * 2 ** i;
      expect(b.info.delayMs).toBeGreaterThanOrEqual(ceiling / 2);
      expect(b.info.delayMs).toBeLessThanOrEqual(ceiling);
      expect(b.info.reason).toMatch(/ECONNREFUSED/);
      // The next attempt really waited (at least) that long.
      expect(connecting[i + 1] - connecting[i]).toBeGreaterThanOrEqual((b.info.delayMs ?? 0) - 1);
    });
    const gaps = connecting.slice(1, 7).map((t, i) => t - connecting[i]);
    expect(gaps[5]).toBeGreaterThan(3 * gaps[1]); // ≥ 320 vs ≤ 40 + refusal time
    expect(gaps[4]).toBeGreaterThan(gaps[2]);
    expect(h.conn.reconnects).toBe(0); // never opened

    const capped = makeConn({ url: `ws://127.0.0.1:${port}/` }, { reconnectBaseMs: 20, reconnectMaxMs: 50 });
    capped.conn.start();
    await waitFor(() => statesOf(capped, 'backoff').length >= 8, 5000, '8 capped attempts');
    await capped.conn.stop();
    const delays = statesOf(capped, 'backoff').map((b) => b.info.delayMs ?? -1);
    for (const d of delays) expect(d).toBeLessThanOrEqual(50);
    for (const d of delays.slice(2)) expect(d).toBeGreaterThanOrEqual(25);
  });

  it('a server that destroys sockets during the upgrade: backoff grows too', async () => {
    const { port, sockets } = await rawServer((s) => s.destroy());
    const h = makeConn({ url: `ws://127.0.0.1:${port}/` });
    h.conn.start();
    await waitFor(() => statesOf(h, 'backoff').length >= 5, 5000, '5 failures');
    await h.conn.stop();
    const b = statesOf(h, 'backoff').slice(0, 5);
    expect(b.map((x) => x.info.attempt)).toEqual([0, 1, 2, 3, 4]);
    expect(b[4].info.delayMs).toBeGreaterThanOrEqual(160);
    expect(sockets.length).toBeGreaterThanOrEqual(5);
    expect(h.opens).toHaveLength(0);
  });

  it('the attempt counter resets once a connection has been open for healthyResetMs', async () => {
    const { wss, url } = await wsServer();
    let n = 0;
    wss.on('connection', (ws) => {
      n++;
      if (n === 4) setTimeout(() => ws.terminate(), 300); // healthy (> 150 ms), then dropped
      else setTimeout(() => ws.terminate(), 10); // dropped quickly: not healthy
    });
    const h = makeConn({ url }, { healthyResetMs: 150 });
    h.conn.start();
    await waitFor(() => statesOf(h, 'backoff').length >= 6, 8000, '6 drops');
    await h.conn.stop();
    const attempts = statesOf(h, 'backoff').map((b) => b.info.attempt);
    expect(attempts.slice(0, 6)).toEqual([0, 1, 2, 0, 1, 2]);
    expect(h.conn.reconnects).toBeGreaterThanOrEqual(5);
  });

  it('HTTP 429 with Retry-After: 1 delays the next attempt by at least 1 s; other statuses just back off', async () => {
    const wss = new WebSocketServer({ noServer: true });
    const server = http.createServer();
    const attemptsAt: number[] = [];
    server.on('upgrade', (req, socket, head) => {
      attemptsAt.push(Date.now());
      const n = attemptsAt.length;
      if (n === 1) {
        socket.end('HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
      } else if (n === 2) {
        socket.end('HTTP/1.1 429 Too Many Requests\r\nRetry-After: 1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
      } else {
        wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    onCleanup(async () => {
      await closeWss(wss);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    });
    const port = (server.address() as net.AddressInfo).port;
    const h = makeConn({ url: `ws://127.0.0.1:${port}/ws` });
    h.conn.start();
    await waitFor(() => h.conn.state === 'open', 5000, 'open after 429');

    expect(attemptsAt).toHaveLength(3);
    expect(attemptsAt[1] - attemptsAt[0]).toBeLessThan(500); // 503: plain backoff (≤ 20 ms)
    expect(attemptsAt[2] - attemptsAt[1]).toBeGreaterThanOrEqual(1000); // 429: Retry-After honoured
    const b = statesOf(h, 'backoff');
    expect(b.map((x) => x.info.status)).toEqual([503, 429]);
    expect(b[0].info.delayMs).toBeLessThanOrEqual(20);
    expect(b[1].info.delayMs).toBeGreaterThanOrEqual(1000);
    expect(b[1].info.reason).toContain('429');
    const rl = h.lines.find((l) => l.msg.includes('429'));
    expect(rl).toMatchObject({ level: 'warn', status: 429, retryAfterMs: 1000 });
    expect(h.conn.reconnects).toBe(0); // it had never been open before
  });

  it('watchdog terminates a socket whose ws pings go unanswered (server autoPong: false), then reconnects', async () => {
    const { wss, url } = await wsServer({ autoPong: false });
    const server: Array<{ openAt: number; closeAt?: number; code?: number; pings: number }> = [];
    wss.on('connection', (ws) => {
      const rec = { openAt: Date.now(), pings: 0 } as (typeof server)[number];
      server.push(rec);
      ws.on('ping', () => rec.pings++);
      ws.on('close', (code) => Object.assign(rec, { closeAt: Date.now(), code }));
    });
    const h = makeConn({ url, keepalive: { kind: 'ws-ping', intervalMs: 50, timeoutMs: 120 } });
    h.conn.start();
    await waitFor(() => server.length >= 2, 5000, 'reconnect after watchdog');
    await waitFor(() => server[0].closeAt !== undefined, 2000, 'server sees close');
    const first = server[0];
    expect(first.pings).toBeGreaterThanOrEqual(1);
    expect(first.code).toBe(1006); // terminate(): no close frame
    const lived = (first.closeAt ?? 0) - first.openAt;
    expect(lived).toBeGreaterThanOrEqual(160); // first ping at 50 ms + 120 ms watchdog
    expect(lived).toBeLessThan(1500);
    const b = statesOf(h, 'backoff');
    expect(b[0].info.reason).toMatch(/watchdog/);
    expect(h.lines.some((l) => l.msg.startsWith('watchdog') && l.level === 'warn')).toBe(true);
  });

  it('ws pings that are answered keep the socket open (control)', async () => {
    const { wss, url } = await wsServer({ autoPong: true });
    let pings = 0;
    wss.on('connection', (ws) => ws.on('ping', () => pings++));
    const h = makeConn({ url, keepalive: { kind: 'ws-ping', intervalMs: 50, timeoutMs: 120 } });
    h.conn.start();
    await sleep(700);
    expect(pings).toBeGreaterThanOrEqual(8);
    expect(wss.clients.size).toBe(1);
    expect(statesOf(h, 'backoff')).toHaveLength(0);
    expect(h.conn.state).toBe('open');
  });

  it("watchdog terminates on a 'text' keepalive whose pong never comes; answered pongs keep it open", async () => {
    let answer = false;
    const { wss, url } = await wsServer();
    const server: Array<{ pings: string[]; closeAt?: number; openAt: number }> = [];
    wss.on('connection', (ws) => {
      const rec = { pings: [] as string[], openAt: Date.now() } as (typeof server)[number];
      server.push(rec);
      ws.on('message', (d) => {
        const t = d.toString();
        const m = JSON.parse(t) as { op: string; req_id: string };
        if (m.op === 'ping') {
          rec.pings.push(m.req_id);
          if (answer) ws.send(JSON.stringify({ op: 'pong', req_id: m.req_id, success: true }));
        }
      });
      ws.on('close', () => (rec.closeAt = Date.now()));
    });
    let req = 0;
    const h = makeConn({
      url,
      keepalive: {
        kind: 'text',
        message: () => JSON.stringify({ op: 'ping', req_id: String(++req) }),
        isPong: (t) => t.includes('"op":"pong"'),
        intervalMs: 50,
        timeoutMs: 120,
      },
    });
    h.conn.start();
    await waitFor(() => server.length >= 2, 5000, 'reconnect after text watchdog');
    await waitFor(() => server[0].closeAt !== undefined, 2000, 'server sees close');
    expect(server[0].pings.length).toBeGreaterThanOrEqual(2); // pings at 50, 100 ms; watchdog at 170 ms
    expect((server[0].closeAt ?? 0) - server[0].openAt).toBeGreaterThanOrEqual(160);
    expect(statesOf(h, 'backoff')[0].info.reason).toMatch(/watchdog/);

    // Now the server answers: the socket stays up, pongs are delivered as messages.
    answer = true;
    await waitFor(() => h.conn.state === 'open', 5000, 'open again');
    const backoffsBefore = statesOf(h, 'backoff').length;
    const connsBefore = server.length;
    const pingsBefore = server[connsBefore - 1].pings.length;
    await sleep(600);
    expect(statesOf(h, 'backoff').length).toBe(backoffsBefore);
    expect(server.length).toBe(connsBefore);
    expect(server[connsBefore - 1].pings.length - pingsBefore).toBeGreaterThanOrEqual(8);
    expect(h.messages.filter((m) => m.text.includes('"op":"pong"')).length).toBeGreaterThanOrEqual(8);
  });

  it('rotation: a replacement opens before maxLifetimeMs; the old socket closes only after the new one received a message; nothing is lost', async () => {
    const { wss, url } = await wsServer();
    interface Rec {
      id: number;
      openAt: number;
      closeAt?: number;
      subs: string[];
      ws: ServerSocket;
      feedFrom: number;
    }
    const recs: Rec[] = [];
    let seq = 0;
    const FEED_DELAY_MS = 120; // the server starts feeding a new subscriber only after this long
    wss.on('connection', (ws) => {
      const rec: Rec = { id: recs.length + 1, openAt: Date.now(), subs: [], ws, feedFrom: Infinity };
      recs.push(rec);
      ws.on('message', (d) => {
        rec.subs.push(d.toString());
        rec.feedFrom = Date.now() + FEED_DELAY_MS;
      });
      ws.on('close', () => (rec.closeAt = Date.now()));
    });
    const feed = setInterval(() => {
      const now = Date.now();
      const to = recs.filter((r) => r.ws.readyState === r.ws.OPEN && now >= r.feedFrom);
      if (to.length === 0) return;
      seq++;
      for (const r of to) r.ws.send(JSON.stringify({ c: r.id, seq }));
    }, 5);
    onCleanup(() => clearInterval(feed));

    const h = makeConn({ url, venue: 'binance-usdm', subscribeMessages: () => ['sub'], maxLifetimeMs: 300 });
    h.conn.start();
    await waitFor(() => recs[0]?.closeAt !== undefined, 5000, 'first socket closed');
    await sleep(50);
    await h.conn.stop();
    clearInterval(feed);

    expect(recs.length).toBe(2);
    const [a, b] = recs;
    // The replacement opened before the lifetime limit (rotation lead = 30 ms at 300 ms).
    expect(b.openAt - a.openAt).toBeGreaterThanOrEqual(250);
    expect(b.openAt - a.openAt).toBeLessThan(300);
    expect(b.subs).toEqual(['sub']); // subscribe re-sent on the replacement
    const parsed = h.messages.map((m) => ({ ...(JSON.parse(m.text) as { c: number; seq: number }), at: m.at }));
    const firstFromB = parsed.find((p) => p.c === 2);
    expect(firstFromB).toBeDefined();
    // The old socket was closed only after the new one delivered its first message.
    expect(a.closeAt ?? 0).toBeGreaterThanOrEqual(firstFromB!.at);
    expect((a.closeAt ?? 0) - b.openAt).toBeGreaterThanOrEqual(FEED_DELAY_MS - 5);
    // Nothing lost: every seq between the first and the last received arrived (duplicates during the overlap).
    const seqs = new Set(parsed.map((p) => p.seq));
    const min = Math.min(...seqs);
    const max = Math.max(...seqs);
    const missing: number[] = [];
    for (let s = min; s <= max; s++) if (!seqs.has(s)) missing.push(s);
    expect(missing).toEqual([]);
    expect(parsed.length).toBeGreaterThan(seqs.size); // the overlap delivered duplicates
    expect(parsed.some((p) => p.c === 1 && p.seq > firstFromB!.seq - 1)).toBe(true); // old fed past the handover start
    // No reconnect, no state change, one 'open' event; the rotation is counted.
    expect(h.conn.reconnects).toBe(0);
    expect(h.opens).toHaveLength(1);
    expect(h.states.map((s) => s.state)).toEqual(['connecting', 'open', 'stopped']);
    expect(h.conn.status().rotations).toBe(1);
    expect(h.lines.some((l) => l.msg.startsWith('rotation: handed over'))).toBe(true);
  });

  it('rotation: a quiet replacement takes over after handoverTimeoutMs', async () => {
    const { wss, url } = await wsServer();
    const recs: Array<{ openAt: number; closeAt?: number }> = [];
    wss.on('connection', (ws) => {
      const rec: { openAt: number; closeAt?: number } = { openAt: Date.now() };
      recs.push(rec);
      if (recs.length === 1) ws.send('only-the-first-socket-talks');
      ws.on('close', () => (rec.closeAt = Date.now()));
    });
    const h = makeConn({ url, venue: 'binance-coinm', maxLifetimeMs: 300, handoverTimeoutMs: 150 });
    h.conn.start();
    await waitFor(() => recs[0]?.closeAt !== undefined, 5000, 'first socket closed');
    const [a, b] = recs;
    expect((a.closeAt ?? 0) - b.openAt).toBeGreaterThanOrEqual(140);
    expect(b.closeAt).toBeUndefined();
    expect(h.conn.state).toBe('open');
    expect(h.conn.status().rotations).toBe(1);
    expect(h.conn.openedAt).toBeGreaterThanOrEqual(b.openAt - 50);
  });

  it('stop() while connecting cancels cleanly and never reconnects', async () => {
    const { port, sockets } = await rawServer(() => {}); // accepts TCP, never answers the upgrade
    const h = makeConn({ url: `ws://127.0.0.1:${port}/` });
    h.conn.start();
    await waitFor(() => sockets.length === 1, 2000, 'tcp accept');
    expect(h.conn.state).toBe('connecting');
    const t0 = Date.now();
    await h.conn.stop();
    expect(Date.now() - t0).toBeLessThan(500);
    expect(h.conn.state).toBe('stopped');
    await sleep(200);
    expect(sockets.length).toBe(1);
    expect(h.states.map((s) => s.state)).toEqual(['connecting', 'stopped']);
    expect(h.conn.send('x')).toBe(false);
    h.conn.start(); // no restart after stop
    await sleep(50);
    expect(sockets.length).toBe(1);
  });

  it('an upgrade that never completes is aborted after connectTimeoutMs', async () => {
    const { port, sockets } = await rawServer(() => {});
    const h = makeConn({ url: `ws://127.0.0.1:${port}/` }, { connectTimeoutMs: 150 });
    h.conn.start();
    await waitFor(() => sockets.length >= 2, 3000, 'second attempt');
    const b = statesOf(h, 'backoff')[0];
    expect(b.info.reason).toMatch(/timed out|timeout/i);
    expect(b.at - statesOf(h, 'connecting')[0].at).toBeGreaterThanOrEqual(140);
  });

  it('stop() during backoff leaves no timers or sockets behind', async () => {
    const port = await freePort();
    const before = countHandles();
    const h = makeConn({ url: `ws://127.0.0.1:${port}/` }, { reconnectBaseMs: 400 });
    h.conn.start();
    await waitFor(() => h.conn.state === 'backoff', 2000, 'backoff');
    expect(countHandles().Timeout).toBeGreaterThan(before.Timeout); // the backoff timer is visible
    await h.conn.stop();
    await sleep(20);
    const after = countHandles();
    expect(after.Timeout).toBeLessThanOrEqual(before.Timeout);
    expect(after.TCPSocketWrap).toBeLessThanOrEqual(before.TCPSocketWrap);
    await sleep(600);
    expect(statesOf(h, 'connecting')).toHaveLength(1);
  });

  it('stop() on an open, pinging, rotating connection leaves no timers or sockets and never reconnects', async () => {
    const { wss, url } = await wsServer();
    let connections = 0;
    wss.on('connection', (ws) => {
      connections++;
      ws.send('hi');
    });
    const before = countHandles();
    const h = makeConn({ url, keepalive: { kind: 'ws-ping', intervalMs: 30, timeoutMs: 1000 }, maxLifetimeMs: 10_000 });
    h.conn.start();
    await waitFor(() => h.conn.state === 'open' && h.messages.length > 0, 2000, 'open');
    const during = countHandles();
    expect(during.Timeout).toBeGreaterThan(before.Timeout);
    expect(during.TCPSocketWrap).toBeGreaterThan(before.TCPSocketWrap);
    const p = h.conn.stop();
    expect(h.conn.stop()).toBe(p); // idempotent
    await p;
    expect(h.conn.state).toBe('stopped');
    await waitFor(() => wss.clients.size === 0, 2000, 'server sees the close');
    await sleep(20);
    const after = countHandles();
    expect(after.Timeout).toBeLessThanOrEqual(before.Timeout);
    expect(after.TCPSocketWrap).toBeLessThanOrEqual(before.TCPSocketWrap);
    await sleep(200);
    expect(connections).toBe(1);
    expect(h.conn.openedAt).toBeNull();
  });

  it('a throwing listener never breaks the loop', async () => {
    const { wss, url } = await wsServer();
    wss.on('connection', (ws) => {
      ws.send('a');
      ws.send('b');
    });
    const h = makeConn({ url });
    h.conn.on('message', () => {
      throw new Error('consumer bug');
    });
    h.conn.start();
    await waitFor(() => h.messages.length === 2, 2000, 'two messages');
    expect(h.conn.state).toBe('open');
    expect(h.lines.filter((l) => l.msg === 'connection listener threw')).toHaveLength(1); // rate-limited
  });
});

function countHandles(): { Timeout: number; TCPSocketWrap: number } {
  const info = process.getActiveResourcesInfo();
  return {
    Timeout: info.filter((x) => x === 'Timeout').length,
    TCPSocketWrap: info.filter((x) => x === 'TCPSocketWrap').length,
  };
}
