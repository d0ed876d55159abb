// The sample capture replayed through the real daemon (dist/scripts/replay.js --with-daemon) into a private Redis:
// every bucket equals what the parsers compute directly from the capture's frames with the capture's metadata, a
// second replay with the same shift changes nothing, and the forensic validator passes on it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Redis } from 'ioredis';
import type { LiquidationEvent } from '../../src/core/event.js';
import { loadCapture, type Capture } from '../../scripts/lib/capture.js';
import { expectedBuckets as expectedBucketsOf, parseFrame } from '../../scripts/lib/expected.js';
import { lookupsFrom, type Lookups } from '../../scripts/lib/meta.js';
import { startCaptureStandins } from '../../scripts/lib/serve.js';
import { scanKeys } from '../../scripts/lib/redis.js';
import { startRedis, type PrivateRedis } from '../support/redis.js';
import { forensicJson } from '../forensic/cli.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const REPLAY = path.join(ROOT, 'dist/scripts/replay.js');
const SAMPLE = path.join(ROOT, 'samples/cascade.ndjson.gz');
const RETENTION_MS = 168 * 3_600_000;

let redis: PrivateRedis;
let client: Redis;
let capture: Capture;
let lookups: Lookups;

beforeAll(async () => {
  redis = await startRedis();
  client = redis.client();
  capture = await loadCapture(SAMPLE);
  // The capture's metadata, read back by the daemon's own fetchers from stand-ins serving it.
  const s = await startCaptureStandins(capture);
  try {
    lookups = await lookupsFrom(s.env);
  } finally {
    await s.close();
  }
});

afterAll(async () => {
  await redis?.stop();
});

/**
 * The buckets the capture must produce when shifted by shiftMs (whole minutes): computed from the ORIGINAL frames
 * (no shifting code involved), each event's minute moved by shiftMs. One count per identity. An event timed by its
 * receipt (a venue whose rows carry no time: BitMEX) lands in the minute the replay delivered it, which only the
 * daemon knows: `receivedTs` gives those times (from the event log, by identity) once the replay has run.
 */
function expectedBuckets(shiftMs: number, receivedTs?: ReadonlyMap<string, number>): { buckets: Map<string, Record<string, string>>; events: number; byReceipt: string[] } {
  const seen = new Set<string>();
  const events: LiquidationEvent[] = [];
  const byReceipt: string[] = [];
  let rejected = 0;
  for (const f of capture.frames) {
    const r = parseFrame(f.venue, f.frame, lookups, f.t, RETENTION_MS);
    // the same frame received a minute later: an event whose time moves with it is timed by its receipt
    const later = parseFrame(f.venue, f.frame, lookups, f.t + 60_000, RETENTION_MS).events;
    rejected += r.rejections.length;
    r.events.forEach((e, i) => {
      if (seen.has(e.id)) return;
      seen.add(e.id);
      if (later[i]?.ts !== e.ts) {
        byReceipt.push(e.id);
        const at = receivedTs?.get(e.id);
        events.push(at === undefined ? e : { ...e, ts: at - shiftMs });
      } else events.push(e);
    });
  }
  expect(rejected).toBe(0);
  const buckets = expectedBucketsOf(events, shiftMs);
  return { buckets, events: events.length, byReceipt };
}

/** The logged time of every counted event, by identity. */
async function loggedTimes(): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  let from = '-';
  for (;;) {
    const batch = (await client.xrange('liq:events', from, '+', 'COUNT', 10_000)) as Array<[string, string[]]>;
    for (const [, fields] of batch) {
      const f: Record<string, string> = {};
      for (let i = 0; i < fields.length; i += 2) f[fields[i]] = fields[i + 1];
      out.set(f.id, Number(f.ts));
    }
    if (batch.length < 10_000) return out;
    from = `(${batch[batch.length - 1][0]}`;
  }
}

async function keys(pattern: string): Promise<string[]> {
  return (await scanKeys(client, pattern)).sort();
}

/** Everything the events wrote: buckets, identities, indexes, and the event log's length. */
async function snapshot(): Promise<Record<string, unknown>> {
  const snap: Record<string, unknown> = {};
  for (const k of [...(await keys('liq:agg:*')), ...(await keys('liq:seen:*'))]) snap[k] = await client.hgetall(k);
  for (const k of [...(await keys('liq:top:*')), ...(await keys('liq:big:*'))]) snap[k] = await client.zrange(k, 0, -1, 'WITHSCORES');
  snap['liq:events#len'] = await client.xlen('liq:events');
  return snap;
}

function runReplay(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const proc = spawn(process.execPath, [REPLAY, ...args], {
      env: { PATH: process.env.PATH ?? '', REDIS_URL: redis.url },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    proc.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('npm run replay -- samples/cascade.ndjson.gz --with-daemon', () => {
  it('writes exactly the buckets the parsers compute from the capture; a second replay changes nothing', async () => {
    const lastT = Math.max(...capture.frames.map((f) => f.t));
    // A fixed whole-minute shift that puts the capture's end a few minutes before now (inside the retention).
    const shiftMs = Math.floor((Date.now() - lastT) / 60_000) * 60_000 - 5 * 60_000;
    const expected = expectedBuckets(shiftMs);
    expect(expected.events).toBeGreaterThan(30_000);

    const first = await runReplay([SAMPLE, '--speed', 'max', '--with-daemon', '--redis', redis.url, '--shift-ms', String(shiftMs)]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain(`timestamps shifted by ${shiftMs} ms`);
    expect(first.stdout).toMatch(new RegExp(`${expected.events.toLocaleString('en-US')} newly counted`));
    // at least one connection per feed the capture carries (per-instrument feeds spread over several), none reconnected
    const conns = /^streams: (\d+) connections, 0 reconnects$/m.exec(first.stdout);
    expect(conns, first.stdout).not.toBeNull();
    expect(Number(conns![1])).toBeGreaterThanOrEqual(new Set(capture.frames.map((f) => f.venue)).size);

    // events timed by their receipt: in the minutes the daemon logged for them (and nowhere else: keys equal)
    const times = await loggedTimes();
    expect(times.size).toBe(expected.events);
    expect(expected.byReceipt.every((id) => times.has(id))).toBe(true);
    const exact = expectedBuckets(shiftMs, times);
    const bucketKeys = await keys('liq:agg:*');
    expect(bucketKeys).toEqual([...exact.buckets.keys()].sort());
    for (const [key, fields] of exact.buckets) expect(await client.hgetall(key), key).toEqual(fields);

    // The summary is read from the ALL buckets: its total row matches them.
    let count = 0;
    for (const [key, fields] of exact.buckets) if (key.startsWith('liq:agg:ALL:60s:')) count += Number(fields.count);
    expect(count).toBe(expected.events);
    expect(first.stdout).toMatch(new RegExp(`total\\s+${expected.events.toLocaleString('en-US')}\\s`));
    // and each exchange's row equals the capture's (BitMEX's too, counted in the minutes the daemon received it)
    const rows = [...first.stdout.matchAll(/^ {2}([a-z0-9]+) +([\d,]+) +(\$[\d,.]+) +([\d,]+) +(\$[\d,.]+)$/gm)];
    expect(rows.length).toBe(new Set(capture.frames.map((f) => f.venue.split('-')[0])).size + 1);
    for (const r of rows) expect([r[2], r[3]], r[1]).toEqual([r[4], r[5]]);

    const before = await snapshot();
    const second = await runReplay([SAMPLE, '--speed', 'max', '--with-daemon', '--redis', redis.url, '--shift-ms', String(shiftMs)]);
    expect(second.code, second.stderr).toBe(0);
    // The whole capture went through the daemon again, and every event was found already counted.
    expect(second.stdout).toContain(`${expected.events.toLocaleString('en-US')} events parsed, 0 newly counted`);
    expect(await snapshot()).toEqual(before);

    // The forensic validator (as `npm run forensic`, last 24 h) passes on what the daemon wrote from a real-looking
    // cascade: the exchanges' prices that differ by more than 2% within a minute are warnings, not failures.
    const { run: v, report } = await forensicJson(redis.url);
    expect(v.stderr).toBe('');
    expect(v.code, JSON.stringify(report.checks.filter((c) => c.failed > 0))).toBe(0);
    expect(report.logEntries).toBe(expected.events);
    for (const c of report.checks) expect(c.failed, c.name).toBe(0);
    expect(report.checks.find((c) => c.id === 8)!.passed).toBeGreaterThan(1000);

    // Nothing of either run is left running: no daemon, no stand-ins (the replay processes have exited).
    const status = await keys('liq:status:*');
    expect(status).toEqual([]);
  });

  it('never writes into a Redis it was not given: REDIS_URL alone is refused with one line, exit 2, nothing written', async () => {
    const before = await client.dbsize();
    const r = await runReplay([SAMPLE, '--speed', 'max', '--with-daemon']); // REDIS_URL is in its environment
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n').at(-1)).toMatch(/REDIS_URL is set \(redis:\/\/127\.0\.0\.1:\d+\) but this writes the capture's liquidations and uses only a Redis named by --redis/);
    expect(await client.dbsize()).toBe(before);
  });

  it('refuses a file that is not a capture, with exit 2', async () => {
    const r = await runReplay([path.join(ROOT, 'package.json')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cannot read/);
  });
});
