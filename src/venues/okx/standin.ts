// OKX v5 public stream (/ws/v5/public): JSON subscribe by channel+instType, text "ping"/"pong", idle close 4004;
// GET /api/v5/public/instruments; and GET /api/v5/public/liquidation-orders, the liquidation history (what tests put
// there with addHistory), per instType and instFamily (or uly), newest first, paged with after/before, limit ≤ 100;
// rateLimit(n) answers the next n of those with HTTP 429 and code 50011, as OKX does past its rate limit.
import type { ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import { writeJson, VenueCore, type Conn } from '../standin/core.js';
import { listenPort } from '../standin/port.js';
import type { StandinGroup, StandinOptions, Venue } from '../standin/types.js';
import { type OkxInstrument, defaultOkxInstruments } from './fixtures.js';
import type { OkxDetail } from './frames.js';

declare module '../standin/types.js' {
  interface StandinOptions {
    /** The instruments served per instType (default: a few linear and inverse swaps and a quarterly future). */
    okxInstruments?: { SWAP?: OkxInstrument[]; FUTURES?: OkxInstrument[] };
    /** OKX closes a connection that sent nothing for this long, with close code 4004; default 30_000. */
    okxIdleCloseMs?: number;
  }
}

const CHANNELS = new Set(['liquidation-orders']);
const INST_TYPES = new Set(['SWAP', 'FUTURES', 'MARGIN', 'OPTION']);

interface OkxArg {
  channel: string;
  instType: string;
  instFamily?: string;
}

/** The subscription key a data frame is routed by: "liquidation-orders:SWAP". */
export function okxKey(channel: string, instType: string): string {
  return `${channel}:${instType}`;
}

/** One liquidation of the stand-in's history. */
interface HistoryItem {
  instType: string;
  instId: string;
  detail: OkxDetail;
}

export class OkxVenue extends VenueCore {
  private readonly history: HistoryItem[] = [];
  private limitedLeft = 0;

  /** Liquidations GET /api/v5/public/liquidation-orders will answer with (state filled). */
  addHistory(instType: 'SWAP' | 'FUTURES', items: Array<{ instId: string; details: OkxDetail[] }>): void {
    for (const it of items) for (const detail of it.details) this.history.push({ instType, instId: it.instId, detail });
  }

  /** The next n liquidation-orders requests answer 429 (code 50011). */
  rateLimit(n: number): void {
    this.limitedLeft = n;
  }

  constructor(
    venue: Venue,
    private readonly instruments: () => { SWAP: OkxInstrument[]; FUTURES: OkxInstrument[] },
    private readonly idleCloseMs: number,
  ) {
    super(venue);
  }

  acceptsPath(url: URL): boolean {
    return url.pathname === '/ws/v5/public';
  }

  protected onOpen(conn: Conn): void {
    conn.id = randomBytes(4).toString('hex');
    // OKX closes a connection that has sent nothing for 30 s: a client must ping (or subscribe) in time.
    this.closeWhenIdle(conn, this.idleCloseMs, 4004, 'No data received in 30s.');
  }

  private error(conn: Conn, code: string, msg: string): void {
    this.reply(conn, { event: 'error', code, msg, connId: conn.id });
  }

  protected onMessage(conn: Conn, text: string): void {
    this.refreshIdle(conn);
    if (text === 'ping') {
      if (!this.unresponsive) this.reply(conn, 'pong');
      return;
    }
    let req: { op?: unknown; args?: unknown };
    try {
      const parsed: unknown = JSON.parse(text);
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
      req = parsed as { op?: unknown; args?: unknown };
    } catch {
      return this.error(conn, '60012', `Invalid request: ${text}`);
    }
    if ((req.op !== 'subscribe' && req.op !== 'unsubscribe') || !Array.isArray(req.args) || req.args.length === 0) {
      return this.error(conn, '60012', `Invalid request: ${text}`);
    }
    const args: OkxArg[] = [];
    for (const a of req.args as unknown[]) {
      if (typeof a !== 'object' || a === null) return this.error(conn, '60012', `Invalid request: ${text}`);
      const { channel, instType, instFamily } = a as Record<string, unknown>;
      if (typeof channel !== 'string' || typeof instType !== 'string') {
        return this.error(conn, '60012', `Invalid request: ${text}`);
      }
      if (!CHANNELS.has(channel) || !INST_TYPES.has(instType)) {
        return this.error(
          conn,
          '60018',
          `Wrong URL or channel:${channel},instType:${instType} doesn't exist. Please use the correct URL, channel and parameters referring to API document.`,
        );
      }
      args.push({ channel, instType, ...(typeof instFamily === 'string' ? { instFamily } : {}) });
    }
    // A request is all-or-nothing: any bad arg above answered one error and subscribed nothing.
    for (const arg of args) {
      const key = okxKey(arg.channel, arg.instType);
      if (req.op === 'subscribe') conn.topics.add(key);
      else conn.topics.delete(key);
      this.reply(conn, { event: req.op, arg, connId: conn.id });
    }
  }

  /** Frames go to subscribers of their arg.channel+arg.instType; a frame without an arg (garbage) goes to all. */
  protected targets(frame: string): Iterable<Conn> {
    const key = keyOf(frame);
    if (key === undefined) return this.conns;
    return [...this.conns].filter((c) => c.topics.has(key));
  }

  private serveLiquidations(url: URL, res: ServerResponse): void {
    if (this.limitedLeft > 0) {
      this.limitedLeft--;
      writeJson(res, 429, { code: '50011', msg: 'Too Many Requests', data: [] });
      return;
    }
    const q = url.searchParams;
    const instType = q.get('instType');
    if (!instType || !INST_TYPES.has(instType)) {
      writeJson(res, 200, { code: '51000', msg: 'Parameter instType error', data: [] });
      return;
    }
    const fam = q.get('instFamily') ?? q.get('uly');
    if ((instType === 'SWAP' || instType === 'FUTURES') && !fam) {
      writeJson(res, 200, { code: '51000', msg: 'Parameter uly or instFamily error', data: [] });
      return;
    }
    const limit = Math.min(100, Math.max(1, Number(q.get('limit') ?? '100') || 100));
    const after = q.get('after');
    const before = q.get('before');
    const rows = q.get('state') === 'unfilled'
      ? []
      : this.history
          .filter((h) => h.instType === instType && (!fam || familyOf(h.instId) === fam))
          .filter((h) => (after === null || h.detail.ts < Number(after)) && (before === null || h.detail.ts > Number(before)))
          .sort((a, b) => b.detail.ts - a.detail.ts)
          .slice(0, limit);
    // one data item per instrument, its details newest first, as the stream groups them
    const byInst = new Map<string, OkxDetail[]>();
    for (const r of rows) byInst.set(r.instId, [...(byInst.get(r.instId) ?? []), r.detail]);
    const data = [...byInst].map(([instId, details]) => ({
      instType,
      instId,
      instFamily: familyOf(instId),
      uly: familyOf(instId),
      totalLoss: '0',
      details: details.map((d) => ({ bkLoss: '0', bkPx: d.bkPx, ccy: '', posSide: d.posSide, side: d.side, sz: d.sz, ts: String(d.ts) })),
    }));
    writeJson(res, 200, { code: '0', msg: '', data });
  }

  protected serveRest(url: URL, res: ServerResponse): boolean {
    if (url.pathname === '/api/v5/public/time') {
      writeJson(res, 200, { code: '0', msg: '', data: [{ ts: String(Date.now()) }] });
      return true;
    }
    if (url.pathname === '/api/v5/public/liquidation-orders') {
      this.serveLiquidations(url, res);
      return true;
    }
    if (url.pathname !== '/api/v5/public/instruments') return false;
    const q = url.searchParams;
    const instType = q.get('instType');
    if (!instType) {
      writeJson(res, 400, { code: '50014', msg: 'Parameter instType can not be empty.', data: [] });
      return true;
    }
    if (!['SPOT', 'MARGIN', 'SWAP', 'FUTURES', 'OPTION'].includes(instType)) {
      writeJson(res, 400, { code: '51000', msg: 'Parameter instType error', data: [] });
      return true;
    }
    const all = this.instruments();
    let data: OkxInstrument[] = instType === 'SWAP' ? all.SWAP : instType === 'FUTURES' ? all.FUTURES : [];
    for (const field of ['instFamily', 'uly', 'instId'] as const) {
      const want = q.get(field);
      if (want) data = data.filter((i) => i[field] === want);
    }
    writeJson(res, 200, { code: '0', msg: '', data });
    return true;
  }
}

function familyOf(instId: string): string {
  const p = instId.split('-');
  return `${p[0]}-${p[1]}`;
}


function keyOf(frame: string): string | undefined {
  try {
    const parsed: unknown = JSON.parse(frame);
    if (typeof parsed !== 'object' || parsed === null || !('arg' in parsed)) return undefined;
    const arg: unknown = parsed.arg;
    if (typeof arg !== 'object' || arg === null) return undefined;
    const { channel, instType } = arg as Record<string, unknown>;
    if (typeof channel !== 'string' || typeof instType !== 'string') return undefined;
    return okxKey(channel, instType);
  } catch {
    return undefined;
  }
}

export async function startOkxStandin(opts: StandinOptions): Promise<StandinGroup> {
  const d = defaultOkxInstruments();
  let meta = { SWAP: opts.okxInstruments?.SWAP ?? d.SWAP, FUTURES: opts.okxInstruments?.FUTURES ?? d.FUTURES };
  const okx = new OkxVenue('okx', () => meta, opts.okxIdleCloseMs ?? 30_000);
  const port = await listenPort({ ws: (url) => (okx.acceptsPath(url) ? okx : undefined), rest: () => okx });
  return {
    env: { OKX_WS_URL: `ws://127.0.0.1:${port.port}/ws/v5/public`, OKX_REST_URL: `http://127.0.0.1:${port.port}` },
    venues: { okx },
    setInstruments(update) {
      if (update.okxInstruments?.SWAP || update.okxInstruments?.FUTURES) {
        meta = { SWAP: update.okxInstruments.SWAP ?? meta.SWAP, FUTURES: update.okxInstruments.FUTURES ?? meta.FUTURES };
      }
    },
    async close() {
      await okx.close();
      await port.close();
    },
  };
}
