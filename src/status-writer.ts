// Stream status into Redis every STATUS_INTERVAL_MS, so dashboards elsewhere see feed health (liq:status:{instance},
// liq:instances), and minutes during which a stream was not open are marked (liq:down:60s:*). Also keeps the
// per-stream gauges and reconnect counters of /metrics current.
import type { Redis } from 'ioredis';
import type { Config } from './config.js';
import { downKey, expireAtSeconds, instancesKey, minuteOf, statusKey } from './core/keys.js';
import type { StreamStatus } from './core/status.js';
import type { Logger } from './log.js';
import type { Metrics } from './metrics.js';

export function startStatusWriter(
  cfg: Readonly<Config>,
  redis: Redis,
  statuses: () => StreamStatus[],
  canWrite: () => boolean,
  metrics: Metrics,
  log: Logger,
): { stop(): void; remove(): Promise<unknown> } {
  const reconnectsSeen = new Map<string, number>();
  const timer = setInterval(() => {
    const now = Date.now();
    const list = statuses();
    for (const s of list) {
      metrics.lastMessageAge.set({ stream: s.connection, venue: s.venue }, s.lastMessageAt === null ? -1 : (now - s.lastMessageAt) / 1000);
      metrics.streamUp.set({ stream: s.connection, venue: s.venue }, s.state === 'open' ? 1 : 0);
      const delta = s.reconnects - (reconnectsSeen.get(s.connection) ?? 0);
      if (delta > 0) metrics.reconnects.inc({ stream: s.connection }, delta);
      reconnectsSeen.set(s.connection, s.reconnects);
    }
    if (!canWrite()) return;
    const failed = (err: unknown) => log.debug({ err }, 'status write failed');
    // Two transactions: the status and the set listing it share a slot in a Cluster ({meta}), the minute's down
    // marks are in their day's slot, and a MULTI may not span slots. Each is whole on its own.
    const key = statusKey(cfg.instance);
    const multi = redis.multi();
    multi.del(key);
    for (const s of list) multi.hset(key, s.connection, JSON.stringify({ ...s, updatedAt: now }));
    multi.pexpire(key, cfg.STATUS_INTERVAL_MS * 3);
    multi.sadd(instancesKey(), cfg.instance);
    multi.exec().catch(failed);
    const down = list.filter((s) => s.state !== 'open');
    if (down.length > 0) {
      const minute = minuteOf(now);
      const dk = downKey(minute);
      const marks = redis.multi();
      for (const s of down) marks.hset(dk, s.venue, s.state);
      marks.expireat(dk, expireAtSeconds(minute, cfg.BUCKET_RETENTION_HOURS));
      marks.exec().catch(failed);
    }
  }, cfg.STATUS_INTERVAL_MS);
  timer.unref();
  return {
    stop: () => clearInterval(timer),
    remove: () => redis.multi().del(statusKey(cfg.instance)).srem(instancesKey(), cfg.instance).exec(),
  };
}
