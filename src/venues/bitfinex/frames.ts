// Bitfinex `status`/`liq:global` frames in the real wire format, for tests, the sample generator and benchmarks:
// arrays keyed by the channel id, numbers written from their decimal text as they are (the literal, unquoted).

export interface BitfinexRow {
  posId: number;
  mts: number;
  symbol: string; // tBTCF0:USTF0
  /** Decimal text with the position's sign: positive a long, negative (`-…`) a short. */
  amount: string;
  basePrice: string;
  /** 0: the trigger (the whole position, counted); 1: an execution in the market (not counted). */
  isMatch?: 0 | 1;
  isMarketSold?: 0 | 1;
  /** The execution price; null (the default) on most triggers. */
  price?: string | null;
}

/** The channel id the stand-in gives the liquidation channel (any number: the parser does not look at it). */
export const LIQ_CHANNEL_ID = 91684;

export function bitfinexRow(r: BitfinexRow): string {
  const price = r.price === undefined || r.price === null ? 'null' : r.price;
  return `["pos",${r.posId},${r.mts},null,${JSON.stringify(r.symbol)},${r.amount},${r.basePrice},null,${r.isMatch ?? 0},${r.isMarketSold ?? 1},null,${price}]`;
}

/** One data frame: `[CHAN_ID, [row, …]]`. */
export function bitfinexFrame(rows: BitfinexRow[], chanId = LIQ_CHANNEL_ID): string {
  return `[${chanId},[${rows.map(bitfinexRow).join(',')}]]`;
}
