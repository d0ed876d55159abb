// The part every stand-in venue shares: accepting (or refusing) upgrades, tracking connections, recording what
// clients sent, keepalive switches, idle rules and REST bookkeeping. Protocol classes (binance/bybit/okx) fill in
// the rest.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { WebSocketServer, WebSocket, type RawData } from 'ws';
import type { Venue, VenueServer } from './types.js';

/** One open WebSocket connection and its protocol state. */
export interface Conn {
  readonly ws: WebSocket;
  readonly url: URL;
  /** Connection id as the exchange reports it (Bybit conn_id, OKX connId); '' where there is none. */
  id: string;
  /** Current topics, in subscription order. */
  readonly topics: Set<string>;
  /** Timers owned by this connection, cleared when it closes. */
  readonly timers: Set<NodeJS.Timeout>;
}

export function writeJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** A client's message as a JSON object, or undefined (not JSON, or not an object). */
export function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function rawText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (data instanceof ArrayBuffer) return Buffer.from(new Uint8Array(data)).toString('utf8');
  return data.toString('utf8');
}

export abstract class VenueCore implements VenueServer {
  protected readonly conns = new Set<Conn>();
  protected unresponsive = false;
  private readonly wss: WebSocketServer;
  private accepted = 0;
  private attempts = 0;
  private rejectLeft = 0;
  private rejectStatus: 429 | 418 | 503 = 503;
  private rejectRetryAfter: number | undefined;
  private restDown = false;
  private readonly rest: string[] = [];
  private readonly messages: string[] = [];
  private readonly idle = new WeakMap<Conn, NodeJS.Timeout>();

  constructor(readonly venue: Venue) {
    // autoPong off: pongs are sent by hand so setUnresponsive() can withhold them.
    // No permessage-deflate: the frames on the wire stay exactly what send() was given.
    this.wss = new WebSocketServer({ noServer: true, autoPong: false, perMessageDeflate: false });
    this.wss.on('error', () => {});
  }

  /** Whether this venue serves WebSocket upgrades on that path. */
  abstract acceptsPath(url: URL): boolean;
  /** A connection was accepted. */
  protected abstract onOpen(conn: Conn): void;
  /** A client sent a message (already recorded). */
  protected abstract onMessage(conn: Conn, text: string): void;
  /** Which connections a frame given to send() goes to. */
  protected abstract targets(frame: string): Iterable<Conn>;
  /** Serves a REST path; returns false for a path this venue does not know (answered 404). */
  protected abstract serveRest(url: URL, res: ServerResponse): boolean;
  /** A data frame was written to the connection (Bybit counts it as activity). */
  protected onSent(_conn: Conn): void {}

  /** The venue's idle rule: `conn` is closed with (code, reason) after `ms` without a refreshIdle(). */
  protected closeWhenIdle(conn: Conn, ms: number, code: number, reason: string): NodeJS.Timeout {
    const idle = setTimeout(() => conn.ws.close(code, reason), ms);
    conn.timers.add(idle);
    this.idle.set(conn, idle);
    return idle;
  }

  /** Restarts the idle clock of closeWhenIdle (nothing when the connection has none). */
  protected refreshIdle(conn: Conn): void {
    this.idle.get(conn)?.refresh();
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, url: URL): void {
    this.attempts++;
    if (this.rejectLeft > 0) {
      this.rejectLeft--;
      rejectSocket(socket, this.rejectStatus, this.rejectRetryAfter);
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws, url));
  }

  private accept(ws: WebSocket, url: URL): void {
    const conn: Conn = { ws, url, id: '', topics: new Set(), timers: new Set() };
    this.conns.add(conn);
    this.accepted++;
    ws.on('error', () => {}); // garbage frames from a client end that connection, never the process
    ws.on('ping', (data) => {
      if (!this.unresponsive && ws.readyState === WebSocket.OPEN) ws.pong(data);
    });
    ws.on('message', (data) => {
      const text = rawText(data);
      this.messages.push(text);
      this.onMessage(conn, text);
    });
    ws.on('close', () => {
      for (const t of conn.timers) clearTimeout(t);
      conn.timers.clear();
      this.conns.delete(conn);
    });
    this.onOpen(conn);
  }

  /** Sends a text frame to one connection if it is open; returns whether it was sent. */
  protected reply(conn: Conn, payload: string | object): boolean {
    if (conn.ws.readyState !== WebSocket.OPEN) return false;
    conn.ws.send(typeof payload === 'string' ? payload : JSON.stringify(payload));
    return true;
  }

  send(frame: string): number {
    let n = 0;
    for (const conn of this.targets(frame)) {
      if (this.reply(conn, frame)) {
        n++;
        this.onSent(conn);
      }
    }
    return n;
  }

  handleRest(req: IncomingMessage, res: ServerResponse, url: URL): void {
    this.rest.push(url.pathname + url.search);
    if (this.restDown) {
      writeJson(res, 503, { code: 503, msg: 'Service Unavailable' });
      return;
    }
    if (req.method !== 'GET' || !this.serveRest(url, res)) writeJson(res, 404, { code: 404, msg: 'Not Found' });
  }

  connections(): number {
    return this.conns.size;
  }
  totalConnections(): number {
    return this.accepted;
  }
  upgradeAttempts(): number {
    return this.attempts;
  }
  subscriptions(): string[][] {
    return [...this.conns].map((c) => [...c.topics]);
  }
  received(): string[] {
    return [...this.messages];
  }
  dropAll(): void {
    for (const c of this.conns) c.ws.terminate();
  }
  setUnresponsive(on: boolean): void {
    this.unresponsive = on;
  }
  rejectUpgrades(count: number, status: 429 | 418 | 503, retryAfterSec?: number): void {
    this.rejectLeft = count;
    this.rejectStatus = status;
    this.rejectRetryAfter = retryAfterSec;
  }
  setRestDown(on: boolean): void {
    this.restDown = on;
  }
  restRequests(): string[] {
    return [...this.rest];
  }
  async waitFor(pred: () => boolean, timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!pred()) {
      if (Date.now() > deadline) throw new Error(`${this.venue}: waitFor timed out after ${timeoutMs} ms`);
      await sleep(10);
    }
  }

  /** Ends every connection and the WebSocket server. */
  async close(): Promise<void> {
    for (const c of this.conns) {
      for (const t of c.timers) clearTimeout(t);
      c.ws.terminate();
    }
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }
}

/** Answers an upgrade request with a plain HTTP error instead of 101, as an overloaded exchange edge does. */
export function rejectSocket(socket: Duplex, status: number, retryAfterSec?: number): void {
  const body = JSON.stringify({ code: status, msg: STATUS_CODES[status] ?? 'Error' });
  const head = [
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}`,
    ...(retryAfterSec !== undefined ? [`Retry-After: ${retryAfterSec}`] : []),
    'Content-Type: application/json',
    `Content-Length: ${Buffer.byteLength(body)}`,
    'Connection: close',
  ];
  socket.on('error', () => {});
  // end() flushes before FIN; destroy afterwards so a client that keeps its side open leaves no socket behind.
  socket.end(head.join('\r\n') + '\r\n\r\n' + body, () => socket.destroy());
}
