// The registry: exchange name → its venue group. Adding an exchange is one module and one line here.
import type { Config, ExchangeName } from '../config.js';
import type { StreamStatus } from '../core/status.js';
import { createBinance } from './binance.js';
import { createBybit } from './bybit.js';
import type { StreamDeps, VenueGroup } from './feed.js';
import { createOkx } from './okx.js';

export type { StreamDeps, VenueGroup } from './feed.js';

const REGISTRY: Record<ExchangeName, (cfg: Readonly<Config>, deps: StreamDeps) => VenueGroup> = {
  binance: createBinance,
  bybit: createBybit,
  okx: createOkx,
};

/** Silence on an open stream this long is reported (the old Binance URL kept acking while sending nothing). */
export const SILENT_AFTER_MS = 15 * 60_000;

export function createStreams(cfg: Readonly<Config>, deps: StreamDeps): VenueGroup {
  const groups = cfg.EXCHANGES.map((name) => REGISTRY[name](cfg, { ...deps, log: deps.log.child({ exchange: name }) }));
  const silent = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  const statuses = (): StreamStatus[] => groups.flatMap((g) => g.statuses());
  return {
    start() {
      for (const g of groups) g.start();
      timer = setInterval(() => {
        const now = Date.now();
        for (const s of statuses()) {
          const quiet = s.state === 'open' && now - (s.lastMessageAt ?? now - s.since) > SILENT_AFTER_MS;
          if (quiet && !silent.has(s.connection)) {
            silent.add(s.connection);
            deps.log.warn({ conn: s.connection, lastMessageAt: s.lastMessageAt }, 'stream open but silent: no message for 15 minutes');
          } else if (!quiet && silent.delete(s.connection)) {
            deps.log.info({ conn: s.connection }, 'stream receiving again');
          }
        }
      }, 30_000);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      await Promise.all(groups.map((g) => g.stop()));
    },
    statuses,
  };
}
