// BitMEX in synthetic markets: BTC as the inverse perpetual XBTUSD and its quarterly (contracts of 1 USD), and the top
// coins as linear USDT perpetuals (BASEUSDT, XBT for BTC) in contracts of a power of ten of the coin (about $0.1 or
// less; XBTUSDT 0.000001 XBT). Quanto and XBT-quoted listings are left out: their rows are rejected, and a workload
// counts only what is counted. Liquidation orders arrive as `insert` frames, a few orders of one ~50 ms window
// together, each with a fresh orderID (the identity).
import { type SynthHooks, type SynthListing, groupsOf, latencyMs, priceDecimalsFor, stepOf } from '../synth-types.js';
import { type BitmexInstrument, bitmexInstrument, futureSuffix } from './fixtures.js';
import { type BitmexRow, bitmexFrame } from './frames.js';
import { LIQUIDATION_TABLE } from './parser.js';

const weightOf = (rank: number, dated = false) => 1 / Math.pow(rank + 1, 1.2) / (dated ? 4 : 1);
const nameOf = (base: string) => (base === 'BTC' ? 'XBT' : base);

/** A GUID-shaped orderID from the generator (deterministic for a seeded one). */
function orderId(rnd: () => number): string {
  let hex = '';
  while (hex.length < 32) hex += Math.floor(rnd() * 0x10000).toString(16).padStart(4, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

export const bitmexSynth: SynthHooks = {
  share: 0.03,
  market(coins, { delivery }) {
    const listings: SynthListing[] = [];
    const instruments: BitmexInstrument[] = [];
    const btc = coins.find((c) => c.base === 'BTC');
    if (btc !== undefined) {
      const pd = Math.min(priceDecimalsFor(btc.price), 1);
      const expiryMs = delivery + 4 * 3_600_000;
      for (const [name, dated] of [['XBTUSD', false], [`XBT${futureSuffix(expiryMs)}`, true]] as Array<[string, boolean]>) {
        listings.push({ venue: 'bitmex', name, coin: btc, mult: 1, priceDecimals: pd, size: { kind: 'usd' }, weight: weightOf(btc.rank, dated) });
        instruments.push(bitmexInstrument({ symbol: name, typ: dated ? 'FFCCSX' : 'FFWCSX', underlying: 'XBT', quoteCurrency: 'USD', kind: 'inverse', tickSize: Number(stepOf(pd)), lotSize: 100, ...(dated ? { expiryMs } : {}) }));
      }
    }
    // Prices go out as JSON numbers: none below a cent, whose shortest text could take an exponent.
    for (const coin of coins.filter((c) => c.rank < 40 && c.price >= 0.01)) {
      // contracts of 10^k coins, k ≤ 0, about $0.1 or less each
      const k = Math.min(0, Math.floor(Math.log10(0.1 / coin.price)));
      const perBase = 10 ** -k;
      const pd = priceDecimalsFor(coin.price);
      const name = `${nameOf(coin.base)}USDT`;
      listings.push({ venue: 'bitmex', name, coin, mult: 1, priceDecimals: pd, size: { kind: 'contracts', of: 'base', per: 10 ** k, decimals: 0 }, weight: weightOf(coin.rank) });
      instruments.push(bitmexInstrument({ symbol: name, typ: 'FFWCSX', underlying: nameOf(coin.base), quoteCurrency: 'USDT', kind: 'linear', underlyingToPositionMultiplier: perBase, tickSize: Number(stepOf(pd)), lotSize: 100 }));
    }
    return { listings, rest: { bitmex: { active: instruments } }, standin: { bitmexInstruments: instruments } };
  },
  frames(liqs, rnd) {
    return groupsOf(liqs, (l) => String(Math.floor(l.ts / 50)), 3).map((group) => {
      const rows: BitmexRow[] = group.map((l) => ({ orderID: orderId(rnd), symbol: l.listing.name, side: l.long ? 'Sell' : 'Buy', price: Number(l.price), leavesQty: Number(l.size) }));
      return { t: Math.max(...group.map((l) => l.ts)) + 5 + latencyMs(rnd), venue: 'bitmex', frame: bitmexFrame('insert', rows), events: group.length, route: LIQUIDATION_TABLE };
    });
  },
};
