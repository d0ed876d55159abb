// Gate futures contracts for the stand-in, shaped field for field like GET /api/v4/futures/{settle}/contracts (a
// 2023 capture of the USDT list; BTC-settled inverse contracts carry quanto_multiplier "0").

/** One element of the array GET /api/v4/futures/{settle}/contracts answers. */
export interface GateContractRow {
  name: string;
  type: string; // direct (USDT-settled), inverse (BTC-settled BTC_USD)
  quanto_multiplier: string;
  [field: string]: unknown;
}

export interface GateContracts {
  usdt?: GateContractRow[];
  btc?: GateContractRow[];
}

interface Spec {
  name: string;
  type: 'direct' | 'inverse';
  quanto: string;
  price: string;
}

export function gateContract(s: Spec): GateContractRow {
  return {
    funding_rate_indicative: '0.0001',
    mark_price_round: '0.01',
    funding_offset: 0,
    in_delisting: false,
    risk_limit_base: '1000000',
    interest_rate: '0.0003',
    index_price: s.price,
    order_price_round: '0.1',
    order_size_min: 1,
    ref_rebate_rate: '0.2',
    name: s.name,
    ref_discount_rate: '0',
    order_price_deviate: '0.5',
    maintenance_rate: '0.004',
    mark_type: 'index',
    funding_interval: 28800,
    type: s.type,
    risk_limit_step: '1000000',
    enable_bonus: true,
    leverage_min: '1',
    funding_rate: '0.0001',
    last_price: s.price,
    mark_price: s.price,
    order_size_max: 1000000,
    funding_next_apply: 1684944000,
    short_users: 1000,
    enable_credit: true,
    config_change_time: 1681271407,
    create_time: 0,
    trade_size: 1000000000,
    position_size: 100000,
    long_users: 1000,
    quanto_multiplier: s.quanto,
    funding_impact_value: '50000',
    leverage_max: '100',
    risk_limit_max: '8000000',
    maker_fee_rate: '-0.0001',
    taker_fee_rate: '0.00075',
    orders_limit: 100,
    trade_id: 1,
    orderbook_id: 1,
  };
}

export function defaultGateContracts(): Required<GateContracts> {
  return {
    usdt: [
      gateContract({ name: 'BTC_USDT', type: 'direct', quanto: '0.0001', price: '50000' }),
      gateContract({ name: 'ETH_USDT', type: 'direct', quanto: '0.01', price: '3000' }),
      gateContract({ name: 'SOL_USDT', type: 'direct', quanto: '1', price: '150' }),
      gateContract({ name: 'HEI_USDT', type: 'direct', quanto: '10', price: '0.138' }),
    ],
    btc: [gateContract({ name: 'BTC_USD', type: 'inverse', quanto: '0', price: '50000' })],
  };
}
