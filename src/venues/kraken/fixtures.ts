// Kraken Futures instruments for the stand-in, shaped field for field like GET /derivatives/api/v3/instruments's
// `instruments[]` (docs example of 2026; numbers as JSON numbers, dates ISO 8601).
import { DELIVERY } from '../standin/fixtures.js';

/** One element of Kraken's `instruments[]`. */
export interface KrakenInstrument {
  symbol: string;
  type: string; // flexible_futures | futures_inverse | futures_vanilla | spot index …
  tradeable: boolean;
  [field: string]: unknown;
}

interface KrakenSpec {
  symbol: string;
  base: string;
  tickSize: number;
  /** Contract value precision (decimals of qty): linear products trade fractions of the base unit. */
  precision?: number;
  lastTradingTime?: number;
}

const MARGIN_LEVELS = [
  { contracts: 0, initialMargin: 0.02, maintenanceMargin: 0.01 },
  { contracts: 500000, initialMargin: 0.04, maintenanceMargin: 0.02 },
];

export function krakenInstrument(s: KrakenSpec): KrakenInstrument {
  const linear = s.symbol.startsWith('PF_') || s.symbol.startsWith('FF_');
  return {
    symbol: s.symbol,
    pair: `${s.base}:USD`,
    base: s.base,
    quote: 'USD',
    type: linear ? 'flexible_futures' : 'futures_inverse',
    underlying: `rr_${s.base.toLowerCase()}usd`,
    ...(s.lastTradingTime !== undefined ? { lastTradingTime: new Date(s.lastTradingTime).toISOString() } : {}),
    tickSize: s.tickSize,
    contractSize: 1,
    tradeable: true,
    impactMidSize: 1,
    maxPositionSize: 1000000,
    openingDate: '2022-01-01T00:00:00.000Z',
    marginLevels: MARGIN_LEVELS,
    fundingRateCoefficient: 8,
    maxRelativeFundingRate: 0.001,
    contractValueTradePrecision: linear ? (s.precision ?? 4) : 0,
    postOnly: false,
    retailMarginLevels: [{ contracts: 0, initialMargin: 0.5, maintenanceMargin: 0.25 }],
    category: '',
    tags: [],
    tradfi: false,
    mtf: true,
  };
}

/** An index the list carries beside the products (never tradeable, never subscribed). */
export function krakenIndex(symbol: string): KrakenInstrument {
  return { symbol, type: 'spot index', tradeable: false };
}

export function defaultKrakenInstruments(): KrakenInstrument[] {
  return [
    krakenInstrument({ symbol: 'PF_XBTUSD', base: 'XBT', tickSize: 1 }),
    krakenInstrument({ symbol: 'PF_ETHUSD', base: 'ETH', tickSize: 0.1 }),
    krakenInstrument({ symbol: 'PF_SOLUSD', base: 'SOL', tickSize: 0.01, precision: 2 }),
    krakenInstrument({ symbol: 'PI_XBTUSD', base: 'XBT', tickSize: 0.5 }),
    krakenInstrument({ symbol: 'PI_ETHUSD', base: 'ETH', tickSize: 0.05 }),
    krakenInstrument({ symbol: `FI_XBTUSD_${DELIVERY.yymmdd}`, base: 'XBT', tickSize: 0.5, lastTradingTime: DELIVERY.ms }),
    krakenInstrument({ symbol: `FF_XBTUSD_${DELIVERY.yymmdd}`, base: 'XBT', tickSize: 1, lastTradingTime: DELIVERY.ms }),
    krakenIndex('in_xbtusd'),
    krakenIndex('rr_xbtusd'),
  ];
}
