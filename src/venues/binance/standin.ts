// Binance USD-M / COIN-M market streams: the subscription is in the URL, the server pings, the client pongs.
import type { ServerResponse } from 'node:http';
import { writeJson, VenueCore, type Conn } from '../standin/core.js';
import { listenPort, type Port } from '../standin/port.js';
import type { StandinGroup, StandinOptions, Venue } from '../standin/types.js';
import { type BinanceCoinmSymbol, defaultBinanceCoinm } from './fixtures.js';

declare module '../standin/types.js' {
  interface StandinOptions {
    /** The COIN-M exchangeInfo symbols served (default: a few perpetuals and a quarterly future). */
    binanceCoinmSymbols?: BinanceCoinmSymbol[];
    /** Server ping frames on Binance connections; default 180_000 (Binance pings every 3 minutes). */
    binancePingIntervalMs?: number;
    /** Binance terminates a connection whose last pong is older than this; default 10/3 × binancePingIntervalMs. */
    binancePongTimeoutMs?: number;
  }
}

export interface BinanceOptions {
  pingIntervalMs: number;
  /** A connection whose last pong (or accept) is older than this is terminated at the next ping tick. */
  pongTimeoutMs: number;
  /** COIN-M: the exchangeInfo symbols; undefined for USD-M (no REST served). */
  symbols?: () => BinanceCoinmSymbol[];
}

/** Stream names carried by the URL: `/stream?streams=a/b` (combined) or `/ws/a/b` (raw), with or without `/market`. */
export function streamsOf(url: URL): string[] | undefined {
  const path = url.pathname.replace(/^\/market(?=\/)/, '');
  if (path === '/stream') return (url.searchParams.get('streams') ?? '').split('/').filter((s) => s !== '');
  if (path.startsWith('/ws/') || path === '/ws') return path.slice(4).split('/').filter((s) => s !== '');
  return undefined;
}

interface BinanceRequest {
  method?: unknown;
  params?: unknown;
  id?: unknown;
}

export class BinanceVenue extends VenueCore {
  private readonly lastPong = new WeakMap<Conn, number>();

  constructor(
    venue: Venue,
    private readonly opts: BinanceOptions,
  ) {
    super(venue);
  }

  acceptsPath(url: URL): boolean {
    return streamsOf(url) !== undefined;
  }

  protected onOpen(conn: Conn): void {
    for (const s of streamsOf(conn.url) ?? []) conn.topics.add(s);
    this.lastPong.set(conn, Date.now());
    conn.ws.on('pong', () => this.lastPong.set(conn, Date.now()));
    const tick = setInterval(() => {
      // Binance drops a client that has not answered its pings for 10 minutes.
      if (Date.now() - (this.lastPong.get(conn) ?? 0) > this.opts.pongTimeoutMs) {
        conn.ws.terminate();
        return;
      }
      conn.ws.ping();
    }, this.opts.pingIntervalMs);
    conn.timers.add(tick);
  }

  protected onMessage(conn: Conn, text: string): void {
    let req: BinanceRequest;
    try {
      const parsed: unknown = JSON.parse(text);
      if (typeof parsed !== 'object' || parsed === null) return;
      req = parsed as BinanceRequest;
    } catch {
      return; // the market stream ignores what it cannot read
    }
    const params = Array.isArray(req.params) ? req.params.filter((p): p is string => typeof p === 'string') : [];
    const id = req.id ?? null;
    switch (req.method) {
      case 'SUBSCRIBE':
        for (const p of params) conn.topics.add(p);
        this.reply(conn, { result: null, id });
        break;
      case 'UNSUBSCRIBE':
        for (const p of params) conn.topics.delete(p);
        this.reply(conn, { result: null, id });
        break;
      case 'LIST_SUBSCRIPTIONS':
        this.reply(conn, { result: [...conn.topics], id });
        break;
      default:
        break;
    }
  }

  /** The stream is fixed by the URL, so every connection gets every frame. */
  protected targets(): Iterable<Conn> {
    return this.conns;
  }

  protected serveRest(url: URL, res: ServerResponse): boolean {
    const symbols = this.opts.symbols;
    if (!symbols) return false;
    switch (url.pathname) {
      case '/dapi/v1/ping':
        writeJson(res, 200, {});
        return true;
      case '/dapi/v1/time':
        writeJson(res, 200, { serverTime: Date.now() });
        return true;
      case '/dapi/v1/exchangeInfo':
        writeJson(res, 200, {
          timezone: 'UTC',
          serverTime: Date.now(),
          rateLimits: [
            { rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: 2400 },
            { rateLimitType: 'ORDERS', interval: 'MINUTE', intervalNum: 1, limit: 1200 },
          ],
          exchangeFilters: [],
          symbols: symbols(),
        });
        return true;
      default:
        return false;
    }
  }
}

/** USD-M and COIN-M, each on a port of its own (two hosts at Binance). */
export async function startBinanceStandin(opts: StandinOptions): Promise<StandinGroup> {
  let symbols = opts.binanceCoinmSymbols ?? defaultBinanceCoinm();
  const pingIntervalMs = opts.binancePingIntervalMs ?? 180_000;
  // Binance: ping every 3 min, drop after 10 min without a pong; the ratio is kept when the interval is scaled.
  const pongTimeoutMs = opts.binancePongTimeoutMs ?? Math.round((pingIntervalMs * 10) / 3);
  const usdm = new BinanceVenue('binance-usdm', { pingIntervalMs, pongTimeoutMs });
  const coinm = new BinanceVenue('binance-coinm', { pingIntervalMs, pongTimeoutMs, symbols: () => symbols });
  const ports: Port[] = [];
  try {
    for (const v of [usdm, coinm]) ports.push(await listenPort({ ws: (url) => (v.acceptsPath(url) ? v : undefined), rest: () => v }));
  } catch (err) {
    await Promise.all(ports.map((p) => p.close()));
    throw err;
  }
  const [pUsdm, pCoinm] = ports.map((p) => p.port);
  return {
    env: {
      BINANCE_USDM_WS_URL: `ws://127.0.0.1:${pUsdm}/market/stream?streams=!forceOrder@arr`,
      BINANCE_COINM_WS_URL: `ws://127.0.0.1:${pCoinm}/stream?streams=!forceOrder@arr`,
      BINANCE_COINM_REST_URL: `http://127.0.0.1:${pCoinm}`,
    },
    venues: { 'binance-usdm': usdm, 'binance-coinm': coinm },
    setInstruments(update) {
      if (update.binanceCoinmSymbols) symbols = update.binanceCoinmSymbols;
    },
    async close() {
      await Promise.all([usdm.close(), coinm.close()]);
      await Promise.all(ports.map((p) => p.close()));
    },
  };
}
