// The body of GET /health: the overall state with its reasons (health-state.ts), Redis, every stream, the spool, what
// is held, alerts and gap backfills. README's "Health and metrics" section lists the fields.
import type { Config } from './config.js';
import type { ReadGate } from './core/gate.js';
import type { StreamStatus } from './core/status.js';
import type { Engine } from './engine/engine.js';
import type { AlertWebhook } from './engine/webhook.js';
import type { Overall, StreamTracker } from './health-state.js';
import type { BackfillRun } from './venues/runtime.js';

/** A moment's state, as the daemon computes it for /health, the summary line and liq:status. */
export interface DaemonState {
  now: number;
  status: Overall;
  reasons: string[];
  list: StreamStatus[];
  ws: Engine['writeState'];
  loss: { at: number; lost: bigint } | null;
}

export interface HealthParts {
  cfg: Readonly<Config>;
  engine: Engine;
  redisStatus: string;
  tracker: StreamTracker;
  gate: ReadGate;
  webhook: AlertWebhook | undefined;
  /** The last gap backfill run per exchange, and the last failed one. */
  backfills: ReadonlyMap<string, { last: BackfillRun; lastFailure: BackfillRun | null }>;
}

export function healthBody(s: DaemonState, p: HealthParts): Record<string, unknown> {
  const { cfg, engine } = p;
  const age = (t: number | null) => (t === null ? null : s.now - t);
  const backfillView = (r: BackfillRun | null | undefined) =>
    r ? { ok: r.ok, ageMs: s.now - r.at, from: r.from, to: r.to, startup: r.startup, events: r.events, error: r.error } : null;
  return {
    status: s.status,
    reasons: s.reasons,
    instance: cfg.instance,
    redis: {
      state: p.redisStatus,
      connected: engine.connected,
      writable: engine.writable,
      ...(s.ws.ok ? {} : { error: s.ws.error, code: s.ws.code }),
      lastWriteOkAgeMs: age(s.ws.okAt),
      dataLoss: s.loss === null ? null : { lostEvents: Number(s.loss.lost), ageMs: s.now - s.loss.at },
    },
    streams: s.list.map((st) => ({
      ...st,
      lastMessageAgeMs: st.lastMessageAt === null ? null : s.now - st.lastMessageAt,
      notOpenForMs: p.tracker.notOpenFor(st.connection, s.now),
    })),
    streamsOpen: s.list.filter((st) => st.state === 'open').length,
    streamsTotal: s.list.length,
    spool: { dir: cfg.SPOOL_DIR, ...engine.spoolState },
    bufferedEvents: engine.buffered,
    spooledEvents: engine.spooled,
    maxHeldEvents: cfg.maxHeldEvents,
    alerts: {
      minUsdCents: cfg.ALERT_MIN_USD ?? null,
      minuteUsdCents: cfg.ALERT_MINUTE_USD ?? null,
      webhook: p.webhook === undefined ? null : p.webhook.state,
    },
    backfill: Object.fromEntries(
      cfg.BACKFILL.filter((ex) => cfg.EXCHANGES.includes(ex)).map((ex) => {
        const b = p.backfills.get(ex);
        return [ex, { last: backfillView(b?.last), lastFailure: backfillView(b?.lastFailure) }];
      }),
    ),
    readPaused: p.gate.paused,
    readPausedBy: p.gate.reasons,
    lastEventAgeMs: age(engine.lastEventAt),
    lastWriteAgeMs: age(engine.lastWriteAt),
    uptimeS: Math.round(process.uptime()),
  };
}
