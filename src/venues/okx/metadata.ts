// https://www.okx.com/docs-v5/en/#public-data-rest-api-get-instruments
// OKX instrument metadata: GET {OKX_REST_URL}/api/v5/public/instruments?instType=SWAP|FUTURES, instId → { symbol,
// inverse, contractValue = ctVal × ctMult } (sizes arrive in contracts).
import { z } from 'zod';
import { type Decimal, isZero, mul, normalize, parseDecimal } from '../../core/decimal.js';
import { type HttpOptions, InstrumentFetchError, fetchJson, schemaError } from '../http.js';
import { yymmddUtc } from '../parsing.js';
import type { OkxInstrument } from './parser.js';

export type OkxInstType = 'SWAP' | 'FUTURES';

const okxEnvelopeSchema = z.object({
  code: z.union([z.string(), z.number()]),
  msg: z.string().optional(),
  data: z.unknown(),
});
const okxInstrumentSchema = z.object({
  instId: z.string().min(1),
  ctType: z.string(),
  ctVal: z.string(),
  ctMult: z.string().optional(),
  uly: z.string().optional(),
  instFamily: z.string().optional(),
  expTime: z.string().optional(),
});
export type OkxInstrumentInfo = z.infer<typeof okxInstrumentSchema>;

const OKX_DATE_RE = /^\d{6}$/;
const ONE: Decimal = { m: 1n, scale: 0 };

/** BTC-USDT-SWAP → BTCUSDT, BTC-USD-261225 → BTCUSD_261225; else from uly/instFamily + expTime (UTC). */
export function okxSymbolOf(instId: string, family?: string, expTime?: string): string | undefined {
  const parts = instId.split('-');
  if (parts.length === 3 && parts[0] !== '' && parts[1] !== '') {
    const base = `${parts[0]}${parts[1]}`.toUpperCase();
    if (parts[2] === 'SWAP') return base;
    if (OKX_DATE_RE.test(parts[2])) return `${base}_${parts[2]}`;
  }
  if (family === undefined) return undefined;
  const fam = family.split('-');
  if (fam.length !== 2 || fam[0] === '' || fam[1] === '') return undefined;
  const base = `${fam[0]}${fam[1]}`.toUpperCase();
  if (expTime === undefined || expTime === '') return base;
  const ms = Number(expTime);
  return Number.isSafeInteger(ms) && ms > 0 ? `${base}_${yymmddUtc(ms)}` : undefined;
}

/** OKX instrument → what the parser needs; undefined when ctType/ctVal/ctMult make no sense. ctMult defaults to 1. */
export function okxInstrumentOf(info: OkxInstrumentInfo): OkxInstrument | undefined {
  if (info.ctType !== 'linear' && info.ctType !== 'inverse') return undefined;
  const ctVal = parseDecimal(info.ctVal);
  if (ctVal === undefined || isZero(ctVal)) return undefined;
  let ctMult: Decimal | undefined = ONE;
  if (info.ctMult !== undefined && info.ctMult !== '') ctMult = parseDecimal(info.ctMult);
  if (ctMult === undefined || isZero(ctMult)) return undefined;
  const symbol = okxSymbolOf(info.instId, info.uly || info.instFamily, info.expTime);
  if (symbol === undefined) return undefined;
  return { symbol, inverse: info.ctType === 'inverse', contractValue: normalize(mul(ctVal, ctMult)) };
}

export async function fetchOkxInstruments(
  baseUrl: string,
  instType: OkxInstType,
  http: HttpOptions = {},
): Promise<Map<string, OkxInstrument>> {
  const body = await fetchJson(`${baseUrl}/api/v5/public/instruments?instType=${instType}`, http);
  const env = okxEnvelopeSchema.safeParse(body);
  if (!env.success) throw schemaError('OKX instruments', env.error);
  if (String(env.data.code) !== '0') {
    throw new InstrumentFetchError(`OKX code ${env.data.code}: ${env.data.msg ?? ''}`.trim(), false);
  }
  const data = z.array(z.unknown()).safeParse(env.data.data);
  if (!data.success) throw schemaError('OKX instruments', data.error);
  const out = new Map<string, OkxInstrument>();
  for (const raw of data.data) {
    const item = okxInstrumentSchema.safeParse(raw);
    if (!item.success) continue;
    const inst = okxInstrumentOf(item.data);
    if (inst !== undefined) out.set(item.data.instId, inst);
  }
  return out;
}

/** SWAP and FUTURES together (the OKX stream subscribes both instTypes). */
export async function fetchOkxAllInstruments(baseUrl: string, http: HttpOptions = {}): Promise<Map<string, OkxInstrument>> {
  const swap = await fetchOkxInstruments(baseUrl, 'SWAP', http);
  const futures = await fetchOkxInstruments(baseUrl, 'FUTURES', http);
  for (const [k, v] of futures) swap.set(k, v);
  return swap;
}
