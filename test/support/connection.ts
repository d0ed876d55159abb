// Helpers for tests of the connection loop: tiny ws servers on port 0, a Connection whose states, messages and
// log lines are recorded, and cleanup of everything a test started. Each test file calls
// `afterEach(runCleanups)`.
import net from 'node:net';
import { WebSocketServer } from 'ws';
import type { Logger } from '../../src/log.js';
import { captureLog } from './log.js';
export { captureLog, type LogLine } from './log.js';
import { Connection, type ConnState, type ConnectionOptions, type ConnectionSpec, type StateInfo } from '../../src/venues/connection.js';

const cleanups: Array<() => Promise<void> | void> = [];

/** Registers something to undo after the current test (run in reverse order). */
export function onCleanup(fn: () => Promise<void> | void): void {
  cleanups.push(fn);
}

export async function runCleanups(): Promise<void> {
  for (const c of cleanups.splice(0).reverse()) await c();
}

export async function wsServer(opts: { autoPong?: boolean } = {}): Promise<{ wss: WebSocketServer; url: string; port: number }> {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', autoPong: opts.autoPong ?? true });
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
  const port = (wss.address() as net.AddressInfo).port;
  onCleanup(() => closeWss(wss));
  return { wss, url: `ws://127.0.0.1:${port}/ws`, port };
}

export function closeWss(wss: WebSocketServer): Promise<void> {
  for (const c of wss.clients) c.terminate();
  return new Promise((resolve) => wss.close(() => resolve()));
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

/** A TCP server that does something nasty with every connection (destroy it, or hold it without answering). */
export async function rawServer(onSocket: (s: net.Socket) => void): Promise<{ port: number; sockets: net.Socket[] }> {
  const sockets: net.Socket[] = [];
  const srv = net.createServer((s) => {
    sockets.push(s);
    s.on('error', () => {});
    onSocket(s);
  });
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', () => resolve()));
  onCleanup(
    () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        srv.close(() => resolve());
      }),
  );
  return { port: (srv.address() as net.AddressInfo).port, sockets };
}

export async function waitFor(cond: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export interface Harness {
  conn: Connection;
  states: Array<{ state: ConnState; info: StateInfo; at: number }>;
  messages: Array<{ text: string; at: number }>;
  opens: number[];
  lines: LogLine[];
}

export function makeConn(spec: Partial<ConnectionSpec> & { url: string }, opts: Partial<ConnectionOptions> = {}): Harness {
  const { log, lines } = captureLog();
  const conn = new Connection(
    {
      name: 'test#1',
      venue: 'bybit-linear',
      subscribeMessages: () => [],
      keepalive: { kind: 'ws-ping', intervalMs: 10_000, timeoutMs: 10_000 },
      ...spec,
    },
    { log, reconnectBaseMs: 20, reconnectMaxMs: 10_000, healthyResetMs: 60_000, connectTimeoutMs: 2_000, ...opts },
  );
  const h: Harness = { conn, states: [], messages: [], opens: [], lines };
  conn.on('state', (state, info) => h.states.push({ state, info, at: Date.now() }));
  conn.on('message', (text, at) => h.messages.push({ text, at }));
  conn.on('open', () => h.opens.push(Date.now()));
  onCleanup(() => conn.stop());
  return h;
}

export const statesOf = (h: Harness, s: ConnState) => h.states.filter((x) => x.state === s);
