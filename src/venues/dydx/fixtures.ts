// dYdX markets for the stand-in, shaped field for field like the values of GET /v4/perpetualMarkets' `markets`.
import { letters } from '../standin/fixtures.js';

/** One value of /v4/perpetualMarkets' `markets` object. */
export interface DydxMarketItem {
  ticker: string;
  status: string;
  [field: string]: unknown;
}

export function dydxMarket(ticker: string, clobPairId: number, tickSize: string, stepSize: string, oraclePrice = '1'): DydxMarketItem {
  return {
    clobPairId: String(clobPairId),
    ticker,
    status: 'ACTIVE',
    oraclePrice,
    priceChange24H: '0',
    volume24H: '0',
    trades24H: 0,
    nextFundingRate: '0',
    initialMarginFraction: '0.05',
    maintenanceMarginFraction: '0.03',
    openInterest: '0',
    atomicResolution: -10,
    quantumConversionExponent: -9,
    tickSize,
    stepSize,
    stepBaseQuantums: 1000000,
    subticksPerTick: 100000,
    marketType: 'CROSS',
    openInterestLowerCap: '0',
    openInterestUpperCap: '0',
    baseOpenInterest: '0',
    defaultFundingRate1H: '0',
  };
}

export function defaultDydxMarkets(): DydxMarketItem[] {
  return [
    dydxMarket('BTC-USD', 0, '1', '0.0001', '97000'),
    dydxMarket('ETH-USD', 1, '0.1', '0.001', '3400'),
    dydxMarket('SOL-USD', 2, '0.01', '0.01', '190'),
    dydxMarket('AVAX-USD', 3, '0.01', '0.1', '38'),
  ];
}

/** `n` markets with generated tickers (AAA-USD …), for the per-connection limit. */
export function manyDydxMarkets(n: number): DydxMarketItem[] {
  return Array.from({ length: n }, (_, i) => dydxMarket(`${letters(i + 26 * 27)}-USD`, 100 + i, '0.001', '1'));
}
