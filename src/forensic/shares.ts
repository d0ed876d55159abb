// Check 7 over the window: the exchanges' shares of the total value, each rounded half up to 0.01 %, add up to
// 100 % within one rounding step per exchange.
import { divHalfUp } from '../core/decimal.js';
import { COUNT, VALUE } from './fields.js';
import { isZero } from './num.js';
import type { Check } from './report.js';
import { E, type Vec, exchangesOf, get } from './totals.js';

/** `label` names the totals in a finding: `ALL (window)`, or `{symbol} (window)` with --symbol. */
export function checkShares(c7: Check, windowTotals: Vec, exNames: readonly string[], label: string): void {
  const total = BigInt(get(windowTotals, VALUE));
  if (total > 0n) {
    const exs = exchangesOf(windowTotals);
    let bp = 0n;
    const parts: string[] = [];
    for (const ex of exs) {
      const share = divHalfUp(BigInt(get(windowTotals, E(VALUE, ex))) * 10_000n, total);
      bp += share;
      parts.push(`${exNames[ex]} ${(Number(share) / 100).toFixed(2)}%`);
    }
    const slack = BigInt(exs.length);
    if (bp < 10_000n - slack || bp > 10_000n + slack) {
      c7.fail(label, 'exchange shares', `100.00% ± ${(exs.length * 0.01).toFixed(2)}%`, `${(Number(bp) / 100).toFixed(2)}% (${parts.join(', ')})`);
    } else c7.pass();
  } else if (!isZero(get(windowTotals, COUNT))) c7.fail(label, 'value_cents', '> 0 where count > 0', '0');
}
