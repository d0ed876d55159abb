// The connection loop's configuration, events and status (connection.ts).
import type { ReadGate } from '../core/gate.js';
import type { Logger } from '../log.js';
import type { KeepaliveSpec } from './socket.js';

export type ConnState = 'idle' | 'connecting' | 'open' | 'backoff' | 'stopped';

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
  /** HTTP headers of every upgrade request (a venue that changes its wire format by a header). */
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
