// https://docs.deribit.com/#public-get_instruments
// Deribit instrument metadata: GET {DERIBIT_REST_URL}/api/v2/public/get_instruments?currency=any&kind=future, every
// future and perpetual of every currency in one answer. instrument_name → { symbol, inverse, currency }. Linear
// (USDC-settled) or inverse (coin-settled) from instrument_type / future_type ("linear" / "reversed"); older answers
// carry neither, and there a USD quote means inverse.
import { z } from 'zod';
import { type HttpOptions, InstrumentFetchError, fetchJson, schemaError } from '../http.js';
import { yymmddUtc } from '../parsing.js';
import type { DeribitInstrument } from './parser.js';

export const DERIBIT_INSTRUMENTS_PATH = '/api/v2/public/get_instruments';

export function deribitInstrumentsUrl(baseUrl: string): string {
  return `${baseUrl}${DERIBIT_INSTRUMENTS_PATH}?currency=any&kind=future`;
}

const envelopeSchema = z.object({
  result: z.unknown().optional(),
  error: z.object({ code: z.union([z.number(), z.string()]).optional(), message: z.string().optional() }).passthrough().optional(),
});
const instrumentSchema = z.object({
  instrument_name: z.string().min(1),
  kind: z.string(),
  base_currency: z.string().min(1),
  quote_currency: z.string().min(1),
  settlement_currency: z.string().min(1).optional(),
  instrument_type: z.string().optional(),
  future_type: z.string().optional(),
  settlement_period: z.string().optional(),
  expiration_timestamp: z.number().optional(),
});
export type DeribitInstrumentInfo = z.infer<typeof instrumentSchema>;

const USD_QUOTES = new Set(['USD', 'USDC', 'USDT']);

/**
 * Deribit future → what the parser needs; undefined for other kinds (options, combos) or a dated future without an
 * expiration. BTC-PERPETUAL → BTCUSD, BTC-27DEC26 → BTCUSD_261227 (expiration_timestamp, UTC), SOL_USDC-PERPETUAL →
 * SOLUSDC: base_currency + quote_currency, and _YYMMDD unless settlement_period is "perpetual".
 */
export function deribitInstrumentOf(info: DeribitInstrumentInfo): DeribitInstrument | undefined {
  if (info.kind !== 'future') return undefined;
  const type = info.instrument_type ?? info.future_type;
  const linear = type === undefined ? info.quote_currency !== 'USD' : type === 'linear';
  const quote = info.quote_currency.toUpperCase();
  let symbol = `${info.base_currency}${quote}`.toUpperCase();
  if (info.settlement_period !== 'perpetual') {
    const ms = info.expiration_timestamp;
    if (ms === undefined || !Number.isSafeInteger(ms) || ms <= 0) return undefined;
    symbol += `_${yymmddUtc(ms)}`;
  }
  const currency = (info.settlement_currency ?? (linear ? info.quote_currency : info.base_currency)).toUpperCase();
  // An inverse contract's amount is USD; a linear one's value is in its quote, counted only when that is a dollar.
  const supported = linear ? USD_QUOTES.has(quote) : quote === 'USD';
  return { symbol, inverse: !linear, currency, ...(supported ? {} : { unsupportedQuote: true as const }) };
}

/** One raw element of get_instruments' result → its name and what the parser needs (undefined when it is not one). */
export function deribitEntryOf(raw: unknown): [string, DeribitInstrument] | undefined {
  const item = instrumentSchema.safeParse(raw);
  if (!item.success) return undefined;
  const inst = deribitInstrumentOf(item.data);
  return inst === undefined ? undefined : [item.data.instrument_name, inst];
}

export async function fetchDeribitInstruments(baseUrl: string, http: HttpOptions = {}): Promise<Map<string, DeribitInstrument>> {
  const body = await fetchJson(deribitInstrumentsUrl(baseUrl), http);
  const env = envelopeSchema.safeParse(body);
  if (!env.success) throw schemaError('Deribit get_instruments', env.error);
  if (env.data.error !== undefined) {
    throw new InstrumentFetchError(`Deribit error ${env.data.error.code ?? ''}: ${env.data.error.message ?? ''}`.trim(), false);
  }
  const list = z.array(z.unknown()).safeParse(env.data.result);
  if (!list.success) throw schemaError('Deribit get_instruments', list.error);
  const out = new Map<string, DeribitInstrument>();
  for (const raw of list.data) {
    const entry = deribitEntryOf(raw);
    if (entry !== undefined) out.set(entry[0], entry[1]);
  }
  return out;
}
