// Every venue at once: the real daemon with EXCHANGES=all against the stand-ins of every registered venue and a
// directory of Hyperliquid node fill files, into a private Redis. A mixed burst on every listing (both sides, linear,
// inverse and dated where the venue lists them) gives exact ALL buckets, worked out from the liquidations themselves
// (test/support/all-venues.ts); a drop of every connection and the same frames again change nothing; garbage on every
// venue is rejected, counted per exchange, and leaves the daemon healthy; a coin listed after start is counted once on
// every venue; /health and liq:status list every connection; the forensic validator passes on what was written.
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { minuteOf, statusKey } from '../../src/core/keys.js';
import type { StreamStatus } from '../../src/core/status.js';
import { FILLS_DIR, hourName } from '../../src/venues/hyperliquid/files.js';
import { HYPERLIQUID } from '../../src/venues/hyperliquid/parser.js';
import { EXCHANGE_NAMES, FEEDS, adapterOfFeed } from '../../src/venues/registry.js';
import { startStandins, type Standins } from '../../src/venues/standin/index.js';
import type { SynthFrame } from '../../src/venues/synth-types.js';
import { describeMissing, missingSubscriptions } from '../../scripts/lib/serve.js';
import { forensic } from '../forensic/cli.js';
import {
  buildWorkload,
  countedOf,
  expectedAll,
  hyperliquidGarbage,
  hyperliquidQuietLine,
  routesOf,
  withoutPrice,
  type Phase,
  type Workload,
} from '../support/all-venues.js';
import { startDaemon, waitUntil, type RunningDaemon } from '../support/daemon.js';
import { freePort, startRedis, type PrivateRedis } from '../support/redis.js';

const INSTANCE = 'all-venues';
const WAIT_MS = 30_000;

let redis: PrivateRedis;
let client: Redis;
let standins: Standins;
let daemon: RunningDaemon;
let work: Workload;
let hlFile: string;
let quiet = 0;
const dirs: string[] = [];

const framesOf = (phase: Phase): SynthFrame[] => work.venues.flatMap((v) => v.frames[phase]);
const BURST = () => expectedAll(countedOf(work, 'burst'));

function appendLines(lines: readonly string[]): void {
  appendFileSync(hlFile, lines.map((l) => `${l}\n`).join(''));
}

/** A line without a liquidation: the node writes all the time, and the tail reports `down` after 60 s of silence. */
function nodeIsAlive(): void {
  appendLines([hyperliquidQuietLine(Date.now(), quiet++)]);
}

/** Sends every frame to its stand-in; every one must reach a subscribed connection. */
function sendAll(frames: readonly SynthFrame[]): void {
  const undelivered = frames.filter((f) => standins.send(f.venue, f.frame) === 0).map((f) => f.venue);
  expect(undelivered, 'frames no connection was subscribed to').toEqual([]);
}

async function subscribedTo(frames: readonly SynthFrame[], what: string): Promise<void> {
  const needed = routesOf(frames);
  await waitUntil(() => missingSubscriptions(standins, needed).size === 0, WAIT_MS, what).catch((err: Error) => {
    throw new Error(`${err.message}: ${describeMissing(missingSubscriptions(standins, needed))}`);
  });
}

/** The ALL buckets summed over every minute they exist for (BitMEX counts at receive time: not per minute). */
async function allTotals(): Promise<Record<string, string>> {
  const keys = await client.keys('liq:agg:ALL:60s:*');
  const sums = new Map<string, bigint>();
  for (const key of keys) {
    const minute = Number(key.split(':').pop());
    // nothing outside the minutes of the workload's times and of the run
    expect(minute).toBeGreaterThanOrEqual(minuteOf(work.t0));
    expect(minute).toBeLessThanOrEqual(minuteOf(Date.now()));
    for (const [field, v] of Object.entries(await client.hgetall(key))) sums.set(field, (sums.get(field) ?? 0n) + BigInt(v));
  }
  return Object.fromEntries([...sums].filter(([, v]) => v !== 0n).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, String(v)]));
}

/** Waits until the ALL count reaches the expected one, then compares every field. */
async function expectTotals(expected: Record<string, string>): Promise<void> {
  await waitUntil(async () => (await allTotals()).count === expected.count, WAIT_MS, `count ${expected.count}`).catch(() => undefined);
  expect(await allTotals(), `ALL buckets (rejections: ${JSON.stringify(metric(await daemon.metrics(), 'liq_rejected_total'))})`).toEqual(expected);
}

/** A metric's samples: label set (as text) → value. */
function metric(text: string, name: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const m = /^(\w+)(\{[^}]*\})? (\S+)$/.exec(line);
    if (m !== null && m[1] === name) out[m[2] ?? ''] = Number(m[3]);
  }
  return out;
}
const duplicates = async () => metric(await daemon.metrics(), 'liq_duplicates_total')[''] ?? 0;

/** Rejections per exchange: in total, and for invalid JSON. */
async function rejections(): Promise<Record<string, { total: number; invalidJson: number }>> {
  const out: Record<string, { total: number; invalidJson: number }> = {};
  for (const [labels, n] of Object.entries(metric(await daemon.metrics(), 'liq_rejected_total'))) {
    const ex = /exchange="([^"]+)"/.exec(labels)![1];
    const r = (out[ex] ??= { total: 0, invalidJson: 0 });
    r.total += n;
    if (labels.includes('reason="invalid_json"')) r.invalidJson += n;
  }
  return out;
}

async function streams(): Promise<StreamStatus[]> {
  return (await daemon.health()).body.streams as StreamStatus[];
}

beforeAll(async () => {
  redis = await startRedis();
  client = redis.client();
  // Two minutes back: every phase's times are in the past when sent, and the buckets span a few minutes.
  work = buildWorkload(Date.now() - 120_000);
  standins = await startStandins(work.initial);
  const data = mkdtempSync(path.join(os.tmpdir(), 'liqd-all-hl-'));
  const spool = mkdtempSync(path.join(os.tmpdir(), 'liqd-all-spool-'));
  dirs.push(data, spool);
  // The hour's file exists before the start: the tail begins at its end and follows appends to it.
  hlFile = path.join(data, FILLS_DIR, hourName(Date.now()));
  mkdirSync(path.dirname(hlFile), { recursive: true });
  writeFileSync(hlFile, '');
  daemon = startDaemon(
    {
      ...standins.env,
      REDIS_URL: redis.url,
      SPOOL_DIR: spool,
      EXCHANGES: 'all',
      HYPERLIQUID_NODE_DATA_DIR: data,
      INSTANCE_ID: INSTANCE,
      // new listings reach per-instrument subscriptions at the next refresh
      INSTRUMENT_REFRESH_MINUTES: '0.05',
    },
    await freePort(),
  );
  await daemon.waitForLog((l) => l.msg === 'node fill files: no saved position, starting at the end of the newest file', WAIT_MS);
  await subscribedTo(framesOf('burst'), 'every venue subscribed');
}, 90_000);

afterAll(async () => {
  await daemon?.stop('SIGKILL');
  await standins?.close();
  await redis?.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('the daemon with EXCHANGES=all against every venue at once', () => {
  it('writes exact ALL buckets for a mixed burst on every venue', async () => {
    const expected = BURST();
    // every exchange on both sides, so a venue that counted nothing or one side only cannot pass
    for (const ex of EXCHANGE_NAMES) {
      expect(expected[`${ex}_long_count`], ex).toBeDefined();
      expect(expected[`${ex}_short_count`], ex).toBeDefined();
    }
    sendAll(framesOf('burst'));
    appendLines(work.hyperliquid.lines.burst);
    await expectTotals(expected);
    expect(daemon.garbage).toEqual([]);
  }, 60_000);

  it('after a drop of every connection, counts the same frames again as duplicates only', async () => {
    const before = Object.fromEntries(Object.entries(standins.venues).map(([k, v]) => [k, v.totalConnections()]));
    const dupBefore = await duplicates();
    for (const v of Object.values(standins.venues)) v.dropAll();
    // the baseline after the drop: what a venue replays on resubscribing (Kraken's trade_snapshot) comes on top
    const parsedBefore = metric(await daemon.metrics(), 'liq_events_total');
    await waitUntil(() => Object.entries(standins.venues).every(([k, v]) => v.totalConnections() > before[k]), WAIT_MS, 'every venue reconnected');
    await subscribedTo(framesOf('burst'), 'every venue resubscribed');
    sendAll(framesOf('burst'));
    appendLines(work.hyperliquid.lines.burst);
    const repeats = countedOf(work, 'burst');
    // every venue's frames parsed again, and found to be repeats
    const parsedAgain = async () => {
      const parsed = metric(await daemon.metrics(), 'liq_events_total');
      return Object.fromEntries(EXCHANGE_NAMES.map((ex) => [ex, (parsed[`{exchange="${ex}"}`] ?? 0) - (parsedBefore[`{exchange="${ex}"}`] ?? 0)]));
    };
    const sentAgain = Object.fromEntries(EXCHANGE_NAMES.map((ex) => [ex, repeats.filter((c) => c.exchange === ex).length]));
    await waitUntil(
      async () => (await duplicates()) >= dupBefore + repeats.length && Object.entries(await parsedAgain()).every(([ex, n]) => n >= sentAgain[ex]),
      WAIT_MS,
      `${repeats.length} duplicates`,
    ).catch(() => undefined);
    expect(await duplicates()).toBeGreaterThanOrEqual(dupBefore + repeats.length);
    for (const [ex, n] of Object.entries(await parsedAgain())) expect(n, ex).toBeGreaterThanOrEqual(sentAgain[ex]);
    expect(await allTotals()).toEqual(BURST());
    for (const s of await streams()) if (s.exchange !== HYPERLIQUID) expect(s.reconnects, s.connection).toBeGreaterThanOrEqual(1);
  }, 60_000);

  it('rejects garbage on every venue, per exchange in metrics, counts nothing and stays healthy', async () => {
    const keysBefore = (await client.keys('liq:agg:*')).sort();
    const before = await rejections();
    const sent: Record<string, { total: number; invalidJson: number }> = {};
    const note = (ex: string, n: number, invalid: boolean) => {
      const s = (sent[ex] ??= { total: 0, invalidJson: 0 });
      s.total += n;
      if (invalid) s.invalidJson += n;
    };
    // not JSON, and JSON that is not an object, on every connection of every feed
    for (const feed of Object.keys(standins.venues)) {
      const ex = adapterOfFeed(feed)!.exchange;
      note(ex, standins.send(feed, 'garbage {'), true);
      note(ex, standins.send(feed, '42'), false);
    }
    // a liquidation frame of the right shape without its price, on every feed
    for (const v of work.venues) {
      expect(v.frames.garbage.map((f) => f.events)).toEqual(v.liqs.garbage.map(() => 1));
      v.frames.garbage.forEach((f, i) => {
        const n = standins.send(f.venue, withoutPrice(f.frame, v.liqs.garbage[i].price));
        expect(n, `${f.venue} garbage frame delivered`).toBeGreaterThan(0);
        note(v.exchange, n, false);
      });
    }
    const hl = hyperliquidGarbage(work.t0);
    appendLines(hl);
    note(HYPERLIQUID, hl.length, false);
    sent[HYPERLIQUID].invalidJson = 1;
    for (const ex of EXCHANGE_NAMES) expect(sent[ex]?.total, ex).toBeGreaterThanOrEqual(3);

    const grown = async () => {
      const now = await rejections();
      return Object.fromEntries(
        Object.keys(sent).map((ex) => [ex, { total: (now[ex]?.total ?? 0) - (before[ex]?.total ?? 0), invalidJson: (now[ex]?.invalidJson ?? 0) - (before[ex]?.invalidJson ?? 0) }]),
      );
    };
    const total = Object.values(sent).reduce((s, x) => s + x.total, 0);
    await waitUntil(async () => Object.values(await grown()).reduce((s, x) => s + x.total, 0) >= total, WAIT_MS, `${total} rejections`).catch(() => undefined);
    expect(await grown()).toEqual(sent);
    expect((await client.keys('liq:agg:*')).sort()).toEqual(keysBefore);
    expect(await allTotals()).toEqual(BURST());
    nodeIsAlive();
    const h = await daemon.health();
    expect(h.status).toBe(200);
    expect(h.body.status, JSON.stringify(h.body.reasons)).toBe('ok');
    expect(daemon.proc.exitCode).toBeNull();
  }, 60_000);

  it('counts a coin listed after start once on every venue: before its metadata, or once subscribed', async () => {
    standins.setInstruments(work.listed);
    const fresh = framesOf('fresh');
    const missing = missingSubscriptions(standins, routesOf(fresh));
    // Streams that carry every instrument get the frames before the daemon's metadata knows the coin (it refetches);
    // per-instrument topics are subscribed at the next refresh, and only then can the venue send the coin's frames.
    const now = fresh.filter((f) => !missing.has(f.venue));
    const later = fresh.filter((f) => missing.has(f.venue));
    expect(now.length).toBeGreaterThan(0);
    expect(later.length).toBeGreaterThan(0);
    sendAll(now);
    appendLines(work.hyperliquid.lines.fresh);
    await subscribedTo(later, 'the new coin subscribed');
    sendAll(later);
    const expected = expectedAll([...countedOf(work, 'burst'), ...countedOf(work, 'fresh')]);
    await expectTotals(expected);
    // Still once after two more refreshes of every venue's metadata.
    const rest = Object.values(standins.venues).filter((v) => v.restRequests().length > 0);
    const asked = rest.map((v) => v.restRequests().length);
    await waitUntil(() => rest.every((v, i) => v.restRequests().length >= asked[i] + 2), WAIT_MS, 'metadata refreshed');
    expect(await allTotals()).toEqual(expected);
  }, 60_000);

  it('lists every connection of every venue in /health and liq:status; the forensic validator passes', async () => {
    nodeIsAlive();
    const h = await daemon.health();
    expect(h.status).toBe(200);
    expect(h.body.status, JSON.stringify(h.body.reasons)).toBe('ok');
    // per feed, the daemon's connections as /health names them, and the stand-in's open ones
    const perFeed = (list: StreamStatus[]) =>
      FEEDS.map(({ feed }) => [feed.venue, list.filter((s) => s.connection === feed.venue || s.connection.startsWith(`${feed.venue}#`)).length, standins.venues[feed.venue].connections()]);
    let list = await streams();
    // a reconnect on a loaded machine may be under way: give it time before comparing
    await waitUntil(async () => {
      list = await streams();
      return list.every((s) => s.state === 'open') && perFeed(list).every(([, mine, theirs]) => mine === theirs);
    }, WAIT_MS, 'every connection open').catch(() => undefined);
    for (const s of list) expect(s.state, s.connection).toBe('open');
    for (const [feed, mine, theirs] of perFeed(list)) {
      expect(mine, String(feed)).toBeGreaterThan(0);
      expect(mine, String(feed)).toBe(theirs);
    }
    expect(list.map((s) => s.connection)).toContain(HYPERLIQUID);
    expect(new Set(list.map((s) => s.exchange))).toEqual(new Set(EXCHANGE_NAMES));
    const names = list.map((s) => s.connection).sort();
    await waitUntil(async () => JSON.stringify(Object.keys(await client.hgetall(statusKey(INSTANCE))).sort()) === JSON.stringify(names), WAIT_MS, 'liq:status lists every connection');
    for (const [name, json] of Object.entries(await client.hgetall(statusKey(INSTANCE)))) expect((JSON.parse(json) as StreamStatus).state, name).toBe('open');

    const run = await forensic(redis.url);
    expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
  }, 60_000);
});
