// liq_stream_open on /metrics: one series per connection of the running daemon, labelled with the connection and its
// venue as /health names them, 1 while it is open and 0 while it is not. A real daemon on three venues' stand-ins
// (binance: USDⓈ-M and COIN-M; bybit: linear and inverse; okx: one), five connections.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDaemon, waitUntil, type RunningDaemon } from '../support/daemon.js';
import { freePort, startRedis, type PrivateRedis } from '../support/redis.js';
import { startStandins, type Standins } from '../support/venues.js';

let redis: PrivateRedis;
let standins: Standins;
let daemon: RunningDaemon | undefined;
let spool: string;
beforeAll(async () => {
  redis = await startRedis();
  standins = await startStandins({}, ['binance', 'bybit', 'okx']);
  spool = mkdtempSync(path.join(os.tmpdir(), 'liqd-stream-open-'));
});
afterAll(async () => {
  await daemon?.stop('SIGKILL');
  await standins.close();
  await redis.stop();
  rmSync(spool, { recursive: true, force: true });
});

/** Every liq_stream_open series: "stream venue" → value (a label pair seen twice fails). */
async function streamOpen(d: RunningDaemon): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const line of (await d.metrics()).split('\n')) {
    const m = /^liq_stream_open\{stream="([^"]*)",venue="([^"]*)"\} (\S+)$/.exec(line);
    if (!m) {
      expect(line.startsWith('liq_stream_open'), line).toBe(false);
      continue;
    }
    const key = `${m[1]} ${m[2]}`;
    expect(out[key], `${key} twice`).toBeUndefined();
    out[key] = Number(m[3]);
  }
  return out;
}

const ALL_OPEN = {
  'binance-usdm binance-usdm': 1,
  'binance-coinm binance-coinm': 1,
  'bybit-linear#0 bybit-linear': 1,
  'bybit-inverse#0 bybit-inverse': 1,
  'okx okx': 1,
};

describe('liq_stream_open', () => {
  it('one series per connection, as /health names them; 1 when open, 0 while one is not, 1 again after', async () => {
    const d = (daemon = startDaemon({ ...standins.env, REDIS_URL: redis.url, SPOOL_DIR: spool, EXCHANGES: 'binance,bybit,okx' }, await freePort()));
    await waitUntil(async () => {
      try {
        const h = await d.health();
        return h.body.streamsTotal === 5 && h.body.streamsOpen === 5;
      } catch {
        return false;
      }
    }, 20_000, 'five streams open');
    const streams = (await d.health()).body.streams as Array<{ connection: string; venue: string; state: string }>;
    expect(Object.fromEntries(streams.map((s) => [`${s.connection} ${s.venue}`, s.state === 'open' ? 1 : 0]))).toEqual(ALL_OPEN);
    // the gauges follow at the next status tick (STATUS_INTERVAL_MS 300)
    await waitUntil(async () => isDeepStrictEqual(await streamOpen(d), ALL_OPEN), 5_000, 'every series 1');

    // okx drops and refuses to reconnect: its series goes to 0, the others stay 1, no series is added
    standins.venues.okx.rejectUpgrades(1_000_000, 503);
    standins.venues.okx.dropAll();
    await waitUntil(async () => (await streamOpen(d))['okx okx'] === 0, 10_000, 'okx at 0');
    expect(await streamOpen(d)).toEqual({ ...ALL_OPEN, 'okx okx': 0 });
    expect((await d.health()).body.streamsOpen).toBe(4);

    standins.venues.okx.rejectUpgrades(0, 503);
    await waitUntil(async () => (await streamOpen(d))['okx okx'] === 1, 15_000, 'okx back at 1');
    expect(await streamOpen(d)).toEqual(ALL_OPEN);
  });
});
