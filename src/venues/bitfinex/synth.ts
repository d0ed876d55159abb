// Bitfinex in synthetic markets: USDt perpetuals tBASEF0:USTF0 for the top coins, sized in the base coin (AMOUNT
// signed by the position: positive a long). One trigger row (IS_MATCH 0, PRICE null, BASE_PRICE the price) per
// liquidated position, a few rows to a frame when they come together; the executions (IS_MATCH 1) are left out: they
// are not counted.
import { type SynthHooks, type SynthListing, groupsOf, latencyMs, priceDecimalsFor, qtyDecimalsFor } from '../synth-types.js';
import { bitfinexFrame } from './frames.js';
import { LIQ_KEY } from './standin.js';

const weightOf = (rank: number) => 1 / Math.pow(rank + 1, 1.15);

export const bitfinexSynth: SynthHooks = {
  share: 0.02,
  market(coins) {
    const listings: SynthListing[] = coins
      .filter((c) => c.rank < 40 && c.price >= 0.001)
      .map((coin) => ({ venue: 'bitfinex', name: `t${coin.base}F0:USTF0`, coin, mult: 1, priceDecimals: priceDecimalsFor(coin.price), size: { kind: 'base' as const, decimals: qtyDecimalsFor(coin.price) }, weight: weightOf(coin.rank) }));
    return { listings, rest: {}, standin: {} };
  },
  frames(liqs, rnd) {
    const indexed = liqs.map((l, i) => ({ l, i }));
    return groupsOf(indexed, ({ l }) => String(Math.floor(l.ts / 1000)), 3).map((group) => ({
      t: Math.max(...group.map(({ l }) => l.ts)) + 30 + latencyMs(rnd),
      venue: 'bitfinex',
      // POS_ID from the time and the place in the run: unique per liquidation
      frame: bitfinexFrame(group.map(({ l, i }) => ({ posId: l.ts * 1000 + (i % 1000), mts: l.ts, symbol: l.listing.name, amount: `${l.long ? '' : '-'}${l.size}`, basePrice: l.price }))),
      events: group.length,
      route: LIQ_KEY,
    }));
  },
};
