// One WebSocket of a connection (connection.ts): its timers, its keepalive and watchdog, its read pause, and why it
// failed when it did. It knows nothing of reconnecting or rotating: it tells its owner when it opened, received, and
// closed.
//
// Keepalive by what was sent: a keepalive goes out whenever the socket has sent nothing (subscribe messages, send(),
// keepalives) for the interval, whatever it received, so a venue that counts client silence (OKX closes a client that
// has sent nothing for 30 s) and one that counts traffic both ways are both satisfied. The watchdog is armed by an
// unanswered keepalive: nothing received within the timeout terminates the socket. Not while reading is paused: then
// no answer can arrive, and terminating would lose what the venue had already sent on the socket.
import type { IncomingMessage } from 'node:http';
import WebSocket from 'ws';
import type { ReadGate } from '../core/gate.js';
import type { Logger } from '../log.js';

export interface KeepaliveSpec {
  /** 'ws-ping': send WebSocket ping frames; any pong (or any message) proves liveness.
   *  'text': send `message` (e.g. '{"op":"ping","req_id":"…"}' for Bybit, 'ping' for OKX); `isPong(text)` recognises the answer. */
  kind: 'ws-ping' | 'text';
  message?: () => string;
  isPong?: (text: string) => boolean;
  /** Sent whenever the socket has sent nothing (subscribe, send(), keepalive) for this long, whatever it received. */
  intervalMs: number;
  /** Watchdog: no pong/message within timeoutMs after a keepalive was sent → terminate() and reconnect. */
  timeoutMs: number;
}

export type Role = 'primary' | 'replacement' | 'retired';
type TimerKey = 'connect' | 'keepalive' | 'watchdog' | 'lifetime' | 'handover' | 'closeGrace';

/** A socket we closed politely that has not finished closing after this long is terminated. */
const CLOSE_GRACE_MS = 2_000;

export interface SocketOptions {
  /** The connection's name, for logs. */
  name: string;
  url: string;
  /** HTTP headers of the upgrade request. */
  headers?: Readonly<Record<string, string>>;
  connectTimeoutMs: number;
  maxPayloadBytes: number;
  keepalive: KeepaliveSpec;
  decode?: (data: Buffer) => string;
  gate?: ReadGate;
  log: Logger;
}

/** What a socket tells its owner; `guard` runs a callback so that nothing throws into ws or a timer. */
export interface SocketHooks {
  open(sock: VenueSocket): void;
  message(sock: VenueSocket, text: string, receivedAt: number): void;
  close(sock: VenueSocket, code: number, reason: string): void;
  guard(fn: () => void): void;
}

/** Retry-After: delta-seconds or an HTTP date. Returns ms to wait (≥ 0), or undefined when absent/unparseable. */
export function parseRetryAfter(value: string | string[] | undefined, now: number = Date.now()): number | undefined {
  const v = (Array.isArray(value) ? value[0] : value)?.trim();
  if (!v) return undefined;
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  if (!/[a-z]/i.test(v)) return undefined; // an HTTP date names its day and month; '-5' is not one
  const t = Date.parse(v);
  if (Number.isNaN(t)) return undefined;
  return Math.max(0, t - now);
}

export class VenueSocket {
  readonly ws: WebSocket;
  opened = false;
  openedAt: number | null = null;
  /** last frame of any kind (message, ping, pong) */
  lastRxAt: number;
  /** last time we sent anything (subscribe, send(), keepalive): the keepalive clock */
  lastTxAt: number;
  /** A message has arrived (a replacement hands over at its first). */
  gotMessage = false;
  closed = false;
  /** Why it failed, when we know better than the close code (watchdog, timeout, HTTP status, error). */
  failReason?: string;
  failErr?: Error;
  status?: number;
  retryAfterMs?: number;
  /** Failed replacements of this socket in a row (the backoff of the next try). */
  rotationFailures = 0;
  private readonly timers: Partial<Record<TimerKey, NodeJS.Timeout>> = {};
  private readonly closeWaiters: Array<() => void> = [];
  private readonly onGate = (paused: boolean) => {
    if (!this.opened || this.closed) return;
    if (paused) {
      this.ws.pause();
      this.clear('watchdog');
    } else {
      this.ws.resume();
    }
  };

  /** Opens the WebSocket; throws synchronously on an invalid URL (the owner treats it as a failed attempt). */
  constructor(
    readonly id: number,
    public role: Role,
    private readonly opts: SocketOptions,
    private readonly hooks: SocketHooks,
  ) {
    this.ws = new WebSocket(opts.url, { headers: opts.headers, handshakeTimeout: opts.connectTimeoutMs, perMessageDeflate: false, maxPayload: opts.maxPayloadBytes });
    const now = Date.now();
    this.lastRxAt = now;
    this.lastTxAt = now;
    const ws = this.ws;
    // Belt and braces: handshakeTimeout is an inactivity timeout of the HTTP request; this one is absolute.
    this.timer('connect', opts.connectTimeoutMs, () => {
      this.failReason ??= `connect timeout after ${opts.connectTimeoutMs} ms`;
      this.terminate();
    });
    opts.gate?.on('change', this.onGate);
    ws.on('open', () => hooks.guard(() => this.onOpen()));
    ws.on('message', (data: WebSocket.RawData, isBinary: boolean) => {
      const receivedAt = Date.now();
      hooks.guard(() => this.onMessage(isBinary && opts.decode ? opts.decode(rawToBuffer(data)) : rawToBuffer(data).toString(), receivedAt));
    });
    ws.on('ping', () => hooks.guard(() => this.alive()));
    ws.on('pong', () => hooks.guard(() => this.alive()));
    ws.on('unexpected-response', (_req: unknown, res: IncomingMessage) => hooks.guard(() => this.onUnexpectedResponse(res)));
    ws.on('error', (err: Error) => hooks.guard(() => this.onError(err)));
    ws.on('close', (code: number, reason: Buffer) => hooks.guard(() => this.onClose(code, reason.toString())));
  }

  get open(): boolean {
    return this.opened && !this.closed && this.ws.readyState === WebSocket.OPEN;
  }

  send(text: string): void {
    this.lastTxAt = Date.now();
    try {
      this.ws.send(text, (err) => {
        if (err) this.failErr ??= err; // the socket is going down; 'close' follows
      });
    } catch (err) {
      this.failErr ??= toError(err);
    }
  }

  /** Sends the subscribe messages and starts the keepalive: called by the owner once the socket is open. */
  begin(subscribeMessages: readonly string[]): void {
    for (const m of subscribeMessages) this.send(m);
    this.scheduleKeepalive(this.opts.keepalive.intervalMs);
  }

  timer(key: TimerKey, ms: number, fn: () => void): void {
    const prev = this.timers[key];
    if (prev) clearTimeout(prev);
    this.timers[key] = setTimeout(() => {
      delete this.timers[key];
      this.hooks.guard(fn);
    }, ms);
  }

  clear(key: TimerKey): void {
    const t = this.timers[key];
    if (t) {
      clearTimeout(t);
      delete this.timers[key];
    }
  }

  terminate(): void {
    try {
      this.ws.terminate();
    } catch {
      // already closed or closing: nothing to do
    }
  }

  /** Closes politely (a peer that never answers is terminated after a grace period); resolves once closed. */
  close(code: number, reason: string): Promise<void> {
    this.clearAll();
    if (this.closed) return Promise.resolve();
    const done = new Promise<void>((resolve) => this.closeWaiters.push(resolve));
    const ws = this.ws;
    if (ws.readyState === WebSocket.CONNECTING) {
      this.terminate(); // aborts the handshake; 'close' follows on the next tick
    } else {
      if (ws.readyState === WebSocket.OPEN) {
        try {
          ws.close(code, reason);
        } catch {
          this.terminate();
        }
      }
      this.timer('closeGrace', CLOSE_GRACE_MS, () => this.terminate());
    }
    return done;
  }

  private onOpen(): void {
    this.clear('connect');
    const now = Date.now();
    this.opened = true;
    this.openedAt = now;
    // ws ignores pause() before the upgrade completes: a socket opened while the gate is closed starts paused.
    if (this.opts.gate?.paused) this.ws.pause();
    this.lastRxAt = now;
    this.lastTxAt = now;
    this.hooks.open(this);
  }

  private onMessage(text: string, receivedAt: number): void {
    if (this.closed) return;
    this.lastRxAt = receivedAt;
    this.clear('watchdog');
    this.hooks.message(this, text, receivedAt);
  }

  private alive(): void {
    this.lastRxAt = Date.now();
    this.clear('watchdog');
  }

  private onError(err: Error): void {
    if ((err as NodeJS.ErrnoException).code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') {
      // ws has already dropped the frame and is closing with 1009: what it carried is lost, so say so loudly.
      this.failReason = `frame too large: over the ${this.opts.maxPayloadBytes} bytes of WS_MAX_PAYLOAD_BYTES (close 1009)`;
      this.opts.log.error(
        { conn: this.opts.name, sock: this.id, limitBytes: this.opts.maxPayloadBytes, code: 1009 },
        'frame too large: over WS_MAX_PAYLOAD_BYTES, its content is lost; closing and reconnecting',
      );
    }
    this.failErr ??= err;
    this.failReason ??= `error: ${err.message}`;
  }

  private onUnexpectedResponse(res: IncomingMessage): void {
    const status = res.statusCode ?? 0;
    this.status = status;
    this.failReason = `upgrade refused: HTTP ${status}`;
    if (status === 429 || status === 418) {
      const retryAfterMs = parseRetryAfter(res.headers['retry-after']);
      this.retryAfterMs = retryAfterMs;
      this.opts.log.warn(
        { conn: this.opts.name, status, retryAfter: res.headers['retry-after'], retryAfterMs },
        status === 418 ? 'upgrade refused: IP banned (418), honouring Retry-After' : 'upgrade rate-limited (429), honouring Retry-After',
      );
    }
    res.resume();
    // With an 'unexpected-response' listener ws leaves the request to us: abort it (emits 'error' then 'close').
    this.terminate();
  }

  private onClose(code: number, reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.clearAll();
    this.opts.gate?.off('change', this.onGate);
    for (const w of this.closeWaiters.splice(0)) w();
    this.hooks.close(this, code, reason);
  }

  private scheduleKeepalive(delayMs: number): void {
    this.timer('keepalive', Math.max(1, delayMs), () => this.keepaliveTick());
  }

  private keepaliveTick(): void {
    if (this.closed || this.role === 'retired') return;
    const ka = this.opts.keepalive;
    const now = Date.now();
    const quietFor = now - this.lastTxAt;
    if (quietFor < ka.intervalMs) {
      this.scheduleKeepalive(ka.intervalMs - quietFor);
      return;
    }
    this.sendKeepalive(now);
    this.scheduleKeepalive(ka.intervalMs);
  }

  private sendKeepalive(now: number): void {
    if (this.ws.readyState !== WebSocket.OPEN) return;
    const ka = this.opts.keepalive;
    if (ka.kind === 'ws-ping') {
      this.lastTxAt = now;
      try {
        this.ws.ping();
      } catch (err) {
        this.failErr ??= toError(err);
      }
    } else {
      let text = 'ping';
      try {
        text = ka.message ? ka.message() : 'ping';
      } catch (err) {
        this.opts.log.error({ err: toError(err), conn: this.opts.name }, 'keepalive message() threw: sending "ping"');
      }
      this.send(text);
    }
    if (!this.timers.watchdog && !this.opts.gate?.paused) {
      this.timer('watchdog', ka.timeoutMs, () => {
        this.failReason = `watchdog: no answer to keepalive within ${ka.timeoutMs} ms`;
        this.opts.log.warn({ conn: this.opts.name, sock: this.id, timeoutMs: ka.timeoutMs }, 'watchdog: keepalive unanswered, terminating');
        this.terminate();
      });
    }
  }

  private clearAll(): void {
    for (const key of Object.keys(this.timers) as TimerKey[]) this.clear(key);
  }
}

function rawToBuffer(data: WebSocket.RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

export function toError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}
