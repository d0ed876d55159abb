// Recording and replaying Kraken Futures: the instrument list as fetched; frames routed by their product_id (the
// topic a connection subscribes); times in `time` of a trade and of each snapshot trade (numbers).
import { isObj, jsonObject, moveNumber, objectsAt } from '../capture-hooks.js';
import type { CaptureHooks } from '../capture-hooks.js';
import { fetchJson } from '../http.js';
import type { KrakenInstrument } from './fixtures.js';
import { INSTRUMENTS_PATH, krakenProductOf } from './metadata.js';

/** The instruments inside a capture's recorded answer. */
export function instrumentsOf(rest: Readonly<Record<string, unknown>>): KrakenInstrument[] {
  const body = (rest.kraken as { instruments?: unknown } | undefined)?.instruments;
  const list = isObj(body) && Array.isArray(body.instruments) ? body.instruments : [];
  return list.filter((i) => isObj(i) && typeof i.symbol === 'string') as unknown as KrakenInstrument[];
}

/** The product ids liqd subscribes: tradeable PF_/FF_/PI_/FI_ products. */
export function subscribedIds(instruments: readonly KrakenInstrument[]): string[] {
  return instruments
    .filter((i) => {
      const p = krakenProductOf({ symbol: i.symbol, tradeable: i.tradeable, lastTradingTime: i.lastTradingTime as string | undefined });
      return p.kind !== 'unsupported' && p.tradeable;
    })
    .map((i) => i.symbol.toUpperCase());
}

export const krakenCapture: CaptureHooks = {
  async recordMeta(ctx, http) {
    return { kraken: { instruments: await fetchJson(`${ctx.env.KRAKEN_REST_URL as string}${INSTRUMENTS_PATH}`, http) } };
  },
  standinOptions: (rest) => ({ krakenInstruments: instrumentsOf(rest), krakenIdleCloseMs: 0 }),
  routeOf(_venue, frame) {
    const id = jsonObject(frame)?.product_id;
    return typeof id === 'string' ? id : undefined;
  },
  listedRoutes: (_venue, rest) => new Set(subscribedIds(instrumentsOf(rest))),
  shift(_venue, msg, offset) {
    if (!isObj(msg)) return false;
    if (msg.feed === 'trade') return moveNumber(msg, 'time', offset);
    if (msg.feed !== 'trade_snapshot') return false;
    let changed = false;
    for (const t of objectsAt(msg, 'trades')) changed = moveNumber(t, 'time', offset) || changed;
    return changed;
  },
};
