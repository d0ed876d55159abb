// Recording and replaying Aster: no metadata; the stream is in the URL (every connection gets every frame); times are
// E and o.T (numbers), bare or inside {"stream","data"} (data may be an array).
import { type Obj, isObj, moveNumber } from '../capture-hooks.js';
import type { CaptureHooks } from '../capture-hooks.js';

export const asterCapture: CaptureHooks = {
  recordMeta: async () => ({}),
  standinOptions: () => ({}),
  routeOf: () => '',
  shift(_venue, msg, offset) {
    if (!isObj(msg)) return false;
    const payload = typeof msg.stream === 'string' && 'data' in msg ? msg.data : msg;
    let changed = false;
    for (const p of Array.isArray(payload) ? payload : [payload]) {
      if (!isObj(p)) continue;
      changed = moveNumber(p, 'E', offset) || changed;
      if (isObj(p.o)) changed = moveNumber(p.o as Obj, 'T', offset) || changed;
    }
    return changed;
  },
};
