// The stand-in exchange servers, exercised with real `ws` clients and fetch: if these pass, the servers speak the
// exchanges' protocols closely enough for the daemon's tests to mean something.
import { describe, it, expect } from 'vitest';
import { setTimeout as sleep } from 'node:timers/promises';
import type { IncomingMessage } from 'node:http';
import { WebSocket } from 'ws';
import {
  DELIVERY,
  startStandins,
  manyBybitLinear,
  defaultBybitInverse,
  defaultBybitLinear,
  type BinanceCoinmSymbol,
  type StandinOptions,
  type Standins,
} from '../support/venues.js';
import { Probe } from '../support/ws-probe.js';

async function withStandins(opts: StandinOptions | undefined, fn: (s: Standins) => Promise<void>): Promise<void> {
  const s = await startStandins(opts);
  try {
    await fn(s);
  } finally {
    await s.close();
  }
}

async function getJson(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(url);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const liqFrame = (topic: string, symbol: string) =>
  JSON.stringify({
    topic,
    type: 'snapshot',
    ts: 1_700_000_000_000,
    data: [{ T: 1_700_000_000_000, s: symbol, S: 'Sell', v: '0.010', p: '43000.10' }],
  });

describe('bybit', () => {
  it('paginates >1000 instruments with limit=1000, following the cursor to the end, each symbol once', async () => {
    const linear = manyBybitLinear(2345);
    await withStandins({ bybitInstruments: { linear, inverse: defaultBybitInverse() } }, async (s) => {
      const seen: string[] = [];
      let cursor = '';
      let pages = 0;
      do {
        const q = `category=linear&limit=1000${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
        const { status, body } = await getJson(`${s.env.BYBIT_REST_URL}/v5/market/instruments-info?${q}`);
        expect(status).toBe(200);
        expect(body.retCode).toBe(0);
        const result = body.result as { category: string; list: { symbol: string }[]; nextPageCursor: string };
        expect(result.category).toBe('linear');
        expect(result.list.length).toBeLessThanOrEqual(1000);
        seen.push(...result.list.map((i) => i.symbol));
        cursor = result.nextPageCursor;
        pages++;
        expect(pages).toBeLessThan(10);
      } while (cursor !== '');
      expect(pages).toBe(3);
      expect(seen.length).toBe(2345);
      expect(new Set(seen).size).toBe(2345);
      expect(new Set(seen)).toEqual(new Set(linear.map((i) => i.symbol)));
      expect(seen).toContain('BTCPERP');
      expect(seen).toContain(`BTCUSDT-${DELIVERY.bybitLinear}`);

      // Default limit is 500; more than 1000 is capped; the requests were recorded by the linear venue.
      const first = await getJson(`${s.env.BYBIT_REST_URL}/v5/market/instruments-info?category=linear`);
      const firstResult = first.body.result as { list: { symbol: string }[]; nextPageCursor: string };
      expect(firstResult.list.length).toBe(500);
      // The cursor works whether the client URL-encodes it (as it should) or pastes it raw.
      const raw = await getJson(
        `${s.env.BYBIT_REST_URL}/v5/market/instruments-info?category=linear&limit=1&cursor=${firstResult.nextPageCursor}`,
      );
      expect((raw.body.result as { list: { symbol: string }[] }).list[0].symbol).toBe(seen[500]);
      const capped = await getJson(`${s.env.BYBIT_REST_URL}/v5/market/instruments-info?category=linear&limit=5000`);
      expect((capped.body.result as { list: unknown[] }).list.length).toBe(1000);
      expect(s.venues['bybit-linear'].restRequests()).toHaveLength(6);
      expect(s.venues['bybit-inverse'].restRequests()).toHaveLength(0);

      const inv = await getJson(`${s.env.BYBIT_REST_URL}/v5/market/instruments-info?category=inverse`);
      const invResult = inv.body.result as { list: { symbol: string; contractType: string }[]; nextPageCursor: string };
      expect(invResult.list.map((i) => i.symbol)).toEqual(['BTCUSD', `BTCUSD${DELIVERY.bybitInverse}`, 'ETHUSD', 'SOLUSD']);
      expect(invResult.nextPageCursor).toBe('');
      expect(s.venues['bybit-inverse'].restRequests()).toEqual(['/v5/market/instruments-info?category=inverse']);
    });
  });

  it('acks subscribe and delivers a topic only to its subscribers, per category', async () => {
    await withStandins(undefined, async (s) => {
      const a = await Probe.open(s.env.BYBIT_LINEAR_WS_URL);
      const b = await Probe.open(s.env.BYBIT_LINEAR_WS_URL);
      const inv = await Probe.open(s.env.BYBIT_INVERSE_WS_URL);
      a.send({ req_id: 'r1', op: 'subscribe', args: ['allLiquidation.BTCUSDT', 'allLiquidation.BTCPERP'] });
      const ack = await a.nextObject();
      expect(ack).toEqual({ success: true, ret_msg: '', conn_id: expect.any(String), req_id: 'r1', op: 'subscribe' });
      b.send({ req_id: 'r2', op: 'subscribe', args: ['allLiquidation.ETHUSDT', 'allLiquidation.NOPEUSDT', 'orderbook.1.BTCUSDT'] });
      const bad = await b.nextObject();
      expect(bad.success).toBe(false);
      expect(bad.ret_msg).toBe(
        'error:handler not found,topic:allLiquidation.NOPEUSDT;error:handler not found,topic:orderbook.1.BTCUSDT',
      );
      // An inverse symbol is not a linear topic, and vice versa.
      inv.send({ req_id: 'r3', op: 'subscribe', args: ['allLiquidation.BTCUSD', 'allLiquidation.BTCUSDT'] });
      expect((await inv.nextObject()).ret_msg).toBe('error:handler not found,topic:allLiquidation.BTCUSDT');
      expect(s.venues['bybit-linear'].subscriptions()).toEqual([
        ['allLiquidation.BTCUSDT', 'allLiquidation.BTCPERP'],
        ['allLiquidation.ETHUSDT'],
      ]);
      expect(s.venues['bybit-inverse'].subscriptions()).toEqual([['allLiquidation.BTCUSD']]);

      const btc = liqFrame('allLiquidation.BTCUSDT', 'BTCUSDT');
      const eth = liqFrame('allLiquidation.ETHUSDT', 'ETHUSDT');
      expect(s.send('bybit-linear', btc)).toBe(1);
      expect(s.send('bybit-linear', eth)).toBe(1);
      expect(await a.next()).toBe(btc); // verbatim
      expect(await b.next()).toBe(eth); // b's first data frame is ETH: it never got BTC
      expect(s.send('bybit-linear', liqFrame('allLiquidation.SOLUSDT', 'SOLUSDT'))).toBe(0);
      const invFrame = liqFrame('allLiquidation.BTCUSD', 'BTCUSD');
      expect(s.send('bybit-inverse', invFrame)).toBe(1);
      expect(await inv.next()).toBe(invFrame);

      // Subscribing twice is an error on the real exchange too.
      a.send({ req_id: 'r4', op: 'subscribe', args: ['allLiquidation.BTCUSDT'] });
      expect((await a.nextObject()).ret_msg).toBe('error:already subscribed,topic:allLiquidation.BTCUSDT');
      a.send({ req_id: 'r5', op: 'unsubscribe', args: ['allLiquidation.BTCUSDT'] });
      expect(await a.nextObject()).toMatchObject({ success: true, req_id: 'r5', op: 'unsubscribe' });
      expect(s.send('bybit-linear', btc)).toBe(0);

      // Garbage goes to every connection of the venue; garbage from a client is recorded, not fatal.
      expect(s.send('bybit-linear', 'garbage')).toBe(2);
      expect(await a.next()).toBe('garbage');
      a.send('\u0000not json{');
      expect((await a.nextObject()).success).toBe(false);
      expect(s.venues['bybit-linear'].received()).toContain('\u0000not json{');
      for (const c of [a, b, inv]) c.close();
    });
  });

  it('refuses a subscribe whose args exceed 21,000 characters, subscribing nothing', async () => {
    const linear = manyBybitLinear(1500);
    await withStandins({ bybitInstruments: { linear, inverse: defaultBybitInverse() } }, async (s) => {
      const c = await Probe.open(s.env.BYBIT_LINEAR_WS_URL);
      const topics = linear.map((i) => `allLiquidation.${i.symbol}`);
      expect(topics.join(',').length).toBeGreaterThan(21_000);
      c.send({ req_id: 'big', op: 'subscribe', args: topics });
      expect(await c.nextObject()).toEqual({
        success: false,
        ret_msg: 'args size >21000',
        conn_id: expect.any(String),
        req_id: 'big',
        op: 'subscribe',
      });
      expect(s.venues['bybit-linear'].subscriptions()).toEqual([[]]);
      // Just under the limit is fine.
      let n = 0;
      while (topics.slice(0, n + 1).join(',').length <= 21_000) n++;
      c.send({ req_id: 'ok', op: 'subscribe', args: topics.slice(0, n) });
      expect((await c.nextObject()).success).toBe(true);
      expect(s.venues['bybit-linear'].subscriptions()[0]).toHaveLength(n);
      c.close();
    });
  });

  it('answers op:ping with pong, and stops when unresponsive', async () => {
    await withStandins(undefined, async (s) => {
      const c = await Probe.open(s.env.BYBIT_INVERSE_WS_URL);
      c.send({ req_id: 'p1', op: 'ping' });
      const pong = await c.nextObject();
      expect(pong).toEqual({ success: true, ret_msg: 'pong', conn_id: expect.any(String), req_id: 'p1', op: 'ping' });
      s.venues['bybit-inverse'].setUnresponsive(true);
      c.send({ req_id: 'p2', op: 'ping' });
      await expect(c.next(300)).rejects.toThrow(/no message/);
      // Data still flows while keepalives are ignored.
      c.send({ req_id: 's', op: 'subscribe', args: ['allLiquidation.ETHUSD'] });
      expect((await c.nextObject()).success).toBe(true);
      expect(s.send('bybit-inverse', liqFrame('allLiquidation.ETHUSD', 'ETHUSD'))).toBe(1);
      expect((await c.nextObject()).topic).toBe('allLiquidation.ETHUSD');
      c.close();
    });
  });

  it('closes a connection idle past bybitIdleCloseMs; data frames count as activity', async () => {
    await withStandins({ bybitIdleCloseMs: 300 }, async (s) => {
      const idle = await Probe.open(s.env.BYBIT_LINEAR_WS_URL);
      const fed = await Probe.open(s.env.BYBIT_LINEAR_WS_URL);
      fed.send({ op: 'subscribe', args: ['allLiquidation.BTCUSDT'] });
      for (let i = 0; i < 10; i++) {
        await sleep(50);
        s.send('bybit-linear', liqFrame('allLiquidation.BTCUSDT', 'BTCUSDT'));
      }
      expect(idle.closeCode).toBe(1000);
      expect(fed.closeCode).toBeUndefined();
      fed.close();
    });
  });
});

describe('okx', () => {
  it('answers text ping with text pong, acks subscribe and delivers by instType', async () => {
    await withStandins(undefined, async (s) => {
      const swap = await Probe.open(s.env.OKX_WS_URL);
      const fut = await Probe.open(s.env.OKX_WS_URL);
      swap.send('ping');
      expect(await swap.next()).toBe('pong');
      swap.send({ op: 'subscribe', args: [{ channel: 'liquidation-orders', instType: 'SWAP' }] });
      expect(await swap.nextObject()).toEqual({
        event: 'subscribe',
        arg: { channel: 'liquidation-orders', instType: 'SWAP' },
        connId: expect.stringMatching(/^[0-9a-f]{8}$/),
      });
      fut.send({ op: 'subscribe', args: [{ channel: 'liquidation-orders', instType: 'FUTURES' }] });
      expect((await fut.nextObject()).event).toBe('subscribe');
      expect(s.venues.okx.subscriptions()).toEqual([['liquidation-orders:SWAP'], ['liquidation-orders:FUTURES']]);

      const frame = JSON.stringify({
        arg: { channel: 'liquidation-orders', instType: 'SWAP' },
        data: [
          {
            instId: 'BTC-USDT-SWAP',
            instType: 'SWAP',
            instFamily: 'BTC-USDT',
            uly: 'BTC-USDT',
            details: [{ posSide: 'long', side: 'sell', bkPx: '43000.1', sz: '12', ts: '1700000000000', bkLoss: '0', ccy: '' }],
          },
        ],
      });
      expect(s.send('okx', frame)).toBe(1);
      expect(await swap.next()).toBe(frame);
      expect(s.send('okx', 'garbage')).toBe(2);
      expect(await fut.next()).toBe('garbage'); // FUTURES never got the SWAP frame
      expect(await swap.next()).toBe('garbage');

      // Bad requests: unreadable or missing fields → 60012; unknown channel → 60018; nothing subscribed.
      fut.send('{"op":"subscribe","args":[{"channel":"liquidation-orders"}]}');
      expect(await fut.nextObject()).toMatchObject({ event: 'error', code: '60012', msg: expect.stringMatching(/^Invalid request: /) });
      fut.send('not json');
      expect((await fut.nextObject()).code).toBe('60012');
      fut.send({ op: 'subscribe', args: [{ channel: 'liquidations', instType: 'SWAP' }] });
      expect((await fut.nextObject()).code).toBe('60018');
      expect(s.venues.okx.subscriptions()).toEqual([['liquidation-orders:SWAP'], ['liquidation-orders:FUTURES']]);

      s.venues.okx.setUnresponsive(true);
      swap.send('ping');
      await expect(swap.next(300)).rejects.toThrow(/no message/);
      swap.close();
      fut.close();
    });
  });

  it('closes a connection that sent nothing for okxIdleCloseMs with 4004; pinging keeps it open', async () => {
    await withStandins({ okxIdleCloseMs: 300 }, async (s) => {
      const silent = await Probe.open(s.env.OKX_WS_URL);
      const pinger = await Probe.open(s.env.OKX_WS_URL);
      const t0 = Date.now();
      for (let i = 0; i < 10; i++) {
        await sleep(50);
        pinger.send('ping');
      }
      expect(await silent.closed).toBe(4004);
      expect(Date.now() - t0).toBeGreaterThanOrEqual(290);
      expect(pinger.closeCode).toBeUndefined();
      expect(s.venues.okx.connections()).toBe(1);
      pinger.close();
    });
  });

  it('serves instruments by instType', async () => {
    await withStandins(undefined, async (s) => {
      const swap = await getJson(`${s.env.OKX_REST_URL}/api/v5/public/instruments?instType=SWAP`);
      expect(swap.body.code).toBe('0');
      const ids = (swap.body.data as { instId: string }[]).map((i) => i.instId);
      expect(ids).toEqual(expect.arrayContaining(['BTC-USDT-SWAP', 'BTC-USD-SWAP']));
      const fut = await getJson(`${s.env.OKX_REST_URL}/api/v5/public/instruments?instType=FUTURES`);
      expect(fut.body.data).toEqual([
        expect.objectContaining({ instId: `BTC-USD-${DELIVERY.yymmdd}`, ctType: 'inverse', ctVal: '100', expTime: String(DELIVERY.ms) }),
        expect.objectContaining({ instId: `ETH-USD-${DELIVERY.yymmdd}` }),
      ]);
      const bad = await getJson(`${s.env.OKX_REST_URL}/api/v5/public/instruments?instType=PERP`);
      expect(bad.body.code).toBe('51000');
      expect(s.venues.okx.restRequests()).toEqual([
        '/api/v5/public/instruments?instType=SWAP',
        '/api/v5/public/instruments?instType=FUTURES',
        '/api/v5/public/instruments?instType=PERP',
      ]);
    });
  });
});

describe('binance', () => {
  it('sends ping frames, delivers frames to every connection, acks SUBSCRIBE, survives garbage', async () => {
    await withStandins({ binancePingIntervalMs: 50 }, async (s) => {
      const usdm = await Probe.open(s.env.BINANCE_USDM_WS_URL);
      const raw = await Probe.open(s.env.BINANCE_USDM_WS_URL.replace(/\/market\/stream\?streams=/, '/market/ws/'));
      const coinm = await Probe.open(s.env.BINANCE_COINM_WS_URL);
      await s.venues['binance-usdm'].waitFor(() => usdm.pings >= 2 && raw.pings >= 2, 2000);
      expect(coinm.pings).toBeGreaterThanOrEqual(1);
      expect(s.venues['binance-usdm'].subscriptions()).toEqual([['!forceOrder@arr'], ['!forceOrder@arr']]);

      const frame = JSON.stringify({
        stream: '!forceOrder@arr',
        data: { e: 'forceOrder', E: 1, o: { s: 'BTCUSDT', S: 'SELL', q: '0.014', ap: '43000.10', z: '0.014', T: 1 } },
      });
      expect(s.send('binance-usdm', frame)).toBe(2);
      expect(await usdm.next()).toBe(frame);
      expect(await raw.next()).toBe(frame);
      expect(s.send('binance-coinm', 'garbage')).toBe(1);
      expect(await coinm.next()).toBe('garbage');

      usdm.send('{{{ garbage');
      usdm.send({ method: 'SUBSCRIBE', params: ['btcusdt@forceOrder'], id: 7 });
      expect(await usdm.nextObject()).toEqual({ result: null, id: 7 });
      expect(s.venues['binance-usdm'].received()).toEqual(['{{{ garbage', '{"method":"SUBSCRIBE","params":["btcusdt@forceOrder"],"id":7}']);
      for (const c of [usdm, raw, coinm]) c.close();
    });
  });

  it('terminates a client that never answers its pings', async () => {
    await withStandins({ binancePingIntervalMs: 40, binancePongTimeoutMs: 150 }, async (s) => {
      const mute = await Probe.open(s.env.BINANCE_COINM_WS_URL, { autoPong: false });
      const good = await Probe.open(s.env.BINANCE_COINM_WS_URL);
      expect(await mute.closed).toBe(1006);
      await sleep(100);
      expect(good.closeCode).toBeUndefined();
      expect(s.venues['binance-coinm'].connections()).toBe(1);
      good.close();
    });
  });

  it('serves COIN-M exchangeInfo, 503 while REST is down, 404 JSON for unknown paths', async () => {
    await withStandins(undefined, async (s) => {
      const url = `${s.env.BINANCE_COINM_REST_URL}/dapi/v1/exchangeInfo`;
      const ok = await fetch(url);
      expect(ok.status).toBe(200);
      const text = await ok.text();
      expect(text).toContain('"contractSize":100,'); // a JSON number, as the real API sends it
      const info = JSON.parse(text) as { timezone: string; symbols: BinanceCoinmSymbol[] };
      expect(info.timezone).toBe('UTC');
      expect(info.symbols.map((x) => [x.symbol, x.contractSize])).toEqual(
        expect.arrayContaining([['BTCUSD_PERP', 100], ['ETHUSD_PERP', 10], [`BTCUSD_${DELIVERY.yymmdd}`, 100]]),
      );

      s.venues['binance-coinm'].setRestDown(true);
      expect((await fetch(url)).status).toBe(503);
      s.venues['binance-coinm'].setRestDown(false);

      // New listing at run time.
      s.setInstruments({ binanceCoinmSymbols: [{ ...info.symbols[0], symbol: 'XRPUSD_PERP', pair: 'XRPUSD', contractSize: 10 }] });
      const after = (await getJson(url)).body as { symbols: { symbol: string }[] };
      expect(after.symbols.map((x) => x.symbol)).toEqual(['XRPUSD_PERP']);

      const missing = await fetch(`${s.env.BINANCE_COINM_REST_URL}/nope?x=1`);
      expect(missing.status).toBe(404);
      expect(missing.headers.get('content-type')).toBe('application/json');
      await missing.json();
      expect((await fetch(`${s.env.BYBIT_REST_URL}/v5/market/tickers?category=linear`)).status).toBe(404);
      expect(s.venues['binance-coinm'].restRequests()).toEqual([
        '/dapi/v1/exchangeInfo',
        '/dapi/v1/exchangeInfo',
        '/dapi/v1/exchangeInfo',
        '/nope?x=1',
      ]);

      s.venues['bybit-linear'].setRestDown(true);
      expect((await fetch(`${s.env.BYBIT_REST_URL}/v5/market/instruments-info?category=linear`)).status).toBe(503);
      expect((await fetch(`${s.env.BYBIT_REST_URL}/v5/market/instruments-info?category=inverse`)).status).toBe(200);
    });
  });
});

describe('misbehaviour switches', () => {
  it('rejectUpgrades(1, 429, 2) answers one upgrade with 429 and Retry-After, then accepts', async () => {
    await withStandins(undefined, async (s) => {
      s.venues['bybit-linear'].rejectUpgrades(1, 429, 2);
      const ws = new WebSocket(s.env.BYBIT_LINEAR_WS_URL);
      const res = await new Promise<IncomingMessage>((resolve, reject) => {
        ws.on('unexpected-response', (_req, r) => resolve(r));
        ws.on('open', () => reject(new Error('upgrade was accepted')));
        ws.on('error', reject);
      });
      expect(res.statusCode).toBe(429);
      expect(res.headers['retry-after']).toBe('2');
      res.resume();
      ws.terminate();
      const ok = await Probe.open(s.env.BYBIT_LINEAR_WS_URL);
      expect(s.venues['bybit-linear'].totalConnections()).toBe(1);
      expect(s.venues['bybit-linear'].upgradeAttempts()).toBe(2);

      s.venues.okx.rejectUpgrades(2, 503);
      for (let i = 0; i < 2; i++) {
        await expect(Probe.open(s.env.OKX_WS_URL)).rejects.toThrow(/503/);
      }
      (await Probe.open(s.env.OKX_WS_URL)).close();
      await expect(Probe.open(`ws://127.0.0.1:${new URL(s.env.OKX_WS_URL).port}/ws/v5/private-nope`)).rejects.toThrow(/404/);
      ok.close();
    });
  });

  it('setUnresponsive(true) stops pongs to WebSocket ping frames', async () => {
    await withStandins(undefined, async (s) => {
      const c = await Probe.open(s.env.BINANCE_USDM_WS_URL);
      c.ws.ping();
      await s.venues['binance-usdm'].waitFor(() => c.pongs === 1, 1000);
      s.venues['binance-usdm'].setUnresponsive(true);
      c.ws.ping();
      await sleep(300);
      expect(c.pongs).toBe(1);
      expect(s.send('binance-usdm', 'still flowing')).toBe(1);
      expect(await c.next()).toBe('still flowing');
      s.venues['binance-usdm'].setUnresponsive(false);
      c.ws.ping();
      await s.venues['binance-usdm'].waitFor(() => c.pongs === 2, 1000);
      c.close();
    });
  });

  it('dropAll() terminates every open connection without a close frame', async () => {
    await withStandins(undefined, async (s) => {
      const a = await Probe.open(s.env.OKX_WS_URL);
      const b = await Probe.open(s.env.OKX_WS_URL);
      expect(s.venues.okx.connections()).toBe(2);
      s.venues.okx.dropAll();
      expect(await a.closed).toBe(1006);
      expect(await b.closed).toBe(1006);
      await s.venues.okx.waitFor(() => s.venues.okx.connections() === 0);
      expect(s.venues.okx.totalConnections()).toBe(2);
      await expect(s.venues.okx.waitFor(() => false, 50)).rejects.toThrow(/timed out/);
    });
  });

  it('close() leaves no sockets, servers or timers behind', async () => {
    const watched = ['TCPServerWrap', 'TCPSocketWrap', 'Timeout'];
    const count = () => {
      const counts: Record<string, number> = {};
      for (const r of process.getActiveResourcesInfo()) if (watched.includes(r)) counts[r] = (counts[r] ?? 0) + 1;
      return counts;
    };
    await sleep(50);
    const before = count();
    const s = await startStandins({ binancePingIntervalMs: 1000, okxIdleCloseMs: 5000 }, ['binance', 'bybit', 'okx']);
    const clients = await Promise.all([
      Probe.open(s.env.BINANCE_USDM_WS_URL),
      Probe.open(s.env.BINANCE_COINM_WS_URL),
      Probe.open(s.env.BYBIT_LINEAR_WS_URL),
      Probe.open(s.env.BYBIT_INVERSE_WS_URL),
      Probe.open(s.env.OKX_WS_URL),
    ]);
    await (await fetch(`${s.env.BYBIT_REST_URL}/v5/market/instruments-info?category=linear`)).json();
    await (await fetch(`${s.env.OKX_REST_URL}/api/v5/public/instruments?instType=SWAP`)).json();
    // one listening server per port the stand-ins serve on (Binance's two hosts, one each for the other venues)
    const ports = new Set(Object.values(s.env).map((u) => new URL(u).port));
    expect(count().TCPServerWrap ?? 0).toBe((before.TCPServerWrap ?? 0) + ports.size);
    await s.close();
    await s.close(); // idempotent
    const codes = await Promise.all(clients.map((c) => c.closed));
    expect(codes.every((c) => c === 1006)).toBe(true);
    await s.venues.okx.waitFor(() => {
      const now = count();
      return watched.every((k) => (now[k] ?? 0) <= (before[k] ?? 0));
    }, 3000);
    await expect(fetch(`${s.env.OKX_REST_URL}/api/v5/public/instruments?instType=SWAP`)).rejects.toThrow();
  });
});
