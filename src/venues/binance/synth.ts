// Binance in synthetic markets: USD-M lists every coin as BASEUSDT (1000BASEUSDT below $0.001), its size the base
// quantity; COIN-M lists the top coins as BASEUSD_PERP and BTC/ETH quarterlies, in contracts of 100 USD (BTC) or
// 10 USD. One liquidation per frame, and at most one per symbol per second (Binance's snapshot rule).
import { yymmddUtc } from '../parsing.js';
import { type SynthHooks, type SynthListing, latencyMs, priceDecimalsFor, qtyDecimalsFor } from '../synth-types.js';
import { type BinanceCoinmSymbol, binanceCoinmSymbol } from './fixtures.js';
import { binanceFrame } from './frames.js';

const weightOf = (rank: number, dated = false) => 1 / Math.pow(rank + 1, 1.15) / (dated ? 4 : 1);

export const binanceSynth: SynthHooks = {
  share: 0.43,
  onePerSymbolSecond: true,
  market(coins, { delivery }) {
    const listings: SynthListing[] = [];
    const coinm: BinanceCoinmSymbol[] = [];
    for (const coin of coins) {
      const mult = coin.price < 0.001 ? 1000 : 1;
      const p = coin.price * mult;
      const name = `${mult === 1000 ? '1000' : ''}${coin.base}USDT`;
      listings.push({ venue: 'binance-usdm', name, coin, mult, priceDecimals: priceDecimalsFor(p), size: { kind: 'base', decimals: qtyDecimalsFor(p) }, weight: weightOf(coin.rank) });
    }
    for (const coin of coins.filter((c) => c.rank < 14 && c.price >= 0.01)) {
      const per = coin.base === 'BTC' ? 100 : 10;
      const pd = Math.min(priceDecimalsFor(coin.price), 5);
      const dated = coin.rank < 2 ? [`${coin.base}USD_${yymmddUtc(delivery)}`] : [];
      for (const symbol of [`${coin.base}USD_PERP`, ...dated]) {
        listings.push({ venue: 'binance-coinm', name: symbol, coin, mult: 1, priceDecimals: pd, size: { kind: 'contracts', of: 'usd', per, decimals: 0 }, weight: weightOf(coin.rank, symbol !== `${coin.base}USD_PERP`) });
        const perpetual = symbol.endsWith('_PERP');
        coinm.push(binanceCoinmSymbol({ symbol, contractType: perpetual ? 'PERPETUAL' : 'CURRENT_QUARTER', contractSize: per, pricePrecision: pd, ...(perpetual ? {} : { deliveryDate: delivery }) }));
      }
    }
    return {
      listings,
      rest: { 'binance-coinm': { exchangeInfo: { timezone: 'UTC', serverTime: delivery, rateLimits: [], exchangeFilters: [], symbols: coinm } } },
      standin: { binanceCoinmSymbols: coinm },
    };
  },
  frames(liqs, rnd) {
    return liqs.map((l) => ({
      t: l.ts + 5 + latencyMs(rnd),
      venue: l.listing.venue,
      frame: binanceFrame({ symbol: l.listing.name, side: l.long ? 'SELL' : 'BUY', price: l.price, qty: l.size, ts: l.ts }),
      events: 1,
      route: '',
    }));
  },
};
