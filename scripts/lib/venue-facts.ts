// What the dashboards need to know of the venues, from the registry: the order that gives each known exchange a fixed
// colour slot, and which ones publish a sample (their totals are lower bounds). The aggregator knows no venue by
// name; the entry points configure it with this.
import { configureExchanges } from '../../src/aggregator/index.js';
import { ADAPTERS } from '../../src/venues/registry.js';

export function configureVenueFacts(): void {
  configureExchanges({
    known: ADAPTERS.map((a) => a.exchange),
    lowerBound: Object.fromEntries(ADAPTERS.filter((a) => a.sampled).map((a) => [a.exchange, `${a.exchange}: lower bound (${a.sampled})`])),
  });
}
