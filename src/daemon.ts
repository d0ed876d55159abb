// The daemon: config → Redis + engine + streams + health, status in Redis, periodic summary, graceful shutdown.
import type http from 'node:http';
import type { Config } from './config.js';
import { Backpressure, backpressureFor } from './engine/backpressure.js';
import { Engine } from './engine/engine.js';
import { INSTANCES_KEY, downKey, expireAtSeconds, minuteOf, statusKey } from './engine/keys.js';
import { createRedis } from './engine/redis.js';
import { Spool } from './engine/spool.js';
import { startHealthServer } from './health.js';
import type { Logger } from './log.js';
import { createMetrics } from './metrics.js';
import { ReadGate } from './streams/gate.js';
import { createStreams } from './streams/index.js';
import type { Rejection } from './streams/types.js';

const SHUTDOWN_FLUSH_MS = 8000;
const REJECT_LOG_EVERY_MS = 10_000;

export interface Daemon {
  shutdown(signal: string): Promise<void>;
}

export async function startDaemon(cfg: Readonly<Config>, log: Logger): Promise<Daemon> {
  const metrics = createMetrics();
  const redis = createRedis(cfg.REDIS_URL, log.child({ mod: 'redis' }), `liqd:${cfg.instance}`);
  const spool = new Spool(cfg.SPOOL_DIR, log.child({ mod: 'spool' }));
  const engine = new Engine(
    redis,
    spool,
    {
      flushIntervalMs: cfg.FLUSH_INTERVAL_MS,
      flushMaxEvents: cfg.FLUSH_MAX_EVENTS,
      maxBufferedEvents: cfg.MAX_BUFFERED_EVENTS,
      bucketRetentionHours: cfg.BUCKET_RETENTION_HOURS,
      eventLogRetentionHours: cfg.EVENT_LOG_RETENTION_HOURS,
    },
    log.child({ mod: 'engine' }),
    metrics,
  );

  const gate = new ReadGate();
  gate.on('change', (paused) => {
    metrics.readPaused.set(paused ? 1 : 0);
    if (paused) metrics.readPauses.inc();
  });
  const backpressure = new Backpressure(engine, gate, backpressureFor(cfg.FLUSH_MAX_EVENTS, cfg.MAX_BUFFERED_EVENTS));

  // Events and rejections are counted, never logged one by one; rejections log a sample per reason, rate-limited.
  const received = new Map<string, number>();
  const rejectedSince = new Map<string, number>();
  const lastRejectLog = new Map<string, number>();
  const rejectLog = log.child({ mod: 'reject' });
  const onRejections = (rejections: readonly Rejection[]) => {
    const now = Date.now();
    for (const r of rejections) {
      metrics.rejected.inc({ exchange: r.exchange, reason: r.reason });
      const key = `${r.exchange}:${r.reason}`;
      rejectedSince.set(key, (rejectedSince.get(key) ?? 0) + 1);
      if (now - (lastRejectLog.get(key) ?? 0) >= REJECT_LOG_EVERY_MS) {
        lastRejectLog.set(key, now);
        rejectLog.warn({ exchange: r.exchange, reason: r.reason, sample: r.sample }, 'event rejected (sample; further ones counted)');
      }
    }
  };

  const streams = createStreams(cfg, {
    log: log.child({ mod: 'streams' }),
    metrics,
    onEvents: (events) => {
      // Frames carry one exchange's events, so this is one label lookup per frame in practice.
      let ex = events[0].exchange;
      let n = 0;
      for (const e of events) {
        if (e.exchange !== ex) {
          metrics.events.inc({ exchange: ex }, n);
          ex = e.exchange;
          n = 0;
        }
        n++;
        received.set(e.exchange, (received.get(e.exchange) ?? 0) + 1);
      }
      metrics.events.inc({ exchange: ex }, n);
      engine.push(events);
      backpressure.check();
    },
    onRejections,
    gate,
  });

  engine.start();
  redis.connect().catch(() => {
    // retryStrategy keeps trying; the state is logged by createRedis and shown in /health
  });
  streams.start();

  let health: http.Server | undefined;
  if (cfg.HEALTH_PORT !== 0) {
    health = await startHealthServer(
      cfg.HEALTH_HOST,
      cfg.HEALTH_PORT,
      {
        health: () => {
          const now = Date.now();
          const writable = engine.redisWritable;
          return {
            ok: writable,
            body: {
              status: writable ? 'ok' : 'redis_unavailable',
              instance: cfg.instance,
              redis: { state: redis.status, writable },
              streams: streams.statuses().map((s) => ({
                ...s,
                lastMessageAgeMs: s.lastMessageAt === null ? null : now - s.lastMessageAt,
              })),
              bufferedEvents: engine.buffered,
              spooledEvents: engine.spooled,
              readPaused: gate.paused,
              lastEventAgeMs: engine.lastEventAt === null ? null : now - engine.lastEventAt,
              lastWriteAgeMs: engine.lastWriteAt === null ? null : now - engine.lastWriteAt,
              uptimeS: Math.round(process.uptime()),
            },
          };
        },
      },
      metrics,
      log.child({ mod: 'health' }),
    );
  }

  // Stream status into Redis, so dashboards elsewhere see feed health; minutes with a stream not receiving are marked.
  const reconnectsSeen = new Map<string, number>();
  const statusTimer = setInterval(() => {
    if (!engine.redisWritable) return;
    const now = Date.now();
    const key = statusKey(cfg.instance);
    const multi = redis.multi();
    const statuses = streams.statuses();
    multi.del(key);
    for (const s of statuses) {
      multi.hset(key, s.connection, JSON.stringify({ ...s, updatedAt: now }));
      metrics.lastMessageAge.set({ stream: s.connection, venue: s.venue }, s.lastMessageAt === null ? -1 : (now - s.lastMessageAt) / 1000);
      metrics.streamUp.set({ stream: s.connection, venue: s.venue }, s.state === 'open' ? 1 : 0);
    }
    multi.pexpire(key, cfg.STATUS_INTERVAL_MS * 3);
    multi.sadd(INSTANCES_KEY, cfg.instance);
    for (const s of statuses) {
      const delta = s.reconnects - (reconnectsSeen.get(s.connection) ?? 0);
      if (delta > 0) metrics.reconnects.inc({ stream: s.connection }, delta);
      reconnectsSeen.set(s.connection, s.reconnects);
    }
    const down = statuses.filter((s) => s.state !== 'open');
    if (down.length > 0) {
      const minute = minuteOf(now);
      const dk = downKey(minute);
      for (const s of down) multi.hset(dk, s.venue, s.state);
      multi.expireat(dk, expireAtSeconds(minute, cfg.BUCKET_RETENTION_HOURS));
    }
    multi.exec().catch((err: unknown) => log.debug({ err }, 'status write failed'));
  }, cfg.STATUS_INTERVAL_MS);
  statusTimer.unref();

  // One summary line per interval with per-exchange figures.
  const summaryTimer = setInterval(() => {
    const byExchange: Record<string, { received: number; written: number }> = {};
    for (const [ex, n] of received) byExchange[ex] = { received: n, written: 0 };
    for (const [ex, n] of engine.writtenByExchange) (byExchange[ex] ??= { received: 0, written: 0 }).written = n;
    log.info(
      {
        exchanges: byExchange,
        rejected: Object.fromEntries(rejectedSince),
        buffered: engine.buffered,
        spooled: engine.spooled,
        redis: redis.status,
        streamsOpen: streams.statuses().filter((s) => s.state === 'open').length,
        streamsTotal: streams.statuses().length,
      },
      'summary',
    );
    received.clear();
    rejectedSince.clear();
    engine.writtenByExchange.clear();
  }, cfg.SUMMARY_INTERVAL_MS);
  summaryTimer.unref();

  // pm2 wait_ready: once Redis is connected and the streams are started.
  const sendReady = () => {
    if (process.send) process.send('ready');
    log.info({ instance: cfg.instance, exchanges: cfg.EXCHANGES }, 'ready');
  };
  if (redis.status === 'ready') sendReady();
  else redis.once('ready', sendReady);

  let shuttingDown: Promise<void> | undefined;
  return {
    shutdown(signal: string) {
      shuttingDown ??= (async () => {
        log.info({ signal }, 'shutting down: stopping streams, flushing held events');
        clearInterval(statusTimer);
        clearInterval(summaryTimer);
        await streams.stop();
        backpressure.close();
        const { spooled } = await engine.stop(SHUTDOWN_FLUSH_MS);
        if (engine.redisWritable) {
          await redis
            .multi()
            .del(statusKey(cfg.instance))
            .srem(INSTANCES_KEY, cfg.instance)
            .exec()
            .catch(() => undefined);
          await redis.quit().catch(() => redis.disconnect());
        } else {
          redis.disconnect();
        }
        if (health) {
          health.closeAllConnections();
          await new Promise<void>((r) => health!.close(() => r()));
        }
        log.info({ spooled }, 'stopped');
      })();
      return shuttingDown;
    },
  };
}
