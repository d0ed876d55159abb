// The daemon: config → Redis + engine + streams + health, status in Redis, periodic summary, graceful shutdown.
import type http from 'node:http';
import os from 'node:os';
import type { Config } from './config.js';
import { Backpressure, backpressureFor } from './engine/backpressure.js';
import { Engine } from './engine/engine.js';
import { markerKey } from './core/keys.js';
import { createRedis } from './engine/redis.js';
import { Spool, checkSpoolDir } from './engine/spool.js';
import { AlertWebhook } from './engine/webhook.js';
import { DATA_LOSS_SHOW_MS, StreamTracker, overall } from './health-state.js';
import { startHealthServer } from './health.js';
import type { Logger } from './log.js';
import { createMetrics } from './metrics.js';
import { startStatusWriter } from './status-writer.js';
import { ReadGate } from './core/gate.js';
import { type BackfillRun, type SourceState, createStreams, sourceStateKey } from './venues/runtime.js';
import { type DaemonState, healthBody } from './health-body.js';
import { Intake } from './intake.js';

/** Redis gets this long to take what is held at shutdown; then it is spooled. */
const SHUTDOWN_FLUSH_MS = 8000;
/** A spool that refuses is retried until this long after the signal (main.ts exits hard at 9.5 s). */
const SHUTDOWN_SPOOL_MS = 8800;

export interface Daemon {
  /** Flushes and stops. `lost`: events that could be neither written nor spooled (the process should exit non-zero). */
  shutdown(signal: string): Promise<{ lost: number }>;
  /** Events still held in memory (for a hard exit's last word). */
  readonly held: number;
}

export async function startDaemon(cfg: Readonly<Config>, log: Logger): Promise<Daemon> {
  // A spool that cannot be written is found now, not during the first Redis outage (throws one line).
  if (checkSpoolDir(cfg.SPOOL_DIR) === 'full') {
    log.error({ dir: cfg.SPOOL_DIR }, 'SPOOL_DIR is full: during a Redis outage events can only be held in memory (MAX_HELD_EVENTS)');
  }
  const metrics = createMetrics();
  const redis = createRedis(cfg.redis, log.child({ mod: 'redis' }), `liqd:${cfg.instance}`);
  const spool = new Spool(cfg.SPOOL_DIR, log.child({ mod: 'spool' }));
  const startedAt = Date.now();
  const engine = new Engine(
    redis,
    spool,
    {
      flushIntervalMs: cfg.FLUSH_INTERVAL_MS,
      flushMaxEvents: cfg.FLUSH_MAX_EVENTS,
      maxBufferedEvents: cfg.MAX_BUFFERED_EVENTS,
      maxHeldEvents: cfg.maxHeldEvents,
      bucketRetentionHours: cfg.BUCKET_RETENTION_HOURS,
      rollup1hRetentionDays: cfg.ROLLUP_1H_RETENTION_DAYS,
      rollup1dRetentionDays: cfg.ROLLUP_1D_RETENTION_DAYS,
      eventLogRetentionHours: cfg.EVENT_LOG_RETENTION_HOURS,
      alerts:
        cfg.ALERT_MIN_USD === undefined && cfg.ALERT_MINUTE_USD === undefined
          ? undefined
          : { minCents: cfg.ALERT_MIN_USD, minuteCents: cfg.ALERT_MINUTE_USD, retentionMs: cfg.ALERT_RETENTION_DAYS * 86_400_000 },
      marker: { key: markerKey(cfg.instance), keyFor: (ts) => markerKey(cfg.instance, ts), start: startedAt, ttlMs: cfg.BUCKET_RETENTION_HOURS * 3_600_000 },
      replicas: { replicas: cfg.REDIS_WAIT_REPLICAS, timeoutMs: cfg.REDIS_WAIT_TIMEOUT_MS },
    },
    log.child({ mod: 'engine' }),
    metrics,
  );
  metrics.sources.buffered = () => engine.buffered;
  metrics.sources.spooled = () => engine.spooled;
  metrics.sources.spoolWritable = () => engine.spoolState.writable;
  metrics.sources.redisWritable = () => engine.writable;

  // The alerts this instance's writes recorded are posted by this instance (the script records each once, whoever writes).
  const webhook = cfg.ALERT_WEBHOOK_URL === '' ? undefined : new AlertWebhook({ url: cfg.ALERT_WEBHOOK_URL, secret: cfg.ALERT_WEBHOOK_SECRET }, log.child({ mod: 'webhook' }), metrics);
  if (webhook !== undefined) {
    engine.on('written', (r) => {
      for (const a of r.alerts) webhook.send(a);
    });
  }

  const gate = new ReadGate();
  gate.on('change', (paused) => {
    metrics.readPaused.set(paused ? 1 : 0);
    if (paused) metrics.readPauses.inc();
  });
  engine.on('holdLimit', (paused) => gate.set(paused, 'held_limit'));
  const backpressure = new Backpressure(engine, gate, backpressureFor(cfg.FLUSH_MAX_EVENTS, cfg.MAX_BUFFERED_EVENTS));
  let dataLoss: { at: number; lost: bigint } | null = null;
  engine.on('dataLoss', (loss) => {
    dataLoss = { at: loss.at, lost: (dataLoss !== null && loss.at - dataLoss.at < DATA_LOSS_SHOW_MS ? dataLoss.lost : 0n) + loss.lost };
  });

  // Events and rejections are counted, never logged one by one; rejections log a sample per reason, rate-limited.
  const intake = new Intake(metrics, log.child({ mod: 'reject' }));

  // A source's position (a tail of files) under a name that survives a restart: INSTANCE_ID, else the host name (the
  // default instance name carries the pid). It lives as long as the buckets it fed.
  const stateName = cfg.INSTANCE_ID || os.hostname().replace(/[^A-Za-z0-9_.-]/g, '_');
  const sourceState = (source: string): SourceState => {
    const key = sourceStateKey(source, stateName);
    return {
      load: () => redis.get(key),
      save: async (value) => {
        await redis.set(key, value, 'EX', cfg.BUCKET_RETENTION_HOURS * 3600);
      },
    };
  };

  // the last gap backfill run per exchange, and the last failed one, for /health
  const backfills = new Map<string, { last: BackfillRun; lastFailure: BackfillRun | null }>();
  const streams = createStreams(cfg, {
    onBackfill: (run) => {
      const prev = backfills.get(run.exchange);
      backfills.set(run.exchange, { last: run, lastFailure: run.ok ? (prev?.lastFailure ?? null) : run });
    },
    log: log.child({ mod: 'streams' }),
    metrics,
    onEvents: (events) => {
      intake.events(events);
      engine.push(events);
      backpressure.check();
    },
    onRejections: (rejections) => intake.rejections(rejections),
    gate,
    state: sourceState,
    progress: () => ({ pushed: engine.pushes, settled: engine.settled }),
  });

  engine.start();
  redis.connect().catch(() => {
    // retryStrategy keeps trying; the state is logged by createRedis and the engine, and shown in /health
  });
  streams.start();

  const tracker = new StreamTracker(startedAt);
  const state = (): DaemonState => {
    const now = Date.now();
    const list = streams.statuses();
    tracker.update(list, now);
    const ws = engine.writeState;
    const loss = dataLoss !== null && now - dataLoss.at < DATA_LOSS_SHOW_MS ? dataLoss : null;
    const o = overall({
      connected: engine.connected,
      redisState: redis.status,
      writable: engine.writable,
      writeError: ws,
      streams: list,
      tracker,
      spoolWritable: engine.spoolState.writable,
      spoolError: engine.spoolState.code === undefined ? undefined : `${engine.spoolState.code} ${engine.spoolState.error ?? ''}`.trim(),
      holdLimitReached: engine.holdLimitReached,
      dataLossAt: loss?.at ?? null,
      dataLossEvents: loss?.lost ?? 0n,
      graceMs: cfg.STREAM_DOWN_AFTER_MS,
      now,
    });
    return { now, list, ws, loss, ...o };
  };

  let health: http.Server | undefined;
  if (cfg.HEALTH_PORT !== 0) {
    health = await startHealthServer(
      cfg.HEALTH_HOST,
      cfg.HEALTH_PORT,
      {
        health: () => {
          const s = state();
          return { ok: s.status !== 'down', body: healthBody(s, { cfg, engine, redisStatus: redis.status, tracker, gate, webhook, backfills }) };
        },
      },
      metrics,
      log.child({ mod: 'health' }),
    );
  }

  const status = startStatusWriter(cfg, redis, () => streams.statuses(), () => engine.writable, metrics, log.child({ mod: 'status' }));

  // One summary line per interval with per-exchange figures; warn while degraded or down, with the reasons.
  const summaryTimer = setInterval(() => {
    const s = state();
    log[s.status === 'ok' ? 'info' : 'warn'](
      {
        status: s.status,
        ...(s.reasons.length > 0 ? { reasons: s.reasons } : {}),
        ...intake.take(engine.writtenByExchange),
        buffered: engine.buffered,
        spooled: engine.spooled,
        redis: redis.status,
        streamsOpen: s.list.filter((st) => st.state === 'open').length,
        streamsTotal: s.list.length,
      },
      'summary',
    );
  }, cfg.SUMMARY_INTERVAL_MS);
  summaryTimer.unref();

  // pm2 wait_ready: once Redis is connected and the streams are started.
  const sendReady = () => {
    if (process.send) process.send('ready');
    log.info({ instance: cfg.instance, exchanges: cfg.EXCHANGES }, 'ready');
  };
  if (redis.status === 'ready') sendReady();
  else redis.once('ready', sendReady);

  let shuttingDown: Promise<{ lost: number }> | undefined;
  return {
    get held() {
      return engine.buffered;
    },
    shutdown(signal: string) {
      shuttingDown ??= (async () => {
        const signalAt = Date.now();
        log.info({ signal }, 'shutting down: stopping streams, flushing held events');
        status.stop();
        clearInterval(summaryTimer);
        await streams.stop();
        backpressure.close();
        const elapsed = Date.now() - signalAt;
        const { spooled, lost } = await engine.stop(SHUTDOWN_FLUSH_MS - elapsed, SHUTDOWN_SPOOL_MS - elapsed);
        await webhook?.stop(Math.max(0, Math.min(1000, SHUTDOWN_SPOOL_MS - (Date.now() - signalAt))));
        if (engine.writable) {
          await Promise.race([status.remove().catch(() => undefined), sleep(500)]);
          await Promise.race([redis.quit().catch(() => undefined), sleep(500)]);
        }
        if (redis.status !== 'end') {
          const ended = new Promise<void>((r) => redis.once('end', () => r()));
          redis.disconnect();
          await Promise.race([ended, sleep(500)]); // its state lines come before the last one
        }
        if (health) {
          health.closeAllConnections();
          await new Promise<void>((r) => health!.close(() => r()));
        }
        if (lost > 0) log.error({ spooled, lost }, 'stopped: events were lost');
        else log.info({ spooled }, 'stopped');
        return { lost };
      })();
      return shuttingDown;
    },
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms).unref());
}
