// The one WebSocket connection loop of the project: the ONLY place that opens WebSockets.
//
// One Connection = one logical subscription to one venue endpoint. It keeps a socket open forever:
//  - reconnects with exponential backoff + equal jitter (backoff.ts); the attempt counter resets once a
//    socket has been open for `healthyResetMs`;
//  - honours Retry-After on a 429/418 answer to the upgrade;
//  - keeps the socket alive: a keepalive (ws ping frame, or the venue's text ping) goes out whenever the socket
//    has sent nothing for the interval, whatever it received (OKX closes a client that has *sent* nothing for
//    30 s however much it is pushing); a keepalive unanswered for the timeout terminates the socket (watchdog);
//  - refuses frames over maxPayloadBytes (ws closes with 1009): the connection is logged and reconnected;
//  - re-sends every subscribe message after each (re)connect;
//  - rotates sockets that have a maximum lifetime (Binance, 24 h) with an overlap, so nothing is lost, and the same
//    way at once when the venue announces a restart (restart());
//  - sends the venue's upgrade headers, if any, on every connect.
// Logging: state changes only, never per message.
import { EventEmitter } from 'node:events';
import type { IncomingMessage } from 'node:http';
import WebSocket from 'ws';
import type { Logger } from '../log.js';
import type { ReadGate } from '../core/gate.js';
import { backoffDelay } from '../core/backoff.js';

export type ConnState = 'idle' | 'connecting' | 'open' | 'backoff' | 'stopped';

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

export interface ConnectionSpec {
  /** e.g. 'bybit-linear#2' */
  name: string;
  venue: string;
  url: string;
  /** Text messages to send after each open (subscribe everything): called anew on every (re)connect. */
  subscribeMessages: () => string[];
  keepalive: KeepaliveSpec;
  /** Binance: a connection lives at most 24 h. Before maxLifetimeMs is reached, open a replacement socket; close the old one
   *  only once the new one has received its first message (or after `handoverTimeoutMs`, default 60 s, if it is open but quiet).
   *  During the overlap both sockets deliver messages (duplicates are harmless downstream).
   *  The replacement is opened min(5 min, maxLifetimeMs / 10) before the limit. */
  maxLifetimeMs?: number;
  /** See maxLifetimeMs. Default 60_000. */
  handoverTimeoutMs?: number;
  /** Binary frames to text (HTX sends gzip); default UTF-8, like text frames. */
  decode?: (data: Buffer) => string;
  /** HTTP headers of every upgrade request (a venue that changes its wire format by a header: Gate's size decimals). */
  headers?: Readonly<Record<string, string>>;
}

export interface ConnectionOptions {
  log: Logger;
  /** RECONNECT_BASE_MS, default 1000 */
  reconnectBaseMs: number;
  /** RECONNECT_MAX_MS, default 60000 */
  reconnectMaxMs: number;
  /** The attempt counter resets after a connection has been open this long (default 60_000). */
  healthyResetMs?: number;
  /** An upgrade that has not completed in this time is aborted (default 15_000). */
  connectTimeoutMs?: number;
  /** Read flow control: while the gate is closed, open sockets are not read (see gate.ts). */
  gate?: ReadGate;
  /** WS_MAX_PAYLOAD_BYTES: a bigger message closes the socket (1009) and reconnects (default 16 MiB). */
  maxPayloadBytes?: number;
}

export interface StateInfo {
  reason?: string;
  attempt?: number;
  delayMs?: number;
  status?: number;
}

export interface ConnectionEvents {
  /** Every text frame (pongs included: the consumer may ignore them). */
  message: [text: string, receivedAt: number];
  state: [state: ConnState, info: StateInfo];
  /** After each successful (re)connect, after the subscribe messages were sent. Not emitted on a lifetime rotation. */
  open: [];
}

export interface ConnectionStatus {
  name: string;
  venue: string;
  state: ConnState;
  reconnects: number;
  lastMessageAt: number | null;
  openedAt: number | null;
  /** ms since the last state change */
  since: number;
  /** lifetime rotations completed (Binance 24 h rule) */
  rotations: number;
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

const DEFAULT_HEALTHY_RESET_MS = 60_000;
const DEFAULT_CONNECT_TIMEOUT_MS = 15_000;
const DEFAULT_HANDOVER_TIMEOUT_MS = 60_000;
/** ws's own default is 100 MiB: one such frame costs hundreds of MB of RSS. No venue sends more than a few KB. */
export const DEFAULT_MAX_PAYLOAD_BYTES = 16 * 1024 * 1024;
/** A socket we closed politely that has not finished closing after this long is terminated. */
const CLOSE_GRACE_MS = 2_000;
/** A throwing consumer listener is logged at most this often. */
const LISTENER_ERROR_LOG_MS = 10_000;

type Role = 'primary' | 'replacement' | 'retired';
type TimerKey = 'connect' | 'keepalive' | 'watchdog' | 'lifetime' | 'handover' | 'closeGrace';

interface Sock {
  readonly id: number;
  readonly ws: WebSocket;
  role: Role;
  opened: boolean;
  openedAt: number | null;
  /** last frame of any kind (message, ping, pong) */
  lastRxAt: number;
  /** last time we sent anything (subscribe, send(), keepalive): the keepalive clock */
  lastTxAt: number;
  gotMessage: boolean;
  closed: boolean;
  timers: Partial<Record<TimerKey, NodeJS.Timeout>>;
  /** Why it failed, when we know better than the close code (watchdog, timeout, HTTP status, error). */
  failReason?: string;
  failErr?: Error;
  status?: number;
  retryAfterMs?: number;
  rotationFailures: number;
  closeWaiters: Array<() => void>;
}

export class Connection extends EventEmitter<ConnectionEvents> {
  readonly #spec: ConnectionSpec;
  readonly #log: Logger;
  readonly #base: number;
  readonly #max: number;
  readonly #healthyResetMs: number;
  readonly #connectTimeoutMs: number;
  readonly #handoverTimeoutMs: number;
  readonly #maxPayloadBytes: number;

  #state: ConnState = 'idle';
  #since = Date.now();
  #reconnects = 0;
  #rotations = 0;
  #lastMessageAt: number | null = null;
  #openedAt: number | null = null;
  #everOpened = false;
  /** consecutive failed attempts: the backoff exponent */
  #attempt = 0;
  #nextSockId = 1;
  #primary: Sock | null = null;
  #replacement: Sock | null = null;
  /** every socket not yet closed (primary, replacement, retired) */
  readonly #socks = new Set<Sock>();
  #backoffTimer: NodeJS.Timeout | null = null;
  #stopPromise: Promise<void> | null = null;
  #lastListenerErrorLogAt = 0;
  readonly #gate: ReadGate | undefined;
  readonly #onGate = (paused: boolean) => {
    for (const s of this.#socks) {
      if (!s.opened || s.closed) continue;
      if (paused) {
        s.ws.pause();
        // Nothing is read while paused, so no answer can arrive: the watchdog would kill a healthy socket and lose
        // what the venue had already sent on it. Keepalives still go out; the watchdog is armed again after resume.
        this.#clearTimer(s, 'watchdog');
      } else {
        s.ws.resume();
      }
    }
  };

  constructor(spec: ConnectionSpec, opts: ConnectionOptions) {
    super();
    this.#spec = spec;
    this.#log = opts.log;
    this.#base = opts.reconnectBaseMs;
    this.#max = opts.reconnectMaxMs;
    this.#healthyResetMs = opts.healthyResetMs ?? DEFAULT_HEALTHY_RESET_MS;
    this.#connectTimeoutMs = opts.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
    this.#handoverTimeoutMs = spec.handoverTimeoutMs ?? DEFAULT_HANDOVER_TIMEOUT_MS;
    this.#maxPayloadBytes = opts.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD_BYTES;
    this.#gate = opts.gate;
    this.#gate?.on('change', this.#onGate);
  }

  get state(): ConnState {
    return this.#state;
  }
  get reconnects(): number {
    return this.#reconnects;
  }
  get lastMessageAt(): number | null {
    return this.#lastMessageAt;
  }
  get openedAt(): number | null {
    return this.#openedAt;
  }
  get name(): string {
    return this.#spec.name;
  }

  status(): ConnectionStatus {
    return {
      name: this.#spec.name,
      venue: this.#spec.venue,
      state: this.#state,
      reconnects: this.#reconnects,
      lastMessageAt: this.#lastMessageAt,
      openedAt: this.#openedAt,
      since: Date.now() - this.#since,
      rotations: this.#rotations,
    };
  }

  /** Starts the loop. Only the first call on an idle connection does anything. */
  start(): void {
    if (this.#state !== 'idle') return;
    this.#connect();
  }

  /** Closes the socket(s), clears every timer; no reconnect afterwards. Resolves when all sockets are closed. */
  stop(): Promise<void> {
    if (this.#stopPromise) return this.#stopPromise;
    if (this.#backoffTimer) {
      clearTimeout(this.#backoffTimer);
      this.#backoffTimer = null;
    }
    this.#gate?.off('change', this.#onGate);
    const socks = [...this.#socks];
    this.#primary = null;
    this.#replacement = null;
    this.#openedAt = null;
    this.#setState('stopped', { reason: 'stop()' });
    this.#stopPromise = Promise.all(socks.map((s) => this.#closeSock(s, 1000, 'stop'))).then(() => undefined);
    return this.#stopPromise;
  }

  /**
   * The venue announced that this socket will go (a server restart notice): replace it now as a lifetime rotation
   * does, the old socket closed only once the new one receives, so nothing is lost in between. False when there is
   * no open socket to replace or a replacement is already on its way.
   */
  restart(reason: string): boolean {
    const p = this.#primary;
    if (this.#state === 'stopped' || !p || !p.opened || p.closed || this.#replacement) return false;
    this.#log.info({ conn: this.#spec.name, sock: p.id, reason }, 'restart: opening a replacement now');
    this.#replacement = this.#openSock('replacement');
    return this.#replacement !== null;
  }

  /** Sends on the current open socket (and on an open replacement during a rotation). False when not open. */
  send(text: string): boolean {
    const p = this.#primary;
    if (this.#state === 'stopped' || !p || !p.opened || p.ws.readyState !== WebSocket.OPEN) return false;
    this.#sendOn(p, text);
    const r = this.#replacement;
    if (r && r.opened && r.ws.readyState === WebSocket.OPEN) this.#sendOn(r, text);
    return true;
  }

  // ---------------------------------------------------------------- sockets

  #connect(): void {
    if (this.#state === 'stopped') return;
    this.#setState('connecting', { attempt: this.#attempt });
    this.#primary = this.#openSock('primary');
  }

  #openSock(role: Role): Sock | null {
    let ws: WebSocket;
    try {
      ws = new WebSocket(this.#spec.url, {
        headers: this.#spec.headers,
        handshakeTimeout: this.#connectTimeoutMs,
        perMessageDeflate: false,
        maxPayload: this.#maxPayloadBytes,
      });
    } catch (err) {
      // An invalid URL throws synchronously: treat like a failed attempt (backoff), never throw out.
      if (role === 'primary') {
        this.#primary = null;
        this.#scheduleReconnect({ reason: `cannot connect: ${errMessage(err)}`, err: toError(err) });
      } else {
        this.#log.warn({ ...errorFields(toError(err)), conn: this.#spec.name }, 'rotation: cannot open replacement');
      }
      return null;
    }
    const now = Date.now();
    const sock: Sock = {
      id: this.#nextSockId++,
      ws,
      role,
      opened: false,
      openedAt: null,
      lastRxAt: now,
      lastTxAt: now,
      gotMessage: false,
      closed: false,
      timers: {},
      rotationFailures: 0,
      closeWaiters: [],
    };
    this.#socks.add(sock);
    // Belt and braces: handshakeTimeout is an inactivity timeout of the HTTP request; this one is absolute.
    this.#setTimer(sock, 'connect', this.#connectTimeoutMs, () => {
      sock.failReason ??= `connect timeout after ${this.#connectTimeoutMs} ms`;
      safeTerminate(ws);
    });

    ws.on('open', () => this.#guard(() => this.#onOpen(sock)));
    ws.on('message', (data: WebSocket.RawData, isBinary: boolean) => {
      const receivedAt = Date.now();
      const decode = this.#spec.decode;
      this.#guard(() => this.#onMessage(sock, isBinary && decode ? decode(rawToBuffer(data)) : rawToString(data), receivedAt));
    });
    ws.on('ping', () => this.#guard(() => this.#markAlive(sock)));
    ws.on('pong', () => this.#guard(() => this.#markAlive(sock)));
    ws.on('unexpected-response', (_req: unknown, res: IncomingMessage) =>
      this.#guard(() => this.#onUnexpectedResponse(sock, res)),
    );
    ws.on('error', (err: Error) => this.#guard(() => this.#onError(sock, err)));
    ws.on('close', (code: number, reason: Buffer) => this.#guard(() => this.#onClose(sock, code, reason.toString())));
    return sock;
  }

  #onError(sock: Sock, err: Error): void {
    if ((err as NodeJS.ErrnoException).code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') {
      // ws has already dropped the frame and is closing with 1009: what it carried is lost, so say so loudly.
      sock.failReason = `frame too large: over the ${this.#maxPayloadBytes} bytes of WS_MAX_PAYLOAD_BYTES (close 1009)`;
      this.#log.error(
        { conn: this.#spec.name, sock: sock.id, limitBytes: this.#maxPayloadBytes, code: 1009 },
        'frame too large: over WS_MAX_PAYLOAD_BYTES, its content is lost; closing and reconnecting',
      );
    }
    sock.failErr ??= err;
    sock.failReason ??= `error: ${err.message}`;
  }

  #onUnexpectedResponse(sock: Sock, res: IncomingMessage): void {
    const status = res.statusCode ?? 0;
    sock.status = status;
    sock.failReason = `upgrade refused: HTTP ${status}`;
    if (status === 429 || status === 418) {
      const retryAfterMs = parseRetryAfter(res.headers['retry-after']);
      sock.retryAfterMs = retryAfterMs;
      this.#log.warn(
        { conn: this.#spec.name, status, retryAfter: res.headers['retry-after'], retryAfterMs },
        status === 418 ? 'upgrade refused: IP banned (418), honouring Retry-After' : 'upgrade rate-limited (429), honouring Retry-After',
      );
    }
    res.resume();
    // With an 'unexpected-response' listener ws leaves the request to us: abort it (emits 'error' then 'close').
    safeTerminate(sock.ws);
  }

  #onOpen(sock: Sock): void {
    this.#clearTimer(sock, 'connect');
    if (this.#state === 'stopped' || sock.role === 'retired') {
      safeTerminate(sock.ws);
      return;
    }
    const now = Date.now();
    sock.opened = true;
    sock.openedAt = now;
    // ws ignores pause() before the upgrade completes: a socket opened while the gate is closed starts paused.
    if (this.#gate?.paused) sock.ws.pause();
    sock.lastRxAt = now;
    sock.lastTxAt = now;
    let messages: string[] = [];
    try {
      messages = this.#spec.subscribeMessages();
    } catch (err) {
      this.#log.error({ err: toError(err), conn: this.#spec.name }, 'subscribeMessages() threw: nothing subscribed');
    }
    for (const m of messages) this.#sendOn(sock, m);
    this.#scheduleKeepalive(sock, this.#spec.keepalive.intervalMs);

    if (sock.role === 'primary') {
      this.#onPrimaryOpen(sock);
    } else {
      this.#log.info({ conn: this.#spec.name, sock: sock.id }, 'rotation: replacement open, waiting for its first message');
      this.#setTimer(sock, 'handover', this.#handoverTimeoutMs, () => this.#completeHandover(sock, 'handover timeout'));
    }
  }

  #onPrimaryOpen(sock: Sock): void {
    this.#openedAt = sock.openedAt;
    if (this.#everOpened) this.#reconnects++;
    this.#everOpened = true;
    this.#setState('open', { attempt: this.#attempt });
    this.#armLifetime(sock);
    this.#emitSafe('open');
  }

  #onMessage(sock: Sock, text: string, receivedAt: number): void {
    if (this.#state === 'stopped' || sock.closed) return;
    sock.lastRxAt = receivedAt;
    this.#clearTimer(sock, 'watchdog');
    this.#lastMessageAt = receivedAt;
    if (sock.role === 'replacement' && sock.opened && !sock.gotMessage) {
      sock.gotMessage = true;
      this.#completeHandover(sock, 'first message');
    }
    sock.gotMessage = true;
    this.#emitSafe('message', text, receivedAt);
  }

  #markAlive(sock: Sock): void {
    sock.lastRxAt = Date.now();
    this.#clearTimer(sock, 'watchdog');
  }

  #onClose(sock: Sock, code: number, reason: string): void {
    if (sock.closed) return;
    sock.closed = true;
    this.#clearTimers(sock);
    this.#socks.delete(sock);
    for (const w of sock.closeWaiters.splice(0)) w();
    if (this.#state === 'stopped' || sock.role === 'retired') return;

    const why = sock.failReason ?? `closed by server: ${code}${reason ? ` ${reason}` : ''}`;

    if (sock.role === 'replacement') {
      if (this.#replacement === sock) this.#replacement = null;
      const p = this.#primary;
      this.#log.warn({ ...errorFields(sock.failErr), conn: this.#spec.name, code, reason: why }, 'rotation: replacement failed');
      if (p && p.opened && !p.closed) {
        const retryMs = backoffDelay(p.rotationFailures++, this.#base, this.#max);
        this.#setTimer(p, 'lifetime', retryMs, () => this.#rotate(p));
      }
      return;
    }

    if (sock !== this.#primary) return; // cannot happen, but never act for a socket we no longer own
    this.#primary = null;
    // A socket that stayed open for healthyResetMs proves the endpoint works: start counting from scratch.
    if (sock.openedAt !== null && Date.now() - sock.openedAt >= this.#healthyResetMs) this.#attempt = 0;

    const repl = this.#replacement;
    if (repl && !repl.closed) {
      // The old socket died during a rotation: the replacement takes over without a backoff.
      this.#replacement = null;
      repl.role = 'primary';
      this.#primary = repl;
      this.#clearTimer(repl, 'handover');
      this.#log.warn({ conn: this.#spec.name, code, reason: why }, 'rotation: old socket closed early, replacement takes over');
      if (repl.opened) {
        this.#openedAt = repl.openedAt;
        this.#rotations++;
        this.#armLifetime(repl);
      } else {
        this.#openedAt = null;
        this.#setState('connecting', { reason: why, attempt: this.#attempt });
      }
      return;
    }

    this.#openedAt = null;
    this.#scheduleReconnect({ reason: why, err: sock.failErr, code, status: sock.status, retryAfterMs: sock.retryAfterMs });
  }

  #scheduleReconnect(f: { reason: string; err?: Error; code?: number; status?: number; retryAfterMs?: number }): void {
    if (this.#state === 'stopped') return;
    const attempt = this.#attempt++;
    let delayMs = backoffDelay(attempt, this.#base, this.#max);
    if (f.retryAfterMs !== undefined) delayMs = Math.max(delayMs, f.retryAfterMs);
    this.#setState('backoff', { reason: f.reason, attempt, delayMs, status: f.status });
    // An ordinary network failure (ECONNREFUSED, a reset) is named, not traced: its stack says nothing.
    this.#log.warn(
      { conn: this.#spec.name, attempt, delayMs, code: f.code, status: f.status, reason: f.reason, ...errorFields(f.err) },
      'reconnect scheduled',
    );
    this.#backoffTimer = setTimeout(() => {
      this.#backoffTimer = null;
      this.#guard(() => this.#connect());
    }, delayMs);
  }

  // ---------------------------------------------------------------- rotation (max lifetime)

  #armLifetime(sock: Sock): void {
    const max = this.#spec.maxLifetimeMs;
    if (max === undefined || max <= 0 || sock.openedAt === null) return;
    const lead = Math.min(5 * 60_000, Math.floor(max / 10));
    const at = sock.openedAt + max - lead;
    this.#setTimer(sock, 'lifetime', Math.max(0, at - Date.now()), () => this.#rotate(sock));
  }

  #rotate(old: Sock): void {
    if (this.#state === 'stopped' || old !== this.#primary || old.closed || this.#replacement) return;
    this.#log.info(
      { conn: this.#spec.name, sock: old.id, maxLifetimeMs: this.#spec.maxLifetimeMs },
      'rotation: opening replacement before the lifetime limit',
    );
    this.#replacement = this.#openSock('replacement');
  }

  #completeHandover(repl: Sock, why: string): void {
    if (this.#state === 'stopped' || repl !== this.#replacement || repl.closed) return;
    const old = this.#primary;
    this.#replacement = null;
    this.#clearTimer(repl, 'handover');
    repl.role = 'primary';
    this.#primary = repl;
    this.#openedAt = repl.openedAt;
    this.#rotations++;
    this.#armLifetime(repl);
    if (old) {
      old.role = 'retired';
      // It still delivers whatever is in flight until it is closed (duplicates are harmless).
      void this.#closeSock(old, 1000, 'rotated');
    }
    this.#log.info({ conn: this.#spec.name, sock: repl.id, old: old?.id, why }, 'rotation: handed over to replacement');
  }

  // ---------------------------------------------------------------- keepalive + watchdog

  #scheduleKeepalive(sock: Sock, delayMs: number): void {
    this.#setTimer(sock, 'keepalive', Math.max(1, delayMs), () => this.#keepaliveTick(sock));
  }

  #keepaliveTick(sock: Sock): void {
    if (sock.closed || sock.role === 'retired') return;
    const ka = this.#spec.keepalive;
    const now = Date.now();
    // What was sent decides, never what was received: a venue that counts client silence (OKX) closes a
    // client that only reads, and one that counts traffic both ways is satisfied too.
    const quietFor = now - sock.lastTxAt;
    if (quietFor < ka.intervalMs) {
      this.#scheduleKeepalive(sock, ka.intervalMs - quietFor);
      return;
    }
    this.#sendKeepalive(sock, now);
    this.#scheduleKeepalive(sock, ka.intervalMs);
  }

  #sendKeepalive(sock: Sock, now: number): void {
    if (sock.ws.readyState !== WebSocket.OPEN) return;
    const ka = this.#spec.keepalive;
    if (ka.kind === 'ws-ping') {
      sock.lastTxAt = now;
      try {
        sock.ws.ping();
      } catch (err) {
        sock.failErr ??= toError(err);
      }
    } else {
      let text = 'ping';
      try {
        text = ka.message ? ka.message() : 'ping';
      } catch (err) {
        this.#log.error({ err: toError(err), conn: this.#spec.name }, 'keepalive message() threw: sending "ping"');
      }
      this.#sendOn(sock, text);
    }
    // Armed by the first unanswered keepalive; any frame received disarms it. Not while reading is paused (see #onGate).
    if (!sock.timers.watchdog && !this.#gate?.paused) {
      this.#setTimer(sock, 'watchdog', ka.timeoutMs, () => {
        sock.failReason = `watchdog: no answer to keepalive within ${ka.timeoutMs} ms`;
        this.#log.warn({ conn: this.#spec.name, sock: sock.id, timeoutMs: ka.timeoutMs }, 'watchdog: keepalive unanswered, terminating');
        safeTerminate(sock.ws);
      });
    }
  }

  // ---------------------------------------------------------------- helpers

  #sendOn(sock: Sock, text: string): void {
    sock.lastTxAt = Date.now();
    try {
      sock.ws.send(text, (err) => {
        if (err) sock.failErr ??= err; // the socket is going down; 'close' follows
      });
    } catch (err) {
      sock.failErr ??= toError(err);
    }
  }

  #closeSock(sock: Sock, code: number, reason: string): Promise<void> {
    this.#clearTimers(sock);
    if (sock.closed) return Promise.resolve();
    const done = new Promise<void>((resolve) => sock.closeWaiters.push(resolve));
    const ws = sock.ws;
    if (ws.readyState === WebSocket.CONNECTING) {
      safeTerminate(ws); // aborts the handshake; 'close' follows on the next tick
    } else {
      if (ws.readyState === WebSocket.OPEN) {
        try {
          ws.close(code, reason);
        } catch {
          safeTerminate(ws);
        }
      }
      // A peer that never answers our close frame does not keep us waiting.
      this.#setTimer(sock, 'closeGrace', CLOSE_GRACE_MS, () => safeTerminate(ws));
    }
    return done;
  }

  #setTimer(sock: Sock, key: TimerKey, ms: number, fn: () => void): void {
    const prev = sock.timers[key];
    if (prev) clearTimeout(prev);
    sock.timers[key] = setTimeout(() => {
      delete sock.timers[key];
      this.#guard(fn);
    }, ms);
  }

  #clearTimer(sock: Sock, key: TimerKey): void {
    const t = sock.timers[key];
    if (t) {
      clearTimeout(t);
      delete sock.timers[key];
    }
  }

  #clearTimers(sock: Sock): void {
    for (const key of Object.keys(sock.timers) as TimerKey[]) this.#clearTimer(sock, key);
  }

  #setState(state: ConnState, info: StateInfo): void {
    this.#state = state;
    this.#since = Date.now();
    if (state === 'open') this.#log.info({ conn: this.#spec.name, venue: this.#spec.venue, reconnects: this.#reconnects }, 'open');
    else if (state === 'connecting') this.#log.debug({ conn: this.#spec.name, attempt: info.attempt, reason: info.reason }, 'connecting');
    else if (state === 'stopped') this.#log.info({ conn: this.#spec.name }, 'stopped');
    // 'backoff' is logged by #scheduleReconnect with the error and delay.
    this.#emitSafe('state', state, info);
  }

  /** Emits to consumers; a throwing listener is logged (rate-limited) and never propagates into ws. */
  #emitSafe<K extends keyof ConnectionEvents>(event: K, ...args: ConnectionEvents[K]): void {
    try {
      (this.emit as (e: K, ...a: ConnectionEvents[K]) => boolean)(event, ...args);
    } catch (err) {
      const now = Date.now();
      if (now - this.#lastListenerErrorLogAt >= LISTENER_ERROR_LOG_MS) {
        this.#lastListenerErrorLogAt = now;
        this.#log.error({ err: toError(err), conn: this.#spec.name, event }, 'connection listener threw');
      }
    }
  }

  /** Never throw out of an event handler or timer. */
  #guard(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.#log.error({ err: toError(err), conn: this.#spec.name }, 'connection internal error');
    }
  }
}

function rawToBuffer(data: WebSocket.RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

function rawToString(data: WebSocket.RawData): string {
  if (Buffer.isBuffer(data)) return data.toString();
  if (Array.isArray(data)) return Buffer.concat(data).toString();
  return Buffer.from(data).toString();
}

function safeTerminate(ws: WebSocket): void {
  try {
    ws.terminate();
  } catch {
    // already closed or closing: nothing to do
  }
}

function toError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}

/** An error as log fields: its message and code, no stack (for failures that are expected, not bugs). */
function errorFields(err: Error | undefined): { error?: string; errorCode?: string } {
  if (err === undefined) return {};
  const code = (err as NodeJS.ErrnoException).code;
  return { error: err.message, ...(typeof code === 'string' ? { errorCode: code } : {}) };
}

function errMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
