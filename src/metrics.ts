// Prometheus metrics (prom-client), one registry per daemon. Served on /metrics by the health server.
// Process and Node.js metrics keep their standard names (process_cpu_user_seconds_total, nodejs_heap_size_used_bytes,
// …) so the usual Node.js dashboards work unchanged.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Reasons an event could not be held: every one of them is also an `error` log line with the count. */
export const DROP_REASONS = ['spool_failed', 'spool_unreadable'] as const;

/** Live values read at each scrape (set by the daemon once the parts exist), so a gauge never goes stale. */
export interface GaugeSources {
  buffered?: () => number;
  spooled?: () => number;
  spoolWritable?: () => boolean;
  redisWritable?: () => boolean;
}

export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const sources: GaugeSources = {};
  const m = {
    registry,
    sources,
    events: new Counter({ name: 'liq_events_total', help: 'Events parsed and handed to the engine, per exchange', labelNames: ['exchange'], registers: [registry] }),
    rejected: new Counter({ name: 'liq_rejected_total', help: 'Events or frames rejected, per exchange and reason', labelNames: ['exchange', 'reason'], registers: [registry] }),
    liquidations: new Counter({
      name: 'liq_liquidations_total',
      help: 'Liquidations this instance counted into Redis (first time seen), per exchange and side: summed over instances, exact',
      labelNames: ['exchange', 'side'],
      registers: [registry],
    }),
    liquidatedUsd: new Counter({
      name: 'liq_liquidated_usd_total',
      help: 'USD value of the liquidations this instance counted into Redis, per exchange and side (the buckets hold exact cents)',
      labelNames: ['exchange', 'side'],
      registers: [registry],
    }),
    alerts: new Counter({ name: 'liq_alerts_total', help: 'Alerts recorded by this instance\'s writes (exactly once over all instances), per kind', labelNames: ['kind'], registers: [registry] }),
    webhook: new Counter({
      name: 'liq_alert_webhook_total',
      help: 'Alert webhook POSTs by outcome: delivered, retried (a try failed, another follows), failed (given up), dropped (queue full)',
      labelNames: ['result'],
      registers: [registry],
    }),
    backfilled: new Counter({ name: 'liq_backfilled_events_total', help: 'Events fetched by gap backfill over REST and handed to the engine, per exchange (repeats of the stream count once there)', labelNames: ['exchange'], registers: [registry] }),
    backfills: new Counter({ name: 'liq_backfill_runs_total', help: 'Gap backfill runs, per exchange and result (ok, failed)', labelNames: ['exchange', 'result'], registers: [registry] }),
    written: new Counter({ name: 'liq_events_written_total', help: 'Events counted into Redis (first time seen)', registers: [registry] }),
    duplicates: new Counter({ name: 'liq_duplicates_total', help: 'Events already counted (repeats after reconnects, replays, second instance)', registers: [registry] }),
    expired: new Counter({ name: 'liq_expired_total', help: 'Events whose bucket had expired before they could be written', registers: [registry] }),
    dropped: new Counter({ name: 'liq_dropped_total', help: 'Events that could not be held and are lost, per reason', labelNames: ['reason'], registers: [registry] }),
    batches: new Counter({ name: 'liq_batches_written_total', help: 'Batches written to Redis', registers: [registry] }),
    writeErrors: new Counter({ name: 'liq_write_errors_total', help: 'Writes (batches and probes) that Redis refused or that failed, per error code (OOM, READONLY, …)', labelNames: ['error'], registers: [registry] }),
    writeSeconds: new Histogram({
      name: 'liq_write_duration_seconds',
      help: 'Time to write one batch to Redis',
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    buffered: new Gauge({
      name: 'liq_buffered_events',
      help: 'Events held in memory, waiting for Redis',
      registers: [registry],
      collect() {
        if (sources.buffered) this.set(sources.buffered());
      },
    }),
    spooled: new Gauge({
      name: 'liq_spooled_events',
      help: 'Events appended to the spool and not yet replayed',
      registers: [registry],
      collect() {
        if (sources.spooled) this.set(sources.spooled());
      },
    }),
    spoolWritable: new Gauge({
      name: 'liq_spool_writable',
      help: '1 while the spool directory takes writes (0 after a failed append, until one succeeds)',
      registers: [registry],
      collect() {
        if (sources.spoolWritable) this.set(sources.spoolWritable() ? 1 : 0);
      },
    }),
    readPaused: new Gauge({ name: 'liq_read_paused', help: '1 while the streams are not read (Redis behind, or MAX_HELD_EVENTS reached)', registers: [registry] }),
    readPauses: new Counter({ name: 'liq_read_pauses_total', help: 'Times reading the streams was paused', registers: [registry] }),
    redisUp: new Gauge({
      name: 'liq_redis_writable',
      help: '1 when the last write to Redis (a batch or the idle probe) succeeded',
      registers: [registry],
      collect() {
        if (sources.redisWritable) this.set(sources.redisWritable() ? 1 : 0);
      },
    }),
    dataLoss: new Counter({ name: 'liq_redis_data_loss_total', help: 'Times Redis was found to have lost events this instance had written', registers: [registry] }),
    lostEvents: new Counter({ name: 'liq_redis_lost_events_total', help: 'Events this instance had written that Redis was found to have lost', registers: [registry] }),
    reconnects: new Counter({ name: 'liq_stream_reconnects_total', help: 'Reconnects per stream connection', labelNames: ['stream'], registers: [registry] }),
    streamUp: new Gauge({ name: 'liq_stream_open', help: '1 when the stream connection is open', labelNames: ['stream', 'venue'], registers: [registry] }),
    lastMessageAge: new Gauge({ name: 'liq_stream_last_message_age_seconds', help: 'Seconds since the last message on the stream', labelNames: ['stream', 'venue'], registers: [registry] }),
  };
  // Present (at 0) from the start, so a dashboard or an alert sees the series before anything is lost.
  for (const reason of DROP_REASONS) m.dropped.inc({ reason }, 0);
  for (const kind of ['liquidation', 'minute']) m.alerts.inc({ kind }, 0);
  for (const result of ['delivered', 'retried', 'failed', 'dropped']) m.webhook.inc({ result }, 0);
  return m;
}

export type Metrics = ReturnType<typeof createMetrics>;
