// Two generic parts of the connection loop that venues ask for: headers on the upgrade request (Gate's
// X-Gate-Size-Decimal), and a restart on the venue's notice that replaces the socket with an overlap, as the lifetime
// rotation does, so nothing sent meanwhile is lost.
import { afterEach, describe, expect, it } from 'vitest';
import { makeConn, runCleanups, waitFor, wsServer } from '../support/connection.js';

afterEach(runCleanups);

describe('Connection upgrade headers', () => {
  it('sends the spec headers on the first connect and on every reconnect', async () => {
    const { wss, url } = await wsServer();
    const seen: Array<string | undefined> = [];
    wss.on('connection', (ws, req) => {
      seen.push(req.headers['x-gate-size-decimal'] as string | undefined);
      if (seen.length === 1) setTimeout(() => ws.terminate(), 20);
    });
    const h = makeConn({ url, headers: { 'X-Gate-Size-Decimal': '1' } });
    h.conn.start();
    await waitFor(() => seen.length === 2 && h.conn.state === 'open', 5000, 'a reconnect');
    expect(seen).toEqual(['1', '1']);
  });

  it('sends none when the spec has none', async () => {
    const { wss, url } = await wsServer();
    const seen: Array<string | undefined> = [];
    wss.on('connection', (_ws, req) => seen.push(req.headers['x-gate-size-decimal'] as string | undefined));
    const h = makeConn({ url });
    h.conn.start();
    await waitFor(() => seen.length === 1, 5000, 'a connect');
    expect(seen).toEqual([undefined]);
  });
});

describe('Connection.restart', () => {
  it('opens a replacement at once, keeps the old socket until the new one receives, then closes it; nothing lost', async () => {
    const { wss, url } = await wsServer();
    const sockets: Array<{ closed: boolean; subs: string[] }> = [];
    const live: Array<import('ws').WebSocket> = [];
    wss.on('connection', (ws) => {
      const rec = { closed: false, subs: [] as string[] };
      sockets.push(rec);
      live.push(ws);
      ws.on('message', (d) => rec.subs.push(d.toString()));
      ws.on('close', () => (rec.closed = true));
    });
    const h = makeConn({ url, subscribeMessages: () => ['sub'] });
    h.conn.start();
    await waitFor(() => sockets.length === 1 && sockets[0].subs.length === 1, 5000, 'first socket subscribed');
    expect(h.conn.restart('venue restart notice')).toBe(true);
    expect(h.conn.restart('again')).toBe(false); // one replacement at a time
    await waitFor(() => sockets.length === 2 && sockets[1].subs.length === 1, 5000, 'replacement subscribed');
    // Until the replacement has received something, the old socket stays and still delivers.
    live[0].send('from-old');
    await waitFor(() => h.messages.some((m) => m.text === 'from-old'), 5000, 'old socket still delivering');
    expect(sockets[0].closed).toBe(false);
    live[1].send('from-new');
    await waitFor(() => sockets[0].closed, 5000, 'old socket closed after the handover');
    expect(h.messages.map((m) => m.text)).toEqual(['from-old', 'from-new']);
    expect(h.conn.state).toBe('open');
    expect(h.conn.status().rotations).toBe(1);
    expect(h.conn.reconnects).toBe(0);
    expect(h.lines.some((l) => l.msg === 'restart: opening a replacement now')).toBe(true);
  });

  it('does nothing on a connection that is not open', () => {
    const h = makeConn({ url: 'ws://127.0.0.1:9/never' });
    expect(h.conn.restart('notice')).toBe(false);
  });
});
