// Recording and replaying HTX: both contract lists as their REST endpoints answer; frames (as inflated, which is what
// the feed records) routed by the wildcard topic every connection subscribes; times in created_at and the envelope ts
// (numbers).
import { isObj, jsonObject, moveNumber, objectsAt } from '../capture-hooks.js';
import type { CaptureHooks } from '../capture-hooks.js';
import { fetchJson } from '../http.js';
import type { HtxContractItem } from './fixtures.js';
import { htxContractsUrl } from './metadata.js';
import { HTX_TOPIC } from './protocol.js';

function dataOf(entry: unknown): HtxContractItem[] {
  const doc = isObj(entry) ? entry.contracts : undefined;
  return (isObj(doc) && Array.isArray(doc.data) ? doc.data.filter(isObj) : []) as unknown as HtxContractItem[];
}

export const htxCapture: CaptureHooks = {
  async recordMeta(ctx, http) {
    const base = ctx.env.HTX_REST_URL as string;
    const linear = await fetchJson(htxContractsUrl(base, 'linear'), http);
    const inverse = await fetchJson(htxContractsUrl(base, 'inverse'), http);
    return { 'htx-linear': { contracts: linear }, 'htx-inverse': { contracts: inverse } };
  },
  standinOptions: (rest) => ({ htxContracts: { linear: dataOf(rest['htx-linear']), inverse: dataOf(rest['htx-inverse']) } }),
  routeOf(_venue, frame) {
    const topic = jsonObject(frame)?.topic;
    return typeof topic === 'string' && topic.startsWith('public.') && topic.endsWith('.liquidation_orders') ? HTX_TOPIC : undefined;
  },
  shift(_venue, msg, offset) {
    if (!isObj(msg) || msg.op !== 'notify') return false;
    let changed = moveNumber(msg, 'ts', offset);
    for (const item of objectsAt(msg, 'data')) changed = moveNumber(item, 'created_at', offset) || changed;
    return changed;
  },
};
