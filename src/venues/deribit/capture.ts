// Recording and replaying Deribit: the futures list as get_instruments answers it; notifications routed by their
// params.channel (one per settlement currency); times in params.data[].timestamp (numbers).
import { isObj, jsonObject, moveNumber, objectsAt } from '../capture-hooks.js';
import type { CaptureHooks } from '../capture-hooks.js';
import { fetchJson } from '../http.js';
import type { DeribitInstrumentItem } from './fixtures.js';
import { deribitEntryOf, deribitInstrumentsUrl } from './metadata.js';
import { deribitChannel } from './protocol.js';

function listOf(rest: Readonly<Record<string, unknown>>): DeribitInstrumentItem[] {
  const entry = rest.deribit;
  const doc = isObj(entry) ? entry.instruments : undefined;
  return (isObj(doc) && Array.isArray(doc.result) ? doc.result.filter(isObj) : []) as unknown as DeribitInstrumentItem[];
}

export const deribitCapture: CaptureHooks = {
  async recordMeta(ctx, http) {
    return { deribit: { instruments: await fetchJson(deribitInstrumentsUrl(ctx.env.DERIBIT_REST_URL as string), http) } };
  },
  standinOptions: (rest) => ({ deribitInstruments: listOf(rest) }),
  routeOf(_venue, frame) {
    const m = jsonObject(frame);
    return m !== undefined && m.method === 'subscription' && isObj(m.params) && typeof m.params.channel === 'string' ? m.params.channel : undefined;
  },
  listedRoutes(_venue, rest) {
    const routes = new Set<string>();
    for (const item of listOf(rest)) {
      const entry = deribitEntryOf(item);
      if (entry !== undefined) routes.add(deribitChannel(entry[1].currency));
    }
    return routes;
  },
  shift(_venue, msg, offset) {
    if (!isObj(msg) || msg.method !== 'subscription' || !isObj(msg.params)) return false;
    let changed = false;
    for (const t of objectsAt(msg.params, 'data')) changed = moveNumber(t, 'timestamp', offset) || changed;
    return changed;
  },
};
