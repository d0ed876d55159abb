// Deribit's API v2 over WebSocket (/ws/api/v2: JSON-RPC public/subscribe, public/unsubscribe, public/set_heartbeat,
// public/test) and GET /api/v2/public/get_instruments. Subscribing a .raw channel without authentication is refused
// with error 13778, as Deribit does. After set_heartbeat the server sends a test_request every interval and closes a
// connection that left the previous one unanswered.
import type { ServerResponse } from 'node:http';
import { writeJson, VenueCore, type Conn } from '../standin/core.js';
import { listenPort } from '../standin/port.js';
import type { StandinGroup, StandinOptions, Venue } from '../standin/types.js';
import { type DeribitInstrumentItem, defaultDeribitInstruments } from './fixtures.js';
import { DERIBIT_INSTRUMENTS_PATH } from './metadata.js';

declare module '../standin/types.js' {
  interface StandinOptions {
    /** The futures served by get_instruments (default: BTC and ETH perpetuals, a BTC quarterly, USDC perpetuals). */
    deribitInstruments?: DeribitInstrumentItem[];
    /** How long one second of a heartbeat interval lasts, ms (tests shorten it); default 1000. */
    deribitHeartbeatUnitMs?: number;
  }
}

// trades.{kind}.{currency}.{interval} or trades.{instrument}.{interval}
const KIND_CHANNEL_RE = /^trades\.(future|option|spot|future_combo|option_combo|any)\.([A-Za-z]+)\.(100ms|agg2|raw)$/;
const INSTRUMENT_CHANNEL_RE = /^trades\.([A-Za-z0-9_-]+)\.(100ms|agg2|raw)$/;

interface Beat {
  timer?: NodeJS.Timeout;
  /** A test_request was sent and public/test has not come since. */
  pending: boolean;
}

export class DeribitVenue extends VenueCore {
  private readonly beats = new WeakMap<Conn, Beat>();

  constructor(
    venue: Venue,
    private readonly instruments: () => DeribitInstrumentItem[],
    private readonly unitMs: number,
  ) {
    super(venue);
  }

  acceptsPath(url: URL): boolean {
    return url.pathname === '/ws/api/v2';
  }

  protected onOpen(conn: Conn): void {
    this.beats.set(conn, { pending: false });
  }

  private answer(conn: Conn, id: unknown, body: { result: unknown } | { error: { code: number; message: string } }): void {
    const us = Date.now() * 1000;
    this.reply(conn, { jsonrpc: '2.0', ...(id !== undefined ? { id } : {}), ...body, usIn: us, usOut: us + 40, usDiff: 40, testnet: false });
  }

  protected onMessage(conn: Conn, text: string): void {
    let req: { id?: unknown; method?: unknown; params?: unknown };
    try {
      const parsed: unknown = JSON.parse(text);
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
      req = parsed as typeof req;
    } catch {
      return this.answer(conn, undefined, { error: { code: -32700, message: 'parse_error' } });
    }
    const params = (typeof req.params === 'object' && req.params !== null ? req.params : {}) as Record<string, unknown>;
    switch (req.method) {
      case 'public/test':
        this.beats.get(conn)!.pending = false;
        if (!this.unresponsive) this.answer(conn, req.id, { result: { version: '1.2.26' } });
        return;
      case 'public/set_heartbeat': {
        const interval = params.interval;
        if (typeof interval !== 'number' || !(interval >= 10)) return this.answer(conn, req.id, { error: { code: 11029, message: 'invalid_arguments' } });
        this.startHeartbeat(conn, interval);
        return this.answer(conn, req.id, { result: 'ok' });
      }
      case 'public/subscribe':
      case 'public/unsubscribe': {
        const channels = params.channels;
        if (!Array.isArray(channels) || !channels.every((c): c is string => typeof c === 'string')) {
          return this.answer(conn, req.id, { error: { code: -32602, message: 'Invalid params' } });
        }
        if (req.method === 'public/unsubscribe') {
          const gone = channels.filter((c) => conn.topics.delete(c));
          return this.answer(conn, req.id, { result: gone });
        }
        if (channels.some((c) => c.endsWith('.raw'))) {
          return this.answer(conn, req.id, { error: { code: 13778, message: 'raw_subscriptions_not_available_for_unauthorized' } });
        }
        // The result lists the channels accepted; a channel of no known currency or instrument is left out.
        const accepted = channels.filter((c) => this.known(c));
        for (const c of accepted) conn.topics.add(c);
        return this.answer(conn, req.id, { result: accepted });
      }
      default:
        return this.answer(conn, req.id, { error: { code: -32601, message: 'Method not found' } });
    }
  }

  private known(channel: string): boolean {
    const list = this.instruments();
    const kind = KIND_CHANNEL_RE.exec(channel);
    if (kind !== null) return kind[2] === 'any' || list.some((i) => i.settlement_currency === kind[2] || i.base_currency === kind[2]);
    const inst = INSTRUMENT_CHANNEL_RE.exec(channel);
    return inst !== null && list.some((i) => i.instrument_name === inst[1]);
  }

  /** A test_request every interval; one left unanswered when the next is due closes the connection. */
  private startHeartbeat(conn: Conn, intervalS: number): void {
    const beat = this.beats.get(conn)!;
    if (beat.timer !== undefined) {
      clearInterval(beat.timer);
      conn.timers.delete(beat.timer);
    }
    beat.pending = false;
    beat.timer = setInterval(() => {
      if (this.unresponsive) return;
      if (beat.pending) {
        conn.ws.close(1000, 'test_request not answered');
        return;
      }
      beat.pending = true;
      this.reply(conn, { jsonrpc: '2.0', method: 'heartbeat', params: { type: 'test_request' } });
    }, intervalS * this.unitMs);
    conn.timers.add(beat.timer);
  }

  /** Notifications go to the subscribers of their params.channel; other frames (garbage) to every connection. */
  protected targets(frame: string): Iterable<Conn> {
    const channel = channelOf(frame);
    if (channel === undefined) return this.conns;
    return [...this.conns].filter((c) => c.topics.has(channel));
  }

  protected serveRest(url: URL, res: ServerResponse): boolean {
    if (url.pathname !== DERIBIT_INSTRUMENTS_PATH) return false;
    const us = Date.now() * 1000;
    const currency = url.searchParams.get('currency');
    if (!currency) {
      writeJson(res, 400, { jsonrpc: '2.0', error: { message: 'Invalid params', data: { reason: 'must be present', param: 'currency' }, code: -32602 }, usIn: us, usOut: us, usDiff: 0, testnet: false });
      return true;
    }
    const kind = url.searchParams.get('kind');
    const result = this.instruments().filter((i) => (currency === 'any' || i.settlement_currency === currency || i.base_currency === currency) && (!kind || i.kind === kind));
    writeJson(res, 200, { jsonrpc: '2.0', result, usIn: us, usOut: us + 300, usDiff: 300, testnet: false });
    return true;
  }
}

function channelOf(frame: string): string | undefined {
  try {
    const parsed: unknown = JSON.parse(frame);
    if (typeof parsed !== 'object' || parsed === null || !('params' in parsed)) return undefined;
    const params: unknown = parsed.params;
    if (typeof params !== 'object' || params === null || !('channel' in params) || typeof params.channel !== 'string') return undefined;
    return params.channel;
  } catch {
    return undefined;
  }
}

export async function startDeribitStandin(opts: StandinOptions): Promise<StandinGroup> {
  let list = opts.deribitInstruments ?? defaultDeribitInstruments();
  const deribit = new DeribitVenue('deribit', () => list, opts.deribitHeartbeatUnitMs ?? 1000);
  const port = await listenPort({ ws: (url) => (deribit.acceptsPath(url) ? deribit : undefined), rest: () => deribit });
  return {
    env: { DERIBIT_WS_URL: `ws://127.0.0.1:${port.port}/ws/api/v2`, DERIBIT_REST_URL: `http://127.0.0.1:${port.port}` },
    venues: { deribit },
    setInstruments(update) {
      if (update.deribitInstruments) list = update.deribitInstruments;
    },
    async close() {
      await deribit.close();
      await port.close();
    },
  };
}
