// Instrument metadata over REST against a tiny local HTTP server (port 0): pagination, retries, timeouts,
// coalescing, the requestMissing rate limit and state-change callbacks.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fetchBinanceCoinmContractSizes } from '../../src/venues/binance/metadata.js';
import { fetchBybitInstruments } from '../../src/venues/bybit/metadata.js';
import type { HttpOptions } from '../../src/venues/http.js';
import { InstrumentCache, InstrumentFetchError, type InstrumentCacheOptions, type InstrumentStateChange } from '../../src/venues/metadata.js';
import { fetchOkxAllInstruments, fetchOkxInstruments } from '../../src/venues/okx/metadata.js';

/** A venue's cache as the runtime builds one: the venue's loader behind the generic cache. */
type Extras<T> = Omit<InstrumentCacheOptions<T>, 'name' | 'load'> & { http?: HttpOptions };
const withSignal = (http: HttpOptions | undefined, signal: AbortSignal): HttpOptions => ({ ...http, signal });
const binanceCoinmCache = (base: string, { http, ...rest }: Extras<unknown> = {}) =>
  new InstrumentCache({ ...rest, name: 'binance-coinm', load: (signal) => fetchBinanceCoinmContractSizes(base, withSignal(http, signal)) });
const bybitCache = (base: string, category: 'linear' | 'inverse', { http, ...rest }: Extras<unknown> = {}) =>
  new InstrumentCache({ ...rest, name: `bybit-${category}`, load: (signal) => fetchBybitInstruments(base, category, withSignal(http, signal)) });
const okxCache = (base: string, { http, ...rest }: Extras<unknown> = {}) =>
  new InstrumentCache({ ...rest, name: 'okx', load: (signal) => fetchOkxAllInstruments(base, withSignal(http, signal)) });

type Handler = (url: URL, req: http.IncomingMessage, res: http.ServerResponse) => void;

let server: http.Server;
let base = '';
let handler: Handler = (_u, _q, res) => res.end('{}');
let requests: URL[] = [];

function json(res: http.ServerResponse, body: unknown, status = 200): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    requests.push(url);
    handler(url, req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
  requests = [];
});

const FAST = { timeoutMs: 2_000, attempts: 3, backoffMs: 5 };

function bybitItem(symbol: string, contractType: string, baseCoin: string, quoteCoin: string, deliveryTime = '0') {
  return { symbol, contractType, status: 'Trading', baseCoin, quoteCoin, deliveryTime, priceScale: '2' };
}
function bybitPage(list: unknown[], nextPageCursor: string) {
  return { retCode: 0, retMsg: 'OK', result: { category: 'linear', list, nextPageCursor }, retExtInfo: {}, time: 1 };
}
function okxBody(data: unknown[]) {
  return { code: '0', msg: '', data };
}
const OKX_SWAP = [
  { instId: 'BTC-USDT-SWAP', instType: 'SWAP', ctType: 'linear', ctVal: '0.01', ctMult: '1', uly: 'BTC-USDT', expTime: '', state: 'live' },
  { instId: 'BTC-USD-SWAP', instType: 'SWAP', ctType: 'inverse', ctVal: '100', ctMult: '1', uly: 'BTC-USD', expTime: '', state: 'live' },
];
const OKX_FUTURES = [
  { instId: 'BTC-USD-261225', instType: 'FUTURES', ctType: 'inverse', ctVal: '100', ctMult: '1', uly: 'BTC-USD', expTime: '1798185600000' },
];

describe('Bybit instruments-info', () => {
  it('follows nextPageCursor over 3 pages until it is empty', async () => {
    const cursor2 = 'page2+x/=';
    const cursor3 = 'page3';
    handler = (url, _req, res) => {
      const c = url.searchParams.get('cursor');
      if (c === null) json(res, bybitPage([bybitItem('BTCUSDT', 'LinearPerpetual', 'BTC', 'USDT'), bybitItem('BTCPERP', 'LinearPerpetual', 'BTC', 'USDC')], cursor2));
      else if (c === cursor2) json(res, bybitPage([bybitItem('BTCUSDT-25DEC26', 'LinearFutures', 'BTC', 'USDT', '1798185600000')], cursor3));
      else if (c === cursor3) json(res, bybitPage([bybitItem('ETHUSDT', 'LinearPerpetual', 'ETH', 'USDT'), { symbol: 'BROKEN' }], ''));
      else json(res, { retCode: 10001, retMsg: 'bad cursor', result: {} });
    };
    const map = await fetchBybitInstruments(base, 'linear', FAST);
    expect(requests).toHaveLength(3);
    for (const u of requests) {
      expect(u.pathname).toBe('/v5/market/instruments-info');
      expect(u.searchParams.get('category')).toBe('linear');
      expect(u.searchParams.get('limit')).toBe('1000');
    }
    expect(Object.fromEntries(map)).toEqual({
      BTCUSDT: { symbol: 'BTCUSDT', inverse: false },
      BTCPERP: { symbol: 'BTCUSDC', inverse: false },
      'BTCUSDT-25DEC26': { symbol: 'BTCUSDT_261225', inverse: false },
      ETHUSDT: { symbol: 'ETHUSDT', inverse: false },
    });
  });

  it('inverse category marks instruments inverse', async () => {
    handler = (_u, _r, res) => json(res, bybitPage([bybitItem('BTCUSDZ26', 'InverseFutures', 'BTC', 'USD', '1798185600000')], ''));
    const map = await fetchBybitInstruments(base, 'inverse', FAST);
    expect(requests[0].searchParams.get('category')).toBe('inverse');
    expect(map.get('BTCUSDZ26')).toEqual({ symbol: 'BTCUSD_261225', inverse: true });
  });

  it('a repeated cursor ends with an error instead of looping', async () => {
    handler = (_u, _r, res) => json(res, bybitPage([bybitItem('BTCUSDT', 'LinearPerpetual', 'BTC', 'USDT')], 'same'));
    await expect(fetchBybitInstruments(base, 'linear', FAST)).rejects.toThrow(/cursor repeated/);
    expect(requests).toHaveLength(2);
  });

  it('a retCode other than 0 is a failure', async () => {
    handler = (_u, _r, res) => json(res, { retCode: 10006, retMsg: 'Too many visits', result: {} });
    await expect(fetchBybitInstruments(base, 'linear', FAST)).rejects.toThrow(/retCode 10006/);
  });
});

describe('HTTP retries and timeouts', () => {
  it('retries after a 503 and succeeds', async () => {
    let n = 0;
    handler = (_u, _r, res) => {
      n++;
      if (n <= 2) json(res, { error: 'unavailable' }, 503);
      else json(res, okxBody(OKX_SWAP));
    };
    const map = await fetchOkxInstruments(base, 'SWAP', FAST);
    expect(requests).toHaveLength(3);
    expect(requests[2].pathname).toBe('/api/v5/public/instruments');
    expect(requests[2].searchParams.get('instType')).toBe('SWAP');
    expect(map.get('BTC-USDT-SWAP')).toEqual({ symbol: 'BTCUSDT', inverse: false, contractValue: { m: 1n, scale: 2 } });
  });

  it('gives up after the attempts and says why', async () => {
    handler = (_u, _r, res) => json(res, {}, 503);
    const err = await fetchOkxInstruments(base, 'SWAP', FAST).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InstrumentFetchError);
    expect((err as Error).message).toMatch(/HTTP 503 \(after 3 attempts\)/);
    expect(requests).toHaveLength(3);
  });

  it('does not retry a 404', async () => {
    handler = (_u, _r, res) => json(res, {}, 404);
    await expect(fetchOkxInstruments(base, 'SWAP', FAST)).rejects.toThrow(/HTTP 404/);
    expect(requests).toHaveLength(1);
  });

  it('times out a request that never answers, per attempt', async () => {
    handler = () => {
      // never answer
    };
    const started = Date.now();
    const err = await fetchOkxInstruments(base, 'SWAP', { timeoutMs: 150, attempts: 2, backoffMs: 5 }).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/timeout after 150 ms/);
    expect(requests).toHaveLength(2);
    expect(Date.now() - started).toBeLessThan(3_000);
    server.closeAllConnections();
  });

  it('an OKX error code is reported, a body that is not JSON is retried', async () => {
    handler = (_u, _r, res) => json(res, { code: '50011', msg: 'Rate limit reached', data: [] });
    await expect(fetchOkxInstruments(base, 'FUTURES', FAST)).rejects.toThrow(/OKX code 50011/);
    requests = [];
    handler = (_u, _r, res) => res.end('<html>oops</html>');
    await expect(fetchOkxInstruments(base, 'FUTURES', FAST)).rejects.toThrow(/not JSON/);
    expect(requests).toHaveLength(3);
  });

  it('OKX SWAP and FUTURES together', async () => {
    handler = (url, _r, res) => json(res, okxBody(url.searchParams.get('instType') === 'SWAP' ? OKX_SWAP : OKX_FUTURES));
    const map = await fetchOkxAllInstruments(base, FAST);
    expect([...map.keys()].sort()).toEqual(['BTC-USD-261225', 'BTC-USD-SWAP', 'BTC-USDT-SWAP']);
    expect(map.get('BTC-USD-261225')).toEqual({ symbol: 'BTCUSD_261225', inverse: true, contractValue: { m: 100n, scale: 0 } });
  });

  it('Binance COIN-M exchangeInfo: contractSize numbers become exact Decimals', async () => {
    handler = (url, _r, res) => {
      expect(url.pathname).toBe('/dapi/v1/exchangeInfo');
      json(res, {
        timezone: 'UTC',
        symbols: [
          { symbol: 'BTCUSD_PERP', pair: 'BTCUSD', contractType: 'PERPETUAL', contractSize: 100, contractStatus: 'TRADING' },
          { symbol: 'ETHUSD_261225', pair: 'ETHUSD', contractType: 'CURRENT_QUARTER', contractSize: 10 },
          { symbol: 'ODD_PERP', contractSize: 0.1 },
          { symbol: 'NOSIZE_PERP' },
        ],
      });
    };
    const map = await fetchBinanceCoinmContractSizes(base, FAST);
    expect(Object.fromEntries(map)).toEqual({ BTCUSD_PERP: { m: 100n, scale: 0 }, ETHUSD_261225: { m: 10n, scale: 0 } });
  });
});

describe('InstrumentCache', () => {
  it('coalesces concurrent refreshes into one request', async () => {
    handler = (_u, _r, res) => setTimeout(() => json(res, okxBody(OKX_SWAP)), 100);
    const cache = new InstrumentCache({ name: 'okx-swap', load: (signal) => fetchOkxInstruments(base, 'SWAP', { ...FAST, signal }) });
    const results = await Promise.all([cache.refresh(), cache.refresh(), cache.refresh(), cache.refresh(), cache.refresh()]);
    expect(results).toEqual([true, true, true, true, true]);
    expect(requests).toHaveLength(1);
    expect(cache.fetchCount).toBe(1);
    expect(cache.get('BTC-USD-SWAP')?.symbol).toBe('BTCUSD');
    expect(cache.names().sort()).toEqual(['BTC-USD-SWAP', 'BTC-USDT-SWAP']);
    // After it settled, a new refresh makes a new request.
    await cache.refresh();
    expect(requests).toHaveLength(2);
  });

  it('requestMissing: at most once per name per 30 s, concurrent asks share one request', async () => {
    let listed = [bybitItem('BTCUSDT', 'LinearPerpetual', 'BTC', 'USDT')];
    handler = (_u, _r, res) => setTimeout(() => json(res, bybitPage(listed, '')), 30);
    let now = 1_000_000;
    const cache = bybitCache(base, 'linear', { http: FAST, now: () => now, missingMinGapMs: 0 });
    expect(await cache.refresh()).toBe(true);
    expect(requests).toHaveLength(1);

    // Known name: no request.
    expect(await cache.requestMissing('BTCUSDT')).toBe(true);
    expect(requests).toHaveLength(1);

    // Two missing names at once: one request between them.
    expect(await Promise.all([cache.requestMissing('NEWUSDT'), cache.requestMissing('OTHERUSDT')])).toEqual([false, false]);
    expect(requests).toHaveLength(2);

    // The same name again within 30 s: no request.
    now += 29_999;
    expect(await cache.requestMissing('NEWUSDT')).toBe(false);
    expect(requests).toHaveLength(2);

    // After 30 s it may ask again; now the exchange lists it.
    now += 1;
    listed = [...listed, bybitItem('NEWUSDT', 'LinearPerpetual', 'NEW', 'USDT')];
    expect(await cache.requestMissing('NEWUSDT')).toBe(true);
    expect(requests).toHaveLength(3);
    expect(cache.get('NEWUSDT')).toEqual({ symbol: 'NEWUSDT', inverse: false });
  });

  it('requestMissing keeps a minimum gap between fetches, waiting rather than refusing', async () => {
    handler = (_u, _r, res) => json(res, okxBody(OKX_SWAP));
    const cache = okxCache(base, { http: FAST, missingMinGapMs: 200 });
    await cache.refresh(); // 2 requests (SWAP + FUTURES)
    const started = Date.now();
    expect(await Promise.all([cache.requestMissing('A-USDT-SWAP'), cache.requestMissing('B-USDT-SWAP')])).toEqual([false, false]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
    expect(requests).toHaveLength(4);
  });

  it('reports each state change once; keeps the last good data while failing; never throws', async () => {
    let healthy = true;
    handler = (_u, _r, res) => {
      if (healthy) json(res, { symbols: [{ symbol: 'BTCUSD_PERP', contractSize: 100 }] });
      else json(res, { msg: 'down' }, 500);
    };
    const changes: InstrumentStateChange[] = [];
    const cache = binanceCoinmCache(base, { http: { ...FAST, attempts: 1 }, onStateChange: (c) => changes.push(c) });
    expect(cache.state).toBe('unknown');

    expect(await cache.refresh()).toBe(true);
    expect(cache.state).toBe('ok');
    healthy = false;
    expect(await cache.refresh()).toBe(false);
    expect(await cache.refresh()).toBe(false);
    expect(cache.state).toBe('failing');
    expect(cache.lastError).toMatch(/HTTP 500/);
    expect(cache.get('BTCUSD_PERP')).toEqual({ m: 100n, scale: 0 });
    healthy = true;
    expect(await cache.refresh()).toBe(true);

    expect(changes.map((c) => `${c.previous}->${c.state}`)).toEqual(['unknown->ok', 'ok->failing', 'failing->ok']);
    expect(changes[0]).toMatchObject({ cache: 'binance-coinm', count: 1 });
    expect(changes[1].error).toMatch(/HTTP 500/);
  });

  it('an empty list is a failure, and a throwing callback changes nothing', async () => {
    const cache = new InstrumentCache<number>({
      name: 'x',
      load: async () => new Map(),
      onStateChange: () => {
        throw new Error('logger broke');
      },
    });
    expect(await cache.refresh()).toBe(false);
    expect(cache.state).toBe('failing');
    expect(cache.lastError).toBe('empty instrument list');
  });

  it('unknown → failing when the first fetch times out', async () => {
    handler = () => {
      // never answer
    };
    const changes: string[] = [];
    const cache = okxCache(base, { http: { timeoutMs: 100, attempts: 1 }, onStateChange: (c) => changes.push(`${c.previous}->${c.state}`) });
    expect(await cache.refresh()).toBe(false);
    expect(changes).toEqual(['unknown->failing']);
    expect(cache.lastError).toMatch(/timeout/);
    server.closeAllConnections();
  });

  it('periodic refresh runs while started, stops on stop(), and stop() aborts a fetch in flight', async () => {
    let loads = 0;
    const cache = new InstrumentCache<number>({
      name: 'p',
      load: async () => {
        loads++;
        return new Map([['A', 1]]);
      },
    });
    cache.start(20);
    await new Promise((r) => setTimeout(r, 130));
    cache.stop();
    const seen = loads;
    expect(seen).toBeGreaterThanOrEqual(3);
    await new Promise((r) => setTimeout(r, 80));
    expect(loads).toBe(seen);

    handler = () => {
      // never answer
    };
    const slow = okxCache(base, { http: { timeoutMs: 5_000, attempts: 3 } });
    const started = Date.now();
    const p = slow.refresh();
    setTimeout(() => slow.stop(), 50);
    expect(await p).toBe(false);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(slow.lastError).toMatch(/aborted/);
    server.closeAllConnections();
  });
});
