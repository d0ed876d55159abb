// Aster `!forceOrder@arr` frames in the real wire format (Binance's: decimals as strings, times as numbers), for tests,
// the sample generator and benchmarks.

export interface AsterOrder {
  symbol: string; // BTCUSDT
  side: 'BUY' | 'SELL'; // the liquidation ORDER's side: SELL closes a long
  price: string; // ap
  qty: string; // z (filled); q defaults to the same
  orig?: string; // q
  status?: 'FILLED' | 'EXPIRED' | 'PARTIALLY_FILLED';
  ts: number;
}

/** A combined-stream frame: {"stream":"!forceOrder@arr","data":{…}}; bare (a raw /ws stream) with wrapped = false. */
export function asterFrame(o: AsterOrder, wrapped = true): string {
  const data = {
    e: 'forceOrder',
    E: o.ts + 5,
    o: { s: o.symbol, S: o.side, o: 'LIMIT', f: 'IOC', q: o.orig ?? o.qty, p: o.price, ap: o.price, X: o.status ?? 'FILLED', l: o.qty, z: o.qty, T: o.ts },
  };
  return JSON.stringify(wrapped ? { stream: '!forceOrder@arr', data } : data);
}
