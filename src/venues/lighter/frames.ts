// Lighter `trade/{market_id}` frames in the real wire format, for tests, the sample generator and benchmarks: the
// liquidation trades as a capture shows them (decimals as strings, ids and times as numbers).
import { formatDecimal, mul, parseDecimal } from '../../core/decimal.js';

export interface LighterLiq {
  tradeId: number;
  marketId: number;
  size: string; // base
  price: string;
  /** true: the maker sold and the taker (the liquidated account) bought, closing a short. */
  isMakerAsk: boolean;
  timestamp: number; // ms
}

function usdOf(size: string, price: string): string {
  const s = parseDecimal(size);
  const p = parseDecimal(price);
  return s === undefined || p === undefined ? '0' : formatDecimal(mul(s, p));
}

/** One item of `liquidation_trades[]`, as Lighter sends it. */
export function lighterLiquidation(l: LighterLiq): Record<string, unknown> {
  return {
    trade_id: l.tradeId,
    trade_id_str: String(l.tradeId),
    tx_hash: l.tradeId.toString(16).padStart(80, '0'),
    type: 'liquidation',
    market_id: l.marketId,
    size: l.size,
    price: l.price,
    usd_amount: usdOf(l.size, l.price),
    ask_id: 562952080068427,
    ask_id_str: '562952080068427',
    bid_id: 844422775101621,
    bid_id_str: '844422775101621',
    ask_client_id: 177668765669007,
    ask_client_id_str: '177668765669007',
    bid_client_id: 0,
    bid_client_id_str: '0',
    ask_account_id: 281474976626509,
    bid_account_id: 281474976600615,
    is_maker_ask: l.isMakerAsk,
    block_height: 218829719,
    timestamp: l.timestamp,
    taker_fee: 10000,
    // the taker's position before: the liquidated one, closed in full
    taker_position_size_before: l.isMakerAsk ? `-${l.size}` : l.size,
    taker_entry_quote_before: usdOf(l.size, l.price),
    taker_initial_margin_fraction_before: 200,
    taker_position_sign_changed: true,
    maker_fee: 39,
    maker_position_size_before: '-0.00015',
    maker_entry_quote_before: '11.282089',
    maker_initial_margin_fraction_before: 200,
    transaction_time: l.timestamp * 1000 + 281,
  };
}

/** A `trade/{market_id}` frame: `update/trade` (live) or `subscribed/trade` (the snapshot after a subscribe). */
export function lighterFrame(marketId: number, liqs: LighterLiq[], kind: 'update' | 'subscribed' = 'update', nonce = 10380968791): string {
  return JSON.stringify({ type: `${kind}/trade`, channel: `trade:${marketId}`, nonce, trades: [], liquidation_trades: liqs.map(lighterLiquidation) });
}
