// Lighter's stream (/stream) and GET /api/v1/orderBookDetails: `{"type":"connected"}` on connect; `{"type":"subscribe",
// "channel":"trade/{id}"}` answered by `subscribed/trade` carrying the market's recent liquidation trades, then
// `update/trade` frames; `{"error":{"code":30005,"message":"Invalid Channel: …"}}` for a market it does not list; at
// most 100 subscriptions a connection (Lighter's documented limit). Keepalive both ways: the server sends
// `{"type":"ping"}` and closes with 1008 "no pong" when the next one finds it unanswered (lighter-python issue 11);
// a client's `{"type":"ping"}` is answered `{"type":"pong"}` (unconfirmed); a client silent for 2 minutes is closed.
import type { ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { parseObject, writeJson, VenueCore, type Conn } from '../standin/core.js';
import { listenPort } from '../standin/port.js';
import type { StandinGroup, StandinOptions, Venue } from '../standin/types.js';
import { type LighterOrderBook, defaultLighterMarkets, defaultLighterSpotMarkets } from './fixtures.js';
import { ORDER_BOOK_DETAILS_PATH } from './metadata.js';

declare module '../standin/types.js' {
  interface StandinOptions {
    /** Perpetual markets served (default: ETH, BTC, SOL, DOGE, 1000PEPE and an inactive one); spot ones beside. */
    lighterMarkets?: { perp?: LighterOrderBook[]; spot?: LighterOrderBook[] };
    /** Lighter closes a connection whose client sent nothing for this long; default 120_000, 0 = never. */
    lighterIdleCloseMs?: number;
    /** The server's `{"type":"ping"}` period (an unanswered one closes the connection at the next); default 60_000, 0 = none. */
    lighterPingIntervalMs?: number;
  }
}

/** Lighter's documented cap: 100 subscriptions a connection. */
export const LIGHTER_SUBSCRIPTIONS_LIMIT = 100;
const HISTORY = 50;
const SUBSCRIBE_RE = /^trade\/(\d{1,9})$/;
const CHANNEL_RE = /^trade:(\d{1,9})$/;


export class LighterVenue extends VenueCore {
  private readonly awaitingPong = new WeakSet<Conn>();
  /** Newest first, per market id. */
  private readonly history = new Map<string, unknown[]>();

  constructor(
    venue: Venue,
    private readonly markets: () => { perp: LighterOrderBook[]; spot: LighterOrderBook[] },
    private readonly idleCloseMs: number,
    private readonly pingIntervalMs: number,
  ) {
    super(venue);
  }

  acceptsPath(url: URL): boolean {
    return url.pathname === '/stream';
  }

  protected onOpen(conn: Conn): void {
    if (this.idleCloseMs > 0) this.closeWhenIdle(conn, this.idleCloseMs, 1000, 'idle');
    if (this.pingIntervalMs > 0) {
      const tick = setInterval(() => {
        if (this.awaitingPong.has(conn)) return void conn.ws.close(1008, 'no pong');
        this.awaitingPong.add(conn);
        this.reply(conn, { type: 'ping' });
      }, this.pingIntervalMs);
      conn.timers.add(tick);
    }
    this.reply(conn, { session_id: randomUUID(), type: 'connected' });
  }

  private error(conn: Conn, code: number, message: string): void {
    this.reply(conn, { error: { code, message } });
  }

  protected onMessage(conn: Conn, text: string): void {
    this.refreshIdle(conn);
    const req = parseObject(text);
    if (req === undefined) return this.error(conn, 30000, 'Invalid message'); // the code is ours: undocumented
    switch (req.type) {
      case 'ping':
        if (!this.unresponsive) this.reply(conn, { type: 'pong' });
        return;
      case 'pong':
        this.awaitingPong.delete(conn);
        return;
      case 'subscribe':
      case 'unsubscribe':
        return this.subscription(conn, req.type, req.channel);
      default:
        this.error(conn, 30000, `Invalid type: ${String(req.type)}`);
    }
  }

  private subscription(conn: Conn, op: 'subscribe' | 'unsubscribe', channel: unknown): void {
    const id = typeof channel === 'string' ? SUBSCRIBE_RE.exec(channel)?.[1] : undefined;
    const known = id !== undefined && this.markets().perp.some((m) => String(m.market_id) === id);
    if (!known) return this.error(conn, 30005, `Invalid Channel: ${String(channel)}`);
    const topic = `trade/${id}`;
    if (op === 'unsubscribe') {
      conn.topics.delete(topic);
      this.reply(conn, { type: 'unsubscribed', channel: `trade:${id}` });
      return;
    }
    if (!conn.topics.has(topic) && conn.topics.size >= LIGHTER_SUBSCRIPTIONS_LIMIT) {
      return this.error(conn, 30006, 'Too many subscriptions'); // the code is ours: undocumented
    }
    conn.topics.add(topic);
    this.reply(conn, { type: 'subscribed/trade', channel: `trade:${id}`, nonce: 1, trades: [], liquidation_trades: this.history.get(id) ?? [] });
  }

  /** Liquidation trades sent are kept for the snapshot of later subscribers. */
  override send(frame: string): number {
    const msg = parseObject(frame);
    const id = typeof msg?.channel === 'string' ? CHANNEL_RE.exec(msg.channel)?.[1] : undefined;
    if (id !== undefined && Array.isArray(msg?.liquidation_trades)) {
      const list = [...(msg.liquidation_trades as unknown[])].reverse().concat(this.history.get(id) ?? []);
      this.history.set(id, list.slice(0, HISTORY));
    }
    return super.send(frame);
  }

  /** Frames go to the subscribers of their channel (trade:1 ← trade/1); a frame without one goes to every connection. */
  protected targets(frame: string): Iterable<Conn> {
    const channel = parseObject(frame)?.channel;
    const id = typeof channel === 'string' ? CHANNEL_RE.exec(channel)?.[1] : undefined;
    if (id === undefined) return this.conns;
    return [...this.conns].filter((c) => c.topics.has(`trade/${id}`));
  }

  protected serveRest(url: URL, res: ServerResponse): boolean {
    if (url.pathname !== ORDER_BOOK_DETAILS_PATH) return false;
    const { perp, spot } = this.markets();
    writeJson(res, 200, { code: 200, order_book_details: perp, spot_order_book_details: spot });
    return true;
  }
}

export async function startLighterStandin(opts: StandinOptions): Promise<StandinGroup> {
  let markets = { perp: opts.lighterMarkets?.perp ?? defaultLighterMarkets(), spot: opts.lighterMarkets?.spot ?? defaultLighterSpotMarkets() };
  const lighter = new LighterVenue('lighter', () => markets, opts.lighterIdleCloseMs ?? 120_000, opts.lighterPingIntervalMs ?? 60_000);
  const port = await listenPort({ ws: (url) => (lighter.acceptsPath(url) ? lighter : undefined), rest: () => lighter });
  return {
    env: { LIGHTER_WS_URL: `ws://127.0.0.1:${port.port}/stream`, LIGHTER_REST_URL: `http://127.0.0.1:${port.port}` },
    venues: { lighter },
    setInstruments(update) {
      if (update.lighterMarkets) markets = { perp: update.lighterMarkets.perp ?? markets.perp, spot: update.lighterMarkets.spot ?? markets.spot };
    },
    async close() {
      await lighter.close();
      await port.close();
    },
  };
}
