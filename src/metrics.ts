// Prometheus metrics (prom-client), one registry per daemon. Served on /metrics by the health server.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'liq_process_' });
  const m = {
    registry,
    events: new Counter({ name: 'liq_events_total', help: 'Events parsed and handed to the engine, per exchange', labelNames: ['exchange'], registers: [registry] }),
    rejected: new Counter({ name: 'liq_rejected_total', help: 'Events or frames rejected, per exchange and reason', labelNames: ['exchange', 'reason'], registers: [registry] }),
    written: new Counter({ name: 'liq_events_written_total', help: 'Events counted into Redis (first time seen)', registers: [registry] }),
    duplicates: new Counter({ name: 'liq_duplicates_total', help: 'Events already counted (repeats after reconnects, replays, second instance)', registers: [registry] }),
    expired: new Counter({ name: 'liq_expired_total', help: 'Events whose bucket had expired before they could be written', registers: [registry] }),
    batches: new Counter({ name: 'liq_batches_written_total', help: 'Batches written to Redis', registers: [registry] }),
    writeErrors: new Counter({ name: 'liq_write_errors_total', help: 'Batch writes that failed and were kept for retry', registers: [registry] }),
    writeSeconds: new Histogram({
      name: 'liq_write_duration_seconds',
      help: 'Time to write one batch to Redis',
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    buffered: new Gauge({ name: 'liq_buffered_events', help: 'Events held in memory, waiting for Redis', registers: [registry] }),
    spooled: new Gauge({ name: 'liq_spooled_events', help: 'Events appended to the spool and not yet replayed', registers: [registry] }),
    readPaused: new Gauge({ name: 'liq_read_paused', help: '1 while the streams are not read because Redis is behind (backpressure)', registers: [registry] }),
    readPauses: new Counter({ name: 'liq_read_pauses_total', help: 'Times reading the streams was paused because Redis was behind', registers: [registry] }),
    redisUp: new Gauge({ name: 'liq_redis_writable', help: '1 when Redis is connected and writable', registers: [registry] }),
    reconnects: new Counter({ name: 'liq_stream_reconnects_total', help: 'Reconnects per stream connection', labelNames: ['stream'], registers: [registry] }),
    streamUp: new Gauge({ name: 'liq_stream_open', help: '1 when the stream connection is open', labelNames: ['stream', 'venue'], registers: [registry] }),
    lastMessageAge: new Gauge({ name: 'liq_stream_last_message_age_seconds', help: 'Seconds since the last message on the stream', labelNames: ['stream', 'venue'], registers: [registry] }),
  };
  return m;
}

export type Metrics = ReturnType<typeof createMetrics>;
