// https://www.htx.com/en-us/opend/newApiPages/?id=8cb802c2-77b5-11ed-9966-0242ac110003 (USDT-M: [General] Query Contract Info)
// https://www.htx.com/en-us/opend/newApiPages/?id=5d516f96-77b6-11ed-9966-0242ac110003 (coin-M: Query Swap Info)
// HTX contract metadata: GET {HTX_REST_URL}/linear-swap-api/v1/swap_contract_info?business_type=all (USDT-margined
// swaps and dated futures: business_type defaults to swap, which lists no future) and /swap-api/v1/swap_contract_info
// (coin-margined swaps, contract_size in USD). contract_code → { symbol, inverse, contractSize }.
import { z } from 'zod';
import { type HttpOptions, InstrumentFetchError, fetchJson, schemaError } from '../http.js';
import { readNumeric } from '../parsing.js';
import type { HtxContract } from './parser.js';

export type HtxMargin = 'linear' | 'inverse';

export const HTX_LINEAR_PATH = '/linear-swap-api/v1/swap_contract_info';
export const HTX_INVERSE_PATH = '/swap-api/v1/swap_contract_info';

/** The URL a feed's contracts come from. */
export function htxContractsUrl(baseUrl: string, margin: HtxMargin): string {
  return margin === 'linear' ? `${baseUrl}${HTX_LINEAR_PATH}?business_type=all` : `${baseUrl}${HTX_INVERSE_PATH}`;
}

const envelopeSchema = z.object({
  status: z.string(),
  data: z.unknown(),
  err_code: z.union([z.number(), z.string()]).optional(),
  err_msg: z.string().optional(),
});
const contractSchema = z.object({
  contract_code: z.string().min(1),
  contract_size: z.union([z.number(), z.string()]),
  delivery_date: z.string().optional(),
});
export type HtxContractInfo = z.infer<typeof contractSchema>;

const DATE6_RE = /^\d{6}$/;
const DATE8_RE = /^\d{8}$/;
const USD_QUOTES = new Set(['USD', 'USDT', 'USDC']);

/**
 * HTX contract → what the parser needs; undefined when the code or the size makes no sense. BTC-USDT → BTCUSDT,
 * BTC-USDT-261225 → BTCUSDT_261225 (the code carries the delivery date; delivery_date YYYYMMDD when it does not),
 * BTC-USD → BTCUSD.
 */
export function htxContractOf(info: HtxContractInfo, margin: HtxMargin): HtxContract | undefined {
  const parts = info.contract_code.toUpperCase().split('-');
  if (parts.length < 2 || parts.length > 3 || parts[0] === '' || parts[1] === '') return undefined;
  let symbol = `${parts[0]}${parts[1]}`;
  if (parts.length === 3) {
    if (!DATE6_RE.test(parts[2])) return undefined;
    symbol += `_${parts[2]}`;
  } else if (info.delivery_date !== undefined && DATE8_RE.test(info.delivery_date)) {
    symbol += `_${info.delivery_date.slice(2)}`;
  }
  const size = readNumeric(info.contract_size);
  if (typeof size === 'string') return undefined;
  const inverse = margin === 'inverse';
  const supported = inverse ? parts[1] === 'USD' : USD_QUOTES.has(parts[1]);
  return { symbol, inverse, contractSize: size.d, ...(supported ? {} : { unsupportedQuote: true as const }) };
}

export async function fetchHtxContracts(baseUrl: string, margin: HtxMargin, http: HttpOptions = {}): Promise<Map<string, HtxContract>> {
  const body = await fetchJson(htxContractsUrl(baseUrl, margin), http);
  const env = envelopeSchema.safeParse(body);
  if (!env.success) throw schemaError('HTX swap_contract_info', env.error);
  if (env.data.status !== 'ok') {
    throw new InstrumentFetchError(`HTX status ${env.data.status} ${env.data.err_code ?? ''}: ${env.data.err_msg ?? ''}`.trim(), true);
  }
  const data = z.array(z.unknown()).safeParse(env.data.data);
  if (!data.success) throw schemaError('HTX swap_contract_info', data.error);
  const out = new Map<string, HtxContract>();
  for (const raw of data.data) {
    const item = contractSchema.safeParse(raw);
    if (!item.success) continue;
    const inst = htxContractOf(item.data, margin);
    if (inst !== undefined) out.set(item.data.contract_code, inst);
  }
  return out;
}
