// Check 8: prices. Within a symbol and minute the logged prices of different exchanges agree within 2% (every
// price of one exchange against every price of another), and the bucket's implied price, value ÷ quantity,
// lies within that minute's logged prices: 0.5% tolerance plus what rounding can move it (each event's cents by
// ±0.5 cent, its quantity by ±0.5e-8). A value or a quantity taken in the wrong unit lands far outside.
// These are tolerance comparisons, done in floating point on exact sums.
import { QTY, VALUE } from './fields.js';
import type { Check } from './report.js';
import { EVENTS, PMAX, PMIN, type Vec, get } from './totals.js';

export const CROSS_EXCHANGE = 0.02;
export const IMPLIED_TOLERANCE = 0.005;

function fmt(p: number): string {
  return Number(p.toPrecision(10)).toString();
}

/**
 * Checks one symbol bucket (key: spelled out for a finding) against its logged prices. `whole`: every event of the
 * minute is in the log, so the implied price can be compared (the cross-exchange comparison needs only the entries
 * that are there).
 */
export function checkPrices(check: Check, key: () => string, bucket: Vec | undefined, log: Vec, whole: boolean, exNames: readonly string[]): void {
  const exs: number[] = [];
  for (let ex = 0; PMIN(ex) < log.length; ex++) if (log[PMIN(ex)] !== undefined) exs.push(ex);
  const pmin = (ex: number) => log[PMIN(ex)] as number;
  const pmax = (ex: number) => log[PMAX(ex)] as number;
  for (let i = 0; i < exs.length; i++) {
    for (let j = i + 1; j < exs.length; j++) {
      const a = exs[i];
      const b = exs[j];
      const hi = Math.max(pmax(a), pmax(b));
      const lo = Math.min(pmin(a), pmin(b));
      // only prices of different exchanges are compared: the spread between the two exchanges' extremes
      const spread = Math.max(pmax(a) / pmin(b), pmax(b) / pmin(a));
      if (spread > 1 + CROSS_EXCHANGE) {
        return check.fail(
          key(),
          'price',
          `${exNames[a]} and ${exNames[b]} within 2%`,
          `${exNames[a]} ${fmt(pmin(a))}–${fmt(pmax(a))}, ${exNames[b]} ${fmt(pmin(b))}–${fmt(pmax(b))} (${((hi / lo - 1) * 100).toFixed(2)}%)`,
        );
      }
    }
  }
  if (whole && bucket !== undefined) {
    const v = Number(get(bucket, VALUE));
    const q = Number(get(bucket, QTY));
    if (q > 0) {
      let lo = Infinity;
      let hi = 0;
      for (const ex of exs) {
        lo = Math.min(lo, pmin(ex));
        hi = Math.max(hi, pmax(ex));
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
