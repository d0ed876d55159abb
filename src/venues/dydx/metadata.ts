// https://docs.dydx.exchange/api_integration-indexer/indexer_api (GET /v4/perpetualMarkets)
// dYdX v4 market metadata: GET {DYDX_REST_URL}/v4/perpetualMarkets → {"markets":{"BTC-USD":{"ticker":"BTC-USD",
// "status":"ACTIVE",…},…}}, every market in one answer. ticker → { symbol }: the parser needs only the name (sizes are
// base quantities), the feed needs the list (one v4_trades subscription per market).
import { z } from 'zod';
import { type HttpOptions, fetchJson, schemaError } from '../http.js';
import type { DydxMarket } from './parser.js';

export const DYDX_MARKETS_PATH = '/v4/perpetualMarkets';

const envelopeSchema = z.object({ markets: z.record(z.string(), z.unknown()) });
const marketSchema = z.object({ ticker: z.string().min(1), status: z.string().optional() });

/** BTC-USD → BTCUSD; undefined for a ticker that is not BASE-QUOTE. Every market is listed, whatever its status. */
export function dydxMarketOf(ticker: string): DydxMarket | undefined {
  const parts = ticker.toUpperCase().split('-');
  if (parts.length !== 2 || parts[0] === '' || parts[1] === '') return undefined;
  const symbol = `${parts[0]}${parts[1]}`;
  return parts[1] === 'USD' ? { symbol } : { symbol, unsupportedQuote: true };
}

export async function fetchDydxMarkets(baseUrl: string, http: HttpOptions = {}): Promise<Map<string, DydxMarket>> {
  const body = await fetchJson(`${baseUrl}${DYDX_MARKETS_PATH}`, http);
  const env = envelopeSchema.safeParse(body);
  if (!env.success) throw schemaError('dYdX perpetualMarkets', env.error);
  const out = new Map<string, DydxMarket>();
  for (const raw of Object.values(env.data.markets)) {
    const item = marketSchema.safeParse(raw);
    if (!item.success) continue;
    const market = dydxMarketOf(item.data.ticker);
    if (market !== undefined) out.set(item.data.ticker, market);
  }
  return out;
}
