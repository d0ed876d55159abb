// Bybit v5 public streams (/v5/public/linear|inverse) and GET /v5/market/instruments-info.
import type { ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { writeJson, VenueCore, type Conn } from '../standin/core.js';
import { listenPort } from '../standin/port.js';
import type { StandinGroup, StandinOptions, Venue } from '../standin/types.js';
import { type BybitInstrument, defaultBybitInverse, defaultBybitLinear } from './fixtures.js';

declare module '../standin/types.js' {
  interface StandinOptions {
    /** The instruments served per category (default: a few USDT, USDC, inverse and dated ones). */
    bybitInstruments?: { linear?: BybitInstrument[]; inverse?: BybitInstrument[] };
    /** Bybit closes a connection with no client message and no data frame for this long; default 600_000, 0 = never. */
    bybitIdleCloseMs?: number;
  }
}

export type BybitCategory = 'linear' | 'inverse';

/** Bybit refuses a subscribe request whose args, joined, exceed this many characters. */
export const BYBIT_ARGS_LIMIT = 21_000;
const TOPIC_PREFIX = 'allLiquidation.';

interface BybitRequest {
  req_id?: unknown;
  op?: unknown;
  args?: unknown;
}

export class BybitVenue extends VenueCore {
  constructor(
    venue: Venue,
    readonly category: BybitCategory,
    private readonly instruments: () => BybitInstrument[],
    private readonly idleCloseMs: number,
  ) {
    super(venue);
  }

  acceptsPath(url: URL): boolean {
    return url.pathname === `/v5/public/${this.category}`;
  }

  protected onOpen(conn: Conn): void {
    conn.id = randomUUID();
    if (this.idleCloseMs > 0) this.closeWhenIdle(conn, this.idleCloseMs, 1000, 'idle');
  }

  /** No ping and no data for idleCloseMs closes the connection; any traffic restarts the clock. */
  private touch(conn: Conn): void {
    this.refreshIdle(conn);
  }

  protected override onSent(conn: Conn): void {
    this.touch(conn);
  }

  private answer(conn: Conn, req: BybitRequest, success: boolean, retMsg: string, op: unknown): void {
    this.reply(conn, {
      success,
      ret_msg: retMsg,
      conn_id: conn.id,
      ...(req.req_id !== undefined ? { req_id: req.req_id } : {}),
      op: typeof op === 'string' ? op : '',
    });
  }

  protected onMessage(conn: Conn, text: string): void {
    this.touch(conn);
    let req: BybitRequest;
    try {
      const parsed: unknown = JSON.parse(text);
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
      req = parsed as BybitRequest;
    } catch {
      this.answer(conn, {}, false, 'error:request not json', '');
      return;
    }
    switch (req.op) {
      case 'ping':
        if (!this.unresponsive) this.answer(conn, req, true, 'pong', 'ping');
        return;
      case 'subscribe':
        this.subscribe(conn, req);
        return;
      case 'unsubscribe': {
        const args = stringArgs(req.args);
        if (!args) return this.answer(conn, req, false, 'error:args invalid', 'unsubscribe');
        for (const topic of args) conn.topics.delete(topic);
        this.answer(conn, req, true, '', 'unsubscribe');
        return;
      }
      default:
        this.answer(conn, req, false, `error:unsupported op:${String(req.op)}`, req.op);
    }
  }

  private subscribe(conn: Conn, req: BybitRequest): void {
    const args = stringArgs(req.args);
    if (!args) return this.answer(conn, req, false, 'error:args invalid', 'subscribe');
    if (args.join(',').length > BYBIT_ARGS_LIMIT) {
      return this.answer(conn, req, false, `args size >${BYBIT_ARGS_LIMIT}`, 'subscribe');
    }
    const known = new Set(this.instruments().map((i) => i.symbol));
    const errors: string[] = [];
    for (const topic of args) {
      if (!topic.startsWith(TOPIC_PREFIX) || !known.has(topic.slice(TOPIC_PREFIX.length))) {
        errors.push(`error:handler not found,topic:${topic}`);
      } else if (conn.topics.has(topic)) {
        errors.push(`error:already subscribed,topic:${topic}`);
      } else {
        conn.topics.add(topic);
      }
    }
    // One answer per request: the bad topics are named, the good ones are subscribed regardless.
    this.answer(conn, req, errors.length === 0, errors.join(';'), 'subscribe');
  }

  /** Frames go to subscribers of their "topic"; a frame without one (garbage) goes to every connection. */
  protected targets(frame: string): Iterable<Conn> {
    const topic = topicOf(frame);
    if (topic === undefined) return this.conns;
    return [...this.conns].filter((c) => c.topics.has(topic));
  }

  protected serveRest(url: URL, res: ServerResponse): boolean {
    if (url.pathname === '/v5/market/time') {
      const now = Date.now();
      writeJson(res, 200, {
        retCode: 0,
        retMsg: 'OK',
        result: { timeSecond: String(Math.floor(now / 1000)), timeNano: `${now}000000` },
        retExtInfo: {},
        time: now,
      });
      return true;
    }
    if (url.pathname !== '/v5/market/instruments-info') return false;
    writeJson(res, 200, this.instrumentsPage(url.searchParams));
    return true;
  }

  /** One page, ordered by symbol; the cursor names the last symbol served, so listings between pages never repeat one. */
  private instrumentsPage(q: URLSearchParams): object {
    const time = Date.now();
    const fail = (retMsg: string) => ({ retCode: 10001, retMsg, result: {}, retExtInfo: {}, time });
    const category = q.get('category');
    if (category !== this.category) {
      if (category === 'spot' || category === 'option' || category === 'linear' || category === 'inverse') {
        return { retCode: 0, retMsg: 'OK', result: { category, list: [], nextPageCursor: '' }, retExtInfo: {}, time };
      }
      return fail('Illegal category');
    }
    const rawLimit = q.get('limit');
    const parsedLimit = rawLimit === null ? 500 : Number(rawLimit);
    if (!Number.isInteger(parsedLimit)) return fail('params error: limit invalid');
    const limit = Math.min(Math.max(parsedLimit, 1), 1000);
    let list = [...this.instruments()].sort((a, b) => (a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0));
    const symbol = q.get('symbol');
    if (symbol) list = list.filter((i) => i.symbol === symbol);
    const status = q.get('status');
    if (status) list = list.filter((i) => i.status === status);
    const baseCoin = q.get('baseCoin');
    if (baseCoin) list = list.filter((i) => i.baseCoin === baseCoin);
    const cursor = q.get('cursor');
    if (cursor) {
      const last = decodeCursor(cursor);
      if (last === undefined) return fail('params error: cursor invalid');
      list = list.filter((i) => i.symbol > last);
    }
    const page = list.slice(0, limit);
    const more = list.length > limit;
    const nextPageCursor = more ? encodeCursor(page[0].symbol, page[page.length - 1].symbol) : '';
    return { retCode: 0, retMsg: 'OK', result: { category, list: page, nextPageCursor }, retExtInfo: {}, time };
  }
}

function stringArgs(args: unknown): string[] | undefined {
  if (!Array.isArray(args) || !args.every((a): a is string => typeof a === 'string')) return undefined;
  return args;
}

/** Like the real one ("first%3DBTCUSDT%26last%3DETHUSDT"): URL-encoded, so a client must encode it to send it back. */
function encodeCursor(first: string, last: string): string {
  return encodeURIComponent(`first=${first}&last=${last}`);
}

/** Accepts the cursor as the client got it (sent un-encoded) or once more encoded (sent properly encoded). */
function decodeCursor(cursor: string): string | undefined {
  let text = cursor;
  try {
    if (text.includes('%')) text = decodeURIComponent(text);
  } catch {
    return undefined;
  }
  const last = new URLSearchParams(text).get('last');
  return last === null || last === '' ? undefined : last;
}

function topicOf(frame: string): string | undefined {
  try {
    const parsed: unknown = JSON.parse(frame);
    if (typeof parsed === 'object' && parsed !== null && 'topic' in parsed && typeof parsed.topic === 'string') {
      return parsed.topic;
    }
  } catch {
    // not JSON: no topic
  }
  return undefined;
}

/** Linear and inverse share a port, as they share a host at Bybit; REST answers per category. */
export async function startBybitStandin(opts: StandinOptions): Promise<StandinGroup> {
  const meta = {
    linear: opts.bybitInstruments?.linear ?? defaultBybitLinear(),
    inverse: opts.bybitInstruments?.inverse ?? defaultBybitInverse(),
  };
  const idle = opts.bybitIdleCloseMs ?? 600_000;
  const linear = new BybitVenue('bybit-linear', 'linear', () => meta.linear, idle);
  const inverse = new BybitVenue('bybit-inverse', 'inverse', () => meta.inverse, idle);
  const port = await listenPort({
    ws: (url) => [linear, inverse].find((v) => v.acceptsPath(url)),
    // REST is per category: category=inverse is the inverse venue's (its restRequests, its setRestDown).
    rest: (url) => (url.searchParams.get('category') === 'inverse' ? inverse : linear),
  });
  return {
    env: {
      BYBIT_LINEAR_WS_URL: `ws://127.0.0.1:${port.port}/v5/public/linear`,
      BYBIT_INVERSE_WS_URL: `ws://127.0.0.1:${port.port}/v5/public/inverse`,
      BYBIT_REST_URL: `http://127.0.0.1:${port.port}`,
    },
    venues: { 'bybit-linear': linear, 'bybit-inverse': inverse },
    setInstruments(update) {
      // Every list given replaces the current one; subscribe validation uses it from then on (already-subscribed
      // topics stay subscribed, as on the real exchange).
      if (update.bybitInstruments?.linear) meta.linear = update.bybitInstruments.linear;
      if (update.bybitInstruments?.inverse) meta.inverse = update.bybitInstruments.inverse;
    },
    async close() {
      await Promise.all([linear.close(), inverse.close()]);
      await port.close();
    },
  };
}
