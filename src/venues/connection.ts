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
import { backoffDelay } from '../core/backoff.js';
import type { ReadGate } from '../core/gate.js';
import type { Logger } from '../log.js';
import { Rotation } from './rotation.js';
import type { ConnState, ConnectionEvents, ConnectionOptions, ConnectionSpec, ConnectionStatus, StateInfo } from './connection-types.js';
import { type SocketHooks, VenueSocket, toError } from './socket.js';

export type * from './connection-types.js';
export { type KeepaliveSpec, parseRetryAfter } from './socket.js';

const DEFAULT_HEALTHY_RESET_MS = 60_000;
const DEFAULT_CONNECT_TIMEOUT_MS = 15_000;
const DEFAULT_HANDOVER_TIMEOUT_MS = 60_000;
/** ws's own default is 100 MiB: one such frame costs hundreds of MB of RSS. No venue sends more than a few KB. */
export const DEFAULT_MAX_PAYLOAD_BYTES = 16 * 1024 * 1024;
/** A throwing consumer listener is logged at most this often. */
const LISTENER_ERROR_LOG_MS = 10_000;

export class Connection extends EventEmitter<ConnectionEvents> {
  readonly #spec: ConnectionSpec;
  readonly #log: Logger;
  readonly #base: number;
  readonly #max: number;
  readonly #healthyResetMs: number;
  readonly #connectTimeoutMs: number;
  readonly #maxPayloadBytes: number;
  readonly #gate: ReadGate | undefined;
  readonly #rotation: Rotation;

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
  #primary: VenueSocket | null = null;
  /** every socket not yet closed (primary, replacement, retired) */
  readonly #socks = new Set<VenueSocket>();
  #backoffTimer: NodeJS.Timeout | null = null;
  #stopPromise: Promise<void> | null = null;
  #lastListenerErrorLogAt = 0;

  readonly #hooks: SocketHooks = {
    open: (sock) => this.#onOpen(sock),
    message: (sock, text, receivedAt) => this.#onMessage(sock, text, receivedAt),
    close: (sock, code, reason) => this.#onClose(sock, code, reason),
    guard: (fn) => this.#guard(fn),
  };

  constructor(spec: ConnectionSpec, opts: ConnectionOptions) {
    super();
    this.#spec = spec;
    this.#log = opts.log;
    this.#base = opts.reconnectBaseMs;
    this.#max = opts.reconnectMaxMs;
    this.#healthyResetMs = opts.healthyResetMs ?? DEFAULT_HEALTHY_RESET_MS;
    this.#connectTimeoutMs = opts.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
    this.#maxPayloadBytes = opts.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD_BYTES;
    this.#gate = opts.gate;
    this.#rotation = new Rotation(
      {
        name: spec.name,
        log: this.#log,
        stopped: () => this.#state === 'stopped',
        primary: () => this.#primary,
        openReplacement: () => this.#openSock('replacement'),
        promote: (repl) => this.#promote(repl),
        backoff: (n) => backoffDelay(n, this.#base, this.#max),
      },
      spec.maxLifetimeMs ?? 0,
      spec.handoverTimeoutMs ?? DEFAULT_HANDOVER_TIMEOUT_MS,
    );
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
    const socks = [...this.#socks];
    this.#primary = null;
    this.#rotation.stop();
    this.#openedAt = null;
    this.#setState('stopped', { reason: 'stop()' });
    this.#stopPromise = Promise.all(socks.map((s) => s.close(1000, 'stop'))).then(() => undefined);
    return this.#stopPromise;
  }

  /**
   * The venue announced that this socket will go (a server restart notice): replace it now as a lifetime rotation
   * does, the old socket closed only once the new one receives, so nothing is lost in between. False when there is
   * no open socket to replace or a replacement is already on its way.
   */
  restart(reason: string): boolean {
    return this.#rotation.now(reason);
  }

  /** Sends on the current open socket (and on an open replacement during a rotation). False when not open. */
  send(text: string): boolean {
    const p = this.#primary;
    if (this.#state === 'stopped' || !p || !p.open) return false;
    p.send(text);
    const r = this.#rotation.current();
    if (r && r.open) r.send(text);
    return true;
  }

  // ---------------------------------------------------------------- the loop

  #connect(): void {
    if (this.#state === 'stopped') return;
    this.#setState('connecting', { attempt: this.#attempt });
    this.#primary = this.#openSock('primary');
  }

  #openSock(role: 'primary' | 'replacement'): VenueSocket | null {
    let sock: VenueSocket;
    try {
      sock = new VenueSocket(
        this.#nextSockId++,
        role,
        {
          name: this.#spec.name,
          url: this.#spec.url,
          headers: this.#spec.headers,
          connectTimeoutMs: this.#connectTimeoutMs,
          maxPayloadBytes: this.#maxPayloadBytes,
          keepalive: this.#spec.keepalive,
          decode: this.#spec.decode,
          gate: this.#gate,
          log: this.#log,
        },
        this.#hooks,
      );
    } catch (err) {
      // An invalid URL throws synchronously: treat like a failed attempt (backoff), never throw out.
      if (role === 'primary') {
        this.#primary = null;
        this.#scheduleReconnect({ reason: `cannot connect: ${toError(err).message}`, err: toError(err) });
      } else {
        this.#log.warn({ ...errorFields(toError(err)), conn: this.#spec.name }, 'rotation: cannot open replacement');
      }
      return null;
    }
    this.#socks.add(sock);
    return sock;
  }

  #onOpen(sock: VenueSocket): void {
    if (this.#state === 'stopped' || sock.role === 'retired') {
      sock.terminate();
      return;
    }
    let messages: string[] = [];
    try {
      messages = this.#spec.subscribeMessages();
    } catch (err) {
      this.#log.error({ err: toError(err), conn: this.#spec.name }, 'subscribeMessages() threw: nothing subscribed');
    }
    sock.begin(messages);
    if (sock.role !== 'primary') {
      this.#rotation.opened(sock);
      return;
    }
    this.#openedAt = sock.openedAt;
    if (this.#everOpened) this.#reconnects++;
    this.#everOpened = true;
    this.#setState('open', { attempt: this.#attempt });
    this.#rotation.arm(sock);
    this.#emitSafe('open');
  }

  #onMessage(sock: VenueSocket, text: string, receivedAt: number): void {
    if (this.#state === 'stopped') return;
    this.#lastMessageAt = receivedAt;
    const first = !sock.gotMessage;
    sock.gotMessage = true;
    if (first && sock.role === 'replacement' && sock.opened) this.#rotation.firstMessage(sock);
    this.#emitSafe('message', text, receivedAt);
  }

  #onClose(sock: VenueSocket, code: number, reason: string): void {
    this.#socks.delete(sock);
    if (this.#state === 'stopped' || sock.role === 'retired') return;
    const why = sock.failReason ?? `closed by server: ${code}${reason ? ` ${reason}` : ''}`;
    if (sock.role === 'replacement') {
      this.#rotation.replacementFailed(sock, { ...errorFields(sock.failErr), code, reason: why });
      return;
    }
    if (sock !== this.#primary) return; // cannot happen, but never act for a socket we no longer own
    this.#primary = null;
    // A socket that stayed open for healthyResetMs proves the endpoint works: start counting from scratch.
    if (sock.openedAt !== null && Date.now() - sock.openedAt >= this.#healthyResetMs) this.#attempt = 0;
    if (this.#rotation.takeOver(why, code) !== null) return;
    this.#openedAt = null;
    this.#scheduleReconnect({ reason: why, err: sock.failErr, code, status: sock.status, retryAfterMs: sock.retryAfterMs });
  }

  /** A replacement becomes the connection's socket: handed over, or taking over from one that died. */
  #promote(repl: VenueSocket): void {
    repl.role = 'primary';
    this.#primary = repl;
    if (repl.opened) {
      this.#openedAt = repl.openedAt;
      this.#rotations++;
      this.#rotation.arm(repl);
    } else {
      this.#openedAt = null;
      this.#setState('connecting', { attempt: this.#attempt });
    }
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

/** An error as log fields: its message and code, no stack (for failures that are expected, not bugs). */
function errorFields(err: Error | undefined): { error?: string; errorCode?: string } {
  if (err === undefined) return {};
  const code = (err as NodeJS.ErrnoException).code;
  return { error: err.message, ...(typeof code === 'string' ? { errorCode: code } : {}) };
}
