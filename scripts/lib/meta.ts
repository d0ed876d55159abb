// Instrument metadata in captures: fetched raw by the recorder (the same REST URLs as the daemon, from the same
// environment variables), served again by the stand-ins in a replay, and read back through the daemon's own
// loaders when a script needs the parsers' lookups. Each venue's part is in its capture hooks
// (src/venues/<exchange>/capture.ts); this loops over the registry.
import type { Config } from '../../src/config.js';
import type { HttpOptions } from '../../src/venues/http.js';
import { ADAPTERS, FEEDS, adapterOf } from '../../src/venues/registry.js';
import { contextOf } from '../../src/venues/runtime.js';
import type { StandinOptions } from '../../src/venues/standin/types.js';
import type { CaptureMeta, RestMeta } from './capture.js';
import { loadConfig } from '../../src/config.js';

/**
 * The raw REST metadata of the chosen exchanges. A venue whose endpoint fails is left out and named in `errors` (a
 * replay of its frames would then reject them as unknown instruments).
 */
export async function fetchRestMeta(cfg: Readonly<Config>, exchanges: readonly string[], http: HttpOptions = {}): Promise<{ rest: RestMeta; errors: string[] }> {
  const rest: RestMeta = {};
  const errors: string[] = [];
  await Promise.all(
    exchanges.map(async (name) => {
      const adapter = adapterOf(name);
      if (adapter?.capture === undefined || !adapter.feeds.some((f) => f.metadata !== undefined)) return;
      try {
        Object.assign(rest, await adapter.capture.recordMeta(contextOf(adapter, cfg), http));
      } catch (err) {
        errors.push(`${name}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }),
  );
  return { rest, errors };
}

/** Stand-in options serving exactly the capture's metadata (empty lists for exchanges it does not cover). */
export function standinOptionsOf(meta: CaptureMeta): StandinOptions {
  return Object.assign({}, ...ADAPTERS.map((a) => a.capture?.standinOptions(meta.rest) ?? {}));
}

/** A feed's instruments by the name its frames use, for its parser. */
export type Lookups = Map<string, Map<string, unknown>>;

/**
 * The parsers' lookups, built by the daemon's own loaders from stand-ins serving the capture's metadata (standinEnv:
 * Standins.env), per feed name. A feed whose metadata is missing gets an empty lookup.
 */
export async function lookupsFrom(standinEnv: Record<string, string>): Promise<Lookups> {
  const cfg = loadConfig({ ...standinEnv, HEALTH_PORT: '0' });
  const http: HttpOptions = { attempts: 1 };
  const out: Lookups = new Map();
  await Promise.all(
    FEEDS.map(async ({ adapter, feed }) => {
      if (feed.metadata === undefined) return;
      const map = await feed.metadata.load(contextOf(adapter, cfg), http).catch(() => new Map<string, unknown>());
      out.set(feed.venue, map);
    }),
  );
  return out;
}
