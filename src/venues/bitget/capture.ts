// Recording and replaying Bitget: the instrument lists of the three product types (as fetched); frames routed by
// topic:instType of their arg; times in ts (the push, a number) and data[].ts (strings of digits).
import { isObj, jsonObject, moveDigits, moveNumber, objectsAt } from '../capture-hooks.js';
import type { CaptureHooks } from '../capture-hooks.js';
import { fetchJson } from '../http.js';
import type { BitgetCategory, BitgetInstrumentRow, BitgetInstruments } from './fixtures.js';
import { BITGET_INST_TYPES, categoryOf } from './metadata.js';
import { bitgetRoute } from './standin.js';

const dataOf = (doc: unknown): BitgetInstrumentRow[] => (isObj(doc) && Array.isArray(doc.data) ? doc.data.filter(isObj) : []) as unknown as BitgetInstrumentRow[];

export const bitgetCapture: CaptureHooks = {
  async recordMeta(ctx, http) {
    const base = ctx.env.BITGET_REST_URL as string;
    const out: Record<string, unknown> = {};
    for (const t of BITGET_INST_TYPES) out[categoryOf(t)] = await fetchJson(`${base}/api/v3/market/instruments?category=${categoryOf(t)}`, http);
    return { bitget: out };
  },
  standinOptions(rest) {
    const recorded = (rest.bitget ?? {}) as Record<string, unknown>;
    const bitgetInstruments: BitgetInstruments = {};
    for (const t of BITGET_INST_TYPES) bitgetInstruments[categoryOf(t) as BitgetCategory] = dataOf(recorded[categoryOf(t)]);
    return { bitgetInstruments };
  },
  routeOf(_venue, frame) {
    const arg = jsonObject(frame)?.arg;
    if (!isObj(arg) || typeof arg.topic !== 'string' || typeof arg.instType !== 'string') return undefined;
    return bitgetRoute(arg.topic, arg.instType);
  },
  shift(_venue, msg, offset) {
    if (!isObj(msg) || !Array.isArray(msg.data)) return false;
    let changed = moveNumber(msg, 'ts', offset);
    for (const item of objectsAt(msg, 'data')) changed = moveDigits(item, 'ts', offset) || changed;
    return changed;
  },
};
