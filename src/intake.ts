// What the daemon takes in, counted: events per exchange (liq_events_total, and for the summary line) and
// rejections per exchange and reason (liq_rejected_total), a sample of each reason logged at most every 10 s, never
// one line per event. The summary line, once per SUMMARY_INTERVAL_MS, reports the counts since the last one.
import type { LiquidationEvent } from './core/event.js';
import type { Rejection } from './core/parse.js';
import type { Logger } from './log.js';
import type { Metrics } from './metrics.js';

const REJECT_LOG_EVERY_MS = 10_000;

export class Intake {
  private readonly received = new Map<string, number>();
  private readonly rejectedSince = new Map<string, number>();
  private readonly lastRejectLog = new Map<string, number>();

  constructor(
    private readonly metrics: Metrics,
    private readonly rejectLog: Logger,
  ) {}

  /** Counts a frame's events (one exchange per frame in practice: one label lookup). */
  events(events: readonly LiquidationEvent[]): void {
    let ex = events[0].exchange;
    let n = 0;
    for (const e of events) {
      if (e.exchange !== ex) {
        this.add(ex, n);
        ex = e.exchange;
        n = 0;
      }
      n++;
    }
    this.add(ex, n);
  }

  rejections(rejections: readonly Rejection[]): void {
    const now = Date.now();
    for (const r of rejections) {
      this.metrics.rejected.inc({ exchange: r.exchange, reason: r.reason });
      const key = `${r.exchange}:${r.reason}`;
      this.rejectedSince.set(key, (this.rejectedSince.get(key) ?? 0) + 1);
      if (now - (this.lastRejectLog.get(key) ?? 0) >= REJECT_LOG_EVERY_MS) {
        this.lastRejectLog.set(key, now);
        this.rejectLog.warn({ exchange: r.exchange, reason: r.reason, sample: r.sample }, 'event rejected (sample; further ones counted)');
      }
    }
  }

  /** The counts since the last call (received per exchange, written per exchange as given, rejected per reason); resets them. */
  take(written: Map<string, number>): { exchanges: Record<string, { received: number; written: number }>; rejected: Record<string, number> } {
    const exchanges: Record<string, { received: number; written: number }> = {};
    for (const [ex, n] of this.received) exchanges[ex] = { received: n, written: 0 };
    for (const [ex, n] of written) (exchanges[ex] ??= { received: 0, written: 0 }).written = n;
    const rejected = Object.fromEntries(this.rejectedSince);
    this.received.clear();
    this.rejectedSince.clear();
    written.clear();
    return { exchanges, rejected };
  }

  private add(exchange: string, n: number): void {
    this.metrics.events.inc({ exchange }, n);
    this.received.set(exchange, (this.received.get(exchange) ?? 0) + n);
  }
}
