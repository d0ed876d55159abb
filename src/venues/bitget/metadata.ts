// https://www.bitget.com/api-doc/uta/public/Instruments
// Bitget instrument metadata: GET {BITGET_REST_URL}/api/v3/market/instruments?category=USDT-FUTURES|COIN-FUTURES|
// USDC-FUTURES (no paging), `data[]` of { symbol, baseCoin, quoteCoin, symbolType perpetual|delivery, deliveryTime }.
// Needed only to name symbols: the liquidation `amount` is already the quote value. Keyed by the WebSocket product type
// and the symbol ("usdt-futures-BTCUSDT"), so that two product types can never be confused.
import { z } from 'zod';
import { type HttpOptions, InstrumentFetchError, fetchJson, schemaError } from '../http.js';
import { yymmddUtc } from '../parsing.js';

/** The product types of the v3 public stream, as its `instType` spells them. */
export const BITGET_INST_TYPES = ['usdt-futures', 'coin-futures', 'usdc-futures'] as const;
export type BitgetInstType = (typeof BITGET_INST_TYPES)[number];

/** The REST category of a product type: usdt-futures → USDT-FUTURES. */
export const categoryOf = (instType: BitgetInstType): string => instType.toUpperCase();

/** What the parser needs: the normalized symbol (BTCUSDT, BTCUSD, BTCUSDC, BTCUSD_261225). */
export interface BitgetInstrument {
  readonly symbol: string;
}

/** The metadata key of a symbol of a product type: "coin-futures-BTCUSD". */
export const bitgetKey = (instType: string, symbol: string): string => `${instType}-${symbol}`;

const envelopeSchema = z.object({ code: z.union([z.string(), z.number()]), msg: z.string().nullish(), data: z.unknown() });
const instrumentSchema = z.object({
  symbol: z.string().min(1),
  baseCoin: z.string().min(1),
  quoteCoin: z.string().min(1),
  symbolType: z.string().nullish(),
  deliveryTime: z.string().nullish(),
});
export type BitgetInstrumentInfo = z.infer<typeof instrumentSchema>;

/**
 * baseCoin + quoteCoin for perpetuals (BTC+USDT → BTCUSDT, BTC+USDC → BTCUSDC whatever the symbol says, e.g.
 * BTCPERP); delivery futures get _YYMMDD from deliveryTime (ms, UTC). A delivery future without a usable
 * deliveryTime is left out (its frames are then unknown instruments, loudly), never guessed.
 */
export function bitgetSymbolOf(info: BitgetInstrumentInfo): string | undefined {
  const base = `${info.baseCoin}${info.quoteCoin}`.toUpperCase();
  const delivery = info.deliveryTime ?? '';
  const dated = info.symbolType === 'delivery' || (info.symbolType !== 'perpetual' && delivery !== '' && delivery !== '0');
  if (!dated) return base;
  if (!/^\d{1,16}$/.test(delivery)) return undefined;
  const ms = Number(delivery);
  return Number.isSafeInteger(ms) && ms > 0 ? `${base}_${yymmddUtc(ms)}` : undefined;
}

export async function fetchBitgetInstruments(baseUrl: string, instType: BitgetInstType, http: HttpOptions = {}): Promise<Map<string, BitgetInstrument>> {
  const body = await fetchJson(`${baseUrl}/api/v3/market/instruments?category=${categoryOf(instType)}`, http);
  const env = envelopeSchema.safeParse(body);
  if (!env.success) throw schemaError('Bitget instruments', env.error);
  if (String(env.data.code) !== '00000') throw new InstrumentFetchError(`Bitget code ${env.data.code}: ${env.data.msg ?? ''}`.trim(), false);
  const data = z.array(z.unknown()).safeParse(env.data.data);
  if (!data.success) throw schemaError('Bitget instruments', data.error);
  const out = new Map<string, BitgetInstrument>();
  for (const raw of data.data) {
    const item = instrumentSchema.safeParse(raw);
    if (!item.success) continue;
    const symbol = bitgetSymbolOf(item.data);
    if (symbol !== undefined) out.set(bitgetKey(instType, item.data.symbol), { symbol });
  }
  return out;
}

/** Every product type the stream subscribes, in one map. */
export async function fetchBitgetAll(baseUrl: string, http: HttpOptions = {}): Promise<Map<string, BitgetInstrument>> {
  const out = new Map<string, BitgetInstrument>();
  for (const instType of BITGET_INST_TYPES) for (const [k, v] of await fetchBitgetInstruments(baseUrl, instType, http)) out.set(k, v);
  return out;
}
