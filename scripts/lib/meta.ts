// Instrument metadata in captures: fetched raw by the recorder (the same REST URLs as the daemon, from the same
// environment variables), served again by the stand-ins in a replay, and read back through the daemon's own
// fetchers (src/streams/instruments.ts) when a script needs the parsers' lookups.
import type { Config, ExchangeName } from '../../src/config.js';
import type { Decimal } from '../../src/core/decimal.js';
import {
  fetchBinanceCoinmContractSizes,
  fetchBybitInstruments,
  fetchJson,
  fetchOkxAllInstruments,
  type HttpOptions,
} from '../../src/streams/instruments.js';
import type { BybitInstrument as BybitLookupItem } from '../../src/streams/parsers/bybit.js';
import type { OkxInstrument as OkxLookupItem } from '../../src/streams/parsers/okx.js';
import type { BinanceCoinmSymbol, BybitInstrument, OkxInstrument, StandinOptions } from '../standins/index.js';
import type { CaptureMeta, RestMeta } from './capture.js';

const MAX_PAGES = 100;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Every page of Bybit instruments-info for a category, raw, following nextPageCursor as the daemon does. */
async function fetchBybitPages(baseUrl: string, category: 'linear' | 'inverse', http: HttpOptions): Promise<unknown[]> {
  const pages: unknown[] = [];
  let cursor = '';
  for (let i = 0; i < MAX_PAGES; i++) {
    const url =
      `${baseUrl}/v5/market/instruments-info?category=${category}&limit=1000` + (cursor === '' ? '' : `&cursor=${encodeURIComponent(cursor)}`);
    const body = await fetchJson(url, http);
    pages.push(body);
    const result = isObj(body) && isObj(body.result) ? body.result : undefined;
    const next = typeof result?.nextPageCursor === 'string' ? result.nextPageCursor : '';
    if (next === '' || next === cursor) break;
    cursor = next;
  }
  return pages;
}

/**
 * The raw REST metadata of the chosen exchanges. A venue whose endpoint fails is left out and named in `errors`
 * (a replay of its frames would then reject them as unknown instruments).
 */
export async function fetchRestMeta(
  cfg: Readonly<Config>,
  exchanges: readonly ExchangeName[],
  http: HttpOptions = {},
): Promise<{ rest: RestMeta; errors: string[] }> {
  const rest: RestMeta = {};
  const errors: string[] = [];
  const jobs: Array<Promise<void>> = [];
  const attempt = (what: string, fn: () => Promise<void>) =>
    jobs.push(fn().catch((err: unknown) => void errors.push(`${what}: ${err instanceof Error ? err.message : String(err)}`)));
  if (exchanges.includes('binance')) {
    attempt('binance-coinm', async () => {
      rest['binance-coinm'] = { exchangeInfo: await fetchJson(`${cfg.BINANCE_COINM_REST_URL}/dapi/v1/exchangeInfo`, http) };
    });
  }
  if (exchanges.includes('bybit')) {
    for (const category of ['linear', 'inverse'] as const) {
      attempt(`bybit-${category}`, async () => {
        rest[`bybit-${category}`] = { pages: await fetchBybitPages(cfg.BYBIT_REST_URL, category, http) };
      });
    }
  }
  if (exchanges.includes('okx')) {
    attempt('okx', async () => {
      const SWAP = await fetchJson(`${cfg.OKX_REST_URL}/api/v5/public/instruments?instType=SWAP`, http);
      const FUTURES = await fetchJson(`${cfg.OKX_REST_URL}/api/v5/public/instruments?instType=FUTURES`, http);
      rest.okx = { SWAP, FUTURES };
    });
  }
  await Promise.all(jobs);
  return { rest, errors };
}

function arrayAt(v: unknown, key: string): unknown[] {
  return isObj(v) && Array.isArray(v[key]) ? (v[key] as unknown[]) : [];
}

/** The instrument lists inside the raw answers, as the stand-ins take them. */
export function listsOfMeta(rest: RestMeta): {
  coinm: BinanceCoinmSymbol[];
  bybitLinear: BybitInstrument[];
  bybitInverse: BybitInstrument[];
  okxSwap: OkxInstrument[];
  okxFutures: OkxInstrument[];
} {
  const bybit = (pages: unknown[] | undefined) =>
    (pages ?? []).flatMap((p) => (isObj(p) ? arrayAt(p.result, 'list') : [])).filter(isObj) as unknown as BybitInstrument[];
  return {
    coinm: arrayAt(rest['binance-coinm']?.exchangeInfo, 'symbols').filter(isObj) as unknown as BinanceCoinmSymbol[],
    bybitLinear: bybit(rest['bybit-linear']?.pages),
    bybitInverse: bybit(rest['bybit-inverse']?.pages),
    okxSwap: arrayAt(rest.okx?.SWAP, 'data').filter(isObj) as unknown as OkxInstrument[],
    okxFutures: arrayAt(rest.okx?.FUTURES, 'data').filter(isObj) as unknown as OkxInstrument[],
  };
}

/** Stand-in options serving exactly the capture's metadata (empty lists for exchanges it does not cover). */
export function standinOptionsOf(meta: CaptureMeta): StandinOptions {
  const l = listsOfMeta(meta.rest);
  return {
    binanceCoinmSymbols: l.coinm,
    bybitInstruments: { linear: l.bybitLinear, inverse: l.bybitInverse },
    okxInstruments: { SWAP: l.okxSwap, FUTURES: l.okxFutures },
    // A replay may pause for minutes between frames: keep the stand-ins from closing quiet connections.
    bybitIdleCloseMs: 0,
  };
}

export interface Lookups {
  coinm: Map<string, Decimal>;
  bybitLinear: Map<string, BybitLookupItem>;
  bybitInverse: Map<string, BybitLookupItem>;
  okx: Map<string, OkxLookupItem>;
}

/**
 * The parsers' lookups, built by the daemon's own fetchers from stand-ins serving the capture's metadata
 * (standinEnv: Standins.env). A venue whose metadata is missing gets an empty lookup.
 */
export async function lookupsFrom(standinEnv: Record<string, string>): Promise<Lookups> {
  const http: HttpOptions = { attempts: 1 };
  const safe = async <T>(p: Promise<Map<string, T>>) => p.catch(() => new Map<string, T>());
  const [coinm, bybitLinear, bybitInverse, okx] = await Promise.all([
    safe(fetchBinanceCoinmContractSizes(standinEnv.BINANCE_COINM_REST_URL, http)),
    safe(fetchBybitInstruments(standinEnv.BYBIT_REST_URL, 'linear', http)),
    safe(fetchBybitInstruments(standinEnv.BYBIT_REST_URL, 'inverse', http)),
    safe(fetchOkxAllInstruments(standinEnv.OKX_REST_URL, http)),
  ]);
  return { coinm, bybitLinear, bybitInverse, okx };
}
