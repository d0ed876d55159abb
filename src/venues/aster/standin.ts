// Aster futures market streams (Binance-compatible): the stream is named in the URL (/stream?streams=… or /ws/…),
// SUBSCRIBE/UNSUBSCRIBE/LIST_SUBSCRIPTIONS as JSON, the server pings every 5 minutes and drops a client that has not
// answered for 15. No REST: Aster needs no metadata.
import type { ServerResponse } from 'node:http';
import { VenueCore, type Conn } from '../standin/core.js';
import { listenPort } from '../standin/port.js';
import type { StandinGroup, StandinOptions, Venue } from '../standin/types.js';

declare module '../standin/types.js' {
  interface StandinOptions {
    /** Server ping frames on Aster connections; default 300_000 (Aster pings every 5 minutes). */
    asterPingIntervalMs?: number;
    /** Aster drops a connection whose last pong is older than this; default 3 × asterPingIntervalMs (15 minutes). */
    asterPongTimeoutMs?: number;
  }
}

/** Stream names carried by the URL: `/stream?streams=a/b` (combined) or `/ws/a/b` (raw). */
export function asterStreamsOf(url: URL): string[] | undefined {
  if (url.pathname === '/stream') return (url.searchParams.get('streams') ?? '').split('/').filter((s) => s !== '');
  if (url.pathname.startsWith('/ws/') || url.pathname === '/ws') return url.pathname.slice(4).split('/').filter((s) => s !== '');
  return undefined;
}

export class AsterVenue extends VenueCore {
  private readonly lastPong = new WeakMap<Conn, number>();

  constructor(
    venue: Venue,
    private readonly pingIntervalMs: number,
    private readonly pongTimeoutMs: number,
  ) {
    super(venue);
  }

  acceptsPath(url: URL): boolean {
    return asterStreamsOf(url) !== undefined;
  }

  protected onOpen(conn: Conn): void {
    for (const s of asterStreamsOf(conn.url) ?? []) conn.topics.add(s);
    this.lastPong.set(conn, Date.now());
    conn.ws.on('pong', () => this.lastPong.set(conn, Date.now()));
    const tick = setInterval(() => {
      if (Date.now() - (this.lastPong.get(conn) ?? 0) > this.pongTimeoutMs) {
        conn.ws.terminate();
        return;
      }
      conn.ws.ping();
    }, this.pingIntervalMs);
    conn.timers.add(tick);
  }

  protected onMessage(conn: Conn, text: string): void {
    let req: { method?: unknown; params?: unknown; id?: unknown };
    try {
      const parsed: unknown = JSON.parse(text);
      if (typeof parsed !== 'object' || parsed === null) return;
      req = parsed as typeof req;
    } catch {
      return; // the market stream ignores what it cannot read
    }
    const params = Array.isArray(req.params) ? req.params.filter((p): p is string => typeof p === 'string') : [];
    const id = req.id ?? null;
    if (req.method === 'SUBSCRIBE') {
      for (const p of params) conn.topics.add(p);
      this.reply(conn, { result: null, id });
    } else if (req.method === 'UNSUBSCRIBE') {
      for (const p of params) conn.topics.delete(p);
      this.reply(conn, { result: null, id });
    } else if (req.method === 'LIST_SUBSCRIPTIONS') {
      this.reply(conn, { result: [...conn.topics], id });
    }
  }

  /** The stream is fixed by the URL, so every connection gets every frame. */
  protected targets(): Iterable<Conn> {
    return this.conns;
  }

  protected serveRest(_url: URL, _res: ServerResponse): boolean {
    return false;
  }
}

export async function startAsterStandin(opts: StandinOptions): Promise<StandinGroup> {
  const pingIntervalMs = opts.asterPingIntervalMs ?? 300_000;
  const aster = new AsterVenue('aster', pingIntervalMs, opts.asterPongTimeoutMs ?? pingIntervalMs * 3);
  const port = await listenPort({ ws: (url) => (aster.acceptsPath(url) ? aster : undefined), rest: () => aster });
  return {
    env: { ASTER_WS_URL: `ws://127.0.0.1:${port.port}/stream?streams=!forceOrder@arr` },
    venues: { aster },
    async close() {
      await aster.close();
      await port.close();
    },
  };
}
