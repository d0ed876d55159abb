// What a written batch adds to the metrics, the error log and the per-exchange summary: the engine writes, this
// counts (one place for every counter a write moves).
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics.js';
import type { WriteResult } from './writer.js';

export function tallyWrite(r: WriteResult, byExchange: Map<string, number>, log: Logger, metrics?: Metrics): void {
  metrics?.batches.inc();
  metrics?.written.inc(r.written);
  if (r.duplicates) metrics?.duplicates.inc(r.duplicates);
  if (r.expired) metrics?.expired.inc(r.expired);
  for (const e of r.overflow) metrics?.rejected.inc({ exchange: e.exchange, reason: 'out_of_range' });
  if (r.overflow.length > 0) {
    const e = r.overflow[0];
    log.error(
      { count: r.overflow.length, sample: { ...e, qtyE8: String(e.qtyE8) } },
      'events refused (out_of_range): they would carry a bucket sum past 2^63 - 1; the rest of the batch was written',
    );
  }
  if (metrics !== undefined) {
    for (const [k, t] of r.bySide) {
      const [exchange, side] = k.split('\u0000');
      metrics.liquidations.inc({ exchange, side }, t.count);
      metrics.liquidatedUsd.inc({ exchange, side }, t.cents / 100);
    }
    for (const a of r.alerts) metrics.alerts.inc({ kind: a.fields.kind });
  }
  for (const [ex, n] of r.byExchange) byExchange.set(ex, (byExchange.get(ex) ?? 0) + n);
}
