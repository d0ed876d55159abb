// Bybit `allLiquidation.{symbol}` frames in the real wire format, for tests, the sample generator and benchmarks.

export interface BybitLiq {
  symbol: string; // Bybit symbol: BTCUSDT, BTCPERP, BTCUSD
  side: 'Buy' | 'Sell'; // the POSITION side: Buy = a long was liquidated
  price: string; // p
  size: string; // v (base qty for linear, USD for inverse)
  ts: number; // T
}

/** One `allLiquidation.{symbol}` frame; every item must share the symbol (Bybit pushes per topic). */
export function bybitFrame(items: BybitLiq[]): string {
  const symbol = items[0].symbol;
  return JSON.stringify({
    topic: `allLiquidation.${symbol}`,
    type: 'snapshot',
    ts: Math.max(...items.map((i) => i.ts)) + 50,
    data: items.map((i) => ({ T: i.ts, s: i.symbol, S: i.side, v: i.size, p: i.price })),
  });
}

