// Gate in synthetic markets: USDT-settled perpetuals (BASE_USDT) for most coins in contracts of quanto_multiplier
// coins (BTC 0.0001, ETH 0.01, others a power of ten worth about $1–10), and BTC_USD (BTC-settled, 1 USD a contract).
// One push per contract per 1 s aggregation period (Gate since 2026-08-20), flushed early at 20 orders; sizes signed
// decimal strings (the daemon sends X-Gate-Size-Decimal: 1), negative for a liquidated long.
import { type SynthHooks, type SynthListing, groupsOf, latencyMs, priceDecimalsFor } from '../synth-types.js';
import { type GateContractRow, gateContract } from './fixtures.js';
import { gateFrame } from './frames.js';
import { LIQUIDATES } from './parser.js';

const weightOf = (rank: number) => 1 / Math.pow(rank + 1, 1.1);

export const gateSynth: SynthHooks = {
  share: 0.05,
  market(coins) {
    const listings: SynthListing[] = [];
    const usdt: GateContractRow[] = [];
    const btc: GateContractRow[] = [];
    for (const coin of coins.filter((c) => c.rank < 200)) {
      const per = coin.base === 'BTC' ? 0.0001 : coin.base === 'ETH' ? 0.01 : 10 ** Math.floor(Math.log10(10 / coin.price));
      const quanto = per >= 1 ? String(Math.round(per)) : per.toFixed(-Math.floor(Math.log10(per)));
      const pd = priceDecimalsFor(coin.price);
      const name = `${coin.base}_USDT`;
      listings.push({ venue: 'gate-usdt', name, coin, mult: 1, priceDecimals: pd, size: { kind: 'contracts', of: 'base', per: Number(quanto), decimals: 0 }, weight: weightOf(coin.rank) });
      usdt.push(gateContract({ name, type: 'direct', quanto, price: coin.price.toFixed(pd) }));
      if (coin.base === 'BTC') {
        listings.push({ venue: 'gate-btc', name: 'BTC_USD', coin, mult: 1, priceDecimals: 1, size: { kind: 'usd' }, weight: weightOf(coin.rank) / 6 });
        btc.push(gateContract({ name: 'BTC_USD', type: 'inverse', quanto: '0', price: coin.price.toFixed(1) }));
      }
    }
    return {
      listings,
      rest: { 'gate-usdt': { contracts: usdt }, 'gate-btc': { contracts: btc } },
      standin: { gateContracts: { usdt, btc } },
    };
  },
  frames(liqs, rnd) {
    return groupsOf(liqs, (l) => `${l.listing.venue}|${l.listing.name}|${Math.floor(l.ts / 1000)}`, 20).map((group) => {
      const pushMs = group.length === 20 ? group[19].ts + 1 : (Math.floor(group[0].ts / 1000) + 1) * 1000;
      const items = group.map((l) => ({ contract: l.listing.name, price: l.price, size: `${l.long ? '-' : ''}${l.size}`, ts: l.ts }));
      return { t: pushMs + latencyMs(rnd), venue: group[0].listing.venue, frame: gateFrame(items, { pushMs }), events: group.length, route: LIQUIDATES };
    });
  },
};
