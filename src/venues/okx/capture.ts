// Recording and replaying OKX: the SWAP and FUTURES instrument lists; frames routed by channel:instType of their arg;
// times in data[].details[].ts (strings of digits).
import { isObj, jsonObject, moveDigits, objectsAt } from '../capture-hooks.js';
import type { CaptureHooks } from '../capture-hooks.js';
import { fetchJson } from '../http.js';
import type { OkxInstrument } from './fixtures.js';
import { okxKey } from './standin.js';

function dataOf(doc: unknown): OkxInstrument[] {
  return (isObj(doc) && Array.isArray(doc.data) ? doc.data.filter(isObj) : []) as unknown as OkxInstrument[];
}

export const okxCapture: CaptureHooks = {
  async recordMeta(ctx, http) {
    const base = ctx.env.OKX_REST_URL as string;
    const SWAP = await fetchJson(`${base}/api/v5/public/instruments?instType=SWAP`, http);
    const FUTURES = await fetchJson(`${base}/api/v5/public/instruments?instType=FUTURES`, http);
    return { okx: { SWAP, FUTURES } };
  },
  standinOptions(rest) {
    const okx = rest.okx as { SWAP?: unknown; FUTURES?: unknown } | undefined;
    return { okxInstruments: { SWAP: dataOf(okx?.SWAP), FUTURES: dataOf(okx?.FUTURES) }, okxIdleCloseMs: 30_000 };
  },
  routeOf(_venue, frame) {
    const arg = jsonObject(frame)?.arg;
    if (!isObj(arg) || typeof arg.channel !== 'string' || typeof arg.instType !== 'string') return undefined;
    return okxKey(arg.channel, arg.instType);
  },
  shift(_venue, msg, offset) {
    if (!isObj(msg)) return false;
    if (!Array.isArray(msg.data)) return false;
    let changed = false;
    for (const item of objectsAt(msg, 'data')) for (const d of objectsAt(item, 'details')) changed = moveDigits(d, 'ts', offset) || changed;
    return changed;
  },
};
