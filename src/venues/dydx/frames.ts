// dYdX v4_trades frames in the real wire format, for tests, the sample generator and benchmarks: decimals as strings,
// createdAt ISO 8601 with milliseconds.

export interface DydxTrade {
  /** The taker fill's id (24 hex digits on the indexer today; UUIDs on older ones). */
  id: string;
  /** The taker's side: SELL closes a liquidated long. */
  side: 'BUY' | 'SELL';
  size: string;
  price: string;
  /** ms, or the ISO text itself (to send one with sub-millisecond digits). */
  createdAt: number | string;
  type?: 'LIMIT' | 'LIQUIDATED' | 'DELEVERAGED';
  /** Older indexers flagged liquidations with a boolean instead of a type. */
  liquidation?: boolean;
}

export const isoOf = (ms: number): string => new Date(ms).toISOString();

function tradeOf(t: DydxTrade): Record<string, unknown> {
  return {
    id: t.id,
    side: t.side,
    size: t.size,
    price: t.price,
    ...(t.type !== undefined ? { type: t.type } : {}),
    ...(t.liquidation !== undefined ? { liquidation: t.liquidation } : {}),
    createdAt: typeof t.createdAt === 'number' ? isoOf(t.createdAt) : t.createdAt,
  };
}

/** A channel_data push of one market's new trades. */
export function dydxTradesFrame(market: string, trades: DydxTrade[], messageId = 1): string {
  return JSON.stringify({
    type: 'channel_data',
    connection_id: '3a2e4c0c-7579-4bf6-a570-e0979418bbe9',
    message_id: messageId,
    id: market,
    channel: 'v4_trades',
    version: '2.1.0',
    contents: { trades: trades.map(tradeOf) },
  });
}

/** The answer to a subscribe: the market's recent trades (newest first), as /v4/trades/perpetualMarket/{id} has them. */
export function dydxSubscribedFrame(market: string, trades: Array<Record<string, unknown>>, connectionId: string, messageId: number): string {
  return JSON.stringify({ type: 'subscribed', connection_id: connectionId, message_id: messageId, channel: 'v4_trades', id: market, contents: { trades } });
}
