// The coin of a symbol: what --coin BTC sums and what the top lists group by. Symbols are BASEQUOTE (BTCUSDT,
// BTCUSD, 牛来USDT) or BASEQUOTE_YYMMDD for dated futures (README, Normalization).

/**
 * Quote currencies, longer first so that USDT is stripped before USD. Quotes that end in USD and would also match
 * a coin's last letter plus USD (TUSD: XBTUSD, DOTUSD; BUSD: BNBUSD) are left out on purpose.
 */
export const QUOTES: readonly string[] = ['FDUSD', 'USDT', 'USDC', 'USD1', 'USD', 'BTC', 'ETH', 'EUR'];

const DATED = /_\d{6}$/;
// Contracts quoted per 1000 (or more) units of a small coin: 1000PEPEUSDT and PEPEUSDT trade the same coin.
const MULTIPLIER = /^(?:1000000|100000|10000|1000)(?=\p{L})/u;

/**
 * BTCUSDT, BTCUSD, BTCUSDC and BTCUSDT_261225 → BTC; ETHBTC → ETH; 1000PEPEUSDT → PEPE; 牛来USDT → 牛来.
 * One quote is stripped (the first of QUOTES the symbol ends with, leaving something); a name that ends with none
 * comes back upper-cased, without a date suffix or multiplier.
 */
export function coinOf(symbol: string): string {
  const s = symbol.toUpperCase().replace(DATED, '');
  let base = s;
  for (const q of QUOTES) {
    if (s.length > q.length && s.endsWith(q)) {
      base = s.slice(0, s.length - q.length);
      break;
    }
  }
  return base.replace(MULTIPLIER, '');
}
