// Hyperliquid from a node's fill files: the real daemon tailing files written in a temporary directory (named after
// the current UTC hour), into a private Redis. Appends, a half-written line, the next hour and the next day, restarts
// in the middle of a file (SIGTERM and SIGKILL), a directory that appears later, EXCHANGES=all; and the tail in process
// for the 60-second "not growing" rule with a short threshold.
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { LiquidationEvent } from '../../../src/core/event.js';
import type { Rejection } from '../../../src/core/parse.js';
import { FILLS_DIR, dayStart, hourFloor, hourName, HOUR_MS } from '../../../src/venues/hyperliquid/files.js';
import { blockLine, liquidationTrade, nodeFill } from '../../../src/venues/hyperliquid/frames.js';
import { parseHyperliquidLine } from '../../../src/venues/hyperliquid/parser.js';
import { FillTail } from '../../../src/venues/hyperliquid/tail.js';
import { FEED_NAMES } from '../../../src/venues/registry.js';
import { startDaemon, waitUntil, type RunningDaemon } from '../../support/daemon.js';
import { captureLog } from '../../support/log.js';
import { freePort } from '../../support/redis.js';
import { redisForFile } from '../../support/redis-file.js';
import { startStandins, type Standins } from '../../support/venues.js';

const USER = '0x31ca8395cf837de08b24da3f660e77761dfb974b';
const MAKER = '0x010461c14e146ac35fe42271bdc1134ee31c703a';
const INSTANCE = 'hl-test';
const POS_KEY = `liq:pos:hyperliquid:${INSTANCE}`;

const redis = redisForFile({ flushEachTest: true });
let standins: Standins | undefined;
const daemons: RunningDaemon[] = [];
const dirs: string[] = [];

afterEach(async () => {
  for (const d of daemons.splice(0)) await d.stop('SIGKILL');
  await standins?.close();
  standins = undefined;
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tmp(prefix: string): string {
  const d = mkdtempSync(path.join(os.tmpdir(), prefix));
  dirs.push(d);
  return d;
}

async function launch(dataDir: string, extra: Record<string, string> = {}): Promise<RunningDaemon> {
  const spool = tmp('liqd-hl-spool-');
  const d = startDaemon(
    { EXCHANGES: 'hyperliquid', HYPERLIQUID_NODE_DATA_DIR: dataDir, REDIS_URL: redis.url, SPOOL_DIR: spool, INSTANCE_ID: INSTANCE, ...extra },
    await freePort(),
  );
  daemons.push(d);
  return d;
}

const fileOf = (data: string, hour: number) => path.join(data, FILLS_DIR, hourName(hour));

function append(file: string, text: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  appendFileSync(file, text);
}

/** A liquidation of USER (both fills of the trade, as the node writes them) as one block line, with its newline. */
function liq(tid: number, coin: string, side: 'A' | 'B', px: string, sz: string, time: number): string {
  return `${blockLine([...liquidationTrade({ liquidated: USER, counterparty: MAKER, coin, px, sz, side, time, tid }), nodeFill({ user: MAKER, coin: 'BTC', px, sz: '1', side: 'B', time, tid: tid + 1_000_000 })], { block: tid })}\n`;
}

const MIN = Math.floor((Date.now() - 120_000) / 60_000) * 60_000;

async function count(minute = MIN): Promise<number> {
  return Number((await redis.db.hget(`liq:agg:ALL:60s:${minute}`, 'count')) ?? 0);
}

type TailStatus = { connection: string; state: string; file: string | null; offset: number };
async function tailStatus(d: RunningDaemon): Promise<TailStatus | undefined> {
  const h = await health(d);
  return (h?.streams as TailStatus[] | undefined)?.find((s) => s.connection === 'hyperliquid');
}

/** /health's body, or undefined while the daemon is still starting its server. */
async function health(d: RunningDaemon): Promise<Record<string, unknown> | undefined> {
  if (d.proc.exitCode !== null) throw new Error(`daemon exited: ${JSON.stringify(d.logs.slice(-5))} ${d.stderr.join('')}`);
  try {
    return (await d.health()).body;
  } catch {
    return undefined;
  }
}

describe('the daemon tailing a node’s fill files', () => {
  it('starts at the end, counts lines appended while it runs, waits for a half-written line, follows the next hour and the next day', async () => {
    const data = tmp('liqd-hl-data-');
    const now = Date.now();
    const h0 = fileOf(data, now);
    // written before the daemon starts, with no saved position: not read (it starts at the end)
    append(h0, liq(1, 'BTC', 'A', '1000', '1', MIN) + liq(2, 'BTC', 'A', '1000', '1', MIN));
    const d = await launch(data);
    await d.waitForLog((l) => l.msg === 'node fill files: no saved position, starting at the end of the newest file');
    expect((await tailStatus(d))?.file).toBe(h0);

    append(h0, liq(3, 'BTC', 'A', '60000.5', '0.25', MIN + 100)); // long $15,000.125 → 1500013 cents
    await waitUntil(async () => (await count()) === 1, 10_000, 'the appended line');

    const half = liq(4, 'BTC', 'B', '60010', '0.1', MIN + 200); // short $6,001
    append(h0, half.slice(0, 150));
    await new Promise((r) => setTimeout(r, 1_000));
    expect(await count()).toBe(1);
    append(h0, half.slice(150));
    await waitUntil(async () => (await count()) === 2, 10_000, 'the line once complete');

    const h1 = fileOf(data, hourFloor(now) + HOUR_MS);
    append(h1, liq(5, 'ETH', 'A', '2500.1', '3.3333', MIN + 300)); // long 8333.58333 → 833358 cents
    await waitUntil(async () => (await count()) === 3, 10_000, 'the next hour');
    expect((await tailStatus(d))?.file).toBe(h1);

    // the first hour of the day after the next hour's day: another date directory
    const h2 = fileOf(data, dayStart(hourName(hourFloor(now) + HOUR_MS).slice(0, 8))! + 24 * HOUR_MS);
    append(h2, liq(6, 'kPEPE', 'B', '0.012345', '1000', MIN + 400)); // short 12.345 → 1235 cents
    await waitUntil(async () => (await count()) === 4, 10_000, 'the next day');

    expect(await redis.db.hgetall(`liq:agg:BTCUSD:60s:${MIN}`)).toEqual({
      count: '2', long_count: '1', short_count: '1',
      value_cents: '2100113', long_value_cents: '1500013', short_value_cents: '600100',
      hyperliquid_count: '2', hyperliquid_long_count: '1', hyperliquid_short_count: '1',
      hyperliquid_value_cents: '2100113', hyperliquid_long_value_cents: '1500013', hyperliquid_short_value_cents: '600100',
      qty_e8: '35000000', long_qty_e8: '25000000', short_qty_e8: '10000000',
    });
    expect(await redis.db.hgetall(`liq:agg:KPEPEUSD:60s:${MIN}`)).toMatchObject({ count: '1', hyperliquid_short_value_cents: '1235', qty_e8: '100000000000' });
    expect(await redis.db.hgetall(`liq:agg:ALL:60s:${MIN}`)).toMatchObject({
      count: '4', value_cents: '2934706', long_value_cents: '2333371', short_value_cents: '601335', hyperliquid_count: '4',
    });
    const status = await tailStatus(d);
    expect(status).toMatchObject({ state: 'open', file: h2, offset: statSync(h2).size });
    // the position reaches Redis (every second) and the status in liq:status
    await waitUntil(async () => (await redis.db.get(POS_KEY)) === JSON.stringify({ file: hourName(dayStart(path.basename(path.dirname(h2)))!), offset: statSync(h2).size }), 5_000, 'position saved');
    const stored = async () => JSON.parse((await redis.db.hget(`liq:status:${INSTANCE}`, 'hyperliquid')) ?? '{}') as Record<string, unknown>;
    await waitUntil(async () => (await stored()).file === h2, 5_000, 'status in Redis');
    expect(await stored()).toMatchObject({ exchange: 'hyperliquid', state: 'open' });
    expect(await d.metrics()).toMatch(/liq_events_total\{exchange="hyperliquid"\} 4/);
    expect(await d.metrics()).toMatch(/liq_stream_open\{stream="hyperliquid",venue="hyperliquid"\} 1/);
    expect(await d.metrics()).not.toMatch(/liq_rejected_total\{exchange="hyperliquid"/);
  });

  it('a restart in the middle of a file (SIGTERM with a half-written line, then SIGKILL) counts nothing twice and skips nothing', async () => {
    const data = tmp('liqd-hl-data-');
    const now = Date.now();
    const file = fileOf(data, now);
    append(file, liq(10, 'BTC', 'A', '100', '1', MIN + 10) + liq(11, 'BTC', 'B', '200', '1', MIN + 11));
    // no position yet: HYPERLIQUID_FROM asks for this hour from its start
    const from = { HYPERLIQUID_FROM: new Date(hourFloor(now)).toISOString() };
    const d1 = await launch(data, from);
    await waitUntil(async () => (await count()) === 2, 10_000, 'the two lines from HYPERLIQUID_FROM');
    const complete = statSync(file).size;
    const half = liq(12, 'BTC', 'A', '300', '1', MIN + 12);
    append(file, half.slice(0, 100));
    await new Promise((r) => setTimeout(r, 500));
    expect(await d1.stop('SIGTERM')).toBe(0);
    // the position is after the last complete line, not inside the half-written one
    expect(JSON.parse((await redis.db.get(POS_KEY))!)).toEqual({ file: hourName(now), offset: complete });

    // the node goes on while the daemon is stopped
    append(file, half.slice(100) + liq(13, 'BTC', 'B', '400', '1', MIN + 13));
    const d2 = await launch(data, from);
    await d2.waitForLog((l) => l.msg === 'node fill files: going on from the saved position');
    await waitUntil(async () => (await count()) === 4, 10_000, 'the lines written while stopped');
    expect(await d2.metrics()).toMatch(/liq_duplicates_total 0/);

    // a crash: the position saved up to a second ago may lag; what is read again is a repeat, counted once
    append(file, liq(14, 'BTC', 'A', '500', '1', MIN + 14));
    await waitUntil(async () => (await count()) === 5, 10_000, 'one more');
    await d2.stop('SIGKILL');
    append(file, liq(15, 'BTC', 'B', '600', '1', MIN + 15));
    const d3 = await launch(data, from);
    await waitUntil(async () => (await count()) === 6, 10_000, 'the line written after the crash');
    await new Promise((r) => setTimeout(r, 500));
    expect(await redis.db.hgetall(`liq:agg:BTCUSD:60s:${MIN}`)).toMatchObject({
      count: '6', long_count: '3', short_count: '3', value_cents: '210000', long_value_cents: '90000', short_value_cents: '120000', qty_e8: '600000000',
    });
    expect(await redis.db.xlen('liq:events')).toBe(6);
    expect(await d3.metrics()).not.toMatch(/liq_rejected_total\{exchange="hyperliquid"/);
  });

  it('a crash while Redis takes the position but refuses the events skips nothing: the position waits for the events', async () => {
    const data = tmp('liqd-hl-data-');
    const now = Date.now();
    const file = fileOf(data, now);
    append(file, liq(20, 'BTC', 'A', '100', '1', MIN + 20));
    const from = { HYPERLIQUID_FROM: new Date(hourFloor(now)).toISOString() };
    // a user that may do everything but run scripts: the write script fails (NOPERM), SET of the position does not
    await redis.db.call('ACL', 'SETUSER', 'noscripts', 'on', '>pw', '~*', '&*', '+@all', '-eval', '-evalsha', '-script');
    const url = redis.url.replace('redis://', 'redis://noscripts:pw@');
    const d1 = await launch(data, { ...from, REDIS_URL: url });
    // read and handed over (the tail's offset is the file's end), the event not written; a few save intervals later
    // the saved position (if any) is still before the line: its event is not kept anywhere yet
    await waitUntil(async () => (await tailStatus(d1))?.offset === statSync(file).size, 10_000, 'the line handed over');
    await new Promise((r) => setTimeout(r, 2_500));
    expect(await count()).toBe(0);
    expect(await d1.metrics()).toMatch(/liq_write_errors_total\{error="NOPERM"\} [1-9]/);
    const saved = await redis.db.get(POS_KEY);
    if (saved !== null) expect(JSON.parse(saved)).toEqual({ file: hourName(now), offset: 0 });
    await d1.stop('SIGKILL');

    const d2 = await launch(data, from);
    await waitUntil(async () => (await count()) === 1, 10_000, 'the line read again after the crash');
    await waitUntil(async () => JSON.parse((await redis.db.get(POS_KEY)) ?? '{}').offset === statSync(file).size, 5_000, 'position after it, once written');
  });

  it('waits for a directory that does not exist yet, says so, and reads what appears from its first byte', async () => {
    const data = path.join(tmp('liqd-hl-later-'), 'hl', 'data');
    const d = await launch(data);
    await d.waitForLog((l) => l.level === 'warn' && String(l.msg).includes('the directory does not exist yet'));
    await waitUntil(async () => (await tailStatus(d))?.state === 'waiting_files', 5_000, 'waiting_files in /health');
    const file = fileOf(data, Date.now());
    append(file, liq(20, 'SOL', 'B', '150.25', '10', MIN + 20)); // short $1,502.50
    await waitUntil(async () => (await count()) === 1, 10_000, 'the first line of the new directory');
    expect(await redis.db.hget(`liq:agg:SOLUSD:60s:${MIN}`, 'hyperliquid_short_value_cents')).toBe('150250');
    expect(await tailStatus(d)).toMatchObject({ state: 'open', file });
    expect(d.logs.some((l) => l.msg === 'node fill files: the directory exists now')).toBe(true);
  });

  it('EXCHANGES=all: runs with HYPERLIQUID_NODE_DATA_DIR set, and without it starts the other venues and says why not this one', async () => {
    standins = await startStandins();
    const data = tmp('liqd-hl-data-');
    append(fileOf(data, Date.now()), '');
    const withDir = await launch(data, { ...standins.env, EXCHANGES: 'all', INSTANCE_ID: 'hl-all-1' });
    const without = await launch('', { ...standins.env, EXCHANGES: 'all', INSTANCE_ID: 'hl-all-2' });
    await waitUntil(async () => (await tailStatus(withDir))?.state === 'open', 10_000, 'the tail open');
    await without.waitForLog((l) => l.msg === 'source not started: its variables are not set' && l.needs === 'HYPERLIQUID_NODE_DATA_DIR');
    // every feed of every other registered venue has its connections (a feed may spread over several: name#k)
    const feedsOf = async (d: RunningDaemon) => [...new Set(((await health(d))?.streams as Array<{ connection: string }> | undefined)?.map((s) => s.connection.replace(/#\d+$/, '')))].sort();
    await waitUntil(async () => JSON.stringify(await feedsOf(without)) === JSON.stringify([...FEED_NAMES].sort()), 10_000, 'the other venues');
    expect(await tailStatus(without)).toBeUndefined();
    expect(without.logs.filter((l) => l.level === 'error' || l.level === 'fatal')).toEqual([]);
    // set up but left out of EXCHANGES: said, not silently ignored
    const leftOut = await launch(data, { ...standins.env, EXCHANGES: 'okx', INSTANCE_ID: 'hl-all-3' });
    await leftOut.waitForLog((l) => l.level === 'warn' && l.msg === 'source configured but its exchange is not in EXCHANGES: not started' && l.exchange === 'hyperliquid');
  });
});

describe('the tail in process', () => {
  it('is open while the newest file grows, down when it has not grown for the threshold (logged at error), open again when it grows', async () => {
    const data = tmp('liqd-hl-stale-');
    const root = path.join(data, FILLS_DIR);
    const file = path.join(root, hourName(Date.now()));
    append(file, '');
    const { log, lines } = captureLog('info');
    const events: LiquidationEvent[] = [];
    const rejections: Rejection[] = [];
    const tail = new FillTail(
      { root, exchange: 'hyperliquid', venue: 'hyperliquid', from: null, retentionMs: 168 * HOUR_MS, parse: parseHyperliquidLine, pollMs: 20, staleAfterMs: 1_000 },
      { log, onEvents: (e) => events.push(...e), onRejections: (r) => rejections.push(...r) },
    );
    tail.start();
    try {
      const state = () => tail.statuses()[0].state;
      await waitUntil(() => state() === 'open', 2_000, 'open');
      const writer = setInterval(() => append(file, `${blockLine([], { time: Date.now() })}\n`), 50);
      await new Promise((r) => setTimeout(r, 1_500));
      expect(state()).toBe('open');
      append(file, liq(30, 'BTC', 'A', '10', '1', MIN));
      await waitUntil(() => events.length === 1, 2_000, 'the event');
      clearInterval(writer);
      await waitUntil(() => state() === 'down', 5_000, 'down after the threshold');
      await waitUntil(() => lines.some((l) => l.level === 'error' && l.msg.includes('node fill files not growing for 1 s')), 2_000, 'said at error');
      append(file, `${blockLine([], { time: Date.now() })}\n`);
      await waitUntil(() => state() === 'open', 5_000, 'open again');
      expect(tail.statuses()[0]).toMatchObject({ venue: 'hyperliquid', exchange: 'hyperliquid', file, offset: statSync(file).size });
      expect(rejections).toEqual([]);
    } finally {
      await tail.stop();
    }
    expect(tail.statuses()[0].state).toBe('stopped');
  });
});
