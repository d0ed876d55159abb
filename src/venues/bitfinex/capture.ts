// Recording and replaying Bitfinex: no metadata; data frames (arrays) are routed to the liquidation channel's
// subscribers; times are each row's MTS (numbers).
import type { CaptureHooks } from '../capture-hooks.js';
import { LIQ_KEY } from './standin.js';

const MTS = 2;

function rowsOf(msg: unknown[]): unknown[][] {
  const payload = msg[1];
  if (!Array.isArray(payload)) return [];
  if (payload.length > 0 && typeof payload[0] === 'string') return [payload];
  return payload.filter((r): r is unknown[] => Array.isArray(r));
}

export const bitfinexCapture: CaptureHooks = {
  recordMeta: async () => ({}),
  standinOptions: () => ({ bitfinexHeartbeatMs: 15_000 }),
  routeOf(_venue, frame) {
    try {
      return Array.isArray(JSON.parse(frame)) ? LIQ_KEY : undefined;
    } catch {
      return undefined;
    }
  },
  shift(_venue, msg, offset) {
    if (!Array.isArray(msg)) return false;
    let changed = false;
    for (const row of rowsOf(msg)) {
      const t = row[MTS];
      if (typeof t === 'number' && Number.isSafeInteger(t)) {
        row[MTS] = t + offset;
        changed = true;
      }
    }
    return changed;
  },
};
