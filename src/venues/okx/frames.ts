// OKX `liquidation-orders` frames in the real wire format, for tests, the sample generator and benchmarks: decimals
// and ts as strings.

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
