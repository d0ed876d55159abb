// Stand-in exchange servers on loopback: every registered venue's WebSocket and REST endpoints in their real
// protocols, scriptable to misbehave (src/venues/<exchange>/standin.ts). Every test, the replay, the demo and the
// benchmarks talk to these; no real exchange is reachable. Silent: nothing is written to stdout.
import { ADAPTERS } from '../registry.js';
import type { StandinGroup, StandinOptions, Standins, VenueServer } from './types.js';

export type * from './types.js';
export { DELIVERY, deliveryOf, letters, nextQuarterlyDelivery, type Delivery } from './fixtures.js';

/** Starts the stand-ins of the given exchanges (default: every registered one), each venue with its options. */
export async function startStandins(opts: StandinOptions = {}, exchanges?: readonly string[]): Promise<Standins> {
  const groups: StandinGroup[] = [];
  try {
    for (const a of ADAPTERS) if (a.standin && (exchanges === undefined || exchanges.includes(a.exchange))) groups.push(await a.standin.start(opts));
  } catch (err) {
    await Promise.all(groups.map((g) => g.close()));
    throw err;
  }
  const env: Record<string, string> = Object.assign({}, ...groups.map((g) => g.env));
  const servers = Object.assign({}, ...groups.map((g) => g.venues)) as StandinGroup['venues'];
  let closed: Promise<void> | undefined;
  return {
    env,
    venues: servers as Record<string, VenueServer>,
    send(venue, frame) {
      const server = servers[venue];
      if (server === undefined) throw new Error(`no stand-in for ${venue}`);
      return server.send(frame);
    },
    setInstruments(update) {
      for (const g of groups) g.setInstruments?.(update);
    },
    close(): Promise<void> {
      // Idempotent: an afterAll and a finally may both call it.
      closed ??= Promise.all(groups.map((g) => g.close())).then(() => undefined);
      return closed;
    },
  };
}
