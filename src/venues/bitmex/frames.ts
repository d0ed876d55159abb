// BitMEX realtime frames in the real wire format, for tests, the stand-in, the sample generator and benchmarks:
// decimals as JSON numbers, no timestamps in the rows.

export interface BitmexRow {
  orderID: string;
  symbol: string; // BitMEX symbol: XBTUSD, XBTUSDT, XBTZ26
  side?: 'Buy' | 'Sell'; // the liquidation ORDER's side: Sell closes a long
  price?: number;
  leavesQty?: number; // contracts
}

export type BitmexAction = 'partial' | 'insert' | 'update' | 'delete';

/** The types BitMEX declares for the liquidation table in every partial. */
const TYPES = { orderID: 'guid', symbol: 'symbol', side: 'symbol', price: 'float', leavesQty: 'long' };

/** One `liquidation` table frame; a partial carries keys, types and filter as BitMEX sends them. */
export function bitmexFrame(action: BitmexAction, rows: readonly BitmexRow[]): string {
  if (action === 'partial') return JSON.stringify({ table: 'liquidation', action, keys: ['orderID'], types: TYPES, filter: {}, data: rows });
  return JSON.stringify({ table: 'liquidation', action, data: rows });
}

/** The frame BitMEX sends on connect. */
export function bitmexWelcome(remaining = 719): string {
  return JSON.stringify({
    info: 'Welcome to the BitMEX Realtime API.',
    version: '2.0.0',
    timestamp: new Date().toISOString(),
    docs: 'https://www.bitmex.com/app/wsAPI',
    heartbeatEnabled: false,
    limit: { remaining },
  });
}

/** The answer to a refused request: {"status":400,"error":"…","meta":{},"request":{…}}. */
export function bitmexError(status: number, error: string, request: unknown = {}): string {
  return JSON.stringify({ status, error, meta: {}, request });
}
