// HTX in synthetic markets: the top coins as USDT-margined swaps BASE-USDT (contracts of a power of ten of the coin,
// about $10–$100 each: BTC 0.001, ETH 0.01), BTC/ETH quarterly futures BASE-USDT-YYMMDD, and the top few as
// coin-margined swaps BASE-USD (contracts of 100 USD for BTC, 10 otherwise). One push per contract per ~500 ms
// window, a few liquidations in it.
import { formatDecimal, mul, normalize, parseDecimal } from '../../core/decimal.js';
import { yymmddUtc } from '../parsing.js';
import { type SynthHooks, type SynthListing, groupsOf, latencyMs, priceDecimalsFor, stepOf } from '../synth-types.js';
import { type HtxContractItem, htxInverseContract, htxLinearContract } from './fixtures.js';
import { htxFrame } from './frames.js';
import { HTX_TOPIC } from './protocol.js';

const weightOf = (rank: number, rare = false) => 1 / Math.pow(rank + 1, 1.15) / (rare ? 4 : 1);

/** base = contracts × contract size, exactly. */
function amountOf(contracts: string, per: number): string {
  const c = parseDecimal(contracts);
  const p = parseDecimal(String(per));
  return c && p ? formatDecimal(normalize(mul(c, p))) : '0';
}

export const htxSynth: SynthHooks = {
  share: 0.05,
  market(coins, { delivery }) {
    const listings: SynthListing[] = [];
    const linear: HtxContractItem[] = [];
    const inverse: HtxContractItem[] = [];
    for (const coin of coins.filter((c) => c.rank < 150)) {
      const exp = Math.floor(Math.log10(100 / coin.price));
      const cs = exp >= 0 ? 10 ** exp : Number((10 ** exp).toFixed(-exp));
      const pd = priceDecimalsFor(coin.price);
      const codes: Array<[string, boolean]> = [[`${coin.base}-USDT`, false]];
      if (coin.rank < 2) codes.push([`${coin.base}-USDT-${yymmddUtc(delivery)}`, true]);
      for (const [code, future] of codes) {
        listings.push({ venue: 'htx-linear', name: code, coin, mult: 1, priceDecimals: pd, size: { kind: 'contracts', of: 'base', per: cs, decimals: 0 }, weight: weightOf(coin.rank, future) });
        linear.push(htxLinearContract(code, cs, Number(stepOf(pd)), future ? delivery : undefined));
      }
    }
    for (const coin of coins.filter((c) => c.rank < 8 && c.price >= 0.01)) {
      const per = coin.base === 'BTC' ? 100 : 10;
      const pd = priceDecimalsFor(coin.price);
      const code = `${coin.base}-USD`;
      listings.push({ venue: 'htx-inverse', name: code, coin, mult: 1, priceDecimals: pd, size: { kind: 'contracts', of: 'usd', per, decimals: 0 }, weight: weightOf(coin.rank) });
      inverse.push(htxInverseContract(code, per, Number(stepOf(pd))));
    }
    const ts = delivery;
    return {
      listings,
      rest: { 'htx-linear': { contracts: { status: 'ok', data: linear, ts } }, 'htx-inverse': { contracts: { status: 'ok', data: inverse, ts } } },
      standin: { htxContracts: { linear, inverse } },
    };
  },
  frames(liqs, rnd) {
    return groupsOf(liqs, (l) => `${l.listing.venue}|${l.listing.name}|${Math.floor(l.ts / 500)}`, 4).map((group) => {
      const linear = group[0].listing.venue === 'htx-linear';
      const items = group.map((l) => {
        const size = l.listing.size;
        const per = size.kind === 'contracts' ? size.per : 1;
        return { code: l.listing.name, direction: (l.long ? 'sell' : 'buy') as 'sell' | 'buy', price: l.price, volume: l.size, ts: l.ts, ...(linear ? { amount: amountOf(l.size, per) } : {}) };
      });
      return { t: Math.max(...group.map((l) => l.ts)) + 40 + latencyMs(rnd), venue: group[0].listing.venue, frame: htxFrame(items), events: group.length, route: HTX_TOPIC };
    });
  },
};
