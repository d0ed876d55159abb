// The registry: every venue liqd can listen to, one line each. Adding a venue is its folder and one line here.
import { aster } from './aster/index.js';
import { binance } from './binance/index.js';
import { bitmex } from './bitmex/index.js';
import { bybit } from './bybit/index.js';
import { hyperliquid } from './hyperliquid/index.js';
import { deribit } from './deribit/index.js';
import { dydx } from './dydx/index.js';
import { htx } from './htx/index.js';
import { bitget } from './bitget/index.js';
import { gate } from './gate/index.js';
import { okx } from './okx/index.js';
import { kraken } from './kraken/index.js';
import { bitfinex } from './bitfinex/index.js';
import { lighter } from './lighter/index.js';
import type { FeedSpec, VenueAdapter } from './types.js';

export const ADAPTERS: readonly VenueAdapter[] = [
  binance,
  bybit,
  okx,
  hyperliquid,
  bitmex,
  htx,
  deribit,
  dydx,
  kraken,
  bitfinex,
  lighter,
  aster,
  bitget,
  gate,
];

export const EXCHANGE_NAMES: readonly string[] = ADAPTERS.map((a) => a.exchange);

export function adapterOf(exchange: string): VenueAdapter | undefined {
  return ADAPTERS.find((a) => a.exchange === exchange);
}

/** Every feed of every venue, with its exchange: 'binance-usdm' → binance. */
export const FEEDS: ReadonlyArray<{ exchange: string; adapter: VenueAdapter; feed: FeedSpec }> = ADAPTERS.flatMap((adapter) =>
  adapter.feeds.map((feed) => ({ exchange: adapter.exchange, adapter, feed })),
);

export const FEED_NAMES: readonly string[] = FEEDS.map((f) => f.feed.venue);

/** The venue a feed name belongs to ('bybit-inverse' → the Bybit adapter). */
export function adapterOfFeed(venue: string): VenueAdapter | undefined {
  return FEEDS.find((f) => f.feed.venue === venue)?.adapter;
}
