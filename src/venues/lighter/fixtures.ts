// Lighter markets for the stand-in, shaped field for field like GET /api/v1/orderBookDetails's `order_book_details[]`
// (perpetuals) and `spot_order_book_details[]` (as ccxt's lighter.ts records the answer; counts and volumes are JSON
// numbers, fees and amounts strings).

/** One element of `order_book_details[]` (or of `spot_order_book_details[]`). */
export interface LighterOrderBook {
  symbol: string; // BTC for a perpetual, ETH/USDC for a spot market
  market_id: number;
  market_type: string; // perp | spot
  status: string; // active | inactive
  [field: string]: unknown;
}

interface LighterSpec {
  symbol: string;
  marketId: number;
  price: number;
  sizeDecimals: number;
  priceDecimals: number;
  status?: string;
}

export function lighterMarket(s: LighterSpec): LighterOrderBook {
  return {
    symbol: s.symbol,
    market_id: s.marketId,
    market_type: 'perp',
    base_asset_id: 0,
    quote_asset_id: 0,
    status: s.status ?? 'active',
    taker_fee: '0.0000',
    maker_fee: '0.0000',
    liquidation_fee: '1.0000',
    min_base_amount: (10 ** -s.sizeDecimals).toFixed(s.sizeDecimals),
    min_quote_amount: '10.000000',
    order_quote_limit: '',
    supported_size_decimals: s.sizeDecimals,
    supported_price_decimals: s.priceDecimals,
    supported_quote_decimals: 6,
    size_decimals: s.sizeDecimals,
    price_decimals: s.priceDecimals,
    quote_multiplier: 1,
    default_initial_margin_fraction: 500,
    min_initial_margin_fraction: 200,
    maintenance_margin_fraction: 120,
    closeout_margin_fraction: 80,
    last_trade_price: s.price,
    daily_trades_count: 1197349,
    daily_base_token_volume: 481297.3509,
    daily_quote_token_volume: 1671431095.263844,
    daily_price_low: s.price * 0.97,
    daily_price_high: s.price * 1.01,
    daily_price_change: 0.5294300840859545,
    open_interest: 39559.3278,
    daily_chart: {},
    market_config: { market_margin_mode: 0, insurance_fund_account_index: 281474976710654, liquidation_mode: 0, force_reduce_only: false, trading_hours: '' },
  };
}

export function lighterSpotMarket(symbol: string, marketId: number): LighterOrderBook {
  return { ...lighterMarket({ symbol, marketId, price: 2731.79, sizeDecimals: 4, priceDecimals: 2 }), market_type: 'spot', base_asset_id: 1, quote_asset_id: 3 };
}

export function defaultLighterMarkets(): LighterOrderBook[] {
  return [
    lighterMarket({ symbol: 'ETH', marketId: 0, price: 3550.69, sizeDecimals: 4, priceDecimals: 2 }),
    lighterMarket({ symbol: 'BTC', marketId: 1, price: 75602.8, sizeDecimals: 5, priceDecimals: 1 }),
    lighterMarket({ symbol: 'SOL', marketId: 2, price: 150.123, sizeDecimals: 3, priceDecimals: 3 }),
    lighterMarket({ symbol: 'DOGE', marketId: 3, price: 0.202095, sizeDecimals: 0, priceDecimals: 6 }),
    lighterMarket({ symbol: '1000PEPE', marketId: 4, price: 0.012345, sizeDecimals: 0, priceDecimals: 6 }),
    lighterMarket({ symbol: 'OLD', marketId: 9, price: 1.5, sizeDecimals: 1, priceDecimals: 4, status: 'inactive' }),
  ];
}

export function defaultLighterSpotMarkets(): LighterOrderBook[] {
  return [lighterSpotMarket('ETH/USDC', 2048)];
}
