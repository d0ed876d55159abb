// Realistic default metadata for the stand-ins, shaped field for field like the exchanges' REST answers,
// so the daemon's metadata code sees what it sees live (strings where the exchange sends strings, numbers
// where it sends numbers).
import { yymmddUtc } from '../../src/streams/parsers/common.js';
import type { BinanceCoinmSymbol, BybitInstrument, OkxInstrument } from './types.js';

/** March, June, September, December (UTC months, 0-based). */
const QUARTER_MONTHS = [2, 5, 8, 11];
const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
/** Futures month codes, January to December (Bybit's inverse futures: BTCUSDZ26 is December 2026). */
const MONTH_CODES = 'FGHJKMNQUVXZ';

/** The last Friday of a UTC month at 08:00 UTC, when Binance, Bybit and OKX deliver their quarterly futures. */
function lastFriday0800(year: number, month: number): number {
  const last = new Date(Date.UTC(year, month + 1, 0));
  const back = (last.getUTCDay() - 5 + 7) % 7;
  return Date.UTC(year, month, last.getUTCDate() - back, 8);
}

/** The first quarterly delivery after `now`: the last Friday of March, June, September or December, 08:00 UTC. */
export function nextQuarterlyDelivery(now: number): number {
  for (let year = new Date(now).getUTCFullYear(); ; year++) {
    for (const month of QUARTER_MONTHS) {
      const t = lastFriday0800(year, month);
      if (t > now) return t;
    }
  }
}

export interface Delivery {
  /** The delivery time, ms. */
  readonly ms: number;
  /** YYMMDD (UTC): OKX BTC-USD-YYMMDD, Binance COIN-M BTCUSD_YYMMDD, and the daemon's symbols BTCUSD_YYMMDD. */
  readonly yymmdd: string;
  /** DDMMMYY: Bybit's linear futures, BTCUSDT-DDMMMYY. */
  readonly bybitLinear: string;
  /** Month code and YY: Bybit's inverse futures, BTCUSD + this. */
  readonly bybitInverse: string;
}

export function deliveryOf(ms: number): Delivery {
  const d = new Date(ms);
  const yy = String(d.getUTCFullYear() % 100).padStart(2, '0');
  return {
    ms,
    yymmdd: yymmddUtc(ms),
    bybitLinear: `${String(d.getUTCDate()).padStart(2, '0')}${MONTHS[d.getUTCMonth()]}${yy}`,
    bybitInverse: `${MONTH_CODES[d.getUTCMonth()]}${yy}`,
  };
}

/**
 * The stand-ins' dated futures deliver at the next quarterly delivery after this process started, so that they are
 * always in the future (a fixed date passes). Computed once: the stand-ins and a test comparing names with them
 * agree even across a delivery.
 */
export const DELIVERY: Delivery = deliveryOf(nextQuarterlyDelivery(Date.now()));
const DELIVERY_MS = String(DELIVERY.ms);

interface BybitSpec {
  symbol: string;
  contractType: 'LinearPerpetual' | 'LinearFutures' | 'InversePerpetual' | 'InverseFutures';
  baseCoin: string;
  quoteCoin: string;
  settleCoin: string;
  tickSize: string;
  qtyStep: string;
  deliveryTime?: string;
}

export function bybitInstrument(s: BybitSpec): BybitInstrument {
  const dated = s.contractType === 'LinearFutures' || s.contractType === 'InverseFutures';
  return {
    symbol: s.symbol,
    contractType: s.contractType,
    status: 'Trading',
    baseCoin: s.baseCoin,
    quoteCoin: s.quoteCoin,
    launchTime: '1584230400000',
    deliveryTime: s.deliveryTime ?? '0',
    deliveryFeeRate: dated ? '0.0005' : '',
    priceScale: String(Math.max(0, (s.tickSize.split('.')[1] ?? '').length)),
    leverageFilter: { minLeverage: '1', maxLeverage: '100.00', leverageStep: '0.01' },
    priceFilter: { minPrice: s.tickSize, maxPrice: '1999999.80', tickSize: s.tickSize },
    lotSizeFilter: {
      maxOrderQty: '1190.000',
      minOrderQty: s.qtyStep,
      qtyStep: s.qtyStep,
      postOnlyMaxOrderQty: '1190.000',
      maxMktOrderQty: '500.000',
      minNotionalValue: '5',
    },
    unifiedMarginTrade: true,
    fundingInterval: dated ? 0 : 480,
    settleCoin: s.settleCoin,
    copyTrading: 'both',
    upperFundingRate: '0.00375',
    lowerFundingRate: '-0.00375',
    isPreListing: false,
    preListingInfo: null,
  };
}

const usdt = (base: string, tickSize: string, qtyStep: string): BybitInstrument =>
  bybitInstrument({ symbol: `${base}USDT`, contractType: 'LinearPerpetual', baseCoin: base, quoteCoin: 'USDT', settleCoin: 'USDT', tickSize, qtyStep });
const usdcPerp = (base: string, tickSize: string, qtyStep: string): BybitInstrument =>
  bybitInstrument({ symbol: `${base}PERP`, contractType: 'LinearPerpetual', baseCoin: base, quoteCoin: 'USDC', settleCoin: 'USDC', tickSize, qtyStep });
const inversePerp = (base: string, tickSize: string): BybitInstrument =>
  bybitInstrument({ symbol: `${base}USD`, contractType: 'InversePerpetual', baseCoin: base, quoteCoin: 'USD', settleCoin: base, tickSize, qtyStep: '1' });

export function defaultBybitLinear(): BybitInstrument[] {
  return [
    usdt('BTC', '0.10', '0.001'),
    usdt('ETH', '0.01', '0.01'),
    usdt('SOL', '0.010', '0.1'),
    usdcPerp('BTC', '0.10', '0.001'),
    usdcPerp('ETH', '0.01', '0.01'),
    bybitInstrument({
      symbol: `BTCUSDT-${DELIVERY.bybitLinear}`,
      contractType: 'LinearFutures',
      baseCoin: 'BTC',
      quoteCoin: 'USDT',
      settleCoin: 'USDT',
      tickSize: '0.50',
      qtyStep: '0.001',
      deliveryTime: DELIVERY_MS,
    }),
  ];
}

export function defaultBybitInverse(): BybitInstrument[] {
  return [
    inversePerp('BTC', '0.50'),
    inversePerp('ETH', '0.05'),
    inversePerp('SOL', '0.010'),
    bybitInstrument({
      symbol: `BTCUSD${DELIVERY.bybitInverse}`,
      contractType: 'InverseFutures',
      baseCoin: 'BTC',
      quoteCoin: 'USD',
      settleCoin: 'BTC',
      tickSize: '0.50',
      qtyStep: '1',
      deliveryTime: DELIVERY_MS,
    }),
  ];
}

/** Letters for index i: A..Z, AA..ZZ, AAA..; deterministic and unique. */
export function letters(i: number): string {
  let s = '';
  let n = i;
  do {
    s = String.fromCharCode(65 + (n % 26)) + s;
    n = Math.floor(n / 26) - 1;
  } while (n >= 0);
  return s;
}

/**
 * n Bybit linear instruments: the default ones first, then generated USDT perpetuals ("QAUSDT", "1000QBUSDT", …)
 * with every 10th a USDC perpetual ("Q…PERP"). Symbols are unique and look like Bybit's.
 */
export function manyBybitLinear(n: number): BybitInstrument[] {
  const out = defaultBybitLinear().slice(0, n);
  for (let i = 0; out.length < n; i++) {
    const base = `Q${letters(i)}`;
    if (i % 10 === 9) out.push(usdcPerp(base, '0.0001', '1'));
    else if (i % 7 === 6) out.push(usdt(`1000${base}`, '0.000001', '100'));
    else out.push(usdt(base, '0.0001', '1'));
  }
  return out;
}

interface OkxSpec {
  instId: string;
  instType: 'SWAP' | 'FUTURES';
  ctType: 'linear' | 'inverse';
  ctVal: string;
  tickSz: string;
  lotSz: string;
  expTime?: string;
}

export function okxInstrument(s: OkxSpec): OkxInstrument {
  const [base, quote] = s.instId.split('-');
  const family = `${base}-${quote}`;
  const linear = s.ctType === 'linear';
  return {
    alias: s.instType === 'FUTURES' ? 'quarter' : '',
    baseCcy: '',
    category: '1',
    ctMult: '1',
    ctType: s.ctType,
    ctVal: s.ctVal,
    ctValCcy: linear ? base : quote,
    expTime: s.expTime ?? '',
    instFamily: family,
    instId: s.instId,
    instType: s.instType,
    lever: '100',
    listTime: '1606468572000',
    lotSz: s.lotSz,
    maxIcebergSz: '100000000.0000000000000000',
    maxLmtAmt: '20000000',
    maxLmtSz: '100000000',
    maxMktAmt: '',
    maxMktSz: '12000',
    maxStopSz: '12000',
    maxTriggerSz: '100000000.0000000000000000',
    maxTwapSz: '100000000.0000000000000000',
    minSz: s.lotSz,
    optType: '',
    quoteCcy: '',
    settleCcy: linear ? quote : base,
    state: 'live',
    ruleType: 'normal',
    stk: '',
    tickSz: s.tickSz,
    uly: family,
  };
}

export function defaultOkxInstruments(): { SWAP: OkxInstrument[]; FUTURES: OkxInstrument[] } {
  return {
    SWAP: [
      okxInstrument({ instId: 'BTC-USDT-SWAP', instType: 'SWAP', ctType: 'linear', ctVal: '0.01', tickSz: '0.1', lotSz: '0.01' }),
      okxInstrument({ instId: 'ETH-USDT-SWAP', instType: 'SWAP', ctType: 'linear', ctVal: '0.1', tickSz: '0.01', lotSz: '0.01' }),
      okxInstrument({ instId: 'SOL-USDT-SWAP', instType: 'SWAP', ctType: 'linear', ctVal: '1', tickSz: '0.01', lotSz: '0.01' }),
      okxInstrument({ instId: 'BTC-USD-SWAP', instType: 'SWAP', ctType: 'inverse', ctVal: '100', tickSz: '0.1', lotSz: '1' }),
      okxInstrument({ instId: 'ETH-USD-SWAP', instType: 'SWAP', ctType: 'inverse', ctVal: '10', tickSz: '0.01', lotSz: '1' }),
    ],
    FUTURES: [
      okxInstrument({ instId: `BTC-USD-${DELIVERY.yymmdd}`, instType: 'FUTURES', ctType: 'inverse', ctVal: '100', tickSz: '0.1', lotSz: '1', expTime: DELIVERY_MS }),
      okxInstrument({ instId: `ETH-USD-${DELIVERY.yymmdd}`, instType: 'FUTURES', ctType: 'inverse', ctVal: '10', tickSz: '0.01', lotSz: '1', expTime: DELIVERY_MS }),
    ],
  };
}

interface CoinmSpec {
  symbol: string;
  contractType: 'PERPETUAL' | 'CURRENT_QUARTER' | 'NEXT_QUARTER';
  contractSize: number;
  deliveryDate?: number;
  pricePrecision: number;
}

export function binanceCoinmSymbol(s: CoinmSpec): BinanceCoinmSymbol {
  const pair = s.symbol.split('_')[0];
  const base = pair.slice(0, -3);
  return {
    symbol: s.symbol,
    pair,
    contractType: s.contractType,
    deliveryDate: s.deliveryDate ?? 4133404800000, // perpetuals carry 2100-12-25 in the real API
    onboardDate: 1597042800000,
    contractStatus: 'TRADING',
    contractSize: s.contractSize,
    marginAsset: base,
    maintMarginPercent: '2.5000',
    requiredMarginPercent: '5.0000',
    baseAsset: base,
    quoteAsset: 'USD',
    pricePrecision: s.pricePrecision,
    quantityPrecision: 0,
    baseAssetPrecision: 8,
    quotePrecision: 8,
    equalQtyPrecision: 4,
    maxMoveOrderLimit: 10000,
    triggerProtect: '0.0500',
    underlyingType: 'COIN',
    underlyingSubType: [],
    filters: [
      { filterType: 'PRICE_FILTER', minPrice: '1000', maxPrice: '4520958', tickSize: (10 ** -s.pricePrecision).toFixed(s.pricePrecision) },
      { filterType: 'LOT_SIZE', minQty: '1', maxQty: '1000000', stepSize: '1' },
      { filterType: 'MARKET_LOT_SIZE', minQty: '1', maxQty: '60000', stepSize: '1' },
      { filterType: 'MAX_NUM_ORDERS', limit: 200 },
      { filterType: 'PERCENT_PRICE', multiplierUp: '1.0500', multiplierDown: '0.9500', multiplierDecimal: 4 },
    ],
    orderTypes: ['LIMIT', 'MARKET', 'STOP', 'STOP_MARKET', 'TAKE_PROFIT', 'TAKE_PROFIT_MARKET', 'TRAILING_STOP_MARKET'],
    timeInForce: ['GTC', 'IOC', 'FOK', 'GTX'],
    liquidationFee: '0.010000',
    marketTakeBound: '0.05',
  };
}

export function defaultBinanceCoinm(): BinanceCoinmSymbol[] {
  return [
    binanceCoinmSymbol({ symbol: 'BTCUSD_PERP', contractType: 'PERPETUAL', contractSize: 100, pricePrecision: 1 }),
    binanceCoinmSymbol({ symbol: 'ETHUSD_PERP', contractType: 'PERPETUAL', contractSize: 10, pricePrecision: 2 }),
    binanceCoinmSymbol({ symbol: 'SOLUSD_PERP', contractType: 'PERPETUAL', contractSize: 10, pricePrecision: 3 }),
    binanceCoinmSymbol({
      symbol: `BTCUSD_${DELIVERY.yymmdd}`,
      contractType: 'CURRENT_QUARTER',
      contractSize: 100,
      pricePrecision: 1,
      deliveryDate: DELIVERY.ms,
    }),
  ];
}
