// BitMEX instruments for the stand-in, shaped field for field like GET /api/v1/instrument/active (a JSON array of
// instrument objects; numbers as JSON numbers, times as ISO strings). Dated futures expire at 12:00 UTC on the
// quarterly delivery day and are named root + month code + YY (XBTZ26).
import { DELIVERY } from '../standin/fixtures.js';

/** One element of the array GET /api/v1/instrument/active returns (the fields the daemon reads, and the others). */
export interface BitmexInstrument {
  symbol: string;
  typ: string; // FFWCSX perpetual, FFCCSX future, IFXXXP spot, …
  underlying: string;
  quoteCurrency: string;
  isInverse: boolean;
  isQuanto: boolean;
  multiplier: number | null;
  underlyingToPositionMultiplier: number | null;
  underlyingToSettleMultiplier: number | null;
  expiry: string | null;
  [field: string]: unknown;
}

const MONTH_CODES = 'FGHJKMNQUVXZ';

/** BitMEX delivers its quarterlies at 12:00 UTC; the stand-ins' delivery day is shared with the other venues. */
export const BITMEX_EXPIRY_MS = DELIVERY.ms + 4 * 3_600_000;

/** XBT + Z26: the month code and year of an expiry. */
export function futureSuffix(expiryMs: number): string {
  const d = new Date(expiryMs);
  return `${MONTH_CODES[d.getUTCMonth()]}${String(d.getUTCFullYear() % 100).padStart(2, '0')}`;
}

interface BitmexSpec {
  symbol: string;
  typ: 'FFWCSX' | 'FFCCSX' | 'IFXXXP';
  underlying: string;
  quoteCurrency: string;
  kind: 'inverse' | 'linear' | 'quanto';
  /** Linear: contracts per unit of the underlying (XBTUSDT 1,000,000: a contract is 0.000001 XBT). */
  underlyingToPositionMultiplier?: number;
  /** Quanto: XBt per contract per price point (ETHUSD 100). */
  multiplier?: number;
  tickSize: number;
  lotSize: number;
  expiryMs?: number;
}

export function bitmexInstrument(s: BitmexSpec): BitmexInstrument {
  const inverse = s.kind === 'inverse';
  const quanto = s.kind === 'quanto';
  const usdt = s.quoteCurrency === 'USDT';
  const expiry = s.expiryMs === undefined ? null : new Date(s.expiryMs).toISOString();
  return {
    symbol: s.symbol,
    rootSymbol: s.underlying,
    state: 'Open',
    typ: s.typ,
    listing: '2024-03-01T04:00:00.000Z',
    front: expiry === null ? '2024-03-01T04:00:00.000Z' : new Date(s.expiryMs! - 28 * 86_400_000).toISOString(),
    expiry,
    settle: expiry,
    listedSettle: expiry,
    positionCurrency: inverse ? s.quoteCurrency : quanto ? '' : s.underlying,
    underlying: s.underlying,
    quoteCurrency: s.quoteCurrency,
    underlyingSymbol: `${s.underlying}${usdt ? 'T' : ''}=`,
    reference: 'BMEX',
    referenceSymbol: `.B${s.underlying}${usdt ? 'T' : ''}`,
    maxOrderQty: 10_000_000,
    maxPrice: 10_000_000,
    lotSize: s.lotSize,
    tickSize: s.tickSize,
    multiplier: inverse ? -100_000_000 : quanto ? (s.multiplier ?? 100) : usdt ? 1 : 100_000_000,
    settlCurrency: usdt && !quanto ? 'USDt' : 'XBt',
    underlyingToPositionMultiplier: inverse || quanto ? null : (s.underlyingToPositionMultiplier ?? 1),
    underlyingToSettleMultiplier: inverse ? -100_000_000 : null,
    quoteToSettleMultiplier: inverse ? null : usdt && !quanto ? 1_000_000 : quanto ? 3108 : 100_000_000,
    isQuanto: quanto,
    isInverse: inverse,
    initMargin: 0.01,
    maintMargin: 0.005,
    riskLimit: 1_000_000_000_000,
    riskStep: 1_000_000_000_000,
    capped: false,
    taxed: true,
    deleverage: true,
    makerFee: -0.0001,
    takerFee: 0.00075,
    settlementFee: 0,
    fundingBaseSymbol: expiry === null ? `.${s.underlying}BON8H` : '',
    fundingQuoteSymbol: expiry === null ? `.${usdt ? 'USDT' : 'USD'}BON8H` : '',
    fundingInterval: expiry === null ? '2000-01-01T08:00:00.000Z' : null,
    fundingRate: expiry === null ? 0.0001 : null,
    lastPrice: 0,
    markPrice: 0,
    hasLiquidity: true,
    openInterest: 0,
    fairMethod: expiry === null ? 'FundingRate' : 'ImpactMidPrice',
    markMethod: 'FairPrice',
    timestamp: '2024-03-01T04:00:00.000Z',
  };
}

/**
 * The default listing: the inverse perpetual and quarterly (XBTUSD, XBTZ26), linear USDT perpetuals (XBTUSDT, ETHUSDT,
 * SOLUSDT), a quanto (ETHUSD), an XBT-quoted future (ETHZ26, priced in XBT) and a spot pair (XBT_USDT).
 */
export function defaultBitmexInstruments(): BitmexInstrument[] {
  const dated = futureSuffix(BITMEX_EXPIRY_MS);
  return [
    bitmexInstrument({ symbol: 'XBTUSD', typ: 'FFWCSX', underlying: 'XBT', quoteCurrency: 'USD', kind: 'inverse', tickSize: 0.1, lotSize: 100 }),
    bitmexInstrument({ symbol: `XBT${dated}`, typ: 'FFCCSX', underlying: 'XBT', quoteCurrency: 'USD', kind: 'inverse', tickSize: 0.5, lotSize: 100, expiryMs: BITMEX_EXPIRY_MS }),
    bitmexInstrument({ symbol: 'XBTUSDT', typ: 'FFWCSX', underlying: 'XBT', quoteCurrency: 'USDT', kind: 'linear', underlyingToPositionMultiplier: 1_000_000, tickSize: 0.1, lotSize: 100 }),
    bitmexInstrument({ symbol: 'ETHUSDT', typ: 'FFWCSX', underlying: 'ETH', quoteCurrency: 'USDT', kind: 'linear', underlyingToPositionMultiplier: 1000, tickSize: 0.01, lotSize: 1 }),
    bitmexInstrument({ symbol: 'SOLUSDT', typ: 'FFWCSX', underlying: 'SOL', quoteCurrency: 'USDT', kind: 'linear', underlyingToPositionMultiplier: 10_000, tickSize: 0.001, lotSize: 1000 }),
    bitmexInstrument({ symbol: 'ETHUSD', typ: 'FFWCSX', underlying: 'ETH', quoteCurrency: 'USD', kind: 'quanto', multiplier: 100, tickSize: 0.05, lotSize: 1 }),
    bitmexInstrument({ symbol: `ETH${dated}`, typ: 'FFCCSX', underlying: 'ETH', quoteCurrency: 'XBT', kind: 'linear', underlyingToPositionMultiplier: 1, tickSize: 0.00001, lotSize: 1, expiryMs: BITMEX_EXPIRY_MS }),
    bitmexInstrument({ symbol: 'XBT_USDT', typ: 'IFXXXP', underlying: 'XBT', quoteCurrency: 'USDT', kind: 'linear', underlyingToPositionMultiplier: 1_000_000, tickSize: 0.5, lotSize: 1000 }),
  ];
}
