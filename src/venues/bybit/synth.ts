// Bybit in synthetic markets: linear lists the top coins as BASEUSDT (1000BASEUSDT below $0.001), a few USDC
// perpetuals (BASEPERP) and BTC/ETH dated futures (BASEUSDT-DDMMMYY), sized in the base coin; inverse lists the top
// ten as BASEUSD and BTC/ETH quarterlies, sized in USD. One frame per symbol per 500 ms push window.
import { type SynthHooks, type SynthListing, groupsOf, latencyMs, priceDecimalsFor, qtyDecimalsFor, stepOf } from '../synth-types.js';
import { TOPIC_PREFIX } from './capture.js';
import { type BybitInstrument, bybitInstrument } from './fixtures.js';
import { bybitFrame } from './frames.js';

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const weightOf = (rank: number, rare = false) => 1 / Math.pow(rank + 1, 1.15) / (rare ? 4 : 1);

export const bybitSynth: SynthHooks = {
  share: 0.37,
  market(coins, { delivery }) {
    const d = new Date(delivery);
    const yy = String(d.getUTCFullYear() % 100).padStart(2, '0');
    const linearDate = `${String(d.getUTCDate()).padStart(2, '0')}${MONTHS[d.getUTCMonth()]}${yy}`;
    const inverseDate = `${'FGHJKMNQUVXZ'[d.getUTCMonth()]}${yy}`;
    const listings: SynthListing[] = [];
    const linear: BybitInstrument[] = [];
    const inverse: BybitInstrument[] = [];
    for (const coin of coins.filter((c) => c.rank < 220)) {
      const mult = coin.price < 0.001 ? 1000 : 1;
      const p = coin.price * mult;
      const pd = priceDecimalsFor(p);
      const qd = qtyDecimalsFor(p);
      const base = `${mult === 1000 ? '1000' : ''}${coin.base}`;
      const add = (name: string, quote: string, rare: boolean, deliveryTime?: string) => {
        listings.push({ venue: 'bybit-linear', name, coin, mult, priceDecimals: pd, size: { kind: 'base', decimals: qd }, weight: weightOf(coin.rank, rare) });
        linear.push(bybitInstrument({ symbol: name, contractType: deliveryTime ? 'LinearFutures' : 'LinearPerpetual', baseCoin: base, quoteCoin: quote, settleCoin: quote, tickSize: stepOf(pd), qtyStep: stepOf(qd), ...(deliveryTime ? { deliveryTime } : {}) }));
      };
      add(`${base}USDT`, 'USDT', false);
      if (coin.rank < 3) add(`${base}PERP`, 'USDC', true);
      if (coin.rank < 2) add(`${base}USDT-${linearDate}`, 'USDT', true, String(delivery));
      if (coin.rank < 10 && coin.price >= 0.01) {
        const ipd = priceDecimalsFor(coin.price);
        for (const [name, dated] of [[`${coin.base}USD`, false], ...(coin.rank < 2 ? [[`${coin.base}USD${inverseDate}`, true]] : [])] as Array<[string, boolean]>) {
          listings.push({ venue: 'bybit-inverse', name, coin, mult: 1, priceDecimals: ipd, size: { kind: 'usd' }, weight: weightOf(coin.rank, dated) });
          inverse.push(bybitInstrument({ symbol: name, contractType: dated ? 'InverseFutures' : 'InversePerpetual', baseCoin: coin.base, quoteCoin: 'USD', settleCoin: coin.base, tickSize: stepOf(ipd), qtyStep: '1', ...(dated ? { deliveryTime: String(delivery) } : {}) }));
        }
      }
    }
    const page = (category: string, list: BybitInstrument[]) => ({ pages: [{ retCode: 0, retMsg: 'OK', result: { category, list, nextPageCursor: '' }, retExtInfo: {}, time: delivery }] });
    return {
      listings,
      rest: { 'bybit-linear': page('linear', linear), 'bybit-inverse': page('inverse', inverse) },
      standin: { bybitInstruments: { linear, inverse } },
    };
  },
  frames(liqs, rnd) {
    // Bybit pushes a symbol's liquidations of a ~500 ms window together (a handful at most).
    return groupsOf(liqs, (l) => `${l.listing.venue}|${l.listing.name}|${Math.floor(l.ts / 500)}`, 6).map((group) => {
      const items = group.map((l) => ({ symbol: l.listing.name, side: (l.long ? 'Buy' : 'Sell') as 'Buy' | 'Sell', price: l.price, size: l.size, ts: l.ts }));
      return {
        t: Math.max(...group.map((l) => l.ts)) + 50 + latencyMs(rnd),
        venue: group[0].listing.venue,
        frame: bybitFrame(items),
        events: group.length,
        route: `${TOPIC_PREFIX}${group[0].listing.name}`,
      };
    });
  },
};
