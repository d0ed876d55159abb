// Recording and replaying Aster: no metadata; the stream is in the URL (every connection gets every frame); times are
// E and o.T (numbers), bare or inside {"stream","data"} (data may be an array).
import type { CaptureHooks } from '../capture-hooks.js';
import { shiftForceOrders } from '../force-order.js';

export const asterCapture: CaptureHooks = {
  recordMeta: async () => ({}),
  standinOptions: () => ({}),
  routeOf: () => '',
  shift: (_venue, msg, offset) => shiftForceOrders(msg, offset),
};
