// HTX `public.*.liquidation_orders` frames in the real wire format (before gzip: the stand-in compresses what it
// sends), for tests, the sample generator and benchmarks. Decimals are JSON numbers written from their decimal text
// verbatim, so a test can send exactly the digits it means (HTX writes at most a few decimals).
import { formatDecimal, mul, normalize, parseDecimal } from '../../core/decimal.js';

export interface HtxLiq {
  /** contract_code: BTC-USDT, BTC-USDT-261225, BTC-USD. */
  code: string;
  /** The liquidation order's direction: sell closes a long. */
  direction: 'buy' | 'sell';
  price: string;
  /** Contracts. */
  volume: string;
  /** Base coin (USDT-margined frames carry it; coin-margined ones do not). */
  amount?: string;
  ts: number;
}

const PLAIN_RE = /^\d+(\.\d+)?$/;

/** The decimal text as a JSON number, verbatim; anything else (a test's garbage) as a JSON string. */
function num(text: string): string {
  return PLAIN_RE.test(text) ? text : JSON.stringify(text);
}

/**
 * One notify frame; every item must share the contract (HTX pushes per contract topic). USDT-margined frames (an
 * `amount` on the items) carry amount, trade_turnover and the futures fields; coin-margined ones only the docs' fields.
 */
export function htxFrame(items: HtxLiq[]): string {
  const code = items[0].code;
  const data = items.map((i) => {
    const base = i.code.split('-')[0];
    const head = `{"symbol":${JSON.stringify(base)},"contract_code":${JSON.stringify(i.code)},"direction":${JSON.stringify(i.direction)},"offset":"close","volume":${num(i.volume)},"price":${num(i.price)},"created_at":${i.ts}`;
    if (i.amount === undefined) return `${head}}`;
    const p = parseDecimal(i.price);
    const a = parseDecimal(i.amount);
    const turnover = p && a ? formatDecimal(normalize(mul(p, a))) : '0';
    const parts = i.code.split('-');
    const future = parts.length === 3;
    return `${head},"amount":${num(i.amount)},"trade_turnover":${turnover},"contract_type":"${future ? 'quarter' : 'swap'}","pair":"${parts[0]}-${parts[1]}","business_type":"${future ? 'futures' : 'swap'}"}`;
  });
  return `{"op":"notify","topic":"public.${code}.liquidation_orders","ts":${Math.max(...items.map((i) => i.ts)) + 40},"data":[${data.join(',')}]}`;
}

/** The server's heartbeat; its ts is a string of digits in HTX's docs. */
export function htxPing(ts: string | number): string {
  return JSON.stringify({ op: 'ping', ts });
}
