// Frames over the size limit, and how connection failures are logged: real ws servers on port 0 and a real pino
// logger whose JSON lines are parsed (no mocked logger).
import { afterEach, describe, expect, it } from 'vitest';
import type { WebSocket as ServerSocket } from 'ws';
import { loadConfig } from '../../src/config.js';
import { createStreams } from '../../src/venues/runtime.js';
import { startStandins } from '../support/venues.js';
import { captureLog, freePort, makeConn, onCleanup, runCleanups, statesOf, waitFor, wsServer } from '../support/connection.js';

afterEach(runCleanups);

describe('frame size limit (maxPayloadBytes)', () => {
  it('a frame over the limit closes that connection with a logged reason; it reconnects and keeps working', async () => {
    const LIMIT = 1024;
    const { wss, url } = await wsServer();
    let n = 0;
    wss.on('connection', (ws: ServerSocket) => {
      n++;
      ws.send(`hello-${n}`);
      if (n === 1) {
        ws.send('y'.repeat(LIMIT)); // exactly the limit: accepted
        ws.send('x'.repeat(LIMIT + 1));
        ws.send('never-delivered');
      }
    });
    const h = makeConn({ url }, { maxPayloadBytes: LIMIT });
    h.conn.start();
    await waitFor(() => h.messages.some((m) => m.text === 'hello-2'), 5000, 'the second connection');

    expect(h.messages.map((m) => (m.text.length > 20 ? `${m.text[0]}×${m.text.length}` : m.text))).toEqual([
      'hello-1',
      `y×${LIMIT}`,
      'hello-2',
    ]);
    expect(h.conn.state).toBe('open');
    expect(h.conn.reconnects).toBe(1);
    const tooLarge = h.lines.filter((l) => l.msg.includes('too large'));
    expect(tooLarge).toHaveLength(1);
    expect(tooLarge[0]).toMatchObject({ level: 'error', conn: 'test#1', limitBytes: LIMIT });
    const reconnect = h.lines.filter((l) => l.msg === 'reconnect scheduled');
    expect(reconnect).toHaveLength(1);
    expect(reconnect[0].reason).toMatch(/too large.*1024 bytes/);
    expect(statesOf(h, 'backoff')[0].info.reason).toMatch(/too large/);
    // Still working after the reconnect.
    expect(h.conn.send('still-there')).toBe(true);
    const [client2] = [...wss.clients];
    const got = new Promise<string>((resolve) => client2.once('message', (d) => resolve(d.toString())));
    expect(await got).toBe('still-there');
  });

  it('WS_MAX_PAYLOAD_BYTES reaches every venue connection (stand-ins, all exchanges)', async () => {
    const s = await startStandins();
    onCleanup(() => s.close());
    const VENUES = ['binance-usdm', 'binance-coinm', 'bybit-linear', 'bybit-inverse', 'okx'];
    const cfg = loadConfig({ ...s.env, EXCHANGES: 'binance,bybit,okx', WS_MAX_PAYLOAD_BYTES: '1024', RECONNECT_BASE_MS: '20', RECONNECT_MAX_MS: '100' });
    expect(cfg.WS_MAX_PAYLOAD_BYTES).toBe(1024);
    const { log, lines } = captureLog('info');
    const streams = createStreams(cfg, { log, onEvents: () => {}, onRejections: () => {} });
    streams.start();
    onCleanup(() => streams.stop());
    const venues = VENUES.map((v) => s.venues[v]);
    await waitFor(() => venues.every((v) => v.connections() === 1), 10_000, 'every venue connected');
    for (const v of VENUES) s.send(v, 'z'.repeat(1025)); // no topic: the stand-ins send it to every connection
    await waitFor(() => venues.every((v) => v.totalConnections() === 2 && v.connections() === 1), 10_000, 'every venue reconnected');
    const conns = lines.filter((l) => l.msg.includes('too large')).map((l) => l.conn);
    expect(conns.sort()).toEqual(['binance-coinm', 'binance-usdm', 'bybit-inverse#0', 'bybit-linear#0', 'okx']);
  });

  it('the default limit is 16 MiB; the variable is range-checked', () => {
    expect(loadConfig({}).WS_MAX_PAYLOAD_BYTES).toBe(16 * 1024 * 1024);
    expect(() => loadConfig({ WS_MAX_PAYLOAD_BYTES: '100' })).toThrow(/WS_MAX_PAYLOAD_BYTES must be an integer from 1024 to 1073741824/);
    expect(() => loadConfig({ WS_MAX_PAYLOAD_BYTES: '2000000000' })).toThrow(/WS_MAX_PAYLOAD_BYTES/);
  });
});

describe('reconnect warnings', () => {
  it('name the error and its code, without a stack trace', async () => {
    const port = await freePort();
    const h = makeConn({ url: `ws://127.0.0.1:${port}/` });
    h.conn.start();
    await waitFor(() => h.lines.filter((l) => l.msg === 'reconnect scheduled').length >= 3, 5000, '3 reconnect lines');
    await h.conn.stop();
    const lines = h.lines.filter((l) => l.msg === 'reconnect scheduled');
    for (const l of lines) {
      expect(JSON.stringify(l)).not.toContain('"stack"');
      expect(l.err).toBeUndefined();
      expect(l).toMatchObject({
        level: 'warn',
        conn: 'test#1',
        error: `connect ECONNREFUSED 127.0.0.1:${port}`,
        errorCode: 'ECONNREFUSED',
        reason: expect.stringContaining('ECONNREFUSED'),
      });
    }
  });

  it('a server close names the close code and reason, with no error fields', async () => {
    const { wss, url } = await wsServer();
    let n = 0;
    wss.on('connection', (ws: ServerSocket) => {
      if (++n === 1) ws.close(4004, 'No data received in 30s.');
    });
    const h = makeConn({ url });
    h.conn.start();
    await waitFor(() => n === 2 && h.conn.state === 'open', 5000, 'reconnected');
    const [line] = h.lines.filter((l) => l.msg === 'reconnect scheduled');
    expect(line).toMatchObject({ level: 'warn', code: 4004, reason: 'closed by server: 4004 No data received in 30s.' });
    expect(JSON.stringify(line)).not.toContain('"stack"');
    expect(line.error).toBeUndefined();
  });
});
