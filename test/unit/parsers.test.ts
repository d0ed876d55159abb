// The pure exchange parsers: frames in, events / rejections / missing names out. Fixtures are written here (shapes
// taken from the exchanges' docs and recorded frames); nothing is read from disk.
import { describe, expect, it } from 'vitest';
import { type Decimal, parseDecimal } from '../../src/core/decimal.js';
import type { LiquidationEvent } from '../../src/core/event.js';
import { contractSizeOf } from '../../src/venues/binance/metadata.js';
import { bybitInstrumentOf, type BybitInstrumentInfo } from '../../src/venues/bybit/metadata.js';
import { okxInstrumentOf, okxSymbolOf, type OkxInstrumentInfo } from '../../src/venues/okx/metadata.js';
import { parseBinanceCoinm, parseBinanceUsdm } from '../../src/venues/binance/parser.js';
import { type BybitInstrument, parseBybit } from '../../src/venues/bybit/parser.js';
import { sampleOf, yymmddUtc } from '../../src/venues/parsing.js';
import { type OkxInstrument, parseOkx } from '../../src/venues/okx/parser.js';
import type { ParseOptions, ParseResult, RejectReason } from '../../src/core/parse.js';

const NOW = 1_798_000_000_000; // 2026-12-23
const T = NOW - 1_500; // a liquidation 1.5 s before the frame was received
const RETENTION = 168 * 3_600_000;
const BASE: ParseOptions = { receivedAt: NOW, retentionMs: RETENTION };

function dec(s: string): Decimal {
  const d = parseDecimal(s);
  if (d === undefined) throw new Error(`bad decimal ${s}`);
  return d;
}

// --- metadata fixtures, built through the same conversions instruments.ts applies to REST responses -----------

const CONTRACT_SIZES = new Map<string, Decimal>([
  ['BTCUSD_PERP', dec('100')],
  ['BTCUSD_261225', dec('100')],
  ['ETHUSD_PERP', dec('10')],
]);

function bybitInfo(symbol: string, contractType: string, baseCoin: string, quoteCoin: string, deliveryTime = '0'): BybitInstrumentInfo {
  return { symbol, contractType, baseCoin, quoteCoin, deliveryTime };
}
function bybitMap(infos: Array<[BybitInstrumentInfo, 'linear' | 'inverse']>): Map<string, BybitInstrument> {
  const m = new Map<string, BybitInstrument>();
  for (const [info, cat] of infos) {
    const inst = bybitInstrumentOf(info, cat);
    if (inst === undefined) throw new Error(`no instrument for ${info.symbol}`);
    m.set(info.symbol, inst);
  }
  return m;
}
const DEC25_2026 = '1798185600000'; // 2026-12-25T08:00:00Z
const BYBIT_LINEAR = bybitMap([
  [bybitInfo('ROSEUSDT', 'LinearPerpetual', 'ROSE', 'USDT'), 'linear'],
  [bybitInfo('BTCUSDT', 'LinearPerpetual', 'BTC', 'USDT'), 'linear'],
  [bybitInfo('BTCPERP', 'LinearPerpetual', 'BTC', 'USDC'), 'linear'],
  [bybitInfo('1000PEPEUSDT', 'LinearPerpetual', '1000PEPE', 'USDT'), 'linear'],
  [bybitInfo('BTCUSDT-25DEC26', 'LinearFutures', 'BTC', 'USDT', DEC25_2026), 'linear'],
]);
const BYBIT_INVERSE = bybitMap([
  [bybitInfo('BTCUSD', 'InversePerpetual', 'BTC', 'USD'), 'inverse'],
  [bybitInfo('BTCUSDZ26', 'InverseFutures', 'BTC', 'USD', DEC25_2026), 'inverse'],
]);

function okxInfo(instId: string, ctType: string, ctVal: string, ctMult = '1', uly = '', expTime = ''): OkxInstrumentInfo {
  return { instId, ctType, ctVal, ctMult, uly, expTime };
}
function okxMap(infos: OkxInstrumentInfo[]): Map<string, OkxInstrument> {
  const m = new Map<string, OkxInstrument>();
  for (const info of infos) {
    const inst = okxInstrumentOf(info);
    if (inst === undefined) throw new Error(`no instrument for ${info.instId}`);
    m.set(info.instId, inst);
  }
  return m;
}
const OKX_INSTRUMENTS = okxMap([
  okxInfo('BTC-USDT-SWAP', 'linear', '0.01', '1', 'BTC-USDT'),
  okxInfo('BTC-USD-SWAP', 'inverse', '100', '1', 'BTC-USD'),
  okxInfo('BTC-USDC-SWAP', 'linear', '0.0001', '', 'BTC-USDC'),
  okxInfo('IOST-USDT-SWAP', 'linear', '1000', '1', 'IOST-USDT'),
  okxInfo('BTC-USD-261225', 'inverse', '100', '1', 'BTC-USD', DEC25_2026),
  okxInfo('BTC-USDT-261225', 'linear', '0.01', '1', 'BTC-USDT', DEC25_2026),
  okxInfo('MULT-USDT-SWAP', 'linear', '0.1', '10', 'MULT-USDT'),
]);

// --- frame builders --------------------------------------------------------------------------------------------

type Fields = Record<string, unknown>;

function binanceOrder(over: Fields = {}): Fields {
  return { s: 'BTCUSDT', S: 'SELL', o: 'LIMIT', f: 'IOC', q: '0.014', p: '9910', ap: '9910', X: 'FILLED', l: '0.014', z: '0.014', T, ...over };
}
const binanceBare = (over: Fields = {}) => JSON.stringify({ e: 'forceOrder', E: T + 5, o: binanceOrder(over) });
const binanceWrapped = (over: Fields = {}) =>
  JSON.stringify({ stream: '!forceOrder@arr', data: { e: 'forceOrder', E: T + 5, o: binanceOrder(over) } });

function bybitItem(over: Fields = {}): Fields {
  return { T, s: 'ROSEUSDT', S: 'Sell', v: '20000', p: '0.04499', ...over };
}
const bybitFrame = (items: unknown, topic = 'allLiquidation.ROSEUSDT') => JSON.stringify({ topic, type: 'snapshot', ts: T + 200, data: items });

function okxDetail(over: Fields = {}): Fields {
  return { bkLoss: '0', bkPx: '50000', ccy: '', posSide: 'long', side: 'sell', sz: '2', ts: String(T), ...over };
}
function okxItem(instId: string, details: unknown[], instType = 'SWAP'): Fields {
  const parts = instId.split('-');
  return { details, instFamily: `${parts[0]}-${parts[1]}`, instId, instType, uly: `${parts[0]}-${parts[1]}` };
}
const okxFrame = (items: unknown, instType = 'SWAP') => JSON.stringify({ arg: { channel: 'liquidation-orders', instType }, data: items });

// --- parse wrappers --------------------------------------------------------------------------------------------

type Venue = 'binance-usdm' | 'binance-coinm' | 'bybit-linear' | 'bybit-inverse' | 'okx';

function parse(venue: Venue, text: string, extra: Partial<ParseOptions> = {}): ParseResult {
  const opts = { ...BASE, ...extra };
  switch (venue) {
    case 'binance-usdm':
      return parseBinanceUsdm(text, opts);
    case 'binance-coinm':
      return parseBinanceCoinm(text, { ...opts, contractSizes: CONTRACT_SIZES });
    case 'bybit-linear':
      return parseBybit(text, { ...opts, instruments: BYBIT_LINEAR });
    case 'bybit-inverse':
      return parseBybit(text, { ...opts, instruments: BYBIT_INVERSE });
    case 'okx':
      return parseOkx(text, { ...opts, instruments: OKX_INSTRUMENTS });
  }
}

interface Expected {
  exchange: string;
  symbol: string;
  side: 'long' | 'short';
  ts: number;
  price: string;
  quantity: string;
  usd?: string;
  valueCents: number;
  qtyE8: bigint;
}

function strip(e: LiquidationEvent): Expected {
  const { id, ...rest } = e;
  expect(id).toMatch(/^[A-Za-z0-9_-]{20}$/);
  return rest;
}

// --- good frames -----------------------------------------------------------------------------------------------

const goodCases: Array<[string, Venue, string, Expected[]]> = [
  [
    'Binance USD-M wrapped (combined stream), SELL → long',
    'binance-usdm',
    JSON.stringify({
      stream: '!forceOrder@arr',
      data: { e: 'forceOrder', E: T + 6, o: { s: 'IOTXUSDT', S: 'SELL', o: 'LIMIT', f: 'IOC', q: '3661', p: '0.06606', ap: '0.06669', X: 'FILLED', l: '962', z: '3661', T } },
    }),
    [{ exchange: 'binance', symbol: 'IOTXUSDT', side: 'long', ts: T, price: '0.06669', quantity: '3661', valueCents: 24415, qtyE8: 366_100_000_000n }],
  ],
  [
    'Binance combined stream whose data is an array of forceOrder events (each one counted)',
    'binance-usdm',
    JSON.stringify({
      stream: '!forceOrder@arr',
      data: [
        { e: 'forceOrder', E: T + 5, o: binanceOrder({ z: '1', ap: '10' }) },
        { e: 'forceOrder', E: T + 5, o: binanceOrder({ s: 'ETHUSDT', S: 'BUY', z: '2', ap: '5' }) },
      ],
    }),
    [
      { exchange: 'binance', symbol: 'BTCUSDT', side: 'long', ts: T, price: '10', quantity: '1', valueCents: 1000, qtyE8: 100_000_000n },
      { exchange: 'binance', symbol: 'ETHUSDT', side: 'short', ts: T, price: '5', quantity: '2', valueCents: 1000, qtyE8: 200_000_000n },
    ],
  ],
  [
    'Binance USD-M bare, BUY → short, price string kept as sent',
    'binance-usdm',
    binanceBare({ S: 'BUY', ap: '18990.00', z: '0.009', q: '0.009' }),
    [{ exchange: 'binance', symbol: 'BTCUSDT', side: 'short', ts: T, price: '18990.00', quantity: '0.009', valueCents: 17091, qtyE8: 900_000n }],
  ],
  [
    'Binance expired part-filled order counts z (not q) at ap',
    'binance-usdm',
    binanceBare({ X: 'EXPIRED', q: '1.5', l: '0.4', z: '0.4', ap: '100.05', p: '99' }),
    [{ exchange: 'binance', symbol: 'BTCUSDT', side: 'long', ts: T, price: '100.05', quantity: '0.4', valueCents: 4002, qtyE8: 40_000_000n }],
  ],
  [
    'Binance USD-M dated symbol keeps its form; lower case is upper-cased',
    'binance-usdm',
    binanceWrapped({ s: 'btcusdt_261225', z: '1', ap: '100000' }),
    [{ exchange: 'binance', symbol: 'BTCUSDT_261225', side: 'long', ts: T, price: '100000', quantity: '1', valueCents: 10_000_000, qtyE8: 100_000_000n }],
  ],
  [
    'Binance symbol of another script (牛来USDT) passes',
    'binance-usdm',
    binanceBare({ s: '牛来USDT', z: '10', ap: '0.5' }),
    [{ exchange: 'binance', symbol: '牛来USDT', side: 'long', ts: T, price: '0.5', quantity: '10', valueCents: 500, qtyE8: 1_000_000_000n }],
  ],
  [
    'Binance COIN-M perpetual: 2 contracts × 100 USD at 9496.5',
    'binance-coinm',
    JSON.stringify({
      stream: '!forceOrder@arr',
      data: { e: 'forceOrder', E: T + 1, o: { s: 'BTCUSD_PERP', ps: 'BTCUSD', S: 'SELL', o: 'LIMIT', f: 'IOC', q: '2', p: '9425.5', ap: '9496.5', X: 'FILLED', l: '2', z: '2', T } },
    }),
    [{ exchange: 'binance', symbol: 'BTCUSD', side: 'long', ts: T, price: '9496.5', quantity: '0.02106039', usd: '200', valueCents: 20000, qtyE8: 2_106_039n }],
  ],
  [
    'Binance COIN-M quarterly keeps its date; ETH contracts are 10 USD',
    'binance-coinm',
    JSON.stringify({ stream: '!forceOrder@arr', data: { e: 'forceOrder', E: T, o: binanceOrder({ s: 'BTCUSD_261225', S: 'BUY', z: '5', ap: '9352.7' }) } }),
    [{ exchange: 'binance', symbol: 'BTCUSD_261225', side: 'short', ts: T, price: '9352.7', quantity: '0.0534605', usd: '500', valueCents: 50000, qtyE8: 5_346_050n }],
  ],
  [
    'Binance COIN-M ETHUSD_PERP (10 USD per contract)',
    'binance-coinm',
    binanceBare({ s: 'ETHUSD_PERP', z: '3', ap: '2000' }),
    [{ exchange: 'binance', symbol: 'ETHUSD', side: 'long', ts: T, price: '2000', quantity: '0.015', usd: '30', valueCents: 3000, qtyE8: 1_500_000n }],
  ],
  [
    'Bybit linear, Sell → short (the docs example)',
    'bybit-linear',
    bybitFrame([bybitItem()]),
    [{ exchange: 'bybit', symbol: 'ROSEUSDT', side: 'short', ts: T, price: '0.04499', quantity: '20000', valueCents: 89980, qtyE8: 2_000_000_000_000n }],
  ],
  [
    'Bybit linear, Buy → long',
    'bybit-linear',
    bybitFrame([bybitItem({ s: 'BTCUSDT', S: 'Buy', v: '0.003', p: '43511.70' })], 'allLiquidation.BTCUSDT'),
    [{ exchange: 'bybit', symbol: 'BTCUSDT', side: 'long', ts: T, price: '43511.70', quantity: '0.003', valueCents: 13054, qtyE8: 300_000n }],
  ],
  [
    'Bybit several liquidations in one frame, each one event',
    'bybit-linear',
    bybitFrame([
      bybitItem({ S: 'Buy', v: '100', p: '0.05', T: T - 10 }),
      bybitItem({ S: 'Sell', v: '200', p: '0.06', T: T - 5 }),
      bybitItem({ S: 'Buy', v: '300', p: '0.07' }),
    ]),
    [
      { exchange: 'bybit', symbol: 'ROSEUSDT', side: 'long', ts: T - 10, price: '0.05', quantity: '100', valueCents: 500, qtyE8: 10_000_000_000n },
      { exchange: 'bybit', symbol: 'ROSEUSDT', side: 'short', ts: T - 5, price: '0.06', quantity: '200', valueCents: 1200, qtyE8: 20_000_000_000n },
      { exchange: 'bybit', symbol: 'ROSEUSDT', side: 'long', ts: T, price: '0.07', quantity: '300', valueCents: 2100, qtyE8: 30_000_000_000n },
    ],
  ],
  [
    'Bybit USDC perpetual BTCPERP → BTCUSDC',
    'bybit-linear',
    bybitFrame([bybitItem({ s: 'BTCPERP', S: 'Buy', v: '0.5', p: '60000' })], 'allLiquidation.BTCPERP'),
    [{ exchange: 'bybit', symbol: 'BTCUSDC', side: 'long', ts: T, price: '60000', quantity: '0.5', valueCents: 3_000_000, qtyE8: 50_000_000n }],
  ],
  [
    'Bybit dated linear BTCUSDT-25DEC26 → BTCUSDT_261225',
    'bybit-linear',
    bybitFrame([bybitItem({ s: 'BTCUSDT-25DEC26', S: 'Sell', v: '0.01', p: '90000' })], 'allLiquidation.BTCUSDT-25DEC26'),
    [{ exchange: 'bybit', symbol: 'BTCUSDT_261225', side: 'short', ts: T, price: '90000', quantity: '0.01', valueCents: 90_000, qtyE8: 1_000_000n }],
  ],
  [
    'Bybit inverse: v is USD, base = v ÷ p',
    'bybit-inverse',
    bybitFrame([bybitItem({ s: 'BTCUSD', S: 'Buy', v: '1000', p: '50000' })], 'allLiquidation.BTCUSD'),
    [{ exchange: 'bybit', symbol: 'BTCUSD', side: 'long', ts: T, price: '50000', quantity: '0.02', usd: '1000', valueCents: 100_000, qtyE8: 2_000_000n }],
  ],
  [
    'Bybit inverse dated BTCUSDZ26 → BTCUSD_261225',
    'bybit-inverse',
    bybitFrame([bybitItem({ s: 'BTCUSDZ26', S: 'Sell', v: '500', p: '43511.7' })], 'allLiquidation.BTCUSDZ26'),
    [{ exchange: 'bybit', symbol: 'BTCUSD_261225', side: 'short', ts: T, price: '43511.7', quantity: '0.01149116', usd: '500', valueCents: 50_000, qtyE8: 1_149_116n }],
  ],
  [
    'OKX linear BTC-USDT-SWAP (ctVal 0.01): sz 2 at 50000 → 0.02 BTC, $1000',
    'okx',
    okxFrame([okxItem('BTC-USDT-SWAP', [okxDetail()])]),
    [{ exchange: 'okx', symbol: 'BTCUSDT', side: 'long', ts: T, price: '50000', quantity: '0.02', valueCents: 100_000, qtyE8: 2_000_000n }],
  ],
  [
    'OKX inverse BTC-USD-SWAP (ctVal 100 USD): sz 3 at 60000 → $300, 0.005 BTC',
    'okx',
    okxFrame([okxItem('BTC-USD-SWAP', [okxDetail({ posSide: 'short', side: 'buy', sz: '3', bkPx: '60000' })])]),
    [{ exchange: 'okx', symbol: 'BTCUSD', side: 'short', ts: T, price: '60000', quantity: '0.005', usd: '300', valueCents: 30_000, qtyE8: 500_000n }],
  ],
  [
    'OKX docs example IOST-USDT-SWAP (ctVal 1000), posSide short',
    'okx',
    okxFrame([okxItem('IOST-USDT-SWAP', [okxDetail({ bkPx: '0.007831', posSide: 'short', side: 'buy', sz: '13' })])]),
    [{ exchange: 'okx', symbol: 'IOSTUSDT', side: 'short', ts: T, price: '0.007831', quantity: '13000', valueCents: 10180, qtyE8: 1_300_000_000_000n }],
  ],
  [
    'OKX net mode: side sell → long, buy → short',
    'okx',
    okxFrame([
      okxItem('BTC-USDT-SWAP', [okxDetail({ posSide: 'net', side: 'sell', sz: '1' }), okxDetail({ posSide: 'net', side: 'buy', sz: '1' })]),
    ]),
    [
      { exchange: 'okx', symbol: 'BTCUSDT', side: 'long', ts: T, price: '50000', quantity: '0.01', valueCents: 50_000, qtyE8: 1_000_000n },
      { exchange: 'okx', symbol: 'BTCUSDT', side: 'short', ts: T, price: '50000', quantity: '0.01', valueCents: 50_000, qtyE8: 1_000_000n },
    ],
  ],
  [
    'OKX several data items and several details',
    'okx',
    okxFrame([
      okxItem('BTC-USDT-SWAP', [okxDetail({ sz: '1', ts: String(T - 2) }), okxDetail({ sz: '3', posSide: 'short' })]),
      okxItem('BTC-USD-SWAP', [okxDetail({ sz: '1', bkPx: '40000' })]),
    ]),
    [
      { exchange: 'okx', symbol: 'BTCUSDT', side: 'long', ts: T - 2, price: '50000', quantity: '0.01', valueCents: 50_000, qtyE8: 1_000_000n },
      { exchange: 'okx', symbol: 'BTCUSDT', side: 'short', ts: T, price: '50000', quantity: '0.03', valueCents: 150_000, qtyE8: 3_000_000n },
      { exchange: 'okx', symbol: 'BTCUSD', side: 'long', ts: T, price: '40000', quantity: '0.0025', usd: '100', valueCents: 10_000, qtyE8: 250_000n },
    ],
  ],
  [
    'OKX USDC perpetual BTC-USDC-SWAP → BTCUSDC (ctMult "" defaults to 1)',
    'okx',
    okxFrame([okxItem('BTC-USDC-SWAP', [okxDetail({ sz: '25', bkPx: '80000' })])]),
    [{ exchange: 'okx', symbol: 'BTCUSDC', side: 'long', ts: T, price: '80000', quantity: '0.0025', valueCents: 20_000, qtyE8: 250_000n }],
  ],
  [
    'OKX dated futures: BTC-USD-261225 (inverse) and BTC-USDT-261225 (linear)',
    'okx',
    okxFrame(
      [
        okxItem('BTC-USD-261225', [okxDetail({ sz: '2', bkPx: '100000' })], 'FUTURES'),
        okxItem('BTC-USDT-261225', [okxDetail({ sz: '2', bkPx: '100000', posSide: 'short' })], 'FUTURES'),
      ],
      'FUTURES',
    ),
    [
      { exchange: 'okx', symbol: 'BTCUSD_261225', side: 'long', ts: T, price: '100000', quantity: '0.002', usd: '200', valueCents: 20_000, qtyE8: 200_000n },
      { exchange: 'okx', symbol: 'BTCUSDT_261225', side: 'short', ts: T, price: '100000', quantity: '0.02', valueCents: 200_000, qtyE8: 2_000_000n },
    ],
  ],
  [
    'OKX ctMult multiplies ctVal (0.1 × 10)',
    'okx',
    okxFrame([okxItem('MULT-USDT-SWAP', [okxDetail({ sz: '3', bkPx: '2.5' })])]),
    [{ exchange: 'okx', symbol: 'MULTUSDT', side: 'long', ts: T, price: '2.5', quantity: '3', valueCents: 750, qtyE8: 300_000_000n }],
  ],
  [
    'timestamp exactly 5 minutes ahead is accepted',
    'binance-usdm',
    binanceBare({ T: NOW + 5 * 60_000, z: '1', ap: '1' }),
    [{ exchange: 'binance', symbol: 'BTCUSDT', side: 'long', ts: NOW + 5 * 60_000, price: '1', quantity: '1', valueCents: 100, qtyE8: 100_000_000n }],
  ],
  [
    'timestamp exactly at the retention edge is accepted',
    'bybit-linear',
    bybitFrame([bybitItem({ T: NOW - RETENTION, v: '1', p: '1' })]),
    [{ exchange: 'bybit', symbol: 'ROSEUSDT', side: 'short', ts: NOW - RETENTION, price: '1', quantity: '1', valueCents: 100, qtyE8: 100_000_000n }],
  ],
  [
    'a quantity with more than 8 decimals logs the exact usd',
    'binance-usdm',
    binanceBare({ z: '0.123456789', ap: '3' }),
    [{ exchange: 'binance', symbol: 'BTCUSDT', side: 'long', ts: T, price: '3', quantity: '0.12345679', usd: '0.370370367', valueCents: 37, qtyE8: 12_345_679n }],
  ],
];

describe('parsers: good frames', () => {
  it.each(goodCases)('%s', (_name, venue, text, expected) => {
    const r = parse(venue, text);
    expect(r.rejections).toEqual([]);
    expect(r.missing).toEqual([]);
    expect(r.events.map(strip)).toEqual(expected);
  });

  it('same identity → same id; a different size string → a different id', () => {
    const a = parse('binance-usdm', binanceBare()).events[0];
    const b = parse('binance-usdm', binanceWrapped()).events[0];
    const c = parse('binance-usdm', binanceBare({ z: '0.0140' })).events[0];
    expect(a.id).toBe(b.id);
    expect(c.id).not.toBe(a.id);
    expect(c.valueCents).toBe(a.valueCents);
  });
});

// --- frames that carry no liquidation ----------------------------------------------------------------------------

const quietCases: Array<[string, Venue, string]> = [
  ['Binance subscribe ack', 'binance-usdm', '{"result":null,"id":1}'],
  ['Binance error frame', 'binance-usdm', '{"error":{"code":2,"msg":"Invalid request"},"id":1}'],
  ['Binance other stream', 'binance-usdm', '{"stream":"btcusdt@aggTrade","data":{"e":"aggTrade","s":"BTCUSDT"}}'],
  ['Binance other event, bare', 'binance-coinm', '{"e":"markPriceUpdate","s":"BTCUSD_PERP"}'],
  ['Bybit subscribe ack', 'bybit-linear', '{"success":true,"ret_msg":"","conn_id":"c1","req_id":"1","op":"subscribe"}'],
  ['Bybit pong', 'bybit-linear', '{"success":true,"ret_msg":"pong","conn_id":"c1","req_id":"2","op":"ping"}'],
  ['Bybit error', 'bybit-inverse', '{"success":false,"ret_msg":"error:handler not found","conn_id":"c1","op":"subscribe"}'],
  ['Bybit other topic', 'bybit-linear', '{"topic":"tickers.BTCUSDT","type":"snapshot","data":{"symbol":"BTCUSDT"}}'],
  ['Bybit old liquidation topic', 'bybit-linear', '{"topic":"liquidation.BTCUSDT","data":{"symbol":"BTCUSDT","side":"Sell","size":"1","price":"1"}}'],
  ['OKX text pong', 'okx', 'pong'],
  ['OKX subscribe ack', 'okx', '{"event":"subscribe","arg":{"channel":"liquidation-orders","instType":"SWAP"},"connId":"a4d3ae55"}'],
  ['OKX error', 'okx', '{"event":"error","code":"60012","msg":"Invalid request","connId":"a4d3ae55"}'],
  ['OKX other channel', 'okx', '{"arg":{"channel":"tickers","instId":"BTC-USDT"},"data":[{"last":"1"}]}'],
  ['OKX empty data', 'okx', okxFrame([])],
  ['unrelated JSON object', 'okx', '{"hello":"world"}'],
];

describe('parsers: acks, pongs, errors and unrelated frames yield nothing', () => {
  it.each(quietCases)('%s', (_name, venue, text) => {
    expect(parse(venue, text)).toEqual({ events: [], rejections: [], missing: [] });
  });
});

// --- rejections ---------------------------------------------------------------------------------------------------

const LONG = 'A'.repeat(41);
const rejectCases: Array<[RejectReason, string, Venue, string]> = [
  ['invalid_json', 'Binance garbage', 'binance-usdm', '{"e":"forceOrder",'],
  ['invalid_json', 'Bybit text', 'bybit-linear', 'hello'],
  ['invalid_json', 'OKX text ping (only pong is accepted)', 'okx', 'ping'],
  ['bad_shape', 'Binance forceOrder without o', 'binance-usdm', '{"e":"forceOrder","E":1}'],
  ['bad_shape', 'Binance forceOrder stream with another payload', 'binance-usdm', '{"stream":"!forceOrder@arr","data":{"e":"other"}}'],
  ['bad_shape', 'Bybit allLiquidation with data a string', 'bybit-linear', bybitFrame('x')],
  ['bad_shape', 'Bybit item not an object', 'bybit-linear', bybitFrame([5])],
  ['bad_shape', 'OKX data not an array', 'okx', okxFrame({ instId: 'BTC-USDT-SWAP' })],
  ['bad_shape', 'OKX item without details', 'okx', okxFrame([{ instId: 'BTC-USDT-SWAP' }])],
  ['bad_shape', 'OKX detail not an object', 'okx', okxFrame([okxItem('BTC-USDT-SWAP', ['x'])])],
  // Valid JSON that is not an object at the top level: no venue sends it, so it is counted, never dropped unseen.
  ...(['binance-usdm', 'binance-coinm', 'bybit-linear', 'bybit-inverse', 'okx'] as const).flatMap((v): Array<[RejectReason, string, Venue, string]> => [
    ['bad_shape', `${v}: top-level JSON string`, v, '"forceOrder"'],
    ['bad_shape', `${v}: top-level JSON number`, v, '42'],
    ['bad_shape', `${v}: top-level JSON array`, v, '[1,2,3]'],
    ['bad_shape', `${v}: top-level JSON array of valid-looking payloads`, v, `[${v.startsWith('binance') ? binanceBare() : v === 'okx' ? okxFrame([okxItem('BTC-USDT-SWAP', [okxDetail()])]) : bybitFrame([bybitItem()])}]`],
    ['bad_shape', `${v}: top-level JSON null`, v, 'null'],
    ['bad_shape', `${v}: top-level JSON true`, v, 'true'],
  ]),
  ['missing_field', 'Binance without ap', 'binance-usdm', binanceBare({ ap: undefined })],
  ['missing_field', 'Binance empty z', 'binance-usdm', binanceBare({ z: '' })],
  ['missing_field', 'Binance without symbol', 'binance-usdm', binanceBare({ s: undefined })],
  ['missing_field', 'Binance without T', 'binance-usdm', binanceBare({ T: undefined })],
  ['missing_field', 'Bybit without p', 'bybit-linear', bybitFrame([bybitItem({ p: undefined })])],
  ['missing_field', 'Bybit without S', 'bybit-linear', bybitFrame([bybitItem({ S: undefined })])],
  ['missing_field', 'OKX sz empty', 'okx', okxFrame([okxItem('BTC-USDT-SWAP', [okxDetail({ sz: '' })])])],
  ['missing_field', 'OKX without instId', 'okx', okxFrame([{ details: [okxDetail()] }])],
  ['missing_field', 'OKX net without side', 'okx', okxFrame([okxItem('BTC-USDT-SWAP', [okxDetail({ posSide: 'net', side: undefined })])])],
  ['json_number', 'Binance z as a JSON number', 'binance-usdm', binanceBare({ z: 0.014 })],
  ['json_number', 'Binance ap as a JSON number', 'binance-usdm', binanceBare({ ap: 9910 })],
  ['json_number', 'Bybit p as a JSON number', 'bybit-linear', bybitFrame([bybitItem({ p: 0.04499 })])],
  ['json_number', 'Bybit v as a JSON number', 'bybit-inverse', bybitFrame([bybitItem({ s: 'BTCUSD', v: 1000 })])],
  ['json_number', 'OKX bkPx as a JSON number', 'okx', okxFrame([okxItem('BTC-USDT-SWAP', [okxDetail({ bkPx: 50000 })])])],
  ['json_number', 'OKX sz as a JSON number', 'okx', okxFrame([okxItem('BTC-USDT-SWAP', [okxDetail({ sz: 2 })])])],
  ['non_numeric', 'Binance ap "abc"', 'binance-usdm', binanceBare({ ap: 'abc' })],
  ['non_numeric', 'Binance z "NaN"', 'binance-usdm', binanceBare({ z: 'NaN' })],
  ['non_numeric', 'Bybit p "Infinity"', 'bybit-linear', bybitFrame([bybitItem({ p: 'Infinity' })])],
  ['non_numeric', 'Bybit v "1e5"', 'bybit-linear', bybitFrame([bybitItem({ v: '1e5' })])],
  ['non_numeric', 'OKX bkPx " 1"', 'okx', okxFrame([okxItem('BTC-USDT-SWAP', [okxDetail({ bkPx: ' 1' })])])],
  ['non_numeric', 'OKX sz an object', 'okx', okxFrame([okxItem('BTC-USDT-SWAP', [okxDetail({ sz: { a: 1 } })])])],
  ['non_positive', 'Binance ap "0"', 'binance-usdm', binanceBare({ ap: '0' })],
  ['non_positive', 'Binance ap "-5"', 'binance-usdm', binanceBare({ ap: '-5' })],
  ['non_positive', 'Bybit v "0.000"', 'bybit-linear', bybitFrame([bybitItem({ v: '0.000' })])],
  ['non_positive', 'OKX bkPx "0"', 'okx', okxFrame([okxItem('BTC-USDT-SWAP', [okxDetail({ bkPx: '0' })])])],
  ['non_positive', 'OKX sz "-1"', 'okx', okxFrame([okxItem('BTC-USDT-SWAP', [okxDetail({ sz: '-1' })])])],
  ['bad_side', 'Binance S "HOLD"', 'binance-usdm', binanceBare({ S: 'HOLD' })],
  ['bad_side', 'Binance S "sell" (wrong case)', 'binance-usdm', binanceBare({ S: 'sell' })],
  ['bad_side', 'Bybit S "buy" (wrong case)', 'bybit-linear', bybitFrame([bybitItem({ S: 'buy' })])],
  ['bad_side', 'OKX posSide "both"', 'okx', okxFrame([okxItem('BTC-USDT-SWAP', [okxDetail({ posSide: 'both' })])])],
  ['bad_side', 'OKX net with side "hold"', 'okx', okxFrame([okxItem('BTC-USDT-SWAP', [okxDetail({ posSide: 'net', side: 'hold' })])])],
  ['bad_symbol', 'Binance BTC/USDT', 'binance-usdm', binanceBare({ s: 'BTC/USDT' })],
  ['bad_symbol', 'Binance escape sequence', 'binance-usdm', binanceBare({ s: '\u001b[31mBTC' })],
  ['bad_symbol', 'Binance newline', 'binance-usdm', binanceBare({ s: 'BTC\nUSDT' })],
  ['bad_symbol', 'Binance 41 characters', 'binance-usdm', binanceBare({ s: LONG })],
  ['bad_symbol', 'Binance ALL (reserved)', 'binance-usdm', binanceBare({ s: 'ALL' })],
  ['bad_symbol', 'Binance USD-M symbol with a dash', 'binance-usdm', binanceBare({ s: 'BTC-USDT' })],
  ['bad_symbol', 'Binance COIN-M ../x', 'binance-coinm', binanceBare({ s: '../x' })],
  ['bad_symbol', 'Bybit A.B', 'bybit-linear', bybitFrame([bybitItem({ s: 'A.B' })])],
  ['bad_symbol', 'Bybit symbol a number', 'bybit-linear', bybitFrame([bybitItem({ s: 42 })])],
  ['bad_symbol', 'OKX instId ../x', 'okx', okxFrame([{ instId: '../x', details: [okxDetail()] }])],
  ['bad_symbol', 'OKX instId with a control character', 'okx', okxFrame([{ instId: 'BTC-USDT\u0007-SWAP', details: [okxDetail()] }])],
  ['ts_future', 'Binance T 5 min + 1 ms ahead', 'binance-usdm', binanceBare({ T: NOW + 5 * 60_000 + 1 })],
  ['ts_future', 'Bybit T an hour ahead', 'bybit-linear', bybitFrame([bybitItem({ T: NOW + 3_600_000 })])],
  ['ts_future', 'OKX ts a day ahead', 'okx', okxFrame([okxItem('BTC-USDT-SWAP', [okxDetail({ ts: String(NOW + 86_400_000) })])])],
  ['ts_too_old', 'Binance T older than retention', 'binance-usdm', binanceBare({ T: NOW - RETENTION - 1 })],
  ['ts_too_old', 'Bybit T 0', 'bybit-linear', bybitFrame([bybitItem({ T: 0 })])],
  ['ts_too_old', 'OKX ts older than retention', 'okx', okxFrame([okxItem('BTC-USDT-SWAP', [okxDetail({ ts: String(NOW - RETENTION - 1) })])])],
  ['bad_ts', 'Binance T fractional', 'binance-usdm', binanceBare({ T: T + 0.5 })],
  ['bad_ts', 'Binance T a string (documented as a number)', 'binance-usdm', binanceBare({ T: String(T) })],
  ['bad_ts', 'Bybit T negative', 'bybit-linear', bybitFrame([bybitItem({ T: -1 })])],
  ['bad_ts', 'OKX ts with a letter', 'okx', okxFrame([okxItem('BTC-USDT-SWAP', [okxDetail({ ts: '12a' })])])],
  ['bad_ts', 'OKX ts a JSON number (documented as a string)', 'okx', okxFrame([okxItem('BTC-USDT-SWAP', [okxDetail({ ts: T })])])],
  ['unfilled', 'Binance z = 0', 'binance-usdm', binanceBare({ z: '0', ap: '0', X: 'EXPIRED' })],
  ['unfilled', 'Binance COIN-M z = 0.0', 'binance-coinm', binanceBare({ s: 'BTCUSD_PERP', z: '0.0' })],
  ['zero_value', 'Binance value below half a cent', 'binance-usdm', binanceBare({ z: '1', ap: '0.004' })],
  ['zero_quantity', 'Binance quantity below 1e-8', 'binance-usdm', binanceBare({ z: '0.000000001', ap: '100000000' })],
  ['zero_quantity', 'Bybit inverse 0.4 USD at 1e8', 'bybit-inverse', bybitFrame([bybitItem({ s: 'BTCUSD', v: '0.4', p: '100000000' })])],
  ['out_of_range', 'Binance absurd size', 'binance-usdm', binanceBare({ z: '99999999999999', ap: '99999999999999' })],
  ['out_of_range', 'OKX absurd contracts', 'okx', okxFrame([okxItem('BTC-USD-SWAP', [okxDetail({ sz: '999999999999999999' })])])],
];

describe('parsers: every rejection rule', () => {
  it.each(rejectCases)('%s: %s', (reason, _name, venue, text) => {
    const r = parse(venue, text);
    expect(r.events).toEqual([]);
    expect(r.missing).toEqual([]);
    expect(r.rejections.map((x) => x.reason)).toEqual([reason]);
    const rej = r.rejections[0];
    expect(rej.exchange).toBe(venue.split('-')[0]);
    expect(rej.sample.length).toBeGreaterThan(0);
    expect(rej.sample.length).toBeLessThanOrEqual(201);
    expect(rej.sample).not.toMatch(/[\u0000-\u001f]/);
  });

  it('covers every reject reason at least once', () => {
    const all: RejectReason[] = [
      'invalid_json', 'bad_shape', 'missing_field', 'json_number', 'non_numeric', 'non_positive', 'bad_side',
      'bad_symbol', 'ts_future', 'ts_too_old', 'bad_ts', 'unfilled', 'unknown_instrument', 'zero_value',
      'zero_quantity', 'out_of_range',
    ];
    const covered = new Set<string>(rejectCases.map((c) => c[0]));
    covered.add('unknown_instrument'); // covered by the missing-metadata tests below
    expect(all.filter((r) => !covered.has(r))).toEqual([]);
  });

  it('a sample is truncated to about 200 characters', () => {
    const r = parse('binance-usdm', `{"x":"${'y'.repeat(5000)}`);
    expect(r.rejections[0].reason).toBe('invalid_json');
    expect(r.rejections[0].sample.length).toBe(201);
    expect(sampleOf('a\u001b[31mb')).toBe('a?[31mb');
  });

  it('a bad Bybit liquidation does not stop the ones beside it', () => {
    const r = parse(
      'bybit-linear',
      bybitFrame([bybitItem({ v: '1', p: '2' }), bybitItem({ p: 0.5 }), bybitItem({ S: 'Sideways' }), bybitItem({ v: '3', p: '2', S: 'Buy' })]),
    );
    expect(r.rejections.map((x) => x.reason)).toEqual(['json_number', 'bad_side']);
    expect(r.events.map((e) => [e.side, e.valueCents])).toEqual([
      ['short', 200],
      ['long', 600],
    ]);
  });

  it('a bad OKX detail or data item does not stop the ones beside it', () => {
    const r = parse(
      'okx',
      okxFrame([
        okxItem('BTC-USDT-SWAP', [okxDetail({ sz: '1' }), okxDetail({ sz: 'x' }), okxDetail({ sz: '2', posSide: 'short' })]),
        { instId: '../etc', details: [okxDetail()] },
        'garbage',
        okxItem('BTC-USD-SWAP', [okxDetail({ sz: '1', bkPx: '50000', ts: String(NOW + 600_000) }), okxDetail({ sz: '1', bkPx: '50000' })]),
      ]),
    );
    expect(r.rejections.map((x) => x.reason)).toEqual(['non_numeric', 'bad_symbol', 'bad_shape', 'ts_future']);
    expect(r.events.map((e) => [e.symbol, e.side, e.valueCents])).toEqual([
      ['BTCUSDT', 'long', 50_000],
      ['BTCUSDT', 'short', 100_000],
      ['BTCUSD', 'long', 10_000],
    ]);
  });
});

// --- missing metadata: missing → refetch → `only` re-parse → `final` ---------------------------------------------

describe('parsers: instruments missing from the metadata', () => {
  it('Binance COIN-M: missing, then only, then final', () => {
    const text = binanceBare({ s: 'XRPUSD_PERP', z: '4', ap: '0.5' });
    const sizes = new Map(CONTRACT_SIZES);
    const first = parseBinanceCoinm(text, { ...BASE, contractSizes: sizes });
    expect(first).toEqual({ events: [], rejections: [], missing: ['XRPUSD_PERP'] });

    const final = parseBinanceCoinm(text, { ...BASE, contractSizes: sizes, only: new Set(['XRPUSD_PERP']), final: true });
    expect(final.events).toEqual([]);
    expect(final.missing).toEqual([]);
    expect(final.rejections.map((x) => x.reason)).toEqual(['unknown_instrument']);

    sizes.set('XRPUSD_PERP', dec('10'));
    const again = parseBinanceCoinm(text, { ...BASE, contractSizes: sizes, only: new Set(['XRPUSD_PERP']), final: true });
    expect(again.rejections).toEqual([]);
    expect(again.events.map(strip)).toEqual([
      { exchange: 'binance', symbol: 'XRPUSD', side: 'long', ts: T, price: '0.5', quantity: '80', usd: '40', valueCents: 4000, qtyE8: 8_000_000_000n },
    ]);
  });

  it('Bybit: only the missing names are parsed again; the known ones are not counted twice', () => {
    const text = bybitFrame([
      bybitItem({ v: '1', p: '1' }),
      bybitItem({ s: 'NEWUSDT', S: 'Buy', v: '2', p: '3' }),
      bybitItem({ s: 'NEWUSDT', S: 'Sell', v: 'bad', p: '3' }),
      bybitItem({ s: 'OTHERUSDT', v: '1', p: '1' }),
    ]);
    const meta = new Map(BYBIT_LINEAR);
    const first = parseBybit(text, { ...BASE, instruments: meta });
    expect(first.events.map((e) => e.symbol)).toEqual(['ROSEUSDT']);
    expect(first.rejections).toEqual([]);
    expect(first.missing).toEqual(['NEWUSDT', 'OTHERUSDT']);

    meta.set('NEWUSDT', { symbol: 'NEWUSDT', inverse: false });
    const second = parseBybit(text, { ...BASE, instruments: meta, only: new Set(first.missing), final: true });
    expect(second.events.map((e) => [e.symbol, e.side, e.valueCents])).toEqual([['NEWUSDT', 'long', 600]]);
    expect(second.rejections.map((x) => x.reason)).toEqual(['non_numeric', 'unknown_instrument']);
    expect(second.missing).toEqual([]);
  });

  it('OKX: a missing instId defers all its details; final rejects each one', () => {
    const text = okxFrame([
      okxItem('BTC-USDT-SWAP', [okxDetail()]),
      okxItem('ETH-USDT-SWAP', [okxDetail({ bkPx: '3000', sz: '10' }), okxDetail({ bkPx: '3000', sz: '20', posSide: 'short' })]),
    ]);
    const meta = new Map(OKX_INSTRUMENTS);
    const first = parseOkx(text, { ...BASE, instruments: meta });
    expect(first.events.map((e) => e.symbol)).toEqual(['BTCUSDT']);
    expect(first.missing).toEqual(['ETH-USDT-SWAP']);
    expect(first.rejections).toEqual([]);

    const still = parseOkx(text, { ...BASE, instruments: meta, only: new Set(['ETH-USDT-SWAP']), final: true });
    expect(still.events).toEqual([]);
    expect(still.rejections.map((x) => x.reason)).toEqual(['unknown_instrument', 'unknown_instrument']);

    const eth = okxInstrumentOf(okxInfo('ETH-USDT-SWAP', 'linear', '0.1', '1', 'ETH-USDT'));
    if (eth === undefined) throw new Error('eth');
    meta.set('ETH-USDT-SWAP', eth);
    const found = parseOkx(text, { ...BASE, instruments: meta, only: new Set(['ETH-USDT-SWAP']), final: true });
    expect(found.rejections).toEqual([]);
    expect(found.events.map(strip)).toEqual([
      { exchange: 'okx', symbol: 'ETHUSDT', side: 'long', ts: T, price: '3000', quantity: '1', valueCents: 300_000, qtyE8: 100_000_000n },
      { exchange: 'okx', symbol: 'ETHUSDT', side: 'short', ts: T, price: '3000', quantity: '2', valueCents: 600_000, qtyE8: 200_000_000n },
    ]);
  });

  it('a name of invalid form never goes into missing', () => {
    const r = parseOkx(okxFrame([{ instId: 'BTC USDT', details: [okxDetail()] }]), { ...BASE, instruments: new Map() });
    expect(r.missing).toEqual([]);
    expect(r.rejections.map((x) => x.reason)).toEqual(['bad_symbol']);
  });
});

// --- metadata → symbol conversions ---------------------------------------------------------------------------------

describe('instrument metadata conversions', () => {
  it.each([
    ['BTCUSDT', 'LinearPerpetual', 'BTC', 'USDT', '0', 'linear', 'BTCUSDT', false],
    ['BTCPERP', 'LinearPerpetual', 'BTC', 'USDC', '0', 'linear', 'BTCUSDC', false],
    ['1000PEPEPERP', 'LinearPerpetual', '1000PEPE', 'USDC', '0', 'linear', '1000PEPEUSDC', false],
    ['BTCUSDT-25DEC26', 'LinearFutures', 'BTC', 'USDT', DEC25_2026, 'linear', 'BTCUSDT_261225', false],
    ['BTC-26DEC25', 'LinearFutures', 'BTC', 'USDC', '1766736000000', 'linear', 'BTCUSDC_251226', false],
    ['BTCUSD', 'InversePerpetual', 'BTC', 'USD', '0', 'inverse', 'BTCUSD', true],
    ['BTCUSDZ26', 'InverseFutures', 'BTC', 'USD', DEC25_2026, 'inverse', 'BTCUSD_261225', true],
    // A perpetual being delisted carries its delisting time in deliveryTime: it stays a perpetual.
    ['OLDUSDT', 'LinearPerpetual', 'OLD', 'USDT', DEC25_2026, 'linear', 'OLDUSDT', false],
    // Unknown contract type: deliveryTime decides.
    ['ODDUSDT', '', 'ODD', 'USDT', DEC25_2026, 'linear', 'ODDUSDT_261225', false],
  ] as const)('Bybit %s (%s) → %s', (symbol, ct, base, quote, delivery, cat, expected, inverse) => {
    expect(bybitInstrumentOf(bybitInfo(symbol, ct, base, quote, delivery), cat)).toEqual({ symbol: expected, inverse });
  });

  it.each([
    ['BTC-USDT-SWAP', undefined, undefined, 'BTCUSDT'],
    ['BTC-USD-SWAP', undefined, undefined, 'BTCUSD'],
    ['BTC-USDC-SWAP', undefined, undefined, 'BTCUSDC'],
    ['BTC-USD-261225', undefined, undefined, 'BTCUSD_261225'],
    ['BTC-USDT-261225', undefined, undefined, 'BTCUSDT_261225'],
    ['odd-usdt-thing', 'ODD-USDT', DEC25_2026, 'ODDUSDT_261225'],
    ['weird', undefined, undefined, undefined],
  ] as const)('OKX %s → %s', (instId, family, exp, expected) => {
    expect(okxSymbolOf(instId, family, exp)).toBe(expected);
  });

  it('OKX ctVal × ctMult, ctType decides linear vs inverse, nonsense is dropped', () => {
    expect(okxInstrumentOf(okxInfo('BTC-USD-SWAP', 'inverse', '100', ''))).toEqual({ symbol: 'BTCUSD', inverse: true, contractValue: { m: 100n, scale: 0 } });
    expect(okxInstrumentOf(okxInfo('X-USDT-SWAP', 'linear', '0.1', '10'))).toEqual({ symbol: 'XUSDT', inverse: false, contractValue: { m: 1n, scale: 0 } });
    expect(okxInstrumentOf(okxInfo('X-USDT-SWAP', '', '1'))).toBeUndefined();
    expect(okxInstrumentOf(okxInfo('X-USDT-SWAP', 'linear', '0'))).toBeUndefined();
    expect(okxInstrumentOf(okxInfo('X-USDT-SWAP', 'linear', '1e3'))).toBeUndefined();
  });

  it('Binance contractSize: integer JSON numbers via their integer string', () => {
    expect(contractSizeOf(100)).toEqual({ m: 100n, scale: 0 });
    expect(contractSizeOf(10)).toEqual({ m: 10n, scale: 0 });
    expect(contractSizeOf('10')).toEqual({ m: 10n, scale: 0 });
    expect(contractSizeOf(0.1)).toBeUndefined();
    expect(contractSizeOf(0)).toBeUndefined();
    expect(contractSizeOf(-10)).toBeUndefined();
  });

  it('yymmddUtc uses UTC', () => {
    expect(yymmddUtc(Number(DEC25_2026))).toBe('261225');
    expect(yymmddUtc(Date.UTC(2027, 0, 1, 23, 59))).toBe('270101');
    expect(yymmddUtc(Date.UTC(2030, 8, 5))).toBe('300905');
  });
});

// --- robustness: never throw -----------------------------------------------------------------------------------

describe('parsers never throw', () => {
  const seeds = [binanceWrapped(), bybitFrame([bybitItem(), bybitItem({ S: 'Buy' })]), okxFrame([okxItem('BTC-USDT-SWAP', [okxDetail()])])];
  const venues: Venue[] = ['binance-usdm', 'binance-coinm', 'bybit-linear', 'bybit-inverse', 'okx'];
  let state = 12345;
  const rnd = (n: number) => {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    return state % n;
  };
  const junk = ['"', '{', '}', '[', ']', ',', ':', '0', '-', '1e999', 'null', 'true', '"\u0000"', '\\u0000', '__proto__', 'ÿ'];
  it('on 3000 mutated frames, for every venue', () => {
    for (let i = 0; i < 3000; i++) {
      const seed = seeds[i % seeds.length];
      const at = rnd(seed.length);
      const text = seed.slice(0, at) + junk[rnd(junk.length)] + seed.slice(at + rnd(4));
      for (const v of venues) {
        const r = parse(v, text);
        expect(Array.isArray(r.events) && Array.isArray(r.rejections) && Array.isArray(r.missing)).toBe(true);
      }
    }
  });

  it.each([
    ['deeply odd values', '{"topic":"allLiquidation.X","data":[{"T":1e999,"s":{"toString":1},"S":[],"v":{},"p":null}]}'],
    ['__proto__ keys', '{"__proto__":{"e":"forceOrder"},"arg":{"channel":"liquidation-orders"},"data":[{"instId":"BTC-USDT-SWAP","details":[{"__proto__":{}}]}]}'],
    ['empty string', ''],
  ])('%s', (_n, text) => {
    for (const v of venues) expect(() => parse(v, text)).not.toThrow();
  });
});
