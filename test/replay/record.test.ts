// The recorder as a real process (dist/scripts/record.js) against the stand-ins: what it writes is exactly what
// was served, frame for frame, with the metadata the stand-ins answered, no keepalive answers, and a complete file
// after Ctrl-C (SIGINT) or --minutes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { loadCapture, type Capture } from '../../scripts/lib/capture.js';
import { standinOptionsOf } from '../../scripts/lib/meta.js';
import { neededRoutes, play, routeOf, startCaptureStandins, waitForSubscribers } from '../../scripts/lib/serve.js';
import { binanceFrame, bybitFrame, okxFrame } from '../support/venues.js';
import {
  DELIVERY,
  defaultBinanceCoinm,
  defaultBybitInverse,
  defaultBybitLinear,
  defaultOkxInstruments,
  startStandins,
  type Standins,
  type Venue,
} from '../support/venues.js';
import { waitUntil } from '../support/daemon.js';
import { freePort } from '../support/redis.js';
import { FEEDS } from '../../src/venues/registry.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const RECORD = path.join(ROOT, 'dist/scripts/record.js');
const T = Date.now();

/** What the test serves, per venue, in order (a garbage frame and odd formatting included: "untouched" means it). */
const SERVED: Array<{ venue: Venue; frame: string }> = [
  { venue: 'binance-usdm', frame: binanceFrame({ symbol: 'BTCUSDT', side: 'SELL', price: '97000.10', qty: '0.010', ts: T }) },
  { venue: 'bybit-linear', frame: bybitFrame([
    { symbol: 'BTCUSDT', side: 'Buy', price: '96990.0', size: '0.500', ts: T + 1 },
    { symbol: 'BTCUSDT', side: 'Sell', price: '96991.5', size: '1.000', ts: T + 2 },
  ]) },
  { venue: 'okx', frame: okxFrame('SWAP', [
    { instId: 'BTC-USDT-SWAP', details: [{ posSide: 'long', side: 'sell', bkPx: '96950.1', sz: '3', ts: T + 3 }] },
    { instId: 'ETH-USDT-SWAP', details: [{ posSide: 'net', side: 'buy', bkPx: '3400.00', sz: '12', ts: T + 4 }] },
  ]) },
  { venue: 'binance-coinm', frame: binanceFrame({ symbol: 'BTCUSD_PERP', side: 'BUY', price: '97010.0', qty: '7', ts: T + 5 }) },
  { venue: 'bybit-inverse', frame: bybitFrame([{ symbol: 'BTCUSD', side: 'Buy', price: '96900.50', size: '25000', ts: T + 6 }]) },
  { venue: 'bybit-linear', frame: '{ "topic" : "allLiquidation.ETHUSDT", "type": "snapshot", "ts": 1, "data": [ {"T":1,"s":"ETHUSDT","S":"Buy","v":"0.10","p":"3400.5"} ] }' },
  { venue: 'okx', frame: okxFrame('FUTURES', [{ instId: `BTC-USD-${DELIVERY.yymmdd}`, details: [{ posSide: 'short', side: 'buy', bkPx: '98000.0', sz: '2', ts: T + 7 }] }]) },
  { venue: 'binance-usdm', frame: 'garbage {"stream":' },
  { venue: 'binance-usdm', frame: binanceFrame({ symbol: 'ETHUSDT', side: 'BUY', price: '3401.00', qty: '1.5', ts: T + 8 }) },
];

const isAck = (venue: Venue, text: string) =>
  (venue.startsWith('bybit') && text.includes('"op":"subscribe"')) || (venue === 'okx' && text.startsWith('{"event":"subscribe"'));
const isPong = (text: string) => text === 'pong' || text.includes('"ret_msg":"pong"');

let standins: Standins;
let dir: string;

beforeAll(async () => {
  standins = await startStandins();
  dir = mkdtempSync(path.join(os.tmpdir(), 'liqd-record-test-'));
});

afterAll(async () => {
  await standins?.close();
  rmSync(dir, { recursive: true, force: true });
});

function startRecorder(
  args: string[],
  urls: Record<string, string> = standins.env,
): { proc: ChildProcess; exit: Promise<number | null>; stderr: () => string } {
  const proc = spawn(process.execPath, [RECORD, ...args], {
    env: {
      PATH: process.env.PATH ?? '',
      ...urls,
      // Keepalives every 200 ms, so that pongs flow during the recording (and must not be recorded).
      PING_INTERVAL_MS: '200',
      PONG_TIMEOUT_MS: '5000',
      RECONNECT_BASE_MS: '50',
      RECONNECT_MAX_MS: '500',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  proc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  proc.stdout!.resume();
  const exit = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  return { proc, exit, stderr: () => err };
}

const pings = (v: Venue, what: string) => standins.venues[v].received().filter((m) => m.includes(what)).length;

describe('npm run record', () => {
  it('writes exactly the frames served, with the metadata, and a complete .gz after SIGINT', async () => {
    const out = path.join(dir, 'rec.ndjson.gz');
    // the first three venues (the frames served are theirs); every venue at once: the next case
    const rec = startRecorder(['--out', out, '--exchanges', 'binance,bybit,okx']);
    try {
      const subscribed = (v: Venue, topics: string[]) => () => {
        const have = new Set(standins.venues[v].subscriptions().flat());
        return standins.venues[v].connections() > 0 && topics.every((t) => have.has(t));
      };
      await waitUntil(subscribed('binance-usdm', []), 15_000, 'binance-usdm connection');
      await waitUntil(subscribed('binance-coinm', []), 15_000, 'binance-coinm connection');
      await waitUntil(subscribed('bybit-linear', ['allLiquidation.BTCUSDT', 'allLiquidation.ETHUSDT']), 15_000, 'bybit-linear topics');
      await waitUntil(subscribed('bybit-inverse', ['allLiquidation.BTCUSD']), 15_000, 'bybit-inverse topics');
      await waitUntil(subscribed('okx', ['liquidation-orders:SWAP', 'liquidation-orders:FUTURES']), 15_000, 'okx subscriptions');
      // Keepalives have been answered (pongs went to the recorder) before and while frames flow.
      await waitUntil(() => pings('bybit-linear', '"op":"ping"') >= 2 && pings('okx', 'ping') >= 1, 15_000, 'keepalive pings');

      for (const s of SERVED) expect(standins.send(s.venue, s.frame), `${s.venue} delivered`).toBeGreaterThan(0);

      // The gzip output is sync-flushed every second: poll it until every served frame is in.
      const served = SERVED.length;
      await waitUntil(
        async () => {
          try {
            const c = await loadCapture(out, { partial: true });
            return c.frames.filter((f) => !isAck(f.venue, f.frame)).length >= served;
          } catch {
            return false;
          }
        },
        15_000,
        'recorded frames',
      );
      const pongsBefore = pings('bybit-linear', '"op":"ping"');
      await waitUntil(() => pings('bybit-linear', '"op":"ping"') > pongsBefore, 5000, 'one more keepalive');

      rec.proc.kill('SIGINT');
      expect(await rec.exit).toBe(0);
    } finally {
      if (rec.proc.exitCode === null) rec.proc.kill('SIGKILL');
    }
    expect(rec.stderr()).toMatch(/stopped \(SIGINT\)/);

    // A complete gzip file: the strict decoder accepts it.
    expect(() => gunzipSync(readFileSync(out))).not.toThrow();
    const cap = await loadCapture(out);

    // Metadata: the raw REST answers of the stand-ins.
    const lists = standinOptionsOf(cap.meta);
    expect(cap.meta.source).toBe('record');
    expect(cap.meta.exchanges).toEqual(['binance', 'bybit', 'okx']);
    expect(lists.bybitInstruments!.linear!.map((i) => i.symbol).sort()).toEqual(defaultBybitLinear().map((i) => i.symbol).sort());
    expect(lists.bybitInstruments!.inverse!.map((i) => i.symbol).sort()).toEqual(defaultBybitInverse().map((i) => i.symbol).sort());
    expect(lists.okxInstruments!.SWAP).toEqual(defaultOkxInstruments().SWAP);
    expect(lists.okxInstruments!.FUTURES).toEqual(defaultOkxInstruments().FUTURES);
    expect(lists.binanceCoinmSymbols!.map((s) => s.symbol)).toEqual(defaultBinanceCoinm().map((s) => s.symbol));

    // Frames: per venue, exactly what was served, in order and byte for byte; besides them only subscribe answers.
    expect(cap.frames.filter((f) => isPong(f.frame))).toEqual([]);
    const venues = [...new Set(SERVED.map((s) => s.venue))];
    for (const v of venues) {
      const got = cap.frames.filter((f) => f.venue === v && !isAck(v, f.frame)).map((f) => f.frame);
      expect(got, v).toEqual(SERVED.filter((s) => s.venue === v).map((s) => s.frame));
    }
    const acks = cap.frames.filter((f) => isAck(f.venue, f.frame));
    expect(acks.length).toBeGreaterThan(0);
    // Receive times: real clock, in order.
    const ts = cap.frames.map((f) => f.t);
    expect([...ts].sort((a, b) => a - b)).toEqual(ts);
    expect(ts[0]).toBeGreaterThanOrEqual(T - 1000);
  });

  it('recording a capture served by the stand-ins gives back that capture: same frames per venue, same metadata', async () => {
    const sample = await loadCapture(path.join(ROOT, 'samples/cascade.ndjson.gz'));
    const known: Capture = { meta: sample.meta, frames: sample.frames.slice(0, 600) };
    const servedSet = new Set(known.frames.map((f) => f.frame));
    const served = await startCaptureStandins(known);
    const out = path.join(dir, 'sample-slice.ndjson.gz');
    const rec = startRecorder(['--out', out], served.env);
    try {
      expect(await waitForSubscribers(served, neededRoutes(known), { timeoutMs: 20_000 })).toBe(true);
      const p = await play(served, known.frames, { speed: Infinity, shiftMs: 0 });
      expect(p.undelivered).toBe(0);
      await waitUntil(
        async () => ((await loadCapture(out, { partial: true }).catch(() => undefined))?.frames.filter((f) => servedSet.has(f.frame)).length ?? 0) >= known.frames.length,
        20_000,
        'every served frame recorded',
      );
      rec.proc.kill('SIGINT');
      expect(await rec.exit).toBe(0);
    } finally {
      if (rec.proc.exitCode === null) rec.proc.kill('SIGKILL');
      await served.close();
    }
    const cap = await loadCapture(out);
    // Per venue, the served frames in order, each once; besides them only what the venue's protocol sends by itself
    // (welcomes, subscribe answers, snapshots of nothing), which the capture does not hold.
    // A feed spread over several connections (one per batch of topics) keeps the order within a route, not across.
    const byRoute = (frames: readonly { venue: string; frame: string }[], v: string) => {
      const m = new Map<string, string[]>();
      for (const f of frames) {
        if (f.venue !== v || !servedSet.has(f.frame)) continue;
        const r = routeOf(v, f.frame) ?? '';
        m.set(r, [...(m.get(r) ?? []), f.frame]);
      }
      return m;
    };
    for (const v of new Set(known.frames.map((f) => f.venue))) expect(byRoute(cap.frames, v), v).toEqual(byRoute(known.frames, v));
    // The same metadata, venue by venue (each venue's lists, in a canonical order).
    const canonical = (o: Record<string, unknown>) => JSON.stringify(o, (_k, v: unknown) => (Array.isArray(v) ? [...v].sort((x, y) => (JSON.stringify(x) < JSON.stringify(y) ? -1 : 1)) : v));
    expect(canonical(standinOptionsOf(cap.meta) as Record<string, unknown>)).toBe(canonical(standinOptionsOf(known.meta) as Record<string, unknown>));
  });

  it('--minutes ends the recording by itself with a complete plain NDJSON file; --help names the pong rule', async () => {
    const out = path.join(dir, 'rec.ndjson');
    const rec = startRecorder(['--out', out, '--minutes', '0.03', '--exchanges', 'okx']);
    await waitUntil(() => standins.venues.okx.subscriptions().some((s) => s.length === 2), 15_000, 'okx subscription');
    const frame = okxFrame('SWAP', [{ instId: 'SOL-USDT-SWAP', details: [{ posSide: 'long', side: 'sell', bkPx: '190.01', sz: '5', ts: T }] }]);
    expect(standins.send('okx', frame)).toBeGreaterThan(0);
    expect(await rec.exit).toBe(0);
    const cap = await loadCapture(out);
    expect(cap.meta.exchanges).toEqual(['okx']);
    expect(Object.keys(cap.meta.rest)).toEqual(['okx']);
    expect(cap.frames.filter((f) => !isAck(f.venue, f.frame)).map((f) => f.frame)).toEqual([frame]);
    expect(cap.frames.every((f) => f.venue === 'okx')).toBe(true);
    expect(readFileSync(out, 'utf8').endsWith('\n')).toBe(true);

    const help = startRecorder(['--help']);
    let text = '';
    help.proc.stdout!.on('data', (d: Buffer) => (text += d.toString()));
    expect(await help.exit).toBe(0);
    expect(text).toMatch(/pongs[\s\S]*not\s+data\s+frames/i);
  });

  it('refuses a list of venues read from files only: exit 2, one line saying why', async () => {
    const rec = startRecorder(['--out', path.join(dir, 'files.ndjson.gz'), '--exchanges', 'hyperliquid']);
    expect(await rec.exit).toBe(2);
    expect(rec.stderr().trim()).toBe("liqd-record: hyperliquid: read from a node's files, not a stream; nothing to record (liqd-import loads past files)");
  });

  it('captures nothing when no venue answers: exit 1 with one line naming the venues, the metadata still written', async () => {
    const out = path.join(dir, 'nothing.ndjson.gz');
    // the metadata from the stand-ins, the WebSockets at ports where nothing listens
    const closed = `ws://127.0.0.1:${await freePort()}`;
    const urls = { ...standins.env };
    for (const k of Object.keys(urls)) if (k.endsWith('_WS_URL')) urls[k] = closed;
    const rec = startRecorder(['--out', out, '--minutes', '0.03'], urls);
    expect(await rec.exit).toBe(1);
    const lines = rec.stderr().trim().split('\n').filter((l) => l.startsWith('liqd-record: ') && !l.includes('recording '));
    expect(lines, rec.stderr()).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^liqd-record: nothing captured: 0 frames in 00:00:0\d from binance-usdm, binance-coinm, bybit-linear, bybit-inverse, okx, \S.* \(no connection opened/,
    );
    // by default every venue with a stream: each feed is named; Hyperliquid (files) is not recorded, quietly
    for (const f of FEEDS) expect(lines[0]).toContain(` ${f.feed.venue}`);
    expect(lines[0]).not.toContain('hyperliquid');
    expect(lines[0]).toContain(`${out} holds only the metadata`);
    // what it has is written: a complete file with the metadata
    expect(() => gunzipSync(readFileSync(out))).not.toThrow();
    const cap = await loadCapture(out);
    expect(cap.frames).toEqual([]);
    expect(standinOptionsOf(cap.meta).okxInstruments!.SWAP).toEqual(defaultOkxInstruments().SWAP);
  });

  it('refuses a missing --out with one line and exit 2', async () => {
    const rec = startRecorder([]);
    expect(await rec.exit).toBe(2);
    expect(rec.stderr().trim().split('\n')).toHaveLength(1);
    expect(rec.stderr()).toMatch(/--out/);
  });
});
