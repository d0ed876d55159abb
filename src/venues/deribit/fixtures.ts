// Deribit futures for the stand-in, shaped field for field like the `result[]` of GET /api/v2/public/get_instruments
// (kind=future): coin-settled perpetuals and a quarterly future (contract_size in USD), USDC-settled linear
// perpetuals (contract_size in the base coin).
import { DELIVERY } from '../standin/fixtures.js';

/** One element of get_instruments' `result[]`. */
export interface DeribitInstrumentItem {
  instrument_name: string;
  kind: string;
  base_currency: string;
  quote_currency: string;
  settlement_currency: string;
  [field: string]: unknown;
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
/** Deribit's perpetuals "expire" in the year 3000. */
const PERPETUAL_EXPIRY = 32503708800000;

/** The date part of a dated future's name: 27DEC26, 6AUG21 (no leading zero). */
export function deribitDate(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCDate()}${MONTHS[d.getUTCMonth()]}${String(d.getUTCFullYear() % 100).padStart(2, '0')}`;
}

interface FutureSpec {
  base: string;
  /** USD for coin-settled futures, USDC (or another coin) for linear ones. */
  quote: string;
  contractSize: number;
  tickSize: number;
  /** Expiry (ms) of a dated future; a perpetual without. */
  expiry?: number;
}

export function deribitFuture(s: FutureSpec): DeribitInstrumentItem {
  const linear = s.quote !== 'USD';
  const dated = s.expiry !== undefined;
  const stem = linear ? `${s.base}_${s.quote}` : s.base;
  const type = linear ? 'linear' : 'reversed';
  return {
    tick_size: s.tickSize,
    taker_commission: 0.0005,
    settlement_period: dated ? 'month' : 'perpetual',
    settlement_currency: linear ? s.quote : s.base,
    rfq: false,
    quote_currency: s.quote,
    price_index: `${s.base.toLowerCase()}_${linear ? s.quote.toLowerCase() : 'usd'}`,
    min_trade_amount: s.contractSize,
    max_liquidation_commission: 0.0075,
    max_leverage: linear ? 25 : 50,
    maker_commission: 0,
    kind: 'future',
    is_active: true,
    instrument_name: `${stem}-${dated ? deribitDate(s.expiry!) : 'PERPETUAL'}`,
    instrument_id: 200000 + s.base.length * 1000 + Math.round(s.contractSize * 100),
    instrument_type: type,
    future_type: type,
    expiration_timestamp: s.expiry ?? PERPETUAL_EXPIRY,
    creation_timestamp: 1534242287000,
    counter_currency: linear ? s.quote : 'USD',
    contract_size: s.contractSize,
    block_trade_commission: 0.00025,
    base_currency: s.base,
  };
}

export function defaultDeribitInstruments(): DeribitInstrumentItem[] {
  return [
    deribitFuture({ base: 'BTC', quote: 'USD', contractSize: 10, tickSize: 0.5 }),
    deribitFuture({ base: 'ETH', quote: 'USD', contractSize: 1, tickSize: 0.05 }),
    deribitFuture({ base: 'BTC', quote: 'USD', contractSize: 10, tickSize: 2.5, expiry: DELIVERY.ms }),
    deribitFuture({ base: 'SOL', quote: 'USDC', contractSize: 0.1, tickSize: 0.01 }),
    deribitFuture({ base: 'BTC', quote: 'USDC', contractSize: 0.0001, tickSize: 1 }),
  ];
}
