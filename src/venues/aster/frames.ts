// Aster `!forceOrder@arr` frames in the real wire format (Binance's: decimals as strings, times as numbers), for tests,
// the sample generator and benchmarks.
import { type ForceOrder, forceOrderFrame } from '../force-order.js';

export type AsterOrder = ForceOrder;

/** A combined-stream frame: {"stream":"!forceOrder@arr","data":{…}}; bare (a raw /ws stream) with wrapped = false. */
export const asterFrame: (o: AsterOrder, wrapped?: boolean) => string = forceOrderFrame;
