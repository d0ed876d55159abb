// Alerts, exactly once: decided and recorded by the write script itself, so a threshold crossed by one write or by
// the sum of several batches fires once, two writers (and two real daemons fed the same frames) record one alert,
// and the webhook gets one POST per alert, retried with the same Idempotency-Key after a 500.
import { execFile, spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseDecimal } from '../../src/core/decimal.js';
import { makeLinearEvent, type LiquidationEvent } from '../../src/core/event.js';
import { aggKey, minuteOf, periodOf } from '../../src/core/keys.js';
import { alertFromEntry } from '../../src/engine/alert.js';
import { BucketWriter } from '../../src/engine/writer.js';
import { waitUntil } from '../support/daemon.js';
import { redisForFile } from '../support/redis-file.js';
import { daemonsPerTest } from '../support/venue-harness.js';
import { binanceFrame } from '../support/venues.js';

const NOW = Date.now();
const M1 = minuteOf(NOW) - 5 * 60_000;
const M2 = M1 + 60_000;

function usd(symbol: string, ts: number, dollars: string): LiquidationEvent {
  const e = makeLinearEvent({ exchange: 'binance', symbol, side: 'long', ts, priceText: '1', sizeText: dollars }, parseDecimal('1')!, parseDecimal(dollars)!);
  if (typeof e === 'string') throw new Error(e);
  return e;
}

const redis = redisForFile({ flushEachTest: true });

async function streamAlerts() {
  return (await redis.db.xrange('liq:alerts', '-', '+')).map(([, f]) => alertFromEntry(f)!);
}

// ALERT_MIN_USD $1,000, ALERT_MINUTE_USD $5,000
const alerts = { minCents: 100_000, minuteCents: 500_000, retentionMs: 86_400_000 };
const opts = { bucketRetentionHours: 168, eventLogRetentionHours: 24, alerts };

describe('alerts recorded by the write script', () => {
  it('a minute crossed by the sum of several batches, a minute crossed by one write, single liquidations; each once', async () => {
    const sub = redis.client();
    const published: string[] = [];
    await sub.subscribe('liq:alerts');
    sub.on('message', (_ch, msg) => published.push(msg));
    const w = new BucketWriter(redis.db, opts);
    const e2 = usd('ETHUSDT', M1 + 2, '1500');
    const e3 = usd('BTCUSDT', M1 + 3, '2000');
    // M1: ALL goes 2,100 → 4,100 → 5,050 (crossed by the third batch) → 5,550
    expect((await w.write([usd('BTCUSDT', M1 + 1, '600'), e2], NOW)).alerts.map((a) => a.fields.id)).toEqual([e2.id]);
    expect((await w.write([e3], NOW)).alerts.map((a) => a.fields.id)).toEqual([e3.id]);
    const third = await w.write([usd('BTCUSDT', M1 + 4, '950')], NOW);
    expect(third.alerts.map((a) => a.fields)).toEqual([
      { id: `${M1}|ALL|500000`, kind: 'minute', at: String(NOW), minute: String(M1), symbol: 'ALL', threshold_cents: '500000', value_cents: '505000' },
    ]);
    expect((await w.write([usd('BTCUSDT', M1 + 5, '500')], NOW)).alerts).toEqual([]);
    // M2: SOL crosses by one write of two events (and so does ALL); both events are single alerts too
    const e6 = usd('SOLUSDT', M2 + 1, '3000');
    const e7 = usd('SOLUSDT', M2 + 2, '2500');
    const r = await w.write([e6, e7], NOW);
    expect(r.alerts.map((a) => a.fields.id).sort()).toEqual([e6.id, e7.id, `${M2}|ALL|500000`, `${M2}|SOLUSDT|500000`].sort());
    // repeats and a second writer: nothing new
    const again = await new BucketWriter(redis.client(), opts).write([e2, e3, e6, e7], NOW);
    expect(again.alerts).toEqual([]);
    const stream = await streamAlerts();
    expect(stream.map((a) => a.id).sort()).toEqual([e2.id, e3.id, `${M1}|ALL|500000`, e6.id, e7.id, `${M2}|ALL|500000`, `${M2}|SOLUSDT|500000`].sort());
    expect(stream.find((a) => a.id === e3.id)).toMatchObject({ kind: 'liquidation', symbol: 'BTCUSDT', exchange: 'binance', side: 'long', value_cents: '200000', ts: String(M1 + 3) });
    await waitUntil(() => published.length === 7, 5_000, 'seven pub/sub messages');
    expect(published.map((m) => (JSON.parse(m) as { id: string }).id).sort()).toEqual(stream.map((a) => a.id).sort());
    sub.disconnect();
  });

  it('two writers racing on the same crossing record it once', async () => {
    const a = new BucketWriter(redis.db, opts);
    const b = new BucketWriter(redis.client(), opts);
    // a $4,500 liquidation (an alert) and a $600 one (none): the market's minute reaches $5,100 (an alert)
    const batch = [usd('BTCUSDT', M1 + 1, '4500'), usd('ETHUSDT', M1 + 2, '600')];
    const [ra, rb] = await Promise.all([a.write(batch, NOW), b.write(batch, NOW)]);
    expect(ra.alerts.length + rb.alerts.length).toBe(2);
    expect(Math.min(ra.alerts.length, rb.alerts.length)).toBe(0);
    expect((await streamAlerts()).map((x) => x.kind).sort()).toEqual(['liquidation', 'minute']);
  });
});

/** A local webhook receiver: answers each POST with the next status of `script` (then 200), and records them. */
async function receiver(script: number[] = []) {
  const got: Array<{ headers: http.IncomingHttpHeaders; body: string; status: number }> = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      const status = script.shift() ?? 200;
      got.push({ headers: req.headers, body, status });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { got, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, close: () => new Promise<void>((r) => server.close(() => r())) };
}

describe('alerts from real daemons', () => {
  const harness = daemonsPerTest(redis, 'binance', 'alerts');

  it('two daemons fed the same frames: one stream entry, one pub/sub message, one signed webhook POST', async () => {
    const hook = await receiver();
    try {
      await harness.start();
      const env = { ALERT_MIN_USD: '100000', ALERT_WEBHOOK_URL: hook.url, ALERT_WEBHOOK_SECRET: 's3cret' };
      const [a, b] = [await harness.launch({ ...env, INSTANCE_ID: 'a' }), await harness.launch({ ...env, INSTANCE_ID: 'b' })];
      await waitUntil(() => harness.standins.venues['binance-usdm'].connections() === 2, 15_000, 'both daemons connected');
      const sub = redis.client();
      const published: string[] = [];
      await sub.subscribe('liq:alerts');
      sub.on('message', (_ch, m) => published.push(m));
      // $150,000.00 (an alert) and $10.00 (none); each frame reaches both daemons
      harness.standins.send('binance-usdm', binanceFrame({ symbol: 'BTCUSDT', side: 'SELL', price: '50000', qty: '3', ts: M2 + 100 }));
      harness.standins.send('binance-usdm', binanceFrame({ symbol: 'ETHUSDT', side: 'SELL', price: '1000', qty: '0.01', ts: M2 + 200 }));
      await waitUntil(async () => (await redis.db.hget(`liq:agg:ALL:60s:${M2}`, 'count')) === '2', 10_000, 'both events counted');
      // the rollups too, once: the hour and the day of both events
      expect(await redis.db.hget(aggKey('ALL', '1h', periodOf(M2, '1h')), 'count')).toBe('2');
      expect(await redis.db.hget(aggKey('BTCUSDT', '1d', periodOf(M2, '1d')), 'value_cents')).toBe('15000000');
      await waitUntil(() => hook.got.length === 1, 10_000, 'the webhook POST');
      await new Promise((r) => setTimeout(r, 1000)); // time for a second POST, which must not come
      expect(hook.got).toHaveLength(1);
      expect(published).toHaveLength(1);
      const stream = await streamAlerts();
      expect(stream).toHaveLength(1);
      expect(stream[0]).toMatchObject({ kind: 'liquidation', symbol: 'BTCUSDT', value_cents: '15000000' });
      const post = hook.got[0];
      expect(JSON.parse(post.body)).toEqual(stream[0]);
      expect(post.body).toBe(published[0]);
      expect(post.headers['idempotency-key']).toBe(stream[0].id);
      expect(post.headers['x-liqd-signature']).toBe(`sha256=${createHmac('sha256', 's3cret').update(post.body).digest('hex')}`);
      expect(post.headers['content-type']).toBe('application/json');
      // the instance whose write recorded it counted it; the other did not
      const counted = await Promise.all([a, b].map(async (d) => /liq_alerts_total\{kind="liquidation"\} 1/.test(await d.metrics())));
      expect(counted.filter(Boolean)).toHaveLength(1);
      sub.disconnect();
    } finally {
      await hook.close();
    }
  });

  it('a webhook answering 500 and then 200 gets the alert once, with the same Idempotency-Key on both tries', async () => {
    const hook = await receiver([500]);
    try {
      await harness.start();
      const d = await harness.launch({ ALERT_MIN_USD: '1000', ALERT_WEBHOOK_URL: hook.url });
      await waitUntil(() => harness.standins.venues['binance-usdm'].connections() === 1, 15_000, 'connected');
      harness.standins.send('binance-usdm', binanceFrame({ symbol: 'SOLUSDT', side: 'BUY', price: '150', qty: '10', ts: M2 + 300 }));
      await waitUntil(() => hook.got.length === 2, 15_000, 'a retry after the 500');
      await new Promise((r) => setTimeout(r, 500));
      expect(hook.got.map((g) => g.status)).toEqual([500, 200]);
      expect(hook.got[1].headers['idempotency-key']).toBe(hook.got[0].headers['idempotency-key']);
      expect(hook.got[1].body).toBe(hook.got[0].body);
      expect(hook.got[0].headers['x-liqd-signature']).toBeUndefined();
      const m = await d.metrics();
      expect(m).toMatch(/liq_alert_webhook_total\{result="delivered"\} 1/);
      expect(m).toMatch(/liq_alert_webhook_total\{result="retried"\} 1/);
      expect(m).toMatch(/liq_liquidated_usd_total\{exchange="binance",side="short"\} 1500/);
      expect(m).toMatch(/liq_liquidations_total\{exchange="binance",side="short"\} 1/);
      expect(d.logs.some((l) => l.msg === 'alert webhook try failed; retrying' && l.error === 'HTTP 500')).toBe(true);
    } finally {
      await hook.close();
    }
  });
});

describe('liqd alerts', () => {
  const script = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../dist/scripts/alerts.js');
  it('prints the latest (--once, as a table or JSON lines) and then tails new ones as they are recorded', async () => {
    const w = new BucketWriter(redis.db, opts);
    const e1 = usd('BTCUSDT', M1 + 1, '1500');
    await w.write([e1], NOW);
    const run = (args: string[]) =>
      new Promise<{ code: number; stdout: string }>((resolve) =>
        execFile(process.execPath, [script, ...args], { env: { PATH: process.env.PATH ?? '', REDIS_URL: redis.url } }, (err, stdout) =>
          resolve({ code: err ? Number(err.code) : 0, stdout }),
        ),
      );
    const table = await run(['--once']);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ {2}LIQUIDATION {2}\d\d:\d\d BTCUSDT binance long \$1,500\.00 \(1 × 1500\)\n$/);
    const json = await run(['--once', '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({ id: e1.id, kind: 'liquidation', value_cents: '150000', symbol: 'BTCUSDT' });
    // tail: a new alert appears on stdout as it is recorded
    const child = spawn(process.execPath, [script, '--json', '--count', '0'], { env: { PATH: process.env.PATH ?? '', REDIS_URL: redis.url } });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    try {
      // written once the tail is blocked in XREAD ('$': only what comes after), not after a guessed delay
      await waitUntil(async () => String(await redis.db.call('CLIENT', 'LIST')).includes('cmd=xread'), 10_000, 'the tail blocked in XREAD');
      const e2 = usd('ETHUSDT', M1 + 2, '2500');
      await w.write([e2], NOW);
      await waitUntil(() => out.includes(e2.id), 10_000, 'the new alert on stdout');
      expect(out.trim().split('\n').map((l) => (JSON.parse(l) as { id: string }).id)).toEqual([e2.id]);
    } finally {
      child.kill('SIGINT');
    }
    expect(await new Promise((r) => child.once('exit', (code) => r(code)))).toBe(0);
  });
});
