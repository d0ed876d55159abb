// Bybit instruments for the stand-in, shaped field for field like GET /v5/market/instruments-info's `result.list`.
import { DELIVERY, letters } from '../standin/fixtures.js';

/** One element of Bybit's `result.list` from GET /v5/market/instruments-info. */
export interface BybitInstrument {
  symbol: string;
  contractType: string; // LinearPerpetual | LinearFutures | InversePerpetual | InverseFutures
  status: string; // Trading | PreLaunch | Delivering | Closed
  baseCoin: string;
  quoteCoin: string;
  [field: string]: unknown;
}

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

