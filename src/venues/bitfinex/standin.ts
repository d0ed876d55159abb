// Bitfinex public WebSocket v2 (/ws/2): `info` on connect, `subscribe` to channel `status` key `liq:global` acked with
// a channel id and followed by the recent liquidation rows, `[CHAN_ID,"hb"]` heartbeats every 15 s, `ping` → `pong`
// with the same cid, error events with Bitfinex's codes (10300 subscribe failed, 10301 already subscribed, 10400
// unsubscribe failed). Data frames are delivered verbatim to every subscriber (their channel id is the sender's).
import type { ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { VenueCore, type Conn } from '../standin/core.js';
import { listenPort } from '../standin/port.js';
import type { StandinGroup, StandinOptions, Venue } from '../standin/types.js';
import { LIQ_CHANNEL_ID } from './frames.js';

declare module '../standin/types.js' {
  interface StandinOptions {
    /** Heartbeat `[CHAN_ID,"hb"]` period on a subscribed channel; default 15_000 (Bitfinex's), 0 = none. */
    bitfinexHeartbeatMs?: number;
  }
}

export const LIQ_KEY = 'liq:global';
/** Rows replayed to a new subscriber (Bitfinex sends recent records after a subscribe). */
const HISTORY = 50;

type Obj = Record<string, unknown>;

function parseJsonValue(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

export class BitfinexVenue extends VenueCore {
  private readonly chanIds = new WeakMap<Conn, number>();
  private nextChanId = LIQ_CHANNEL_ID;
  /** Newest last, as raw row texts. */
  private readonly history: string[] = [];

  constructor(
    venue: Venue,
    private readonly heartbeatMs: number,
  ) {
    super(venue);
  }

  acceptsPath(url: URL): boolean {
    return url.pathname === '/ws/2';
  }

  protected onOpen(conn: Conn): void {
    this.reply(conn, { event: 'info', version: 2, serverId: randomUUID(), platform: { status: 1 } });
  }

  private error(conn: Conn, code: number, msg: string, extra: Obj = {}): void {
    this.reply(conn, { event: 'error', msg, code, ...extra });
  }

  protected onMessage(conn: Conn, text: string): void {
    const req = parseJsonValue(text);
    if (typeof req !== 'object' || req === null || Array.isArray(req)) return this.error(conn, 10000, 'Unknown event');
    const r = req as Obj;
    switch (r.event) {
      case 'ping':
        if (!this.unresponsive) this.reply(conn, { event: 'pong', ts: Date.now(), ...(r.cid !== undefined ? { cid: r.cid } : {}) });
        return;
      case 'conf':
        this.reply(conn, { event: 'conf', status: 'OK', flags: r.flags ?? 0 });
        return;
      case 'subscribe':
        return this.subscribe(conn, r);
      case 'unsubscribe': {
        const chanId = this.chanIds.get(conn);
        if (chanId === undefined || r.chanId !== chanId) return this.error(conn, 10400, 'unsubscribe: invalid', { chanId: r.chanId });
        conn.topics.delete(LIQ_KEY);
        this.chanIds.delete(conn);
        this.reply(conn, { event: 'unsubscribed', status: 'OK', chanId });
        return;
      }
      default:
        this.error(conn, 10000, 'Unknown event');
    }
  }

  private subscribe(conn: Conn, r: Obj): void {
    if (r.channel !== 'status' || r.key !== LIQ_KEY) {
      return this.error(conn, 10300, 'subscribe: invalid', { channel: r.channel, key: r.key });
    }
    if (conn.topics.has(LIQ_KEY)) return this.error(conn, 10301, 'subscribe: dup', { channel: 'status', key: LIQ_KEY });
    const chanId = this.nextChanId++;
    this.chanIds.set(conn, chanId);
    conn.topics.add(LIQ_KEY);
    this.reply(conn, { event: 'subscribed', channel: 'status', chanId, key: LIQ_KEY });
    if (this.history.length > 0) this.reply(conn, `[${chanId},[${this.history.join(',')}]]`);
    if (this.heartbeatMs > 0) {
      const hb = setInterval(() => {
        if (!this.unresponsive && this.chanIds.get(conn) === chanId) this.reply(conn, `[${chanId},"hb"]`);
      }, this.heartbeatMs);
      conn.timers.add(hb);
    }
  }

  /** Rows sent are kept for the records a later subscriber is sent first. */
  override send(frame: string): number {
    const msg = parseJsonValue(frame);
    if (Array.isArray(msg) && Array.isArray(msg[1])) {
      const rows = (msg[1] as unknown[]).length > 0 && typeof (msg[1] as unknown[])[0] === 'string' ? [msg[1]] : (msg[1] as unknown[]);
      for (const row of rows) if (Array.isArray(row)) this.history.push(JSON.stringify(row));
      if (this.history.length > HISTORY) this.history.splice(0, this.history.length - HISTORY);
    }
    return super.send(frame);
  }

  /** Arrays (channel data) go to the liquidation channel's subscribers; anything else (garbage) to every connection. */
  protected targets(frame: string): Iterable<Conn> {
    if (!Array.isArray(parseJsonValue(frame))) return this.conns;
    return [...this.conns].filter((c) => c.topics.has(LIQ_KEY));
  }

  protected serveRest(_url: URL, _res: ServerResponse): boolean {
    return false; // liqd needs no Bitfinex metadata
  }
}

export async function startBitfinexStandin(opts: StandinOptions): Promise<StandinGroup> {
  const bitfinex = new BitfinexVenue('bitfinex', opts.bitfinexHeartbeatMs ?? 15_000);
  const port = await listenPort({ ws: (url) => (bitfinex.acceptsPath(url) ? bitfinex : undefined), rest: () => bitfinex });
  return {
    env: { BITFINEX_WS_URL: `ws://127.0.0.1:${port.port}/ws/2` },
    venues: { bitfinex },
    async close() {
      await bitfinex.close();
      await port.close();
    },
  };
}
