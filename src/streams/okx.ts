// https://www.okx.com/docs-v5/en/#public-data-websocket-liquidation-orders-channel
// https://www.okx.com/docs-v5/en/#overview-websocket-overview (text 'ping'/'pong'; a connection idle for 30 s is closed)
// https://www.okx.com/docs-v5/en/#public-data-rest-api-get-instruments
// OKX `liquidation-orders` for SWAP and FUTURES: one subscription per instType covers the whole market. Sizes are
// contracts: contract values come from the instruments endpoint; a frame naming an unknown instId waits (bounded)
// for one coalesced, rate-limited refetch. Frames replayed after a subscribe are harmless: identities decide.
import type { Config } from '../config.js';
import type { StreamStatus } from '../core/status.js';
import { Connection } from './connection.js';
import { METADATA_RETRY_MS, MetadataGate, connectionStatus, type StreamDeps, type VenueGroup } from './feed.js';
import { okxCache } from './instruments.js';
import { OKX, parseOkx } from './parsers/okx.js';
import { sampleOf } from './parsers/common.js';

export const OKX_INST_TYPES = ['SWAP', 'FUTURES'] as const;
/** OKX closes a connection that has sent nothing for 30 s (4004): a longer PING_INTERVAL_MS (fine for the other
 *  venues) is capped here, with room for a late timer on a busy event loop. */
export const OKX_MAX_PING_INTERVAL_MS = 25_000;

export function okxSubscribe(): string {
  return JSON.stringify({ op: 'subscribe', args: OKX_INST_TYPES.map((instType) => ({ channel: 'liquidation-orders', instType })) });
}

export function createOkx(cfg: Readonly<Config>, deps: StreamDeps): VenueGroup {
  const log = deps.log.child({ venue: 'okx' });
  const cache = okxCache(cfg.OKX_REST_URL, {
    failingRetryMs: METADATA_RETRY_MS,
    onStateChange: (c) => {
      const level = c.state === 'ok' ? 'info' : 'error';
      log[level]({ cache: c.cache, state: c.state, previous: c.previous, error: c.error, count: c.count }, `instrument metadata ${c.state}`);
    },
    onRefresh: () => gate.refreshed(),
  });
  const retentionMs = cfg.BUCKET_RETENTION_HOURS * 3_600_000;
  const gate = new MetadataGate(cache, (text, o) => parseOkx(text, { ...o, instruments: cache }), retentionMs, deps);
  const conn = new Connection(
    {
      name: 'okx',
      venue: 'okx',
      url: cfg.OKX_WS_URL,
      subscribeMessages: () => [okxSubscribe()],
      keepalive: {
        kind: 'text',
        message: () => 'ping',
        isPong: (t) => t === 'pong',
        intervalMs: Math.min(cfg.PING_INTERVAL_MS, OKX_MAX_PING_INTERVAL_MS),
        timeoutMs: cfg.PONG_TIMEOUT_MS,
      },
    },
    {
      log: deps.log,
      reconnectBaseMs: cfg.RECONNECT_BASE_MS,
      reconnectMaxMs: cfg.RECONNECT_MAX_MS,
      gate: deps.gate,
      maxPayloadBytes: cfg.WS_MAX_PAYLOAD_BYTES,
    },
  );
  conn.on('message', (text, receivedAt) => {
    if (text === 'pong') return;
    deps.onFrame?.('okx', text, receivedAt);
    if (text.length < 2000 && text.startsWith('{"event":"error"')) {
      log.error({ answer: sampleOf(text) }, 'okx refused a request');
      return;
    }
    gate.handle(text, receivedAt);
  });
  return {
    start() {
      void cache.refresh();
      cache.start(cfg.INSTRUMENT_REFRESH_MINUTES * 60_000);
      conn.start();
    },
    async stop() {
      cache.stop();
      await conn.stop();
    },
    statuses: (): StreamStatus[] => [connectionStatus(conn, OKX, OKX_INST_TYPES.length)],
  };
}
