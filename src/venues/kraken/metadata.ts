// https://docs.kraken.com/api-reference/instrument-details/get-instruments
// Kraken Futures instrument metadata: GET {KRAKEN_REST_URL}/derivatives/api/v3/instruments, one answer with every
// product (`{"result":"success","instruments":[…],"serverTime":…}`), product id → { symbol, kind, tradeable }.
// The unit rule follows the product id's prefix (the contract): PF_ (perpetual) and FF_ (dated) are linear "flexible"
// futures whose contract is 1 base unit; PI_ and FI_ are inverse, 1 USD a contract. Symbols: the pair after the prefix
// with XBT → BTC, and the product id's own date for dated futures (FI_XBTUSD_261225 → BTCUSD_261225). The 2021
// answers spelled symbols in lower case (pi_xbtusd) while the stream used upper case: ids are kept upper case.
import { z } from 'zod';
import { type HttpOptions, InstrumentFetchError, fetchJson, schemaError } from '../http.js';
import { yymmddUtc } from '../parsing.js';
import type { KrakenProduct } from './parser.js';

export const INSTRUMENTS_PATH = '/derivatives/api/v3/instruments';

const envelopeSchema = z.object({ result: z.string().optional(), error: z.string().optional(), instruments: z.unknown() });
const instrumentSchema = z.object({
  symbol: z.string().min(1),
  type: z.string().optional(),
  tradeable: z.boolean().optional(),
  lastTradingTime: z.string().optional(),
});
export type KrakenInstrumentInfo = z.infer<typeof instrumentSchema>;

const PRODUCT_RE = /^(PF|FF|PI|FI)_([A-Z0-9]+?)(?:_(\d{6}))?$/;
const UNSUPPORTED = (tradeable: boolean): KrakenProduct => ({ symbol: '', kind: 'unsupported', tradeable });

/** XBTUSD → BTCUSD: Kraken's XBT is BTC. */
export function pairOf(pair: string): string {
  return pair.startsWith('XBT') ? `BTC${pair.slice(3)}` : pair;
}

/**
 * One instrument → what the parser needs. A product of another kind (indices such as in_xbtusd, anything not
 * PF_/FF_/PI_/FI_) is kept as `unsupported`: its frames are rejected by name, never guessed at, and it is not
 * subscribed. A dated product without a date in its id takes it from lastTradingTime (UTC).
 */
export function krakenProductOf(info: KrakenInstrumentInfo): KrakenProduct {
  const tradeable = info.tradeable === true;
  const m = PRODUCT_RE.exec(info.symbol.toUpperCase());
  if (m === null) return UNSUPPORTED(tradeable);
  const [, prefix, pair, date] = m;
  const inverse = prefix === 'PI' || prefix === 'FI';
  const dated = prefix === 'FF' || prefix === 'FI';
  let symbol = pairOf(pair);
  if (date !== undefined) symbol += `_${date}`;
  else if (dated) {
    const ms = info.lastTradingTime === undefined ? NaN : Date.parse(info.lastTradingTime);
    if (!Number.isFinite(ms)) return UNSUPPORTED(tradeable);
    symbol += `_${yymmddUtc(ms)}`;
  }
  return { symbol, kind: inverse ? 'inverse' : 'linear', tradeable };
}

export async function fetchKrakenProducts(baseUrl: string, http: HttpOptions = {}): Promise<Map<string, KrakenProduct>> {
  const body = await fetchJson(`${baseUrl}${INSTRUMENTS_PATH}`, http);
  const env = envelopeSchema.safeParse(body);
  if (!env.success) throw schemaError('Kraken instruments', env.error);
  if (env.data.result !== undefined && env.data.result !== 'success') {
    throw new InstrumentFetchError(`Kraken instruments result ${env.data.result}: ${env.data.error ?? ''}`.trim(), false);
  }
  const list = z.array(z.unknown()).safeParse(env.data.instruments);
  if (!list.success) throw schemaError('Kraken instruments', list.error);
  const out = new Map<string, KrakenProduct>();
  for (const raw of list.data) {
    const item = instrumentSchema.safeParse(raw);
    if (!item.success) continue;
    out.set(item.data.symbol.toUpperCase(), krakenProductOf(item.data));
  }
  return out;
}
