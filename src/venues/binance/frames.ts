// Binance `!forceOrder@arr` frames in the real wire format, for tests, the sample generator and benchmarks: decimals as
// strings, times as numbers.

export interface BinanceOrder {
  symbol: string; // as Binance spells it: BTCUSDT, BTCUSD_PERP
  side: 'BUY' | 'SELL'; // the liquidation ORDER's side: SELL closes a long
  price: string; // ap
  qty: string; // z (filled); q defaults to the same
  orig?: string; // q
  status?: 'FILLED' | 'EXPIRED' | 'PARTIALLY_FILLED';
  ts: number;
}

/** A combined-stream frame of `!forceOrder@arr`: {"stream":"!forceOrder@arr","data":{…}}. */
export function binanceFrame(o: BinanceOrder, wrapped = true): string {
  const data = {
    e: 'forceOrder',
    E: o.ts + 5,
    o: {
      s: o.symbol,
      S: o.side,
      o: 'LIMIT',
      f: 'IOC',
      q: o.orig ?? o.qty,
      p: o.price,
      ap: o.price,
      X: o.status ?? 'FILLED',
      l: o.qty,
      z: o.qty,
      T: o.ts,
    },
  };
  return JSON.stringify(wrapped ? { stream: '!forceOrder@arr', data } : data);
}

