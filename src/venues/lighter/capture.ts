// Recording and replaying Lighter: the market list as fetched; frames routed by their channel (`trade:1` is the
// subscription `trade/1`); times in `timestamp` of each trade and liquidation trade (numbers, ms).
import { isObj, jsonObject, moveNumber, objectsAt } from '../capture-hooks.js';
import type { CaptureHooks } from '../capture-hooks.js';
import { fetchJson } from '../http.js';
import type { LighterOrderBook } from './fixtures.js';
import { ORDER_BOOK_DETAILS_PATH, lighterMarketOf } from './metadata.js';

function listAt(rest: Readonly<Record<string, unknown>>, key: string): LighterOrderBook[] {
  const body = (rest.lighter as { orderBookDetails?: unknown } | undefined)?.orderBookDetails;
  const list = isObj(body) && Array.isArray(body[key]) ? (body[key] as unknown[]) : [];
  return list.filter((m) => isObj(m) && typeof m.symbol === 'string' && typeof m.market_id === 'number') as unknown as LighterOrderBook[];
}

const CHANNEL_RE = /^trade:(\d{1,9})$/;

export const lighterCapture: CaptureHooks = {
  async recordMeta(ctx, http) {
    return { lighter: { orderBookDetails: await fetchJson(`${ctx.env.LIGHTER_REST_URL as string}${ORDER_BOOK_DETAILS_PATH}`, http) } };
  },
  standinOptions: (rest) => ({ lighterMarkets: { perp: listAt(rest, 'order_book_details'), spot: listAt(rest, 'spot_order_book_details') }, lighterIdleCloseMs: 0 }),
  routeOf(_venue, frame) {
    const channel = jsonObject(frame)?.channel;
    const id = typeof channel === 'string' ? CHANNEL_RE.exec(channel)?.[1] : undefined;
    return id === undefined ? undefined : `trade/${id}`;
  },
  listedRoutes: (_venue, rest) =>
    new Set(listAt(rest, 'order_book_details').filter((m) => lighterMarketOf(m)?.active === true).map((m) => `trade/${m.market_id}`)),
  shift(_venue, msg, offset) {
    if (!isObj(msg) || typeof msg.channel !== 'string') return false;
    let changed = false;
    for (const key of ['trades', 'liquidation_trades']) {
      for (const t of objectsAt(msg, key)) changed = moveNumber(t, 'timestamp', offset) || changed;
    }
    return changed;
  },
};
