// Check 8 and the cross-exchange warning, on one symbol-minute. Check 8 (a failure): the bucket's implied price,
// value ÷ quantity, lies within that minute's logged prices: 0.5% tolerance plus what rounding can move it (each
// event's cents by ±0.5 cent, its quantity by ±0.5e-8). A value or a quantity taken in the wrong unit lands far
// outside. The warning: each exchange's median logged price within 2% of every other exchange's. Only a warning:
// a cascade moves more than 2% within a minute, and the prices differ by design (Bybit `p` and OKX `bkPx` are
// bankruptcy prices, Binance `ap` the average fill), so the extremes disagree on real data; medians of exchanges
// that far apart still point at a symbol mapped to the wrong instrument or a price in the wrong unit.
// These are tolerance comparisons, done in floating point on exact sums.
import { COUNT, QTY, VALUE } from './fields.js';
import type { Check, Warning } from './report.js';
import { E, EVENTS, PMAX, PMIN, type Vec, get } from './totals.js';

export const CROSS_EXCHANGE = 0.02;
export const IMPLIED_TOLERANCE = 0.005;

function fmt(p: number): string {
  return Number(p.toPrecision(10)).toString();
}

/** Median prices of one symbol-minute by the log's exchange index (0: none), and the log's index → the Vec's. */
export interface Medians {
  readonly count: number;
  median(logEx: number): number;
  readonly exMap: readonly number[];
}

/**
 * Checks one symbol bucket (key: spelled out for a finding) against its logged prices. `whole`: every event of the
 * minute is in the log, so the implied price can be compared (the medians need only the entries that are there).
 */
export function checkPrices(
  check: Check,
  warning: Warning,
  key: () => string,
  bucket: Vec | undefined,
  log: Vec,
  medians: Medians,
  whole: boolean,
  exNames: readonly string[],
): void {
  crossExchange(warning, key, log, medians, exNames);
  if (whole && bucket !== undefined) {
    const v = Number(get(bucket, VALUE));
    const q = Number(get(bucket, QTY));
    if (q > 0) {
      let lo = Infinity;
      let hi = 0;
      for (let ex = 0; PMIN(ex) < log.length; ex++) {
        const pmin = log[PMIN(ex)];
        if (pmin === undefined) continue;
        lo = Math.min(lo, pmin as number);
        hi = Math.max(hi, log[PMAX(ex)] as number);
      }
      const n = Number(get(log, EVENTS));
      // price = (cents / 100) ÷ (e8 / 1e8) = cents × 1e6 ÷ e8
      const implied = (v * 1e6) / q;
      const most = q - n / 2 > 0 ? ((v + n / 2) * 1e6) / (q - n / 2) : Infinity;
      const least = ((v - n / 2) * 1e6) / (q + n / 2);
      if (most < lo * (1 - IMPLIED_TOLERANCE) || least > hi * (1 + IMPLIED_TOLERANCE)) {
        return check.fail(key(), 'value_cents ÷ qty_e8', `within the logged prices ${fmt(lo)}–${fmt(hi)} (±0.5% + rounding)`, fmt(implied));
      }
    }
  }
  check.pass();
}

/** The warning: counted once per symbol-minute with prices of two exchanges or more. */
function crossExchange(warning: Warning, key: () => string, log: Vec, medians: Medians, exNames: readonly string[]): void {
  let lo = Infinity;
  let hi = 0;
  let with2 = 0;
  for (let lx = 0; lx < medians.count; lx++) {
    const m = medians.median(lx);
    if (m === 0) continue;
    with2++;
    if (m < lo) lo = m;
    if (m > hi) hi = m;
  }
  if (with2 < 2) return;
  if (hi <= lo * (1 + CROSS_EXCHANGE)) return warning.pass();
  warning.warn(() => {
    const byEx: Record<string, number> = {};
    const events: Record<string, number> = {};
    const parts: Array<[string, string]> = [];
    for (let lx = 0; lx < medians.count; lx++) {
      const m = medians.median(lx);
      if (m === 0) continue;
      const ex = medians.exMap[lx];
      const name = exNames[ex];
      byEx[name] = Number(fmt(m));
      events[name] = Number(get(log, E(COUNT, ex)));
      parts.push([name, `${name} ${fmt(m)} (${events[name]} ${events[name] === 1 ? 'event' : 'events'})`]);
    }
    // by name: the exchanges' order in the log is the order their first entries arrived in
    parts.sort((a, b) => (a[0] < b[0] ? -1 : 1));
    const spread = Math.round((hi / lo - 1) * 10_000) / 100;
    return {
      key: key(),
      field: 'median price',
      expected: 'medians of the exchanges within 2% of each other',
      actual: `${parts.map((p) => p[1]).join(', ')}: ${spread.toFixed(2)}% apart`,
      figures: { medians: byEx, events, spreadPercent: spread },
    };
  });
}
