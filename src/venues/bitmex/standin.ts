// BitMEX realtime (/realtime): the welcome frame on connect; {"op":"subscribe","args":[…]} acked per topic, each
// followed by the table's partial (the liquidation orders still open, as the stand-in's own copy of the table holds
// them); text "ping" answered "pong"; refused requests as {"status":400,"error":…}. And GET /api/v1/instrument/active.
import type { ServerResponse } from 'node:http';
import { writeJson, VenueCore, type Conn } from '../standin/core.js';
import { listenPort } from '../standin/port.js';
import type { StandinGroup, StandinOptions, Venue } from '../standin/types.js';
import { type BitmexInstrument, defaultBitmexInstruments } from './fixtures.js';
import { type BitmexRow, bitmexError, bitmexFrame, bitmexWelcome } from './frames.js';

declare module '../standin/types.js' {
  interface StandinOptions {
    /** The instruments GET /api/v1/instrument/active serves (default: inverse, linear, quanto, XBT-quoted, spot). */
    bitmexInstruments?: BitmexInstrument[];
  }
}

const TABLE = 'liquidation';

interface Request {
  op?: unknown;
  args?: unknown;
}

export class BitmexVenue extends VenueCore {
  /** The liquidation table as BitMEX holds it: open orders by orderID, kept from the frames sent through send(). */
  private readonly open = new Map<string, BitmexRow>();

  constructor(
    venue: Venue,
    private readonly instruments: () => BitmexInstrument[],
  ) {
    super(venue);
  }

  acceptsPath(url: URL): boolean {
    return url.pathname === '/realtime';
  }

  protected onOpen(conn: Conn): void {
    this.reply(conn, bitmexWelcome());
  }

  protected onMessage(conn: Conn, text: string): void {
    if (text === 'ping') {
      if (!this.unresponsive) this.reply(conn, 'pong');
      return;
    }
    let req: Request;
    try {
      const parsed: unknown = JSON.parse(text);
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
      req = parsed as Request;
    } catch {
      this.reply(conn, bitmexError(400, "Unrecognized request. See the docs or send 'help' for more details."));
      return;
    }
    if (req.op !== 'subscribe' && req.op !== 'unsubscribe') {
      this.reply(conn, bitmexError(400, `Unknown or unsupported op: ${String(req.op)}`, req));
      return;
    }
    const args = typeof req.args === 'string' ? [req.args] : req.args;
    if (!Array.isArray(args) || args.length === 0 || !args.every((a): a is string => typeof a === 'string')) {
      this.reply(conn, bitmexError(400, 'Invalid args: an array of topics is required', req));
      return;
    }
    for (const topic of args) {
      const [table] = topic.split(':');
      if (table !== TABLE) {
        this.reply(conn, bitmexError(400, `Unknown table: ${table}`, req));
        continue;
      }
      if (req.op === 'unsubscribe') {
        conn.topics.delete(topic);
        this.reply(conn, { success: true, unsubscribe: topic, request: req });
        continue;
      }
      if (conn.topics.has(topic)) {
        this.reply(conn, bitmexError(400, `You are already subscribed to this topic: ${topic}`, req));
        continue;
      }
      conn.topics.add(topic);
      this.reply(conn, { success: true, subscribe: topic, request: req });
      const symbol = topic.split(':')[1];
      this.reply(conn, bitmexFrame('partial', [...this.open.values()].filter((r) => symbol === undefined || r.symbol === symbol)));
    }
  }

  /** Frames of the liquidation table update the stand-in's copy of it (what the next partial lists). */
  override send(frame: string): number {
    this.apply(frame);
    return super.send(frame);
  }

  private apply(frame: string): void {
    const msg = tableFrame(frame);
    if (msg === undefined) return;
    for (const row of msg.data) {
      if (typeof row.orderID !== 'string') continue;
      if (msg.action === 'insert' || msg.action === 'partial') this.open.set(row.orderID, row);
      else if (msg.action === 'update') {
        const old = this.open.get(row.orderID);
        if (old) this.open.set(row.orderID, { ...old, ...row });
      } else if (msg.action === 'delete') this.open.delete(row.orderID);
    }
  }

  /** Table frames go to subscribers of the table or of one of the frame's symbols; anything else (garbage) to all. */
  protected targets(frame: string): Iterable<Conn> {
    const msg = tableFrame(frame);
    if (msg === undefined) return this.conns;
    const symbols = new Set(msg.data.map((r) => r.symbol));
    return [...this.conns].filter((c) => c.topics.has(TABLE) || [...symbols].some((s) => c.topics.has(`${TABLE}:${s}`)));
  }

  protected serveRest(url: URL, res: ServerResponse): boolean {
    if (url.pathname !== '/api/v1/instrument/active') return false;
    writeJson(res, 200, this.instruments());
    return true;
  }
}

function tableFrame(frame: string): { action: string; data: BitmexRow[] } | undefined {
  try {
    const parsed: unknown = JSON.parse(frame);
    if (typeof parsed !== 'object' || parsed === null) return undefined;
    const { table, action, data } = parsed as Record<string, unknown>;
    if (table !== TABLE || typeof action !== 'string' || !Array.isArray(data)) return undefined;
    return { action, data: data.filter((r): r is BitmexRow => typeof r === 'object' && r !== null) };
  } catch {
    return undefined;
  }
}

export async function startBitmexStandin(opts: StandinOptions): Promise<StandinGroup> {
  let instruments = opts.bitmexInstruments ?? defaultBitmexInstruments();
  const bitmex = new BitmexVenue('bitmex', () => instruments);
  const port = await listenPort({ ws: (url) => (bitmex.acceptsPath(url) ? bitmex : undefined), rest: () => bitmex });
  return {
    env: { BITMEX_WS_URL: `ws://127.0.0.1:${port.port}/realtime`, BITMEX_REST_URL: `http://127.0.0.1:${port.port}` },
    venues: { bitmex },
    setInstruments(update) {
      if (update.bitmexInstruments) instruments = update.bitmexInstruments;
    },
    async close() {
      await bitmex.close();
      await port.close();
    },
  };
}
