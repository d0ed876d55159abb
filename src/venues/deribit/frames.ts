// Deribit `trades.future.{currency}.100ms` notifications in the real wire format, for tests, the sample generator and
// benchmarks. Decimals are JSON numbers written from their decimal text verbatim, so a test sends exactly the digits
// it means.

export interface DeribitTrade {
  instrument: string;
  tradeId: string;
  /** The taker's direction. */
  direction: 'buy' | 'sell';
  price: string;
  /** USD on coin-settled instruments, the base coin on linear ones. */
  amount: string;
  ts: number;
  /** Present on liquidation trades only: the maker (M), the taker (T) or both (MT) were liquidated. */
  liquidation?: 'M' | 'T' | 'MT';
  seq?: number;
}

const PLAIN_RE = /^\d+(\.\d+)?$/;
const num = (text: string) => (PLAIN_RE.test(text) ? text : JSON.stringify(text));

function tradeJson(t: DeribitTrade): string {
  const liq = t.liquidation === undefined ? '' : `,"liquidation":"${t.liquidation}"`;
  return (
    `{"trade_seq":${t.seq ?? 1},"trade_id":${JSON.stringify(t.tradeId)},"timestamp":${t.ts},"tick_direction":3,"price":${num(t.price)},` +
    `"mark_price":${num(t.price)},"instrument_name":${JSON.stringify(t.instrument)},"index_price":${num(t.price)},"direction":"${t.direction}",` +
    `"amount":${num(t.amount)}${liq}}`
  );
}

/** One notification of the channel of `currency` (trades.future.BTC.100ms), holding these trades. */
export function deribitFrame(currency: string, trades: DeribitTrade[]): string {
  return `{"jsonrpc":"2.0","method":"subscription","params":{"channel":"trades.future.${currency}.100ms","data":[${trades.map(tradeJson).join(',')}]}}`;
}

/** The server's heartbeat notifications (after public/set_heartbeat). */
export function deribitHeartbeat(type: 'heartbeat' | 'test_request'): string {
  return JSON.stringify({ jsonrpc: '2.0', method: 'heartbeat', params: { type } });
}
