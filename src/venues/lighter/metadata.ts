// https://apidocs.lighter.xyz/reference/orderbookdetails
// Lighter market metadata: GET {LIGHTER_REST_URL}/api/v1/orderBookDetails. No sample answer was at hand; its shape is
// taken from Lighter's generated SDK models (lighter-python docs/OrderBookDetails.md and OrderBookDetail.md:
// `{"code":200,"message"?,"order_book_details":[{"symbol","market_id","status",…}]}`) and from ccxt's lighter.ts
// (fetchMarkets, which shows today's answer: `market_type` "perp" in `order_book_details`, and spot markets such as
// `ETH/USDC`, market_id 2048, in a separate `spot_order_book_details`). Only perpetuals are read: symbol BTC → BTCUSD.
import { z } from 'zod';
import { type HttpOptions, InstrumentFetchError, fetchJson, schemaError } from '../http.js';
import type { LighterMarket } from './parser.js';

export const ORDER_BOOK_DETAILS_PATH = '/api/v1/orderBookDetails';

const envelopeSchema = z.object({
  code: z.union([z.number(), z.string()]),
  message: z.string().optional(),
  order_book_details: z.unknown(),
});
const marketSchema = z.object({
  symbol: z.string().min(1),
  market_id: z.union([z.number().int().nonnegative(), z.string().regex(/^\d{1,9}$/)]),
  market_type: z.string().optional(),
  status: z.string().optional(),
});
export type LighterMarketInfo = z.infer<typeof marketSchema>;

/** One market → what the parser needs; undefined for a market that is not a perpetual. */
export function lighterMarketOf(info: LighterMarketInfo): LighterMarket | undefined {
  if (info.market_type !== undefined && info.market_type !== 'perp') return undefined;
  return { symbol: `${info.symbol.toUpperCase()}USD`, active: info.status === undefined || info.status === 'active' };
}

export async function fetchLighterMarkets(baseUrl: string, http: HttpOptions = {}): Promise<Map<string, LighterMarket>> {
  const body = await fetchJson(`${baseUrl}${ORDER_BOOK_DETAILS_PATH}`, http);
  const env = envelopeSchema.safeParse(body);
  if (!env.success) throw schemaError('Lighter orderBookDetails', env.error);
  if (String(env.data.code) !== '200') {
    throw new InstrumentFetchError(`Lighter code ${env.data.code}: ${env.data.message ?? ''}`.trim(), false);
  }
  const list = z.array(z.unknown()).safeParse(env.data.order_book_details);
  if (!list.success) throw schemaError('Lighter orderBookDetails', list.error);
  const out = new Map<string, LighterMarket>();
  for (const raw of list.data) {
    const item = marketSchema.safeParse(raw);
    if (!item.success) continue;
    const market = lighterMarketOf(item.data);
    if (market !== undefined) out.set(String(Number(item.data.market_id)), market);
  }
  return out;
}
