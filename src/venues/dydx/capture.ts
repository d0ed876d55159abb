// Recording and replaying dYdX: the market list as /v4/perpetualMarkets answers it; frames routed by their market
// (one subscription per market); times in contents.trades[].createdAt, ISO 8601 strings (moved to the millisecond,
// any digits past it kept as they were).
import { type Obj, isObj, jsonObject, objectsAt } from '../capture-hooks.js';
import type { CaptureHooks } from '../capture-hooks.js';
import { fetchJson } from '../http.js';
import type { DydxMarketItem } from './fixtures.js';
import { DYDX_MARKETS_PATH } from './metadata.js';
import { DYDX_CHANNEL, isoToMs } from './parser.js';

function marketsOf(rest: Readonly<Record<string, unknown>>): DydxMarketItem[] {
  const entry = rest.dydx;
  const doc = isObj(entry) ? entry.markets : undefined;
  const markets = isObj(doc) && isObj(doc.markets) ? doc.markets : {};
  return Object.values(markets).filter(isObj) as unknown as DydxMarketItem[];
}

/** Moves an ISO 8601 time by whole milliseconds. */
function moveIso(o: Obj, key: string, offset: number): boolean {
  const v = o[key];
  const ms = isoToMs(v);
  if (typeof ms === 'string' || typeof v !== 'string') return false;
  const extra = /\.\d{3}(\d+)Z$/.exec(v)?.[1] ?? '';
  const moved = new Date(ms + offset).toISOString();
  o[key] = extra === '' ? moved : `${moved.slice(0, -1)}${extra}Z`;
  return true;
}

export const dydxCapture: CaptureHooks = {
  async recordMeta(ctx, http) {
    return { dydx: { markets: await fetchJson(`${ctx.env.DYDX_REST_URL as string}${DYDX_MARKETS_PATH}`, http) } };
  },
  standinOptions: (rest) => ({ dydxMarkets: marketsOf(rest) }),
  routeOf(_venue, frame) {
    const m = jsonObject(frame);
    return m !== undefined && m.channel === DYDX_CHANNEL && typeof m.id === 'string' ? m.id : undefined;
  },
  listedRoutes: (_venue, rest) => new Set(marketsOf(rest).map((m) => m.ticker)),
  shift(_venue, msg, offset) {
    if (!isObj(msg) || msg.channel !== DYDX_CHANNEL) return false;
    const contents = Array.isArray(msg.contents) ? msg.contents.filter(isObj) : isObj(msg.contents) ? [msg.contents] : [];
    let changed = false;
    for (const c of contents) for (const t of objectsAt(c, 'trades')) changed = moveIso(t, 'createdAt', offset) || changed;
    return changed;
  },
};
