// Bitget v3 instruments for the stand-in, shaped field for field like GET /api/v3/market/instruments's `data[]` (the
// docs example). How Bitget spells delivery futures and USDC perpetuals is unconfirmed: the names below (BTCPERP, a
// month-code coin-M future) are placeholders; the daemon names symbols from baseCoin, quoteCoin and deliveryTime only.
import { DELIVERY } from '../standin/fixtures.js';

/** One element of `data[]` from GET /api/v3/market/instruments. */
export interface BitgetInstrumentRow {
  symbol: string;
  category: string; // USDT-FUTURES | COIN-FUTURES | USDC-FUTURES
  baseCoin: string;
  quoteCoin: string;
  symbolType: string; // perpetual | delivery
  deliveryTime: string; // ms, "" for perpetuals
  status: string;
  [field: string]: unknown;
}

export type BitgetCategory = 'USDT-FUTURES' | 'COIN-FUTURES' | 'USDC-FUTURES';
export type BitgetInstruments = Partial<Record<BitgetCategory, BitgetInstrumentRow[]>>;

interface Spec {
  symbol: string;
  category: BitgetCategory;
  baseCoin: string;
  quoteCoin: string;
  pricePrecision: number;
  quantityPrecision: number;
  deliveryTime?: number;
}

const step = (d: number) => (d === 0 ? '1' : (10 ** -d).toFixed(d));

export function bitgetInstrument(s: Spec): BitgetInstrumentRow {
  const dated = s.deliveryTime !== undefined;
  return {
    symbol: s.symbol,
    category: s.category,
    baseCoin: s.baseCoin,
    quoteCoin: s.quoteCoin,
    buyLimitPriceRatio: '1000',
    sellLimitPriceRatio: '1',
    feeRateUpRatio: '0.1',
    makerFeeRate: '0.0002',
    takerFeeRate: '0.0006',
    openCostUpRatio: '0.1',
    minOrderQty: step(s.quantityPrecision),
    maxOrderQty: '',
    pricePrecision: String(s.pricePrecision),
    quantityPrecision: String(s.quantityPrecision),
    quotePrecision: '',
    priceMultiplier: step(s.pricePrecision),
    quantityMultiplier: step(s.quantityPrecision),
    symbolType: dated ? 'delivery' : 'perpetual',
    minOrderAmount: '5',
    maxSymbolOrderNum: '10000000',
    maxProductOrderNum: '10000000',
    maxPositionNum: '50',
    status: 'online',
    offTime: '-1',
    limitOpenTime: '-1',
    deliveryTime: dated ? String(s.deliveryTime) : '',
    deliveryStartTime: '',
    deliveryPeriod: dated ? 'this_quarter' : '',
    launchTime: '',
    fundInterval: dated ? '' : '8',
    minLeverage: '1',
    maxLeverage: '125',
    maintainTime: '',
  };
}

export function defaultBitgetInstruments(): Required<BitgetInstruments> {
  const usdt = (b: string, pp: number, qp: number) => bitgetInstrument({ symbol: `${b}USDT`, category: 'USDT-FUTURES', baseCoin: b, quoteCoin: 'USDT', pricePrecision: pp, quantityPrecision: qp });
  const coin = (b: string, pp: number) => bitgetInstrument({ symbol: `${b}USD`, category: 'COIN-FUTURES', baseCoin: b, quoteCoin: 'USD', pricePrecision: pp, quantityPrecision: 3 });
  const usdc = (b: string, pp: number, qp: number) => bitgetInstrument({ symbol: `${b}PERP`, category: 'USDC-FUTURES', baseCoin: b, quoteCoin: 'USDC', pricePrecision: pp, quantityPrecision: qp });
  return {
    'USDT-FUTURES': [usdt('BTC', 1, 4), usdt('ETH', 2, 2), usdt('SOL', 3, 1), usdt('APE', 4, 1)],
    'COIN-FUTURES': [
      coin('BTC', 1),
      coin('ETH', 2),
      bitgetInstrument({ symbol: `BTCUSD${DELIVERY.bybitInverse}`, category: 'COIN-FUTURES', baseCoin: 'BTC', quoteCoin: 'USD', pricePrecision: 1, quantityPrecision: 3, deliveryTime: DELIVERY.ms }),
    ],
    'USDC-FUTURES': [usdc('BTC', 1, 4), usdc('ETH', 2, 2)],
  };
}
