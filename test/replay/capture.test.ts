// Capture files and the timestamp shift: gzip round trip, a file read while it is still being written, and a shift
// that moves only the timestamp fields.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { CAPTURE_FORMAT, CaptureWriter, loadCapture, type CaptureFrame } from '../../scripts/lib/capture.js';
import { defaultShift, shiftFrame } from '../../scripts/lib/shift.js';
import { binanceFrame, bybitFrame, okxFrame } from '../support/venues.js';

const T = 1_791_552_600_000;
const waitFor = async (pred: () => Promise<boolean>, what: string, timeoutMs = 5000) => {
  const end = Date.now() + timeoutMs;
  while (!(await pred())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe('capture files', () => {
  it('round-trips meta and frames through gzip, readable while being written', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'liqd-cap-'));
    try {
      const file = path.join(dir, 'c.ndjson.gz');
      const w = new CaptureWriter(file, 50);
      const meta = { format: CAPTURE_FORMAT, createdAt: T, source: 'test', exchanges: ['okx'], rest: { okx: { SWAP: { code: '0', data: [] } } } };
      w.writeMeta(meta);
      const frames: CaptureFrame[] = [
        { t: T + 1, venue: 'okx', frame: 'garbage {"not json' },
        { t: T + 2, venue: 'bybit-linear', frame: '{ "topic" : "allLiquidation.BTCUSDT", "data": [] }\u2028é' },
      ];
      for (const f of frames) w.writeFrame(f);
      // Sync-flushed: the partial file already decodes while the writer is open.
      await waitFor(async () => (await loadCapture(file, { partial: true }).catch(() => undefined))?.frames.length === 2, 'partial read');
      await w.close();
      expect(gunzipSync(readFileSync(file)).toString().split('\n').filter(Boolean)).toHaveLength(3);
      const back = await loadCapture(file);
      expect(back.meta).toEqual(meta);
      expect(back.frames).toEqual(frames);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects a missing file, partial or not, without an uncaught stream error', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'liqd-cap-'));
    try {
      const file = path.join(dir, 'not-yet.ndjson.gz');
      // Before the fix the read stream opened ahead of the magic check emitted ENOENT with no listener, which
      // vitest reports as an unhandled error and fails the run.
      await expect(loadCapture(file, { partial: true })).rejects.toMatchObject({ code: 'ENOENT' });
      await expect(loadCapture(file)).rejects.toMatchObject({ code: 'ENOENT' });
      await new Promise((r) => setTimeout(r, 50));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a file without a meta line', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'liqd-cap-'));
    try {
      const file = path.join(dir, 'c.ndjson');
      const w = new CaptureWriter(file);
      w.writeFrame({ t: 1, venue: 'okx', frame: 'x' });
      await w.close();
      await expect(loadCapture(file)).rejects.toThrow(/no \{"meta"/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('shiftFrame', () => {
  const D = 7 * 60_000;

  it('moves Binance E and o.T, wrapped or bare, and nothing else', () => {
    const f = binanceFrame({ symbol: 'BTCUSDT', side: 'SELL', price: '97000.10', qty: '0.0100', ts: T });
    const s = JSON.parse(shiftFrame('binance-usdm', f, D));
    const o = JSON.parse(f);
    o.data.E += D;
    o.data.o.T += D;
    expect(s).toEqual(o);
    expect(shiftFrame('binance-usdm', f, D)).toContain('"ap":"97000.10"');
    const bare = binanceFrame({ symbol: 'BTCUSD_PERP', side: 'BUY', price: '1.50', qty: '3', ts: T }, false);
    expect(JSON.parse(shiftFrame('binance-coinm', bare, -D)).o.T).toBe(T - D);
  });

  it('moves Bybit ts and every data[].T', () => {
    const f = bybitFrame([
      { symbol: 'BTCUSDT', side: 'Buy', price: '97000.00', size: '0.500', ts: T },
      { symbol: 'BTCUSDT', side: 'Sell', price: '97001.0', size: '1', ts: T + 10 },
    ]);
    const s = JSON.parse(shiftFrame('bybit-linear', f, D));
    expect(s.ts).toBe(JSON.parse(f).ts + D);
    expect(s.data.map((d: { T: number }) => d.T)).toEqual([T + D, T + 10 + D]);
    expect(s.data.map((d: { p: string; v: string }) => `${d.p}/${d.v}`)).toEqual(['97000.00/0.500', '97001.0/1']);
  });

  it('moves OKX details[].ts as digit strings', () => {
    const f = okxFrame('SWAP', [{ instId: 'BTC-USDT-SWAP', details: [{ posSide: 'long', side: 'sell', bkPx: '96000.0', sz: '1.00', ts: T }] }]);
    const s = JSON.parse(shiftFrame('okx', f, D));
    expect(s.data[0].details[0]).toMatchObject({ ts: String(T + D), bkPx: '96000.0', sz: '1.00' });
  });

  it('leaves garbage, acks, pongs and a zero shift untouched', () => {
    for (const f of ['pong', '{"event":"subscribe","arg":{"channel":"liquidation-orders","instType":"SWAP"}}', 'not json', '{"result":null,"id":1}']) {
      expect(shiftFrame('okx', f, D)).toBe(f);
      expect(shiftFrame('binance-usdm', f, D)).toBe(f);
    }
    const f = '{ "topic": "allLiquidation.X", "ts": 1 }';
    expect(shiftFrame('bybit-linear', f, 0)).toBe(f);
  });

  it('default shift is whole minutes and puts the end at or just before the target', () => {
    const s = defaultShift(T + 12_345, T + 10 * 60_000 + 59_999 + 12_345);
    expect(s % 60_000).toBe(0);
    expect(s).toBe(10 * 60_000);
  });
});
