// Recording and replaying Binance: COIN-M contract sizes are the only metadata; frames carry their stream in the URL
// (every connection gets every frame); times are E and o.T (numbers), bare or inside {"stream","data"} (data may be
// an array).
import { type CaptureHooks, isObj } from '../capture-hooks.js';
import { shiftForceOrders } from '../force-order.js';
import { fetchJson } from '../http.js';
import type { BinanceCoinmSymbol } from './fixtures.js';

export const binanceCapture: CaptureHooks = {
  async recordMeta(ctx, http) {
    return { 'binance-coinm': { exchangeInfo: await fetchJson(`${ctx.env.BINANCE_COINM_REST_URL as string}/dapi/v1/exchangeInfo`, http) } };
  },
  standinOptions(rest) {
    const info = (rest['binance-coinm'] as { exchangeInfo?: unknown } | undefined)?.exchangeInfo;
    const symbols = isObj(info) && Array.isArray(info.symbols) ? info.symbols.filter(isObj) : [];
    return { binanceCoinmSymbols: symbols as unknown as BinanceCoinmSymbol[] };
  },
  routeOf: () => '',
  shift: (_venue, msg, offset) => shiftForceOrders(msg, offset),
};
