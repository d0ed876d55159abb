// https://developers.binance.com/docs/derivatives/coin-margined-futures/market-data/Exchange-Information
// Binance COIN-M instrument metadata: GET {BINANCE_COINM_REST_URL}/dapi/v1/exchangeInfo, symbol → contractSize (USD
// per contract). contractSize is a JSON number there (100, 10): integers only, converted through their integer
// string so no binary fraction can sneak in. USD-M needs no metadata (z is the base quantity).
import { z } from 'zod';
import { type Decimal, isZero, parseDecimal } from '../../core/decimal.js';
import { type HttpOptions, fetchJson, schemaError } from '../http.js';

const binanceInfoSchema = z.object({ symbols: z.array(z.unknown()) });
const binanceSymbolSchema = z.object({
  symbol: z.string().min(1),
  contractSize: z.union([z.number(), z.string()]),
});

/** contractSize → exact Decimal: a positive safe integer (JSON number) or a positive decimal string. */
export function contractSizeOf(v: number | string): Decimal | undefined {
  if (typeof v === 'number') {
    if (!Number.isSafeInteger(v) || v <= 0) return undefined;
    return parseDecimal(String(v));
  }
  const d = parseDecimal(v);
  return d === undefined || isZero(d) ? undefined : d;
}

export async function fetchBinanceCoinmContractSizes(baseUrl: string, http: HttpOptions = {}): Promise<Map<string, Decimal>> {
  const body = await fetchJson(`${baseUrl}/dapi/v1/exchangeInfo`, http);
  const parsed = binanceInfoSchema.safeParse(body);
  if (!parsed.success) throw schemaError('Binance exchangeInfo', parsed.error);
  const out = new Map<string, Decimal>();
  for (const raw of parsed.data.symbols) {
    const item = binanceSymbolSchema.safeParse(raw);
    if (!item.success) continue;
    const size = contractSizeOf(item.data.contractSize);
    if (size !== undefined) out.set(item.data.symbol, size);
  }
  return out;
}
