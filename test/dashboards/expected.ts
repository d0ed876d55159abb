// The figures of seedStandard's last hour, worked out by hand from the events it writes (cents, then dollars
// half-up; screens show the short form: three significant digits with k/M, whole dollars below $10k).
//
// exchange     events  long (cents)                              short (cents)              total (cents)
// bybit        4       60,000,000+40,000,000+23,456,750          23,456,700                 146,913,450
//                      = 123,456,750 ($1,234,568 / $1.23M)       ($234,567 / $235k)         ($1,469,135 / $1.47M)
// binance      4       20,000,000+20,000,000+10,000,000          500,000 (牛来USDT)          50,500,000 ($505,000)
//                      = 50,000,000 ($500,000)                    ($5,000)
// bitmex       1       0                                          15,000,000 ($150,000)      15,000,000
// hyperliquid  2       7,000,000 ($70,000)                        4,500,000 ($45,000)        11,500,000 ($115,000)
// gate         1       8,000,000 ($80,000)                        0                          8,000,000
// okx          3       3,000,000 ($30,000)                        1,234,567+2,500,000        6,734,567 ($67,346 / $67.3k)
//                                                                 = 3,734,567 ($37,346)
// kraken       1       99,949 ($999)                              0                          99,949 ($999)
// TOTAL        16      191,556,699 ($1,915,567 / $1.92M)          47,191,267 ($471,913)      238,747,966 ($2,387,480 / $2.39M)
//
// Shares of 238,747,966 (half-up to 0.1%): bybit 61.5%, binance 21.2%, bitmex 6.3%, hyperliquid 4.8%, gate 3.4%,
// okx 2.8%, kraken 0.0%. L/S (long share of each total, half-up to 1%): bybit 84%/16%, binance 99%/1%, bitmex
// 0%/100%, hyperliquid 61%/39%, gate 100%/0%, okx 45%/55%, kraken 100%/0%, total 80%/20% (191,556,699 / 238,747,966
// = 80.23%). Two hours ago okx had one more long of 700,000,000: the last 4h (and 12h, 24h) total 938,747,966
// ($9,387,480 / $9.39M), long 891,556,699 ($8,915,567 / $8.92M), 17 events.

export const EXCHANGES = ['bybit', 'binance', 'bitmex', 'hyperliquid', 'gate', 'okx', 'kraken'] as const;

/** The exchange table rows as --once prints them (exact dollars): events, long, short, total, share, L/S. */
export const ONCE_ROWS: Record<string, [number, string, string, string, string, string]> = {
  bybit: [4, '$1,234,568', '$234,567', '$1,469,135', '61.5%', '84% / 16%'],
  'binance*': [4, '$500,000', '$5,000', '$505,000', '21.2%', '99% / 1%'],
  bitmex: [1, '$0', '$150,000', '$150,000', '6.3%', '0% / 100%'],
  hyperliquid: [2, '$70,000', '$45,000', '$115,000', '4.8%', '61% / 39%'],
  gate: [1, '$80,000', '$0', '$80,000', '3.4%', '100% / 0%'],
  okx: [3, '$30,000', '$37,346', '$67,346', '2.8%', '45% / 55%'],
  kraken: [1, '$999', '$0', '$999', '0.0%', '100% / 0%'],
  'TOTAL*': [16, '$1,915,567', '$471,913', '$2,387,480', '100.0%', '80% / 20%'],
};

/** The same rows in the screens' money format. */
export const SCREEN_ROWS: Record<string, [string, string, string, string, string]> = {
  bybit: ['$1.23M', '$235k', '$1.47M', '61.5%', '84% / 16%'],
  'binance*': ['$500k', '$5,000', '$505k', '21.2%', '99% / 1%'],
  bitmex: ['$0', '$150k', '$150k', '6.3%', '0% / 100%'],
  hyperliquid: ['$70.0k', '$45.0k', '$115k', '4.8%', '61% / 39%'],
  gate: ['$80.0k', '$0', '$80.0k', '3.4%', '100% / 0%'],
  okx: ['$30.0k', '$37.3k', '$67.3k', '2.8%', '45% / 55%'],
  kraken: ['$999', '$0', '$999', '0.0%', '100% / 0%'],
  'TOTAL*': ['$1.92M', '$472k', '$2.39M', '100.0%', '80% / 20%'],
};

/** Events of each row of the last hour. */
export const EVENTS: Record<string, number> = { bybit: 4, 'binance*': 4, bitmex: 1, hyperliquid: 2, gate: 1, okx: 3, kraken: 1, 'TOTAL*': 16 };

/** A table row where narrow layouts may leave out count columns: the cells in order, counts optional between. */
export function looseRowRe(first: string, ...cells: (string | number)[]): RegExp {
  const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`${esc(first)}\\s+(?:\\d+\\s+)?${cells.map((c) => esc(String(c))).join('\\s+(?:\\d+\\s+)?')}(\\s|$)`, 'm');
}

/** A table row: the cells in order with any spacing between them, on one line. */
export function rowRe(first: string, ...cells: (string | number)[]): RegExp {
  const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`${esc(first)}\\s+${cells.map((c) => esc(String(c))).join('\\s+')}(\\s|$)`, 'm');
}
