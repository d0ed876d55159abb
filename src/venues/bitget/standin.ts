// Bitget v3 public stream (/v3/ws/public): JSON subscribe by instType+topic, text "ping"/"pong", a connection that sent
// no ping for 2 minutes is closed; and GET /api/v3/market/instruments?category=….
import type { ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import { writeJson, VenueCore, type Conn } from '../standin/core.js';
import { listenPort } from '../standin/port.js';
import type { StandinGroup, StandinOptions, Venue } from '../standin/types.js';
import { type BitgetCategory, type BitgetInstrumentRow, type BitgetInstruments, defaultBitgetInstruments } from './fixtures.js';

declare module '../standin/types.js' {
  interface StandinOptions {
    /** The instruments served per category (default: a few USDT, coin-M and USDC ones, a coin-M delivery future). */
    bitgetInstruments?: BitgetInstruments;
    /** Bitget closes a connection that sent no "ping" for this long; default 120_000, 0 = never. */
    bitgetIdleCloseMs?: number;
  }
}

const INST_TYPES = new Set(['usdt-futures', 'coin-futures', 'usdc-futures', 'spot']);
const TOPICS = new Set(['liquidation', 'publicTrade', 'ticker', 'books']);
const CATEGORIES = new Set(['USDT-FUTURES', 'COIN-FUTURES', 'USDC-FUTURES', 'SPOT', 'MARGIN']);

/** The subscription key a data frame is routed by: "liquidation:usdt-futures". */
export const bitgetRoute = (topic: string, instType: string): string => `${topic}:${instType}`;

export class BitgetVenue extends VenueCore {
  constructor(
    venue: Venue,
    private readonly instruments: () => BitgetInstruments,
    private readonly idleCloseMs: number,
  ) {
    super(venue);
  }

  acceptsPath(url: URL): boolean {
    return url.pathname === '/v3/ws/public';
  }

  protected onOpen(conn: Conn): void {
    conn.id = randomBytes(5).toString('hex');
    if (this.idleCloseMs > 0) this.closeWhenIdle(conn, this.idleCloseMs, 1000, 'no ping');
  }

  protected onMessage(conn: Conn, text: string): void {
    if (text === 'ping') {
      this.refreshIdle(conn);
      if (!this.unresponsive) this.reply(conn, 'pong');
      return;
    }
    let req: { op?: unknown; args?: unknown };
    try {
      const parsed: unknown = JSON.parse(text);
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
      req = parsed as typeof req;
    } catch {
      this.reply(conn, { event: 'error', code: '30012', msg: 'param error', connId: conn.id });
      return;
    }
    if ((req.op !== 'subscribe' && req.op !== 'unsubscribe') || !Array.isArray(req.args) || req.args.length === 0) {
      this.reply(conn, { event: 'error', code: '30012', msg: 'param error', connId: conn.id });
      return;
    }
    // Each arg is answered on its own: good ones acked (and held), bad ones refused.
    for (const a of req.args as unknown[]) {
      const { instType, topic } = (typeof a === 'object' && a !== null ? a : {}) as Record<string, unknown>;
      if (typeof instType !== 'string' || typeof topic !== 'string' || !INST_TYPES.has(instType) || !TOPICS.has(topic)) {
        this.reply(conn, { event: 'error', arg: a, code: '30001', msg: `instType:${String(instType)},topic:${String(topic)} doesn't exist`, connId: conn.id });
        continue;
      }
      const key = bitgetRoute(topic, instType);
      if (req.op === 'subscribe') conn.topics.add(key);
      else conn.topics.delete(key);
      this.reply(conn, { event: req.op, arg: { instType, topic }, connId: conn.id });
    }
  }

  /** Frames go to subscribers of their arg.topic+arg.instType; a frame without an arg (garbage) goes to all. */
  protected targets(frame: string): Iterable<Conn> {
    const key = routeOfFrame(frame);
    if (key === undefined) return this.conns;
    return [...this.conns].filter((c) => c.topics.has(key));
  }

  protected serveRest(url: URL, res: ServerResponse): boolean {
    if (url.pathname !== '/api/v3/market/instruments') return false;
    const requestTime = Date.now();
    const category = url.searchParams.get('category') ?? '';
    if (!CATEGORIES.has(category)) {
      writeJson(res, 400, { code: '40034', msg: `Parameter category error`, requestTime, data: null });
      return true;
    }
    let data: BitgetInstrumentRow[] = this.instruments()[category as BitgetCategory] ?? [];
    const symbol = url.searchParams.get('symbol');
    if (symbol) data = data.filter((i) => i.symbol === symbol);
    writeJson(res, 200, { code: '00000', msg: 'success', requestTime, data });
    return true;
  }
}

export function routeOfFrame(frame: string): string | undefined {
  try {
    const parsed: unknown = JSON.parse(frame);
    if (typeof parsed !== 'object' || parsed === null || !('arg' in parsed)) return undefined;
    const arg: unknown = parsed.arg;
    if (typeof arg !== 'object' || arg === null) return undefined;
    const { topic, instType } = arg as Record<string, unknown>;
    return typeof topic === 'string' && typeof instType === 'string' ? bitgetRoute(topic, instType) : undefined;
  } catch {
    return undefined;
  }
}

export async function startBitgetStandin(opts: StandinOptions): Promise<StandinGroup> {
  let meta: BitgetInstruments = { ...defaultBitgetInstruments(), ...opts.bitgetInstruments };
  const bitget = new BitgetVenue('bitget', () => meta, opts.bitgetIdleCloseMs ?? 120_000);
  const port = await listenPort({ ws: (url) => (bitget.acceptsPath(url) ? bitget : undefined), rest: () => bitget });
  return {
    env: { BITGET_WS_URL: `ws://127.0.0.1:${port.port}/v3/ws/public`, BITGET_REST_URL: `http://127.0.0.1:${port.port}` },
    venues: { bitget },
    setInstruments(update) {
      if (update.bitgetInstruments) meta = { ...meta, ...update.bitgetInstruments };
    },
    async close() {
      await bitget.close();
      await port.close();
    },
  };
}
