// HTX's notification endpoints (/linear-swap-notification, /swap-notification) and their contract lists
// (GET /linear-swap-api/v1/swap_contract_info, /swap-api/v1/swap_contract_info), on one port as on api.hbdm.com.
// Every frame the server sends is gzip, acks and heartbeats included; it pings {"op":"ping","ts":"<ms>"} every few
// seconds and closes a client that leaves several pings in a row unanswered or answers with another ts.
import type { ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { WebSocket } from 'ws';
import { writeJson, VenueCore, type Conn } from '../standin/core.js';
import { listenPort } from '../standin/port.js';
import type { StandinGroup, StandinOptions, Venue } from '../standin/types.js';
import { type HtxContractItem, defaultHtxInverse, defaultHtxLinear } from './fixtures.js';
import { HTX_INVERSE_PATH, HTX_LINEAR_PATH, type HtxMargin } from './metadata.js';
import { HTX_TOPIC } from './protocol.js';

declare module '../standin/types.js' {
  interface StandinOptions {
    /** The contracts served per margin type (default: a few USDT-margined swaps and a future, three coin-margined swaps). */
    htxContracts?: { linear?: HtxContractItem[]; inverse?: HtxContractItem[] };
    /** The server's heartbeat period, ms; default 5000. */
    htxPingIntervalMs?: number;
    /** Pings left unanswered in a row before the server closes the connection; default 5 (0 = never). */
    htxMaxMissedPings?: number;
  }
}

const TOPIC_RE = /^public\.([^.]+)\.liquidation_orders$/;

interface Heartbeat {
  /** The ts of the last ping, as sent (a string of digits). */
  ts: string | undefined;
  missed: number;
}

export class HtxVenue extends VenueCore {
  private readonly beats = new WeakMap<Conn, Heartbeat>();

  constructor(
    venue: Venue,
    readonly margin: HtxMargin,
    private readonly contracts: () => HtxContractItem[],
    private readonly pingIntervalMs: number,
    private readonly maxMissed: number,
  ) {
    super(venue);
  }

  acceptsPath(url: URL): boolean {
    return url.pathname === (this.margin === 'linear' ? '/linear-swap-notification' : '/swap-notification');
  }

  /** Everything HTX sends is gzip-compressed, in binary frames. */
  protected override reply(conn: Conn, payload: string | object): boolean {
    if (conn.ws.readyState !== WebSocket.OPEN) return false;
    conn.ws.send(gzipSync(typeof payload === 'string' ? payload : JSON.stringify(payload)));
    return true;
  }

  protected onOpen(conn: Conn): void {
    conn.id = randomUUID();
    const beat: Heartbeat = { ts: undefined, missed: 0 };
    this.beats.set(conn, beat);
    const timer = setInterval(() => {
      // A server that stopped answering keepalives sends none of its own either.
      if (this.unresponsive) return;
      if (this.maxMissed > 0 && beat.missed >= this.maxMissed) {
        conn.ws.close(1000, 'heartbeat timeout');
        return;
      }
      beat.ts = String(Date.now());
      beat.missed++;
      this.reply(conn, { op: 'ping', ts: beat.ts });
    }, this.pingIntervalMs);
    conn.timers.add(timer);
  }

  private answer(conn: Conn, req: Record<string, unknown>, errCode: number, errMsg?: string): void {
    this.reply(conn, {
      op: req.op,
      ...(req.cid !== undefined ? { cid: req.cid } : {}),
      topic: req.topic,
      ts: Date.now(),
      'err-code': errCode,
      ...(errMsg !== undefined ? { 'err-msg': errMsg } : {}),
    });
  }

  protected onMessage(conn: Conn, text: string): void {
    let req: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(text);
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
      req = parsed as Record<string, unknown>;
    } catch {
      // The shape of this answer is not in HTX's docs; an error with err-code is what their answers look like.
      this.reply(conn, { op: 'error', ts: Date.now(), 'err-code': 2002, 'err-msg': 'invalid request' });
      return;
    }
    if (req.op === 'pong') {
      const beat = this.beats.get(conn);
      // Only an echo of the ping's ts, of the same JSON type, answers it.
      if (beat !== undefined && beat.ts !== undefined && req.ts === beat.ts) beat.missed = 0;
      return;
    }
    if (req.op !== 'sub' && req.op !== 'unsub') return this.answer(conn, req, 2002, `invalid op: ${String(req.op)}`);
    const m = typeof req.topic === 'string' ? TOPIC_RE.exec(req.topic) : null;
    if (m === null) return this.answer(conn, req, 2011, 'invalid topic');
    const topic = req.topic as string;
    const code = m[1];
    if (code !== '*' && !this.contracts().some((c) => c.contract_code.toUpperCase() === code.toUpperCase())) {
      return this.answer(conn, req, 2011, 'invalid topic');
    }
    if (req.op === 'unsub') {
      conn.topics.delete(topic);
      if (code === '*') conn.topics.clear();
      return this.answer(conn, req, 0);
    }
    // Docs: a narrower topic after the wildcard is refused with 2014 (the wildcard already holds it).
    if (code !== '*' && conn.topics.has(HTX_TOPIC)) return this.answer(conn, req, 2014, 'repeated subscription');
    conn.topics.add(topic);
    this.answer(conn, req, 0);
  }

  /** A contract's frames go to the wildcard's subscribers and to that contract's; frames without a topic to all. */
  protected targets(frame: string): Iterable<Conn> {
    const topic = topicOf(frame);
    if (topic === undefined) return this.conns;
    return [...this.conns].filter((c) => c.topics.has(HTX_TOPIC) || c.topics.has(topic));
  }

  protected serveRest(url: URL, res: ServerResponse): boolean {
    const linear = this.margin === 'linear';
    if (url.pathname !== (linear ? HTX_LINEAR_PATH : HTX_INVERSE_PATH)) return false;
    const ts = Date.now();
    let data = this.contracts();
    if (linear) {
      const business = url.searchParams.get('business_type') ?? 'swap';
      if (business !== 'swap' && business !== 'futures' && business !== 'all') {
        writeJson(res, 200, { status: 'error', err_code: 1014, err_msg: 'business_type is invalid', ts });
        return true;
      }
      if (business !== 'all') data = data.filter((c) => c.business_type === business);
    }
    const code = url.searchParams.get('contract_code');
    if (code) data = data.filter((c) => c.contract_code === code);
    writeJson(res, 200, { status: 'ok', data, ts });
    return true;
  }
}

function topicOf(frame: string): string | undefined {
  try {
    const parsed: unknown = JSON.parse(frame);
    if (typeof parsed === 'object' && parsed !== null && 'topic' in parsed && typeof parsed.topic === 'string') return parsed.topic;
  } catch {
    // not JSON: no topic
  }
  return undefined;
}

/** Both endpoints on one port, as on api.hbdm.com; REST is answered by the venue whose path it is. */
export async function startHtxStandin(opts: StandinOptions): Promise<StandinGroup> {
  const meta = { linear: opts.htxContracts?.linear ?? defaultHtxLinear(), inverse: opts.htxContracts?.inverse ?? defaultHtxInverse() };
  const interval = opts.htxPingIntervalMs ?? 5000;
  const missed = opts.htxMaxMissedPings ?? 5;
  const linear = new HtxVenue('htx-linear', 'linear', () => meta.linear, interval, missed);
  const inverse = new HtxVenue('htx-inverse', 'inverse', () => meta.inverse, interval, missed);
  const port = await listenPort({
    ws: (url) => [linear, inverse].find((v) => v.acceptsPath(url)),
    rest: (url) => (url.pathname === HTX_INVERSE_PATH ? inverse : linear),
  });
  return {
    env: {
      HTX_LINEAR_WS_URL: `ws://127.0.0.1:${port.port}/linear-swap-notification`,
      HTX_INVERSE_WS_URL: `ws://127.0.0.1:${port.port}/swap-notification`,
      HTX_REST_URL: `http://127.0.0.1:${port.port}`,
    },
    venues: { 'htx-linear': linear, 'htx-inverse': inverse },
    setInstruments(update) {
      if (update.htxContracts?.linear) meta.linear = update.htxContracts.linear;
      if (update.htxContracts?.inverse) meta.inverse = update.htxContracts.inverse;
    },
    async close() {
      await Promise.all([linear.close(), inverse.close()]);
      await port.close();
    },
  };
}
