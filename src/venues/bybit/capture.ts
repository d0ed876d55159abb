// Recording and replaying Bybit: the instrument lists of both categories (every page, as fetched), frames routed by
// their `topic`, times in ts and data[].T (numbers; data may be one object). Only listed topics can be subscribed.
import { type Obj, isObj, jsonObject, moveNumber, objectsAt } from '../capture-hooks.js';
import type { CaptureHooks } from '../capture-hooks.js';
import { type HttpOptions, fetchJson } from '../http.js';
import type { BybitInstrument } from './fixtures.js';

export const TOPIC_PREFIX = 'allLiquidation.';
const MAX_PAGES = 100;

/** Every page of instruments-info for a category, raw, following nextPageCursor as the daemon does. */
async function fetchPages(baseUrl: string, category: 'linear' | 'inverse', http: HttpOptions): Promise<unknown[]> {
  const pages: unknown[] = [];
  let cursor = '';
  for (let i = 0; i < MAX_PAGES; i++) {
    const url = `${baseUrl}/v5/market/instruments-info?category=${category}&limit=1000` + (cursor === '' ? '' : `&cursor=${encodeURIComponent(cursor)}`);
    const body = await fetchJson(url, http);
    pages.push(body);
    const result = isObj(body) && isObj(body.result) ? body.result : undefined;
    const next = typeof result?.nextPageCursor === 'string' ? result.nextPageCursor : '';
    if (next === '' || next === cursor) break;
    cursor = next;
  }
  return pages;
}

/** The instruments inside a capture's recorded pages of one category. */
export function listOf(rest: Readonly<Record<string, unknown>>, venue: string): BybitInstrument[] {
  const pages = (rest[venue] as { pages?: unknown[] } | undefined)?.pages ?? [];
  return pages.flatMap((p) => (isObj(p) && isObj(p.result) && Array.isArray(p.result.list) ? p.result.list.filter(isObj) : [])) as unknown as BybitInstrument[];
}

export const bybitCapture: CaptureHooks = {
  async recordMeta(ctx, http) {
    const base = ctx.env.BYBIT_REST_URL as string;
    return { 'bybit-linear': { pages: await fetchPages(base, 'linear', http) }, 'bybit-inverse': { pages: await fetchPages(base, 'inverse', http) } };
  },
  standinOptions: (rest) => ({ bybitInstruments: { linear: listOf(rest, 'bybit-linear'), inverse: listOf(rest, 'bybit-inverse') }, bybitIdleCloseMs: 0 }),
  routeOf(_venue, frame) {
    const m = jsonObject(frame);
    return m !== undefined && typeof m.topic === 'string' ? m.topic : undefined;
  },
  listedRoutes: (venue, rest) => new Set(listOf(rest, venue).map((i) => `${TOPIC_PREFIX}${i.symbol}`)),
  shift(_venue, msg, offset) {
    if (!isObj(msg)) return false;
    if (typeof msg.topic !== 'string') return false;
    let changed = moveNumber(msg, 'ts', offset);
    for (const item of objectsAt(msg, 'data')) changed = moveNumber(item as Obj, 'T', offset) || changed;
    return changed;
  },
};
