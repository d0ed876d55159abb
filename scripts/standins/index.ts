// Stand-in exchange servers on loopback: the WebSocket and REST endpoints of the five venues in their real
// protocols, scriptable to misbehave. Every test, the replay, the demo and the benchmarks talk to these;
// no real exchange is reachable. Silent: nothing is written to stdout.
import { BinanceVenue } from './binance.js';
import { BybitVenue } from './bybit.js';
import { defaultBinanceCoinm, defaultBybitInverse, defaultBybitLinear, defaultOkxInstruments } from './fixtures.js';
import { OkxVenue } from './okx.js';
import { listenPort, type Port } from './port.js';
import type { VenueCore } from './venue.js';
import type { InstrumentsUpdate, StandinOptions, Standins, Venue, VenueServer } from './types.js';

export type * from './types.js';
export * from './fixtures.js';
export { BYBIT_ARGS_LIMIT } from './bybit.js';

export async function startStandins(opts: StandinOptions = {}): Promise<Standins> {
  // Mutable metadata: venues read it through getters so setInstruments() takes effect at once.
  const meta = {
    bybitLinear: opts.bybitInstruments?.linear ?? defaultBybitLinear(),
    bybitInverse: opts.bybitInstruments?.inverse ?? defaultBybitInverse(),
    okx: opts.okxInstruments ?? defaultOkxInstruments(),
    coinm: opts.binanceCoinmSymbols ?? defaultBinanceCoinm(),
  };
  const pingIntervalMs = opts.binancePingIntervalMs ?? 180_000;
  // Binance: ping every 3 min, drop after 10 min without a pong; the ratio is kept when the interval is scaled.
  const pongTimeoutMs = opts.binancePongTimeoutMs ?? Math.round((pingIntervalMs * 10) / 3);

  const usdm = new BinanceVenue('binance-usdm', { pingIntervalMs, pongTimeoutMs });
  const coinm = new BinanceVenue('binance-coinm', { pingIntervalMs, pongTimeoutMs, symbols: () => meta.coinm });
  const bybitIdle = opts.bybitIdleCloseMs ?? 600_000;
  const bybitLinear = new BybitVenue('bybit-linear', 'linear', () => meta.bybitLinear, bybitIdle);
  const bybitInverse = new BybitVenue('bybit-inverse', 'inverse', () => meta.bybitInverse, bybitIdle);
  const okx = new OkxVenue('okx', () => meta.okx, opts.okxIdleCloseMs ?? 30_000);
  const cores: Record<Venue, VenueCore> = {
    'binance-usdm': usdm,
    'binance-coinm': coinm,
    'bybit-linear': bybitLinear,
    'bybit-inverse': bybitInverse,
    okx,
  };

  const single = (v: VenueCore): Parameters<typeof listenPort>[0] => ({
    ws: (url) => (v.acceptsPath(url) ? v : undefined),
    rest: () => v,
  });
  const ports: Port[] = [];
  try {
    ports.push(await listenPort(single(usdm)));
    ports.push(await listenPort(single(coinm)));
    ports.push(
      await listenPort({
        ws: (url) => [bybitLinear, bybitInverse].find((v) => v.acceptsPath(url)),
        // REST is per category: category=inverse is the inverse venue's (its restRequests, its setRestDown).
        rest: (url) => (url.searchParams.get('category') === 'inverse' ? bybitInverse : bybitLinear),
      }),
    );
    ports.push(await listenPort(single(okx)));
  } catch (err) {
    await Promise.all(ports.map((p) => p.close()));
    throw err;
  }
  const [pUsdm, pCoinm, pBybit, pOkx] = ports.map((p) => p.port);

  const env: Record<string, string> = {
    BINANCE_USDM_WS_URL: `ws://127.0.0.1:${pUsdm}/market/stream?streams=!forceOrder@arr`,
    BINANCE_COINM_WS_URL: `ws://127.0.0.1:${pCoinm}/stream?streams=!forceOrder@arr`,
    BINANCE_COINM_REST_URL: `http://127.0.0.1:${pCoinm}`,
    BYBIT_LINEAR_WS_URL: `ws://127.0.0.1:${pBybit}/v5/public/linear`,
    BYBIT_INVERSE_WS_URL: `ws://127.0.0.1:${pBybit}/v5/public/inverse`,
    BYBIT_REST_URL: `http://127.0.0.1:${pBybit}`,
    OKX_WS_URL: `ws://127.0.0.1:${pOkx}/ws/v5/public`,
    OKX_REST_URL: `http://127.0.0.1:${pOkx}`,
  };

  let closed: Promise<void> | undefined;
  return {
    env,
    venues: cores satisfies Record<Venue, VenueServer>,
    send: (venue, frame) => cores[venue].send(frame),
    setInstruments(update: InstrumentsUpdate): void {
      if (update.bybitInstruments?.linear) meta.bybitLinear = update.bybitInstruments.linear;
      if (update.bybitInstruments?.inverse) meta.bybitInverse = update.bybitInstruments.inverse;
      if (update.okxInstruments?.SWAP || update.okxInstruments?.FUTURES) {
        meta.okx = { SWAP: update.okxInstruments.SWAP ?? meta.okx.SWAP, FUTURES: update.okxInstruments.FUTURES ?? meta.okx.FUTURES };
      }
      if (update.binanceCoinmSymbols) meta.coinm = update.binanceCoinmSymbols;
    },
    close(): Promise<void> {
      // Idempotent: an afterAll and a finally may both call it.
      closed ??= (async () => {
        await Promise.all(Object.values(cores).map((c) => c.close()));
        await Promise.all(ports.map((p) => p.close()));
      })();
      return closed;
    },
  };
}
