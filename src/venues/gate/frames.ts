// Gate `futures.public_liquidates` frames in the real wire format, for tests, the sample generator and benchmarks.
// Sizes are signed (negative: a long was liquidated): decimal strings with the X-Gate-Size-Decimal header, integer
// JSON numbers without; prices are strings.

export interface GateLiq {
  contract: string; // BTC_USDT, BTC_USD
  price: string | number;
  size: string | number; // signed contracts
  ts: number; // the item's time, ms
}

/** One push: `result` an array of orders (since 2026-08-20), or with bare = true one object (as live before). */
export function gateFrame(items: GateLiq[], opts: { bare?: boolean; pushMs?: number } = {}): string {
  const pushMs = opts.pushMs ?? Math.max(...items.map((i) => i.ts)) + 1;
  const result = items.map((i) => ({ contract: i.contract, price: i.price, time: i.ts, size: i.size }));
  return JSON.stringify({
    time: Math.floor(pushMs / 1000),
    time_ms: pushMs,
    channel: 'futures.public_liquidates',
    event: 'update',
    result: opts.bare === true && result.length === 1 ? result[0] : result,
  });
}
