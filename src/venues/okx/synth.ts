// OKX in synthetic markets: the top coins as linear BASE-USDT-SWAP (contracts of a power of ten of the coin, about
// $1–$100 each; BTC 0.01, ETH 0.1), a few inverse BASE-USD-SWAP (contracts of 100 USD for BTC, 10 otherwise) and
// BTC/ETH quarterlies BASE-USD-YYMMDD. One frame per instType per 500 ms window; 70% hedged (posSide long/short),
// the rest net mode.
import { yymmddUtc } from '../parsing.js';
import { type SynthHooks, type SynthListing, groupsOf, latencyMs, priceDecimalsFor, stepOf } from '../synth-types.js';
import { type OkxInstrument, okxInstrument } from './fixtures.js';
import { type OkxDetail, okxFrame } from './frames.js';

const weightOf = (rank: number, rare = false) => 1 / Math.pow(rank + 1, 1.15) / (rare ? 4 : 1);

export const okxSynth: SynthHooks = {
  share: 0.2,
  market(coins, { delivery }) {
    const listings: SynthListing[] = [];
    const SWAP: OkxInstrument[] = [];
    const FUTURES: OkxInstrument[] = [];
    for (const coin of coins.filter((c) => c.rank < 160)) {
      const ctVal = coin.base === 'BTC' ? 0.01 : coin.base === 'ETH' ? 0.1 : 10 ** Math.floor(Math.log10(100 / coin.price));
      const ctValText = ctVal >= 1 ? String(Math.round(ctVal)) : ctVal.toFixed(-Math.floor(Math.log10(ctVal)));
      const lot = ctVal <= 0.1 ? 2 : 0;
      const pd = priceDecimalsFor(coin.price);
      const instId = `${coin.base}-USDT-SWAP`;
      listings.push({ venue: 'okx', name: instId, coin, mult: 1, priceDecimals: pd, size: { kind: 'contracts', of: 'base', per: Number(ctValText), decimals: lot }, weight: weightOf(coin.rank), group: 'SWAP' });
      SWAP.push(okxInstrument({ instId, instType: 'SWAP', ctType: 'linear', ctVal: ctValText, tickSz: stepOf(pd), lotSz: stepOf(lot) }));
    }
    for (const coin of coins.filter((c) => c.rank < 6 && c.price >= 0.01)) {
      const ctVal = coin.base === 'BTC' ? 100 : 10;
      const pd = priceDecimalsFor(coin.price);
      const ids: Array<[string, 'SWAP' | 'FUTURES']> = [[`${coin.base}-USD-SWAP`, 'SWAP']];
      if (coin.rank < 2) ids.push([`${coin.base}-USD-${yymmddUtc(delivery)}`, 'FUTURES']);
      for (const [instId, instType] of ids) {
        listings.push({ venue: 'okx', name: instId, coin, mult: 1, priceDecimals: pd, size: { kind: 'contracts', of: 'usd', per: ctVal, decimals: 0 }, weight: weightOf(coin.rank, instType === 'FUTURES'), group: instType });
        (instType === 'SWAP' ? SWAP : FUTURES).push(
          okxInstrument({ instId, instType, ctType: 'inverse', ctVal: String(ctVal), tickSz: stepOf(pd), lotSz: '1', ...(instType === 'FUTURES' ? { expTime: String(delivery) } : {}) }),
        );
      }
    }
    return {
      listings,
      rest: { okx: { SWAP: { code: '0', msg: '', data: SWAP }, FUTURES: { code: '0', msg: '', data: FUTURES } } },
      standin: { okxInstruments: { SWAP, FUTURES } },
    };
  },
  frames(liqs, rnd) {
    // One push per instType per ~500 ms window, a few liquidations in it.
    return groupsOf(liqs, (l) => `${l.listing.group}|${Math.floor(l.ts / 500)}`, 4).map((group) => {
      const byInst = new Map<string, OkxDetail[]>();
      for (const l of group) {
        const hedged = rnd() < 0.7;
        const d: OkxDetail = { posSide: hedged ? (l.long ? 'long' : 'short') : 'net', side: l.long ? 'sell' : 'buy', bkPx: l.price, sz: l.size, ts: l.ts };
        byInst.set(l.listing.name, [...(byInst.get(l.listing.name) ?? []), d]);
      }
      const instType = group[0].listing.group as 'SWAP' | 'FUTURES';
      return {
        t: Math.max(...group.map((l) => l.ts)) + 20 + latencyMs(rnd),
        venue: 'okx',
        frame: okxFrame(instType, [...byInst].map(([instId, details]) => ({ instId, details }))),
        events: group.length,
        route: `liquidation-orders:${instType}`,
      };
    });
  },
};
