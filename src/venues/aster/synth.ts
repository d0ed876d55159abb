// Aster in synthetic markets: a USDT perpetual (BASEUSDT, 1000BASEUSDT below $0.001) for the top coins, sized in the
// base coin. One liquidation per frame and at most one per symbol per second (Aster's snapshot rule, as Binance's).
// A small share: Aster's futures volume is a few percent of Binance's.
import { type SynthHooks, type SynthListing, latencyMs, priceDecimalsFor, qtyDecimalsFor } from '../synth-types.js';
import { asterFrame } from './frames.js';

const weightOf = (rank: number) => 1 / Math.pow(rank + 1, 1.3);

export const asterSynth: SynthHooks = {
  share: 0.03,
  onePerSymbolSecond: true,
  market(coins) {
    const listings: SynthListing[] = [];
    for (const coin of coins.filter((c) => c.rank < 80)) {
      const mult = coin.price < 0.001 ? 1000 : 1;
      const p = coin.price * mult;
      const name = `${mult === 1000 ? '1000' : ''}${coin.base}USDT`;
      listings.push({ venue: 'aster', name, coin, mult, priceDecimals: priceDecimalsFor(p), size: { kind: 'base', decimals: qtyDecimalsFor(p) }, weight: weightOf(coin.rank) });
    }
    return { listings, rest: {}, standin: {} };
  },
  frames(liqs, rnd) {
    return liqs.map((l) => ({
      t: l.ts + 5 + latencyMs(rnd),
      venue: l.listing.venue,
      frame: asterFrame({ symbol: l.listing.name, side: l.long ? 'SELL' : 'BUY', price: l.price, qty: l.size, ts: l.ts }),
      events: 1,
      route: '',
    }));
  },
};
