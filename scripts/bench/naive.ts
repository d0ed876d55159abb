// The naive baseline: the same frames, parsed by the same parsers, then written the way a first attempt would:
// one HINCRBY (counts) or HINCRBYFLOAT (USD value, base quantity) round trip per field per event, each awaited
// before the next, no batching, no script. Same bucket fields as the daemon (10 on the symbol bucket, 8 on the
// market-wide one: 18 round trips per event), under its own key prefix, against the same Redis.
import { Redis } from 'ioredis';
import { minuteOf } from '../../src/core/keys.js';
import { parserFor, type Universe, type Workload } from './workload.js';

export interface NaiveResult {
  events: number;
  frames: number;
  seconds: number;
  eventsPerSec: number;
  roundTripsPerEvent: number;
}

export async function runNaive(redisUrl: string, u: Universe, w: Workload, maxEvents: number, progress: (l: string) => void): Promise<NaiveResult> {
  const redis = new Redis(redisUrl, { lazyConnect: false, maxRetriesPerRequest: 2 });
  try {
    await redis.flushall();
    const parsers = new Map<string, ReturnType<typeof parserFor>>();
    let events = 0;
    let frames = 0;
    let trips = 0;
    const start = performance.now();
    let lastReport = start;
    for (const f of w.frames) {
      if (events >= maxEvents) break;
      let parse = parsers.get(f.venue);
      if (!parse) parsers.set(f.venue, (parse = parserFor(u, f.venue)));
      const r = parse(f.text, Date.now());
      frames++;
      for (const e of r.events) {
        const minute = minuteOf(e.ts);
        const sym = `naive:agg:${e.symbol}:60s:${minute}`;
        const all = `naive:agg:ALL:60s:${minute}`;
        const usd = e.valueCents / 100;
        const qty = Number(e.quantity);
        for (const key of [sym, all]) {
          for (const field of ['count', `${e.side}_count`, `${e.exchange}_count`, `${e.exchange}_${e.side}_count`]) {
            await redis.hincrby(key, field, 1);
            trips++;
          }
          for (const field of ['value', `${e.side}_value`, `${e.exchange}_value`, `${e.exchange}_${e.side}_value`]) {
            await redis.hincrbyfloat(key, field, usd);
            trips++;
          }
        }
        for (const field of ['qty', `${e.side}_qty`]) {
          await redis.hincrbyfloat(sym, field, qty);
          trips++;
        }
        events++;
      }
      const now = performance.now();
      if (now - lastReport > 1000) {
        lastReport = now;
        progress(`naive baseline: ${events.toLocaleString('en-US')}/${maxEvents.toLocaleString('en-US')} events`);
      }
    }
    const seconds = (performance.now() - start) / 1000;
    await redis.flushall();
    return { events, frames, seconds, eventsPerSec: events / seconds, roundTripsPerEvent: trips / Math.max(1, events) };
  } finally {
    redis.disconnect();
  }
}
