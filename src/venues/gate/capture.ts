// Recording and replaying Gate: the contract lists of both settle currencies (as fetched); frames routed by channel;
// times in the items' time / time_ms (ms numbers) and the envelope's time_ms (ms) and time (s).
import { type Obj, isObj, jsonObject, moveNumber, objectsAt } from '../capture-hooks.js';
import type { CaptureHooks } from '../capture-hooks.js';
import { fetchJson } from '../http.js';
import type { GateContractRow } from './fixtures.js';

const listOf = (rest: Readonly<Record<string, unknown>>, venue: string): GateContractRow[] => {
  const doc = (rest[venue] as { contracts?: unknown } | undefined)?.contracts;
  return (Array.isArray(doc) ? doc.filter(isObj) : []) as unknown as GateContractRow[];
};

function moveSeconds(o: Obj, key: string, offsetMs: number): boolean {
  const v = o[key];
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) return false;
  o[key] = v + Math.round(offsetMs / 1000);
  return true;
}

export const gateCapture: CaptureHooks = {
  async recordMeta(ctx, http) {
    const base = ctx.env.GATE_REST_URL as string;
    return {
      'gate-usdt': { contracts: await fetchJson(`${base}/api/v4/futures/usdt/contracts`, http) },
      'gate-btc': { contracts: await fetchJson(`${base}/api/v4/futures/btc/contracts`, http) },
    };
  },
  standinOptions: (rest) => ({ gateContracts: { usdt: listOf(rest, 'gate-usdt'), btc: listOf(rest, 'gate-btc') } }),
  routeOf(_venue, frame) {
    const m = jsonObject(frame);
    return m !== undefined && typeof m.channel === 'string' ? m.channel : undefined;
  },
  shift(_venue, msg, offset) {
    if (!isObj(msg) || msg.event !== 'update' || !('result' in msg)) return false;
    let changed = false;
    for (const item of objectsAt(msg, 'result')) {
      changed = moveNumber(item, 'time', offset) || changed;
      changed = moveNumber(item, 'time_ms', offset) || changed;
    }
    if (changed) {
      moveNumber(msg, 'time_ms', offset);
      moveSeconds(msg, 'time', offset);
    }
    return changed;
  },
};
