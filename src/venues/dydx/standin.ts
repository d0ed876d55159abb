// The dYdX v4 indexer: its WebSocket (/v4/ws: connected, subscribe / unsubscribe v4_trades per market, the subscribed
// answer replaying the market's recent trades, errors as the indexer words them, the per-connection limit and the
// subscribe rate limit, server ping frames with a pong deadline) and GET /v4/perpetualMarkets and
// /v4/trades/perpetualMarket/{ticker}. Trades pushed with send() are remembered per market (newest first, 100 kept), so
// a later subscribe replays them as the real indexer does.
import type { ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { WebSocket } from 'ws';
import { parseObject, writeJson, VenueCore, type Conn } from '../standin/core.js';
import { listenPort } from '../standin/port.js';
import type { StandinGroup, StandinOptions, Venue } from '../standin/types.js';
import { type DydxMarketItem, defaultDydxMarkets } from './fixtures.js';
import { dydxSubscribedFrame } from './frames.js';
import { DYDX_MARKETS_PATH } from './metadata.js';

declare module '../standin/types.js' {
  interface StandinOptions {
    /** The markets served (default: BTC, ETH, SOL and AVAX against USD). */
    dydxMarkets?: DydxMarketItem[];
    /** The server's ping period, ms; default 30_000. */
    dydxPingIntervalMs?: number;
    /** A ping not answered within this closes the connection, ms; default 10_000. */
    dydxPongTimeoutMs?: number;
    /** v4_trades subscriptions one connection may hold; default 32 (the indexer's V4_TRADES_CHANNEL_LIMIT). */
    dydxChannelLimit?: number;
  }
}

const RECENT = 100;
/** The indexer's V4_TRADES_CHANNEL_LIMIT (its own, not our plan's: the stand-in must refuse a client that exceeds it). */
const INDEXER_TRADES_CHANNEL_LIMIT = 32;
const TRADES_PATH = '/v4/trades/perpetualMarket/';

interface ConnState {
  messageId: number;
  /** Subscribe attempts per market in the current second (the indexer allows 2). */
  attempts: Map<string, number[]>;
}

export class DydxVenue extends VenueCore {
  private readonly states = new WeakMap<Conn, ConnState>();
  private readonly recent = new Map<string, Array<Record<string, unknown>>>();

  constructor(
    venue: Venue,
    private readonly markets: () => DydxMarketItem[],
    private readonly pingIntervalMs: number,
    private readonly pongTimeoutMs: number,
    private readonly channelLimit: number,
  ) {
    super(venue);
  }

  acceptsPath(url: URL): boolean {
    return url.pathname === '/v4/ws';
  }

  private nextId(conn: Conn): number {
    const st = this.states.get(conn)!;
    return ++st.messageId;
  }

  protected onOpen(conn: Conn): void {
    conn.id = randomUUID();
    this.states.set(conn, { messageId: 0, attempts: new Map() });
    this.reply(conn, { type: 'connected', connection_id: conn.id, message_id: 0 });
    let deadline: NodeJS.Timeout | undefined;
    const answered = () => {
      if (deadline === undefined) return;
      clearTimeout(deadline);
      conn.timers.delete(deadline);
      deadline = undefined;
    };
    conn.ws.on('pong', answered);
    const ping = setInterval(() => {
      // A server that stopped answering keepalives sends none of its own either.
      if (this.unresponsive || conn.ws.readyState !== WebSocket.OPEN) return;
      conn.ws.ping();
      // The deadline runs from the first unanswered ping.
      if (deadline !== undefined) return;
      deadline = setTimeout(() => conn.ws.terminate(), this.pongTimeoutMs);
      conn.timers.add(deadline);
    }, this.pingIntervalMs);
    conn.timers.add(ping);
  }

  private error(conn: Conn, message: string, extra: Record<string, unknown> = {}): void {
    this.reply(conn, { type: 'error', message, connection_id: conn.id, message_id: this.nextId(conn), ...extra });
  }

  protected onMessage(conn: Conn, text: string): void {
    let req: { type?: unknown; channel?: unknown; id?: unknown };
    try {
      const parsed: unknown = JSON.parse(text);
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
      req = parsed as typeof req;
    } catch {
      return this.error(conn, `Invalid message: could not parse message: ${text.slice(0, 100)}`);
    }
    if (req.type === 'ping') {
      this.reply(conn, { type: 'pong', connection_id: conn.id, message_id: this.nextId(conn), ...(req.id !== undefined ? { id: req.id } : {}) });
      return;
    }
    if (req.type !== 'subscribe' && req.type !== 'unsubscribe') return this.error(conn, `Invalid message type: ${String(req.type)}`);
    if (req.channel !== 'v4_trades') return this.error(conn, `Invalid channel: ${String(req.channel)}`);
    const id = typeof req.id === 'string' ? req.id : undefined;
    if (req.type === 'unsubscribe') {
      if (id !== undefined) conn.topics.delete(id);
      this.reply(conn, { type: 'unsubscribed', connection_id: conn.id, message_id: this.nextId(conn), channel: 'v4_trades', id });
      return;
    }
    if (id === undefined || !this.markets().some((m) => m.ticker === id)) return this.error(conn, `Invalid subscription id for channel: (v4_trades-${String(req.id)})`);
    if (conn.topics.size >= this.channelLimit && !conn.topics.has(id)) {
      return this.error(conn, `Per-connection subscription limit reached for v4_trades (limit=${this.channelLimit}).`);
    }
    const st = this.states.get(conn)!;
    const now = Date.now();
    const recent = (st.attempts.get(id) ?? []).filter((t) => now - t < 1000);
    recent.push(now);
    st.attempts.set(id, recent);
    if (recent.length > 2) {
      this.error(conn, `Too many subscribe attempts for channel v4_trades-${id}. Please  reconnect and try again.`);
      conn.ws.close(1008, JSON.stringify({ message: 'Rate limited' }));
      return;
    }
    if (conn.topics.has(id)) return this.error(conn, `Invalid subscribe message: already subscribed (v4_trades-${id})`, { channel: 'v4_trades', id });
    conn.topics.add(id);
    this.reply(conn, dydxSubscribedFrame(id, this.recent.get(id) ?? [], conn.id, this.nextId(conn)));
  }

  /** Remembers a market's pushed trades, so the next subscribe replays them. */
  override send(frame: string): number {
    const m = parseObject(frame);
    if (m !== undefined && m.type === 'channel_data' && m.channel === 'v4_trades' && typeof m.id === 'string') {
      const contents = m.contents as { trades?: unknown } | undefined;
      if (contents !== undefined && Array.isArray(contents.trades)) {
        const list = this.recent.get(m.id) ?? [];
        list.unshift(...(contents.trades as Array<Record<string, unknown>>).slice().reverse());
        this.recent.set(m.id, list.slice(0, RECENT));
      }
    }
    return super.send(frame);
  }

  /** A market's frames go to its subscribers; frames of no market (garbage) to every connection. */
  protected targets(frame: string): Iterable<Conn> {
    const m = parseObject(frame);
    const id = m !== undefined && typeof m.id === 'string' ? m.id : undefined;
    if (id === undefined) return this.conns;
    return [...this.conns].filter((c) => c.topics.has(id));
  }

  protected serveRest(url: URL, res: ServerResponse): boolean {
    if (url.pathname === DYDX_MARKETS_PATH) {
      const ticker = url.searchParams.get('ticker');
      let list = this.markets();
      if (ticker) {
        list = list.filter((m) => m.ticker === ticker);
        if (list.length === 0) {
          writeJson(res, 404, { errors: [{ msg: `${ticker} not found in markets of type PERPETUAL` }] });
          return true;
        }
      }
      writeJson(res, 200, { markets: Object.fromEntries(list.map((m) => [m.ticker, m])) });
      return true;
    }
    if (url.pathname.startsWith(TRADES_PATH)) {
      writeJson(res, 200, { trades: this.recent.get(decodeURIComponent(url.pathname.slice(TRADES_PATH.length))) ?? [] });
      return true;
    }
    return false;
  }
}

export async function startDydxStandin(opts: StandinOptions): Promise<StandinGroup> {
  let markets = opts.dydxMarkets ?? defaultDydxMarkets();
  const dydx = new DydxVenue('dydx', () => markets, opts.dydxPingIntervalMs ?? 30_000, opts.dydxPongTimeoutMs ?? 10_000, opts.dydxChannelLimit ?? INDEXER_TRADES_CHANNEL_LIMIT);
  const port = await listenPort({ ws: (url) => (dydx.acceptsPath(url) ? dydx : undefined), rest: () => dydx });
  return {
    env: { DYDX_WS_URL: `ws://127.0.0.1:${port.port}/v4/ws`, DYDX_REST_URL: `http://127.0.0.1:${port.port}` },
    venues: { dydx },
    setInstruments(update) {
      if (update.dydxMarkets) markets = update.dydxMarkets;
    },
    async close() {
      await dydx.close();
      await port.close();
    },
  };
}
