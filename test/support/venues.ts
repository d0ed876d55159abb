// What tests use of the venues in one import: the stand-ins, and each venue's frame builders and instrument fixtures
// (from their folders under src/venues/).
export { startStandins, DELIVERY, deliveryOf, letters, nextQuarterlyDelivery } from '../../src/venues/standin/index.js';
export type { Standins, StandinOptions, VenueServer } from '../../src/venues/standin/index.js';
export { binanceFrame, type BinanceOrder } from '../../src/venues/binance/frames.js';
export { binanceCoinmSymbol, defaultBinanceCoinm, type BinanceCoinmSymbol } from '../../src/venues/binance/fixtures.js';
export { bybitFrame, type BybitLiq } from '../../src/venues/bybit/frames.js';
export { bybitInstrument, defaultBybitInverse, defaultBybitLinear, manyBybitLinear, type BybitInstrument } from '../../src/venues/bybit/fixtures.js';
export { BYBIT_ARGS_LIMIT } from '../../src/venues/bybit/standin.js';
export { okxFrame, type OkxDetail } from '../../src/venues/okx/frames.js';
export { defaultOkxInstruments, okxInstrument, type OkxInstrument } from '../../src/venues/okx/fixtures.js';
