// Binance COIN-M exchangeInfo symbols for the stand-in, shaped field for field like the real answer (contractSize a
// JSON number, as Binance sends it).
import { DELIVERY } from '../standin/fixtures.js';

/** One element of Binance COIN-M's `symbols[]` from GET /dapi/v1/exchangeInfo. */
export interface BinanceCoinmSymbol {
  symbol: string;
  pair: string;
  contractType: string; // PERPETUAL | CURRENT_QUARTER | NEXT_QUARTER
  contractSize: number; // a JSON number in the real API
  contractStatus: string; // TRADING | DELIVERING | PENDING_TRADING ...
  [field: string]: unknown;
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
