// Kraken Futures `trade` frames in the real wire format, for tests, the sample generator and benchmarks: qty and
// price are JSON numbers, written from their decimal text as they are (the literal, not a double's rendering).

export interface KrakenTrade {
  productId: string; // PF_XBTUSD, PI_XBTUSD, FI_XBTUSD_261225
  uid: string;
  side: 'buy' | 'sell'; // the taker's side: sell = a long was liquidated
  type?: 'liquidation' | 'fill' | 'termination' | 'block';
  qty: string; // decimal text, sent as a JSON number: base (PF_/FF_) or USD (PI_/FI_)
  price: string; // decimal text, sent as a JSON number
  time: number;
  seq?: number;
}

/** One trade as its JSON object text (numbers unquoted). */
function tradeText(t: KrakenTrade): string {
  return (
    `{"feed":"trade","product_id":${JSON.stringify(t.productId)},"uid":${JSON.stringify(t.uid)},"side":"${t.side}",` +
    `"type":"${t.type ?? 'liquidation'}","seq":${t.seq ?? 1},"time":${t.time},"qty":${t.qty},"price":${t.price}}`
  );
}

/** A live trade: one message per trade. */
export function krakenTradeFrame(t: KrakenTrade): string {
  return tradeText(t);
}

/** The snapshot sent after a subscribe: the product's recent trades, newest first. */
export function krakenSnapshotFrame(productId: string, trades: KrakenTrade[]): string {
  return `{"feed":"trade_snapshot","product_id":${JSON.stringify(productId)},"trades":[${trades.map(tradeText).join(',')}]}`;
}
