// Deribit in synthetic markets: BTC and ETH coin-settled perpetuals (10-USD and 1-USD contracts, amount in USD), a BTC
// quarterly, and USDC-settled linear perpetuals BASE_USDC-PERPETUAL of the top coins (amount in the base coin). A
// notification per currency channel per 100 ms holds a few trades; a liquidation is a trade marked T (the taker was
// liquidated) or M (the maker was).
import { formatDecimal, mul, normalize, parseDecimal } from '../../core/decimal.js';
import { type SynthHooks, type SynthListing, groupsOf, latencyMs, priceDecimalsFor, qtyDecimalsFor, stepOf } from '../synth-types.js';
import { type DeribitInstrumentItem, deribitFuture } from './fixtures.js';
import { type DeribitTrade, deribitFrame } from './frames.js';
import { deribitChannel } from './protocol.js';

const weightOf = (rank: number, rare = false) => 1 / Math.pow(rank + 1, 1.15) / (rare ? 4 : 1);

export const deribitSynth: SynthHooks = {
  share: 0.03,
  market(coins, { delivery }) {
    const listings: SynthListing[] = [];
    const list: DeribitInstrumentItem[] = [];
    for (const coin of coins.filter((c) => c.rank < 2)) {
      const per = coin.base === 'BTC' ? 10 : 1;
      const pd = Math.min(priceDecimalsFor(coin.price), 2);
      for (const expiry of coin.base === 'BTC' ? [undefined, delivery] : [undefined]) {
        const item = deribitFuture({ base: coin.base, quote: 'USD', contractSize: per, tickSize: Number(stepOf(pd)), expiry });
        list.push(item);
        listings.push({ venue: 'deribit', name: item.instrument_name, coin, mult: 1, priceDecimals: pd, size: { kind: 'contracts', of: 'usd', per, decimals: 0 }, weight: weightOf(coin.rank, expiry !== undefined), group: coin.base });
      }
    }
    for (const coin of coins.filter((c) => c.rank < 6 && c.price >= 0.01)) {
      const qd = qtyDecimalsFor(coin.price);
      const pd = priceDecimalsFor(coin.price);
      const item = deribitFuture({ base: coin.base, quote: 'USDC', contractSize: Number(stepOf(qd)), tickSize: Number(stepOf(pd)) });
      list.push(item);
      listings.push({ venue: 'deribit', name: item.instrument_name, coin, mult: 1, priceDecimals: pd, size: { kind: 'base', decimals: qd }, weight: weightOf(coin.rank, true), group: 'USDC' });
    }
    return {
      listings,
      rest: { deribit: { instruments: { jsonrpc: '2.0', result: list, usIn: delivery * 1000, usOut: delivery * 1000 + 300, usDiff: 300, testnet: false } } },
      standin: { deribitInstruments: list },
    };
  },
  frames(liqs, rnd) {
    let tradeId = 300_000_000;
    return groupsOf(liqs, (l) => `${l.listing.group}|${Math.floor(l.ts / 100)}`, 5).map((group) => {
      const currency = group[0].listing.group as string;
      const trades = group.map((l): DeribitTrade => {
        const size = l.listing.size;
        // Coin-settled amounts are USD: contracts × USD per contract.
        const amount = size.kind === 'contracts' ? formatDecimal(normalize(mul(parseDecimal(l.size)!, parseDecimal(String(size.per))!))) : l.size;
        const maker = rnd() < 0.3;
        // The taker's direction: a liquidated taker long sold; a liquidated maker long was hit by a buying taker.
        const direction = (l.long !== maker ? 'sell' : 'buy') as 'buy' | 'sell';
        return { instrument: l.listing.name, tradeId: String(++tradeId), direction, price: l.price, amount, ts: l.ts, liquidation: maker ? 'M' : 'T', seq: tradeId };
      });
      return { t: Math.max(...group.map((l) => l.ts)) + 100 + latencyMs(rnd), venue: 'deribit', frame: deribitFrame(currency, trades), events: group.length, route: deribitChannel(currency) };
    });
  },
};
