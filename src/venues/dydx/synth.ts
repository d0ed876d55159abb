// dYdX in synthetic markets: the top coins as BASE-USD perpetuals, sizes in the base coin. One channel_data push per
// market per ~250 ms window (the indexer's batching interval), the liquidations of that window as LIQUIDATED trades,
// now and then beside an ordinary LIMIT trade that is not counted.
import { type SynthHooks, type SynthListing, groupsOf, latencyMs, priceDecimalsFor, qtyDecimalsFor, stepOf } from '../synth-types.js';
import { type DydxMarketItem, dydxMarket } from './fixtures.js';
import { type DydxTrade, dydxTradesFrame } from './frames.js';

const weightOf = (rank: number) => 1 / Math.pow(rank + 1, 1.15);

export const dydxSynth: SynthHooks = {
  share: 0.02,
  market(coins) {
    const listings: SynthListing[] = [];
    const markets: DydxMarketItem[] = [];
    for (const coin of coins.filter((c) => c.rank < 60)) {
      const pd = priceDecimalsFor(coin.price);
      const qd = Math.min(qtyDecimalsFor(coin.price) + 1, 4);
      const ticker = `${coin.base}-USD`;
      listings.push({ venue: 'dydx', name: ticker, coin, mult: 1, priceDecimals: pd, size: { kind: 'base', decimals: qd }, weight: weightOf(coin.rank) });
      markets.push(dydxMarket(ticker, coin.rank, stepOf(pd), stepOf(qd), coin.price.toFixed(pd)));
    }
    return { listings, rest: { dydx: { markets: { markets: Object.fromEntries(markets.map((m) => [m.ticker, m])) } } }, standin: { dydxMarkets: markets } };
  },
  frames(liqs, rnd) {
    let fill = 0x014f495a0000000000000000n;
    const nextId = () => (++fill).toString(16).padStart(24, '0');
    let messageId = 0;
    return groupsOf(liqs, (l) => `${l.listing.name}|${Math.floor(l.ts / 250)}`, 4).map((group) => {
      const trades: DydxTrade[] = group.map((l) => ({ id: nextId(), side: l.long ? 'SELL' : 'BUY', size: l.size, price: l.price, type: 'LIQUIDATED', createdAt: l.ts }));
      if (rnd() < 0.5) {
        const l = group[0];
        trades.push({ id: nextId(), side: l.long ? 'BUY' : 'SELL', size: l.size, price: l.price, type: 'LIMIT', createdAt: l.ts });
      }
      const market = group[0].listing.name;
      return { t: Math.max(...group.map((l) => l.ts)) + 250 + latencyMs(rnd), venue: 'dydx', frame: dydxTradesFrame(market, trades, ++messageId), events: group.length, route: market };
    });
  },
};
