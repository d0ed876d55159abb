// Bitget in synthetic markets: USDT perpetuals (BASEUSDT) for most coins, coin-M perpetuals (BASEUSD) for the top
// few, USDC perpetuals (BASEPERP) for BTC and ETH; the size field is the quote value (`amount`). One push per product
// type per second holding that second's liquidations (the docs' 1 s cadence; whether that is all of them is
// unconfirmed).
import { type SynthHooks, type SynthListing, groupsOf, latencyMs, priceDecimalsFor, qtyDecimalsFor } from '../synth-types.js';
import { type BitgetInstrumentRow, bitgetInstrument } from './fixtures.js';
import { type BitgetLiq, bitgetFrame } from './frames.js';
import type { BitgetInstType } from './metadata.js';
import { bitgetRoute } from './standin.js';

const weightOf = (rank: number, rare = false) => 1 / Math.pow(rank + 1, 1.15) / (rare ? 4 : 1);

export const bitgetSynth: SynthHooks = {
  share: 0.06,
  market(coins) {
    const listings: SynthListing[] = [];
    const usdt: BitgetInstrumentRow[] = [];
    const coin: BitgetInstrumentRow[] = [];
    const usdc: BitgetInstrumentRow[] = [];
    for (const c of coins.filter((x) => x.rank < 150)) {
      const mult = c.price < 0.001 ? 1000 : 1;
      const p = c.price * mult;
      const base = `${mult === 1000 ? '1000' : ''}${c.base}`;
      const pd = priceDecimalsFor(p);
      const add = (name: string, group: BitgetInstType, rare: boolean) => listings.push({ venue: 'bitget', name, coin: c, mult, priceDecimals: pd, size: { kind: 'usd' }, weight: weightOf(c.rank, rare), group });
      add(`${base}USDT`, 'usdt-futures', false);
      usdt.push(bitgetInstrument({ symbol: `${base}USDT`, category: 'USDT-FUTURES', baseCoin: base, quoteCoin: 'USDT', pricePrecision: pd, quantityPrecision: qtyDecimalsFor(p) }));
      if (c.rank < 5 && c.price >= 0.01) {
        add(`${c.base}USD`, 'coin-futures', true);
        coin.push(bitgetInstrument({ symbol: `${c.base}USD`, category: 'COIN-FUTURES', baseCoin: c.base, quoteCoin: 'USD', pricePrecision: pd, quantityPrecision: 3 }));
      }
      if (c.rank < 2) {
        add(`${c.base}PERP`, 'usdc-futures', true);
        usdc.push(bitgetInstrument({ symbol: `${c.base}PERP`, category: 'USDC-FUTURES', baseCoin: c.base, quoteCoin: 'USDC', pricePrecision: pd, quantityPrecision: qtyDecimalsFor(p) }));
      }
    }
    const doc = (data: BitgetInstrumentRow[]) => ({ code: '00000', msg: 'success', requestTime: 0, data });
    return {
      listings,
      rest: { bitget: { 'USDT-FUTURES': doc(usdt), 'COIN-FUTURES': doc(coin), 'USDC-FUTURES': doc(usdc) } },
      standin: { bitgetInstruments: { 'USDT-FUTURES': usdt, 'COIN-FUTURES': coin, 'USDC-FUTURES': usdc } },
    };
  },
  frames(liqs, rnd) {
    return groupsOf(liqs, (l) => `${l.listing.group}|${Math.floor(l.ts / 1000)}`, 20).map((group) => {
      const instType = group[0].listing.group as BitgetInstType;
      const items: BitgetLiq[] = group.map((l) => ({ symbol: l.listing.name, side: l.long ? 'buy' : 'sell', price: l.price, amount: l.size, ts: l.ts }));
      const pushTs = (Math.floor(group[0].ts / 1000) + 1) * 1000;
      return { t: pushTs + latencyMs(rnd), venue: 'bitget', frame: bitgetFrame(instType, items, pushTs), events: group.length, route: bitgetRoute('liquidation', instType) };
    });
  },
};
