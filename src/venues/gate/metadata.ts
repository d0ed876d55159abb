// https://www.gate.com/docs/developers/apiv4/en/#list-all-futures-contracts
// Gate contract metadata: GET {GATE_REST_URL}/api/v4/futures/{usdt,btc}/contracts, a bare array of contracts
// { name, type, quanto_multiplier, … } (all of them without limit/offset). USDT-settled contracts are linear
// (`type` direct): one contract is quanto_multiplier of the base coin. BTC-settled `inverse` contracts (BTC_USD) are
// 1 USD each (aggr-server divides by price when quanto_multiplier is 0; the docs sentence is unconfirmed). A
// BTC-settled contract of another type (a quanto contract) is not 1 USD: it is listed as unsupported, so its
// liquidations are rejected as `unsupported_instrument` rather than mis-valued.
import { z } from 'zod';
import { type Decimal, isZero, parseDecimal } from '../../core/decimal.js';
import { type HttpOptions, fetchJson, schemaError } from '../http.js';

export type GateSettle = 'usdt' | 'btc';

/** What the parser needs of a contract: its symbol and how a contract becomes money. */
export type GateContract =
  | { readonly symbol: string; readonly kind: 'linear'; readonly multiplier: Decimal }
  | { readonly symbol: string; readonly kind: 'inverse' }
  | { readonly symbol: string; readonly kind: 'unsupported' };

const contractSchema = z.object({
  name: z.string().min(1),
  type: z.string().nullish(),
  quanto_multiplier: z.union([z.string(), z.number()]).nullish(),
});
export type GateContractInfo = z.infer<typeof contractSchema>;

/** BTC_USDT → BTCUSDT, BTC_USD → BTCUSD; anything not BASE_QUOTE is left out. */
export function gateSymbolOf(name: string): string | undefined {
  const parts = name.split('_');
  if (parts.length !== 2 || parts[0] === '' || parts[1] === '') return undefined;
  return `${parts[0]}${parts[1]}`.toUpperCase();
}

function multiplierOf(v: string | number | null | undefined): Decimal | undefined {
  if (v === undefined || v === null) return undefined;
  // A JSON number is read through its shortest text (an exponent is refused); the API sends a string.
  const text = typeof v === 'number' ? (Number.isFinite(v) ? String(v) : '') : v;
  const d = text.includes('e') ? undefined : parseDecimal(text);
  return d === undefined || isZero(d) ? undefined : d;
}

/** A contract of the listing → what the parser needs; undefined when it cannot be valued (left out, never guessed). */
export function gateContractOf(info: GateContractInfo, settle: GateSettle): GateContract | undefined {
  const symbol = gateSymbolOf(info.name);
  if (symbol === undefined) return undefined;
  if (settle === 'btc') return info.type === 'inverse' ? { symbol, kind: 'inverse' } : { symbol, kind: 'unsupported' };
  const multiplier = multiplierOf(info.quanto_multiplier);
  return multiplier === undefined ? undefined : { symbol, kind: 'linear', multiplier };
}

export async function fetchGateContracts(baseUrl: string, settle: GateSettle, http: HttpOptions = {}): Promise<Map<string, GateContract>> {
  const body = await fetchJson(`${baseUrl}/api/v4/futures/${settle}/contracts`, http);
  const list = z.array(z.unknown()).safeParse(body);
  if (!list.success) throw schemaError(`Gate ${settle} contracts`, list.error);
  const out = new Map<string, GateContract>();
  for (const raw of list.data) {
    const item = contractSchema.safeParse(raw);
    if (!item.success) continue;
    const contract = gateContractOf(item.data, settle);
    if (contract !== undefined) out.set(item.data.name, contract);
  }
  return out;
}
