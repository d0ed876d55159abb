// Lighter in synthetic markets: a perpetual per top coin (market symbol the coin, market ids in rank order), sized in
// the base coin. A market's liquidations of one ~200 ms window come in one `update/trade` frame; trade ids are unique
// per liquidation.
import { type SynthHooks, type SynthListing, groupsOf, latencyMs, priceDecimalsFor, qtyDecimalsFor } from '../synth-types.js';
import { type LighterOrderBook, lighterMarket } from './fixtures.js';
import { lighterFrame } from './frames.js';

const weightOf = (rank: number) => 1 / Math.pow(rank + 1, 1.15);

export const lighterSynth: SynthHooks = {
  share: 0.05,
  market(coins) {
    const listings: SynthListing[] = [];
    const perp: LighterOrderBook[] = [];
    for (const coin of coins.filter((c) => c.rank < 100)) {
      const pd = priceDecimalsFor(coin.price);
      const qd = qtyDecimalsFor(coin.price);
      // the listing's name is the market id, what the frames carry
      listings.push({ venue: 'lighter', name: String(coin.rank), coin, mult: 1, priceDecimals: pd, size: { kind: 'base', decimals: qd }, weight: weightOf(coin.rank) });
      perp.push(lighterMarket({ symbol: coin.base, marketId: coin.rank, price: coin.price, sizeDecimals: qd, priceDecimals: pd }));
    }
    return {
      listings,
      rest: { lighter: { orderBookDetails: { code: 200, order_book_details: perp, spot_order_book_details: [] } } },
      standin: { lighterMarkets: { perp, spot: [] } },
    };
  },
  frames(liqs, rnd) {
    const indexed = liqs.map((l, i) => ({ l, i }));
    return groupsOf(indexed, ({ l }) => `${l.listing.name}|${Math.floor(l.ts / 200)}`, 5).map((group) => {
      const marketId = Number(group[0].l.listing.name);
      return {
        t: Math.max(...group.map(({ l }) => l.ts)) + 40 + latencyMs(rnd),
        venue: 'lighter',
        frame: lighterFrame(marketId, group.map(({ l, i }) => ({ tradeId: l.ts * 1000 + (i % 1000), marketId, size: l.size, price: l.price, isMakerAsk: !l.long, timestamp: l.ts }))),
        events: group.length,
        route: `trade/${marketId}`,
      };
    });
  },
};
