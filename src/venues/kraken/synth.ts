// Kraken Futures in synthetic markets: linear PF_{BASE}USD perpetuals for the top coins (XBT for BTC), sized in the
// base coin; inverse PI_ perpetuals for the top five and FI_/FF_ BTC and ETH futures, sized in USD (inverse) or the
// base coin (FF_). One trade per message, as Kraken pushes them; uids are unique per liquidation.
import { yymmddUtc } from '../parsing.js';
import { type SynthHooks, type SynthListing, latencyMs, priceDecimalsFor, qtyDecimalsFor, stepOf } from '../synth-types.js';
import { type KrakenInstrument, krakenInstrument } from './fixtures.js';
import { krakenTradeFrame } from './frames.js';

const weightOf = (rank: number, rare = false) => 1 / Math.pow(rank + 1, 1.15) / (rare ? 4 : 1);
const hex = (n: number, width: number) => Math.floor(n).toString(16).padStart(width, '0').slice(-width);

/** A uuid-shaped id from the liquidation's time, its place in the run and the generator (unique per run and time). */
function uidOf(ts: number, i: number, rnd: () => number): string {
  return `${hex(ts / 65536, 8)}-${hex(ts % 65536, 4)}-4${hex(i, 3)}-${hex(8 + rnd() * 4, 1)}${hex(rnd() * 4096, 3)}-${hex(rnd() * 2 ** 24, 6)}${hex(rnd() * 2 ** 24, 6)}`;
}

export const krakenSynth: SynthHooks = {
  share: 0.03,
  market(coins, { delivery }) {
    const listings: SynthListing[] = [];
    const instruments: KrakenInstrument[] = [];
    const date = yymmddUtc(delivery);
    for (const coin of coins.filter((c) => c.rank < 120 && c.price >= 0.0001)) {
      const base = coin.base === 'BTC' ? 'XBT' : coin.base;
      const pd = priceDecimalsFor(coin.price);
      const qd = qtyDecimalsFor(coin.price);
      const add = (symbol: string, inverse: boolean, rare: boolean, lastTradingTime?: number) => {
        listings.push({ venue: 'kraken', name: symbol, coin, mult: 1, priceDecimals: pd, size: inverse ? { kind: 'usd' } : { kind: 'base', decimals: qd }, weight: weightOf(coin.rank, rare) });
        instruments.push(krakenInstrument({ symbol, base, tickSize: Number(stepOf(pd)), precision: qd, ...(lastTradingTime !== undefined ? { lastTradingTime } : {}) }));
      };
      add(`PF_${base}USD`, false, false);
      if (coin.rank < 5 && coin.price >= 0.01) add(`PI_${base}USD`, true, true);
      if (coin.rank < 2) add(`FI_${base}USD_${date}`, true, true, delivery);
      if (coin.rank < 1) add(`FF_${base}USD_${date}`, false, true, delivery);
    }
    return {
      listings,
      rest: { kraken: { instruments: { result: 'success', instruments, serverTime: new Date(delivery).toISOString() } } },
      standin: { krakenInstruments: instruments },
    };
  },
  frames(liqs, rnd) {
    return liqs.map((l, i) => ({
      t: l.ts + 10 + latencyMs(rnd),
      venue: 'kraken',
      frame: krakenTradeFrame({ productId: l.listing.name, uid: uidOf(l.ts, i, rnd), side: l.long ? 'sell' : 'buy', qty: l.size, price: l.price, time: l.ts, seq: i + 1 }),
      events: 1,
      route: l.listing.name,
    }));
  },
};
