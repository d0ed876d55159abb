// Frame builders in the exchanges' real wire formats, for tests, the sample generator and benchmarks.
// Decimals are strings, as the exchanges send them; timestamps as each exchange types them.

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

export interface OkxDetail {
  posSide: 'long' | 'short' | 'net';
  side: 'buy' | 'sell';
  bkPx: string;
  sz: string; // contracts
  ts: number;
}

/** One `liquidation-orders` frame; `data` holds one item per instrument, each with its details. */
export function okxFrame(instType: 'SWAP' | 'FUTURES', items: Array<{ instId: string; details: OkxDetail[] }>): string {
  return JSON.stringify({
    arg: { channel: 'liquidation-orders', instType },
    data: items.map((it) => {
      const parts = it.instId.split('-');
      const family = `${parts[0]}-${parts[1]}`;
      return {
        instId: it.instId,
        instType,
        instFamily: family,
        uly: family,
        details: it.details.map((d) => ({ bkLoss: '0', bkPx: d.bkPx, ccy: '', posSide: d.posSide, side: d.side, sz: d.sz, ts: String(d.ts) })),
      };
    }),
  });
}
