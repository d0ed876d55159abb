#!/usr/bin/env node
// Where the write script spends its time inside Redis. Builds realistic batches (3 exchanges, 200 symbols, one
// minute), then runs cut-down copies of WRITE_BATCH_LUA on a private redis-server, each returning early at a
// later point, and reads `usec` of EVALSHA from INFO commandstats: the difference between two cuts is what the
// section between them costs per event. Also times the real BucketWriter end to end (client + Redis, one call
// at a time), which is the figure the packed-argument layout was chosen on.
//
//   node dist/scripts/bench/script-cost.js [--events 5000] [--batches 20]
import { EXCHANGE_NAMES } from '../../src/venues/registry.js';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { buildPacked } from '../../src/engine/batch.js';
import { parseDecimal } from '../../src/core/decimal.js';
import { makeLinearEvent, type LiquidationEvent } from '../../src/core/event.js';
import { ALERTS_KEY, EVENTS_KEY } from '../../src/core/keys.js';
import { WRITE_BATCH_LUA } from '../../src/engine/script.js';
import { BucketWriter } from '../../src/engine/writer.js';
import { die } from '../lib/cli.js';
import { startPrivateRedis } from '../lib/redis.js';

const USAGE = `usage: node dist/scripts/bench/script-cost.js [--events 5000] [--batches 20]
  Cost of the write script inside Redis per event, by section (private redis-server from PATH).
  --events   events per batch (default 5000, the default FLUSH_MAX_EVENTS)
  --batches  batches per measurement (default 20)`;

/** Three of the registered venues' names (bucket fields per exchange, as a real batch mixes them). */
const EXCHANGES = EXCHANGE_NAMES.slice(0, 3);
const SYMBOLS = Array.from({ length: 200 }, (_, i) => `SYM${i}USDT`);

function makeBatches(n: number, count: number, now: number): LiquidationEvent[][] {
  let k = 0;
  const ts = now - 1000;
  return Array.from({ length: count }, () => {
    const out: LiquidationEvent[] = [];
    for (let i = 0; i < n; i++, k++) {
      const price = (100 + (k % 977) / 100).toFixed(2);
      const qty = `${(k % 53) + 1}.${k % 1000}`;
      const side = k % 2 ? 'long' : 'short';
      const e = makeLinearEvent({ exchange: EXCHANGES[k % 3]!, symbol: SYMBOLS[k % 200]!, side, ts: ts + (k % 997), priceText: price, sizeText: qty }, parseDecimal(price)!, parseDecimal(qty)!);
      if (typeof e === 'string') throw new Error(e);
      out.push(e);
    }
    return out;
  });
}

async function evalshaUsec(redis: Redis): Promise<number> {
  const line = (await redis.info('commandstats')).split('\n').find((l) => l.startsWith('cmdstat_evalsha:'));
  return line ? Number(/usec=(\d+)/.exec(line)![1]) : 0;
}

export interface ScriptCost {
  eventsPerBatch: number;
  batches: number;
  /** Cumulative µs per event inside Redis at each cut, in script order (the last one is the whole script). */
  sections: Array<{ label: string; usPerEvent: number }>;
  /** BucketWriter.write one call at a time: client and Redis, µs per event. */
  writerUsPerEvent: number;
}

/** Measures on the Redis at `redisUrl`, which it FLUSHES: only ever a private, throwaway server. */
export async function measureScriptCost(redisUrl: string, n = 5000, count = 20): Promise<ScriptCost> {
  const redis = new Redis(redisUrl);
  try {
    const early = (marker: string) => {
      if (!WRITE_BATCH_LUA.includes(marker)) throw new Error(`marker not in the script: ${marker}`);
      return WRITE_BATCH_LUA.replace(marker, `do return {'OK','0'} end\n${marker}`);
    };
    const cuts: Array<[string, string]> = [
      ['decode the packed batch', early('local minid = a[1]')],
      ['+ checks (HMGET identities, qty overflow)', early('-- phase 2: writes')],
      ['+ identities, indexes, bucket HINCRBYs', early('-- One XADD per entry')],
      ['+ one XADD per event (whole script)', WRITE_BATCH_LUA],
    ];
    const sections: ScriptCost['sections'] = [];
    for (const [label, lua] of cuts) {
      await redis.flushall();
      const sha = (await redis.script('LOAD', lua)) as string;
      const packed = makeBatches(n, count, Date.now()).map((b) => buildPacked(b, { bucketRetentionHours: 168, minid: '0' }));
      await redis.config('RESETSTAT');
      // KEYS: the event log and the alerts stream, as BucketWriter passes them on one Redis.
      for (const p of packed) await redis.evalsha(sha, 2, EVENTS_KEY, ALERTS_KEY, p);
      sections.push({ label, usPerEvent: (await evalshaUsec(redis)) / (n * count) });
    }
    await redis.flushall();
    const writer = new BucketWriter(redis, { bucketRetentionHours: 168, eventLogRetentionHours: 24 });
    const batches = makeBatches(n, count, Date.now());
    const t0 = performance.now();
    for (const b of batches) await writer.write(b);
    const writerUsPerEvent = ((performance.now() - t0) * 1000) / (n * count);
    await redis.flushall();
    return { eventsPerBatch: n, batches: count, sections, writerUsPerEvent };
  } finally {
    redis.disconnect();
  }
}

export function formatScriptCost(c: ScriptCost): string[] {
  const out = [`inside Redis, µs per event (${c.batches} batches of ${c.eventsPerBatch} events, EVALSHA usec from INFO commandstats)`];
  let prev = 0;
  for (const { label, usPerEvent } of c.sections) {
    out.push(`  ${label.padEnd(44)} ${usPerEvent.toFixed(2).padStart(6)}  (section ${(usPerEvent - prev).toFixed(2)})`);
    prev = usPerEvent;
  }
  const whole = c.sections[c.sections.length - 1]!.usPerEvent;
  out.push(`  → Redis alone caps the pipeline near ${Math.round(1e6 / whole).toLocaleString('en-US')} events/s with a whole core to itself`);
  out.push(`BucketWriter.write, one call at a time (client + Redis): ${c.writerUsPerEvent.toFixed(2)} µs per event`);
  return out;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { events: { type: 'string', default: '5000' }, batches: { type: 'string', default: '20' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help) return void console.log(USAGE);
  const n = Number(values.events);
  const count = Number(values.batches);
  if (!Number.isInteger(n) || n < 1 || !Number.isInteger(count) || count < 1) die('script-cost', `--events and --batches take positive integers\n${USAGE}`, 2);
  const priv = await startPrivateRedis();
  try {
    console.log(formatScriptCost(await measureScriptCost(priv.url, n, count)).join('\n'));
  } finally {
    await priv.stop();
  }
}

// Run as a command only when this file is the entry point (bench.ts imports measureScriptCost).
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err: unknown) => die('script-cost', err instanceof Error ? err.message : String(err)));
}
