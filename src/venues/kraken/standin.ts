// Kraken Futures public stream (/ws/v1) and GET /derivatives/api/v3/instruments: `{"event":"info"}` on connect,
// subscribe/unsubscribe by feed and product ids (one `subscribed` per product, then that product's trade_snapshot of
// recent trades, liquidations included), `{"event":"error","message":"Invalid product id"}`, WebSocket ping frames
// answered, and a connection that sent nothing (no ping, no message) for 60 s closed.
import type { ServerResponse } from 'node:http';
import { parseObject, writeJson, VenueCore, type Conn } from '../standin/core.js';
import { listenPort } from '../standin/port.js';
import type { StandinGroup, StandinOptions, Venue } from '../standin/types.js';
import { type KrakenInstrument, defaultKrakenInstruments } from './fixtures.js';
import { INSTRUMENTS_PATH } from './metadata.js';

declare module '../standin/types.js' {
  interface StandinOptions {
    /** The instruments served (default: a few PF_/PI_ perpetuals, an FI_ and an FF_ future, two indices). */
    krakenInstruments?: KrakenInstrument[];
    /** Kraken closes a connection that sent nothing (ping frame or message) for this long; default 60_000, 0 = never. */
    krakenIdleCloseMs?: number;
  }
}

/** Recent trades kept per product for the snapshot that follows a subscribe (Kraken sends about 100). */
const HISTORY = 100;


export class KrakenVenue extends VenueCore {
  /** Newest first, per product id. */
  private readonly history = new Map<string, string[]>();

  constructor(
    venue: Venue,
    private readonly instruments: () => KrakenInstrument[],
    private readonly idleCloseMs: number,
  ) {
    super(venue);
  }

  acceptsPath(url: URL): boolean {
    return url.pathname === '/ws/v1';
  }

  protected onOpen(conn: Conn): void {
    if (this.idleCloseMs > 0) {
      const idle = this.closeWhenIdle(conn, this.idleCloseMs, 1000, 'idle');
      // A WebSocket ping frame is what keeps a Kraken connection alive (their sample client pings every 30 s).
      conn.ws.on('ping', () => idle.refresh());
    }
    this.reply(conn, { event: 'info', version: 1 });
  }

  protected onMessage(conn: Conn, text: string): void {
    this.refreshIdle(conn);
    const req = parseObject(text);
    if (req === undefined) return void this.reply(conn, { event: 'error', message: 'Json Error' });
    const op = req.event;
    if (op !== 'subscribe' && op !== 'unsubscribe') return void this.reply(conn, { event: 'error', message: 'Json Error' });
    if (req.feed !== 'trade') return void this.reply(conn, { event: 'error', message: 'Invalid feed' });
    const ids = req.product_ids;
    if (!Array.isArray(ids) || !ids.every((p): p is string => typeof p === 'string')) {
      return void this.reply(conn, { event: 'error', message: 'Json Error' });
    }
    const known = new Set(this.instruments().filter((i) => i.tradeable).map((i) => i.symbol.toUpperCase()));
    // Unknown ids are refused with one error; the known ones of the same request are still served.
    if (ids.some((p) => !known.has(p))) this.reply(conn, { event: 'error', message: 'Invalid product id' });
    for (const id of ids.filter((p) => known.has(p))) {
      if (op === 'unsubscribe') {
        conn.topics.delete(id);
        this.reply(conn, { event: 'unsubscribed', feed: 'trade', product_ids: [id] });
        continue;
      }
      conn.topics.add(id);
      this.reply(conn, { event: 'subscribed', feed: 'trade', product_ids: [id] });
      this.reply(conn, `{"feed":"trade_snapshot","product_id":${JSON.stringify(id)},"trades":[${(this.history.get(id) ?? []).join(',')}]}`);
    }
  }

  /** Trades sent are kept, as Kraken keeps them, for the snapshot of later subscribers. */
  override send(frame: string): number {
    const msg = parseObject(frame);
    if (msg?.feed === 'trade' && typeof msg.product_id === 'string') {
      const list = this.history.get(msg.product_id) ?? [];
      list.unshift(frame);
      if (list.length > HISTORY) list.length = HISTORY;
      this.history.set(msg.product_id, list);
    }
    return super.send(frame);
  }

  /** Frames go to the subscribers of their product_id; a frame without one (garbage) goes to every connection. */
  protected targets(frame: string): Iterable<Conn> {
    const id = parseObject(frame)?.product_id;
    if (typeof id !== 'string') return this.conns;
    return [...this.conns].filter((c) => c.topics.has(id));
  }

  protected serveRest(url: URL, res: ServerResponse): boolean {
    if (url.pathname !== INSTRUMENTS_PATH) return false;
    writeJson(res, 200, { result: 'success', instruments: this.instruments(), serverTime: new Date().toISOString() });
    return true;
  }
}

export async function startKrakenStandin(opts: StandinOptions): Promise<StandinGroup> {
  let instruments = opts.krakenInstruments ?? defaultKrakenInstruments();
  const kraken = new KrakenVenue('kraken', () => instruments, opts.krakenIdleCloseMs ?? 60_000);
  const port = await listenPort({ ws: (url) => (kraken.acceptsPath(url) ? kraken : undefined), rest: () => kraken });
  return {
    env: { KRAKEN_WS_URL: `ws://127.0.0.1:${port.port}/ws/v1`, KRAKEN_REST_URL: `http://127.0.0.1:${port.port}` },
    venues: { kraken },
    setInstruments(update) {
      if (update.krakenInstruments) instruments = update.krakenInstruments;
    },
    async close() {
      await kraken.close();
      await port.close();
    },
  };
}
