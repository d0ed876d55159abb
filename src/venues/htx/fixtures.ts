// HTX contracts for the stand-in, shaped field for field like the `data[]` of GET /linear-swap-api/v1/swap_contract_info
// (USDT-margined swaps and futures) and /swap-api/v1/swap_contract_info (coin-margined swaps). Sizes and ticks are
// JSON numbers, as HTX sends them.
import { DELIVERY } from '../standin/fixtures.js';

/** One element of HTX's swap_contract_info `data[]`. */
export interface HtxContractItem {
  symbol: string;
  contract_code: string;
  contract_size: number;
  price_tick: number;
  contract_status: number;
  [field: string]: unknown;
}

/** A USDT-margined swap (BTC-USDT) or future (BTC-USDT-261225, delivering at `delivery` ms). */
export function htxLinearContract(code: string, contractSize: number, priceTick: number, delivery?: number): HtxContractItem {
  const [base, quote] = code.split('-');
  const future = delivery !== undefined;
  const d = future ? new Date(delivery) : undefined;
  const ymd = d ? `${d.getUTCFullYear()}${String(d.getUTCMonth() + 1).padStart(2, '0')}${String(d.getUTCDate()).padStart(2, '0')}` : '';
  return {
    symbol: base,
    contract_code: code,
    contract_size: contractSize,
    price_tick: priceTick,
    delivery_date: ymd,
    delivery_time: future ? String(delivery) : '',
    create_date: '20201021',
    contract_status: 1,
    settlement_date: '1645315200000',
    support_margin_mode: future ? 'cross' : 'all',
    business_type: future ? 'futures' : 'swap',
    pair: `${base}-${quote}`,
    contract_type: future ? 'quarter' : 'swap',
    trade_partition: quote,
  };
}

/** A coin-margined swap (BTC-USD), contract_size in USD. */
export function htxInverseContract(code: string, contractSize: number, priceTick: number): HtxContractItem {
  return {
    symbol: code.split('-')[0],
    contract_code: code,
    contract_size: contractSize,
    price_tick: priceTick,
    delivery_time: '',
    create_date: '20200325',
    contract_status: 1,
    settlement_date: '1645315200000',
  };
}

export function defaultHtxLinear(): HtxContractItem[] {
  return [
    htxLinearContract('BTC-USDT', 0.001, 0.1),
    htxLinearContract('ETH-USDT', 0.01, 0.01),
    htxLinearContract('SOL-USDT', 1, 0.001),
    htxLinearContract('DOGE-USDT', 100, 0.000001),
    htxLinearContract(`BTC-USDT-${DELIVERY.yymmdd}`, 0.001, 0.1, DELIVERY.ms),
  ];
}

export function defaultHtxInverse(): HtxContractItem[] {
  return [htxInverseContract('BTC-USD', 100, 0.1), htxInverseContract('ETH-USD', 10, 0.01), htxInverseContract('SOL-USD', 10, 0.001)];
}
