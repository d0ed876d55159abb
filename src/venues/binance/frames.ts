// Binance `!forceOrder@arr` frames in the real wire format, for tests, the sample generator and benchmarks: decimals as
// strings, times as numbers.
import { type ForceOrder, forceOrderFrame } from '../force-order.js';

/** symbol as Binance spells it: BTCUSDT, BTCUSD_PERP. */
export type BinanceOrder = ForceOrder;

/** A combined-stream frame of `!forceOrder@arr`: {"stream":"!forceOrder@arr","data":{…}}; bare with wrapped = false. */
export const binanceFrame: (o: BinanceOrder, wrapped?: boolean) => string = forceOrderFrame;
