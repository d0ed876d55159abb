// OKX gap backfill against the stand-in's REST history and the real daemon: the same liquidation in the stream's
// and the REST shape has one identity; start-up fetches the last hour; a reconnect's gap is filled, the overlap
// with the stream counted once; a 429 holds the venue's REST calls and the page is asked again; BACKFILL=none asks
// for nothing.
import { beforeEach, describe, expect, it } from 'vitest';
import { parseDecimal } from '../../src/core/decimal.js';
import { minuteOf } from '../../src/core/keys.js';
import { familiesFor } from '../../src/venues/okx/backfill.js';
import { parseOkx, parseOkxItems, type OkxInstrument } from '../../src/venues/okx/parser.js';
import type { OkxVenue } from '../../src/venues/okx/standin.js';
import { waitUntil } from '../support/daemon.js';
import { redisForFile } from '../support/redis-file.js';
import { daemonsPerTest } from '../support/venue-harness.js';
import { okxFrame, type OkxDetail } from '../support/venues.js';

const BTC: OkxInstrument = { symbol: 'BTCUSDT', inverse: false, contractValue: parseDecimal('0.01')! };
const ETH_INV: OkxInstrument = { symbol: 'ETHUSD', inverse: true, contractValue: parseDecimal('10')! };

describe('one liquidation, two shapes', () => {
  it('the REST item and the stream frame give the same event, identity included', () => {
    const now = Date.now();
    const d: OkxDetail = { posSide: 'net', side: 'sell', bkPx: '50000.10', sz: '2.50', ts: now - 1000 };
    const instruments = { get: (n: string) => (n === 'BTC-USDT-SWAP' ? BTC : n === 'ETH-USD-SWAP' ? ETH_INV : undefined) };
    const opts = { receivedAt: now, retentionMs: 3_600_000, instruments };
    const ws = parseOkx(okxFrame('SWAP', [{ instId: 'BTC-USDT-SWAP', details: [d] }, { instId: 'ETH-USD-SWAP', details: [{ ...d, bkPx: '3000.5', sz: '7' }] }]), opts);
    // the REST answer's items: the stream's shape plus instType, instFamily, uly, totalLoss
    const rest = parseOkxItems(
      [
        { instType: 'SWAP', instId: 'BTC-USDT-SWAP', instFamily: 'BTC-USDT', uly: 'BTC-USDT', totalLoss: '0', details: [{ bkLoss: '0', bkPx: '50000.10', ccy: '', posSide: 'net', side: 'sell', sz: '2.50', ts: String(d.ts) }] },
        { instType: 'SWAP', instId: 'ETH-USD-SWAP', instFamily: 'ETH-USD', uly: 'ETH-USD', totalLoss: '0', details: [{ bkLoss: '0', bkPx: '3000.5', ccy: '', posSide: 'net', side: 'sell', sz: '7', ts: String(d.ts) }] },
      ],
      opts,
    );
    expect(ws.events).toHaveLength(2);
    expect(rest.events).toEqual(ws.events);
    expect(rest.events[0]).toMatchObject({ symbol: 'BTCUSDT', side: 'long', price: '50000.10', valueCents: 125_000 }); // 2.50 × 0.01 BTC × 50,000.10
  });

  it('asks for the families of the symbols seen recently, or the whole listing at start-up', () => {
    const meta = new Map<string, OkxInstrument>([
      ['BTC-USDT-SWAP', BTC],
      ['ETH-USD-SWAP', ETH_INV],
      ['ETH-USD-261225', { ...ETH_INV, symbol: 'ETHUSD_261225' }],
    ]);
    const m = { get: (n: string) => meta.get(n), names: () => [...meta.keys()] };
    expect(familiesFor({ meta: m, recent: undefined })).toEqual([
      { instType: 'FUTURES', family: 'ETH-USD' },
      { instType: 'SWAP', family: 'BTC-USDT' },
      { instType: 'SWAP', family: 'ETH-USD' },
    ]);
    expect(familiesFor({ meta: m, recent: new Set(['ETHUSD']) })).toEqual([{ instType: 'SWAP', family: 'ETH-USD' }]);
  });
});

const redis = redisForFile();

describe('backfill from the OKX stand-in, through the real daemon', () => {
  const harness = daemonsPerTest(redis, 'okx', 'backfill');
  beforeEach(async () => {
    await redis.db.flushall();
  });
  const count = async (m: number) => Number((await redis.db.hget(`liq:agg:ALL:60s:${m}`, 'count')) ?? 0);

  it('start-up fills the last hour; a reconnect fills its gap, the overlap with the stream counted once; a 429 is honoured', async () => {
    await harness.start();
    const okx = harness.standins.venues.okx as unknown as OkxVenue;
    const now = Date.now();
    const before = minuteOf(now - 20 * 60_000);
    // history from before the daemon started: $1,000.00 + $300.00 (ETH-USDT-SWAP: ctVal 0.1)
    okx.addHistory('SWAP', [
      { instId: 'BTC-USDT-SWAP', details: [{ posSide: 'long', side: 'sell', bkPx: '50000', sz: '2', ts: before + 1_000 }] },
      { instId: 'ETH-USDT-SWAP', details: [{ posSide: 'short', side: 'buy', bkPx: '3000', sz: '1', ts: before + 2_000 }] },
    ]);
    const d = await harness.launch();
    await waitUntil(async () => (await count(before)) === 2, 15_000, 'the start-up backfill');
    expect(await redis.db.hget(`liq:agg:ALL:60s:${before}`, 'value_cents')).toBe(String(100_000 + 30_000));
    await d.waitForLog((l) => l.msg === 'gap backfill done (events already counted from the stream count once)' && l.startup === true);
    expect(((await d.health()).body.backfill as Record<string, { last: unknown; lastFailure: unknown }>).okx).toMatchObject({
      last: { ok: true, startup: true, events: 2 },
      lastFailure: null,
    });
    await waitUntil(() => okx.subscriptions().some((t) => t.length === 2), 10_000, 'subscribed');

    // the stream delivers L1; then the connection drops, and L2 happens while it is down
    const t = Date.now();
    const m = minuteOf(t);
    const l1: OkxDetail = { posSide: 'long', side: 'sell', bkPx: '51000', sz: '1', ts: t - 500 }; // $510.00
    const l2: OkxDetail = { posSide: 'short', side: 'buy', bkPx: '51010', sz: '3', ts: t }; // $1,530.30
    okx.send(okxFrame('SWAP', [{ instId: 'BTC-USDT-SWAP', details: [l1] }]));
    await waitUntil(async () => (await redis.db.hget(`liq:agg:BTCUSDT:60s:${minuteOf(l1.ts)}`, 'count')) === '1', 10_000, 'L1 from the stream');
    okx.addHistory('SWAP', [{ instId: 'BTC-USDT-SWAP', details: [l1, l2] }]);
    okx.rateLimit(1);
    const asked = okx.restRequests().length;
    okx.dropAll();
    const done = (l: Record<string, unknown>) => l.msg === 'gap backfill done (events already counted from the stream count once)' && l.startup === false;
    const log = await d.waitForLog(done, 20_000);
    expect(log).toMatchObject({ rateLimited: 1 });
    const after = okx.restRequests().slice(asked).filter((r) => r.startsWith('/api/v5/public/liquidation-orders'));
    // the 429'd page asked again; only the family seen recently (BTC-USDT) is asked after a reconnect
    expect(after.length).toBe(2);
    expect(after[0]).toBe(after[1]);
    expect(after[0]).toMatch(/instType=SWAP&instFamily=BTC-USDT&state=filled&limit=100$/);
    await waitUntil(async () => (await redis.db.hget(`liq:agg:BTCUSDT:60s:${m}`, 'short_value_cents')) === '153030', 10_000, 'L2 from the backfill');
    // L1 once (the stream's and the REST copy), L2 once; the start-up's BTC liquidation again in the page: once
    const l1Minute = await redis.db.hget(`liq:agg:BTCUSDT:60s:${minuteOf(l1.ts)}`, 'long_value_cents');
    expect(l1Minute).toBe('51000');
    expect(await redis.db.hget(`liq:agg:BTCUSDT:60s:${before}`, 'count')).toBe('1');
    const metrics = await d.metrics();
    expect(metrics).toMatch(/liq_backfilled_events_total\{exchange="okx"\} 5/); // 2 at start-up; then the family's page: that BTC one, L1, L2
    expect(metrics).toMatch(/liq_duplicates_total 2/);
    expect(metrics).toMatch(/liq_backfill_runs_total\{exchange="okx",result="ok"\} 2/);
  });

  it('a gap longer than a page is paged back with after (the oldest ts + 1) until a short page; each liquidation once', async () => {
    await harness.start();
    const okx = harness.standins.venues.okx as unknown as OkxVenue;
    const now = Date.now();
    // 250 liquidations of $500.00 (BTC-USDT-SWAP: ctVal 0.01, 1 contract at 50000) over the last 42 minutes, newest first
    const ts = Array.from({ length: 250 }, (_, i) => now - 60_000 - i * 10_000);
    okx.addHistory('SWAP', ts.map((t) => ({ instId: 'BTC-USDT-SWAP', details: [{ posSide: 'long', side: 'sell', bkPx: '50000', sz: '1', ts: t } as OkxDetail] })));
    const d = await harness.launch();
    await d.waitForLog((l) => l.msg === 'gap backfill done (events already counted from the stream count once)' && l.startup === true, 20_000);
    let counted = 0;
    let cents = 0;
    const sum = async () => {
      counted = 0;
      cents = 0;
      for (let m = minuteOf(ts[ts.length - 1]); m <= minuteOf(ts[0]); m += 60_000) {
        counted += await count(m);
        cents += Number((await redis.db.hget(`liq:agg:ALL:60s:${m}`, 'value_cents')) ?? 0);
      }
      return counted;
    };
    // handed to the engine when the run is done; written at its next flush
    await waitUntil(async () => (await sum()) >= 250, 10_000, 'the backfilled events written');
    await new Promise((r) => setTimeout(r, 300));
    expect(await sum()).toBe(250);
    expect(cents).toBe(250 * 50_000);
    const pages = okx.restRequests().filter((r) => r.includes('liquidation-orders') && r.includes('instFamily=BTC-USDT&'));
    // 100 newest; then below the 100th (its ts + 1: details sharing it are asked again); then a short page of 52
    expect(pages).toEqual([
      expect.stringMatching(/limit=100$/),
      expect.stringMatching(new RegExp(`limit=100&after=${ts[99] + 1}$`)),
      expect.stringMatching(new RegExp(`limit=100&after=${ts[198] + 1}$`)),
    ]);
    // the two liquidations on the pages' edges came twice and count once
    expect(await d.metrics()).toMatch(/liq_duplicates_total 2/);
  });

  it('BACKFILL=none asks for no history', async () => {
    await harness.start();
    const okx = harness.standins.venues.okx as unknown as OkxVenue;
    const d = await harness.launch({ BACKFILL: 'none' });
    await waitUntil(() => okx.subscriptions().some((t) => t.length === 2), 10_000, 'subscribed');
    okx.dropAll();
    await waitUntil(() => okx.subscriptions().some((t) => t.length === 2), 10_000, 'subscribed again');
    await new Promise((r) => setTimeout(r, 500));
    expect(okx.restRequests().filter((r) => r.includes('liquidation-orders'))).toEqual([]);
    expect(await d.metrics()).not.toMatch(/liq_backfill_runs_total\{/);
  });
});
