// Gate futures streams (/v4/ws/usdt, /v4/ws/btc): JSON {time, channel, event, payload} requests, `futures.ping` answered
// with `futures.pong`, `futures.public_liquidates` subscribed with ["!all"] or contract names; the handshake header
// X-Gate-Size-Decimal is recorded per connection. And GET /api/v4/futures/{usdt,btc}/contracts. Both settles share a
// port here (the real REST host differs from the stream host, but GATE_REST_URL is one base).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { writeJson, VenueCore, type Conn } from '../standin/core.js';
import { listenPort } from '../standin/port.js';
import type { StandinGroup, StandinOptions, Venue } from '../standin/types.js';
import { type GateContractRow, type GateContracts, defaultGateContracts } from './fixtures.js';

declare module '../standin/types.js' {
  interface StandinOptions {
    /** The contracts served per settle currency (default: a few USDT-settled ones and BTC_USD). */
    gateContracts?: GateContracts;
  }
}

const CHANNELS = new Set(['futures.public_liquidates', 'futures.trades', 'futures.tickers', 'futures.order_book']);

export class GateVenue extends VenueCore {
  /** The X-Gate-Size-Decimal header of each upgrade, by the URL object the connection is accepted with. */
  private readonly pendingHeader = new WeakMap<URL, boolean>();
  private readonly headers: boolean[] = [];

  constructor(
    venue: Venue,
    readonly settle: 'usdt' | 'btc',
    private readonly contracts: () => GateContractRow[],
  ) {
    super(venue);
  }

  acceptsPath(url: URL): boolean {
    return url.pathname === `/v4/ws/${this.settle}`;
  }

  /** Whether each connection accepted so far asked for decimal sizes (X-Gate-Size-Decimal: 1), in order. */
  sizeDecimalHeaders(): boolean[] {
    return [...this.headers];
  }

  override handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, url: URL): void {
    this.pendingHeader.set(url, req.headers['x-gate-size-decimal'] === '1');
    super.handleUpgrade(req, socket, head, url);
  }

  protected onOpen(conn: Conn): void {
    this.headers.push(this.pendingHeader.get(conn.url) ?? false);
  }

  private answer(conn: Conn, channel: unknown, event: unknown, body: object): void {
    const now = Date.now();
    this.reply(conn, { time: Math.floor(now / 1000), time_ms: now, channel: typeof channel === 'string' ? channel : '', event: typeof event === 'string' ? event : '', ...body });
  }

  protected onMessage(conn: Conn, text: string): void {
    let req: { channel?: unknown; event?: unknown; payload?: unknown };
    try {
      const parsed: unknown = JSON.parse(text);
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
      req = parsed as typeof req;
    } catch {
      return this.answer(conn, '', '', { error: { code: 1, message: 'invalid request' }, result: null });
    }
    if (req.channel === 'futures.ping') {
      if (!this.unresponsive) this.answer(conn, 'futures.pong', '', { result: null });
      return;
    }
    const fail = (code: number, message: string) => this.answer(conn, req.channel, req.event, { error: { code, message }, result: { status: 'fail' } });
    if (typeof req.channel !== 'string' || !CHANNELS.has(req.channel)) return fail(2, `unknown channel ${String(req.channel)}`);
    if (req.event !== 'subscribe' && req.event !== 'unsubscribe') return fail(2, `unknown event ${String(req.event)}`);
    const payload = req.payload;
    if (!Array.isArray(payload) || payload.length === 0 || !payload.every((p) => typeof p === 'string')) return fail(2, 'invalid argument: payload');
    const names = new Set(this.contracts().map((c) => c.name));
    const bad = (payload as string[]).filter((p) => p !== '!all' && !names.has(p));
    if (bad.length > 0) return fail(2, `unknown contract ${bad.join(',')}`);
    if (req.event === 'subscribe') conn.topics.add(req.channel);
    else conn.topics.delete(req.channel);
    this.answer(conn, req.channel, req.event, { result: { status: 'success' } });
  }

  /** Frames go to subscribers of their channel; a frame without one (garbage, a notice) goes to every connection. */
  protected targets(frame: string): Iterable<Conn> {
    const channel = channelOf(frame);
    if (channel === undefined) return this.conns;
    return [...this.conns].filter((c) => c.topics.has(channel));
  }

  protected serveRest(url: URL, res: ServerResponse): boolean {
    if (url.pathname !== `/api/v4/futures/${this.settle}/contracts`) return false;
    writeJson(res, 200, this.contracts());
    return true;
  }
}

export function channelOf(frame: string): string | undefined {
  try {
    const parsed: unknown = JSON.parse(frame);
    if (typeof parsed === 'object' && parsed !== null && 'channel' in parsed && typeof parsed.channel === 'string') return parsed.channel;
  } catch {
    // not JSON: no channel
  }
  return undefined;
}

export async function startGateStandin(opts: StandinOptions): Promise<StandinGroup> {
  const d = defaultGateContracts();
  const meta = { usdt: opts.gateContracts?.usdt ?? d.usdt, btc: opts.gateContracts?.btc ?? d.btc };
  const usdt = new GateVenue('gate-usdt', 'usdt', () => meta.usdt);
  const btc = new GateVenue('gate-btc', 'btc', () => meta.btc);
  const port = await listenPort({
    ws: (url) => [usdt, btc].find((v) => v.acceptsPath(url)),
    rest: (url) => (url.pathname.startsWith('/api/v4/futures/btc/') ? btc : usdt),
  });
  return {
    env: {
      GATE_USDT_WS_URL: `ws://127.0.0.1:${port.port}/v4/ws/usdt`,
      GATE_BTC_WS_URL: `ws://127.0.0.1:${port.port}/v4/ws/btc`,
      GATE_REST_URL: `http://127.0.0.1:${port.port}`,
    },
    venues: { 'gate-usdt': usdt, 'gate-btc': btc },
    setInstruments(update) {
      if (update.gateContracts?.usdt) meta.usdt = update.gateContracts.usdt;
      if (update.gateContracts?.btc) meta.btc = update.gateContracts.btc;
    },
    async close() {
      await Promise.all([usdt.close(), btc.close()]);
      await port.close();
    },
  };
}
