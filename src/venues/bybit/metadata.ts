// https://bybit-exchange.github.io/docs/v5/market/instrument
// Bybit instrument metadata: GET {BYBIT_REST_URL}/v5/market/instruments-info?category=linear|inverse&limit=1000,
// following nextPageCursor until it is empty (more than 500 linear symbols exist; the default page is 500).
import { z } from 'zod';
import { type HttpOptions, InstrumentFetchError, fetchJson, schemaError } from '../http.js';
import { yymmddUtc } from '../parsing.js';
import type { BybitInstrument } from './parser.js';

export type BybitCategory = 'linear' | 'inverse';

const bybitEnvelopeSchema = z.object({ retCode: z.number(), retMsg: z.string().optional(), result: z.unknown() });
const bybitResultSchema = z.object({
  list: z.array(z.unknown()),
  nextPageCursor: z.string().nullish(),
});
const bybitInstrumentSchema = z.object({
  symbol: z.string().min(1),
  contractType: z.string(),
  baseCoin: z.string().min(1),
  quoteCoin: z.string().min(1),
  deliveryTime: z.string().regex(/^\d*$/).optional(),
});
export type BybitInstrumentInfo = z.infer<typeof bybitInstrumentSchema>;

const MAX_BYBIT_PAGES = 100;

/**
 * Bybit instrument → what the parser needs. Dated futures (contractType LinearFutures / InverseFutures) get
 * _YYMMDD from deliveryTime (UTC): BTCUSDT-25DEC26 → BTCUSDT_261225, BTCUSDZ26 → BTCUSD_261225; USDC perpetuals
 * are named from the coins: BTCPERP → BTCUSDC. A perpetual keeps its name even when deliveryTime ≠ "0" (Bybit puts
 * a perpetual's delisting time there); deliveryTime decides only for an unrecognized contractType.
 */
export function bybitInstrumentOf(info: BybitInstrumentInfo, category: BybitCategory): BybitInstrument | undefined {
  const ct = info.contractType;
  const delivery = info.deliveryTime ?? '';
  let dated: boolean;
  if (ct === 'LinearFutures' || ct === 'InverseFutures') dated = true;
  else if (ct === 'LinearPerpetual' || ct === 'InversePerpetual') dated = false;
  else dated = delivery !== '' && delivery !== '0';
  const base = `${info.baseCoin}${info.quoteCoin}`.toUpperCase();
  let symbol = base;
  if (dated) {
    const ms = Number(delivery);
    if (!Number.isSafeInteger(ms) || ms <= 0) return undefined;
    symbol = `${base}_${yymmddUtc(ms)}`;
  }
  const inverse = category === 'inverse' || ct.startsWith('Inverse');
  return { symbol, inverse };
}

export async function fetchBybitInstruments(
  baseUrl: string,
  category: BybitCategory,
  http: HttpOptions = {},
): Promise<Map<string, BybitInstrument>> {
  const out = new Map<string, BybitInstrument>();
  const seen = new Set<string>();
  let cursor = '';
  for (let page = 0; page < MAX_BYBIT_PAGES; page++) {
    const url =
      `${baseUrl}/v5/market/instruments-info?category=${category}&limit=1000` +
      (cursor === '' ? '' : `&cursor=${encodeURIComponent(cursor)}`);
    const body = await fetchJson(url, http);
    const env = bybitEnvelopeSchema.safeParse(body);
    if (!env.success) throw schemaError('Bybit instruments-info', env.error);
    if (env.data.retCode !== 0) {
      throw new InstrumentFetchError(`Bybit retCode ${env.data.retCode}: ${env.data.retMsg ?? ''}`.trim(), false);
    }
    const result = bybitResultSchema.safeParse(env.data.result);
    if (!result.success) throw schemaError('Bybit instruments-info', result.error);
    for (const raw of result.data.list) {
      const item = bybitInstrumentSchema.safeParse(raw);
      if (!item.success) continue;
      const inst = bybitInstrumentOf(item.data, category);
      if (inst !== undefined) out.set(item.data.symbol, inst);
    }
    const next = result.data.nextPageCursor ?? '';
    if (next === '') return out;
    if (seen.has(next)) throw new InstrumentFetchError('Bybit pagination cursor repeated', false);
    seen.add(next);
    cursor = next;
  }
  throw new InstrumentFetchError(`Bybit pagination exceeded ${MAX_BYBIT_PAGES} pages`, false);
}
