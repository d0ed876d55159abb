// Recording and replaying BitMEX: the instrument/active list as fetched; frames of the liquidation table routed by the
// table (one subscription holds the whole market). Rows carry no timestamp (the receive time is used), so there is
// nothing to shift: a replay's frames are the recorded ones, their time the replay's.
import { isObj, jsonObject } from '../capture-hooks.js';
import type { CaptureHooks } from '../capture-hooks.js';
import { fetchJson } from '../http.js';
import type { BitmexInstrument } from './fixtures.js';
import { LIQUIDATION_TABLE } from './parser.js';

export const bitmexCapture: CaptureHooks = {
  async recordMeta(ctx, http) {
    return { bitmex: { active: await fetchJson(`${ctx.env.BITMEX_REST_URL as string}/api/v1/instrument/active`, http) } };
  },
  standinOptions(rest) {
    const active = (rest.bitmex as { active?: unknown } | undefined)?.active;
    return { bitmexInstruments: (Array.isArray(active) ? active.filter(isObj) : []) as unknown as BitmexInstrument[] };
  },
  routeOf(_venue, frame) {
    const table = jsonObject(frame)?.table;
    return table === LIQUIDATION_TABLE ? LIQUIDATION_TABLE : undefined;
  },
  shift: () => false,
};
