// Bitget v3 `liquidation` frames in the real wire format (every inner value a string), for tests, the sample
// generator and benchmarks.
import type { BitgetInstType } from './metadata.js';

export interface BitgetLiq {
  symbol: string; // as pushed: BTCUSDT, BTCUSD (or BTCUSD_CM), BTCPERP
  side: 'buy' | 'sell'; // the POSITION side: buy = a long was liquidated
  price: string;
  amount: string; // quote value
  ts: number;
}

/** One push of a product type; the envelope ts is the push time (a little after the newest item). */
export function bitgetFrame(instType: BitgetInstType, items: BitgetLiq[], pushTs = Math.max(...items.map((i) => i.ts)) + 200): string {
  return JSON.stringify({
    action: 'update',
    arg: { instType, topic: 'liquidation' },
    data: items.map((i) => ({ symbol: i.symbol, side: i.side, price: i.price, amount: i.amount, ts: String(i.ts) })),
    ts: pushTs,
  });
}
