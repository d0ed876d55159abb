// https://developers.binance.com/docs/derivatives/usds-margined-futures/websocket-market-streams/Liquidation-Order-Streams
// https://developers.binance.com/docs/derivatives/coin-margined-futures/websocket-market-streams/Liquidation-Order-Streams
// Binance USD-M and COIN-M `!forceOrder@arr`, each on its own connection. The stream is named in the URL, so there is
// nothing to subscribe. The server pings every 3 minutes (ws answers by itself); we also ping, so a socket that
// stops answering is terminated by the watchdog. A connection lives at most 24 h: it is replaced before that,
// the old one closed only once the new one receives (Connection's maxLifetimeMs).
import type { Config } from '../config.js';
import type { StreamStatus } from '../core/status.js';
import { Connection, type ConnectionSpec } from './connection.js';
import { METADATA_RETRY_MS, MetadataGate, connectionStatus, deliver, type StreamDeps, type VenueGroup } from './feed.js';
import { binanceCoinmCache } from './instruments.js';
import { BINANCE, parseBinanceCoinm, parseBinanceUsdm } from './parsers/binance.js';
import type { Venue } from '../core/parse.js';

export function binanceSpec(cfg: Readonly<Config>, venue: Venue, url: string): ConnectionSpec {
  return {
    name: venue,
    venue,
    url,
    subscribeMessages: () => [],
    keepalive: { kind: 'ws-ping', intervalMs: cfg.PING_INTERVAL_MS, timeoutMs: cfg.PONG_TIMEOUT_MS },
    maxLifetimeMs: cfg.BINANCE_ROTATE_HOURS * 3_600_000,
  };
}

export function createBinance(cfg: Readonly<Config>, deps: StreamDeps): VenueGroup {
  const retentionMs = cfg.BUCKET_RETENTION_HOURS * 3_600_000;
  const connOpts = {
    log: deps.log,
    reconnectBaseMs: cfg.RECONNECT_BASE_MS,
    reconnectMaxMs: cfg.RECONNECT_MAX_MS,
    gate: deps.gate,
    maxPayloadBytes: cfg.WS_MAX_PAYLOAD_BYTES,
  };
  const usdm = new Connection(binanceSpec(cfg, 'binance-usdm', cfg.BINANCE_USDM_WS_URL), connOpts);
  const coinm = new Connection(binanceSpec(cfg, 'binance-coinm', cfg.BINANCE_COINM_WS_URL), connOpts);
  const log = deps.log.child({ venue: 'binance-coinm' });
  const sizes = binanceCoinmCache(cfg.BINANCE_COINM_REST_URL, {
    failingRetryMs: METADATA_RETRY_MS,
    onStateChange: (c) => {
      const level = c.state === 'ok' ? 'info' : 'error';
      log[level]({ cache: c.cache, state: c.state, previous: c.previous, error: c.error, count: c.count }, `instrument metadata ${c.state}`);
    },
    onRefresh: () => gate.refreshed(),
  });
  const gate = new MetadataGate(sizes, (text, o) => parseBinanceCoinm(text, { ...o, contractSizes: sizes }), retentionMs, deps);

  usdm.on('message', (text, receivedAt) => {
    deps.onFrame?.('binance-usdm', text, receivedAt);
    deliver(parseBinanceUsdm(text, { receivedAt, retentionMs }), deps);
  });
  // COIN-M frames wait for contract sizes when a symbol is not (yet) known; the stream itself never waits.
  coinm.on('message', (text, receivedAt) => {
    deps.onFrame?.('binance-coinm', text, receivedAt);
    gate.handle(text, receivedAt);
  });

  return {
    start() {
      void sizes.refresh();
      sizes.start(cfg.INSTRUMENT_REFRESH_MINUTES * 60_000);
      usdm.start();
      coinm.start();
    },
    async stop() {
      sizes.stop();
      await Promise.all([usdm.stop(), coinm.stop()]);
    },
    statuses(): StreamStatus[] {
      return [connectionStatus(usdm, BINANCE, 1), connectionStatus(coinm, BINANCE, 1)];
    },
  };
}
