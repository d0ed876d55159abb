// compact: the exchange × side table, the top symbols (or coins), the rate with its sparkline, and the largest
// liquidations of the window. Below 100 columns the top list gives way to the others.
import type { Snapshot } from '../aggregator/index.js';
import { largestTable, rateLines, sidesChart, topShareBase, topTable } from './lists.js';
import { type Box, fill, panel, setTitle } from './panels.js';
import { type DashboardDef, type View, baseRequest } from './view.js';
import { scopeText, sideTable } from './sections.js';
import type { Theme } from './theme.js';

const TOP = 10;
const LARGEST = 10;
const LARGEST_MIN = 5;

function createView(): View {
  let sides: Box;
  let top: Box | undefined;
  let rate: Box;
  let largest: Box;
  let height = 0;
  let rateH = 5;
  return {
    build(body, w, h, t) {
      height = h;
      // Short screens drop the "this minute so far" line of the rate; tall ones add a chart of long and short USD.
      rateH = h >= 36 ? 15 : h >= 26 ? 5 : 4;
      const topW = w >= 140 ? 44 : w >= 100 ? 36 : 0;
      const rowH = Math.max(6, h - rateH - LARGEST_MIN);
      sides = panel(body, { top: 0, left: 0, width: w - topW, height: rowH }, t);
      top = topW ? panel(body, { top: 0, left: w - topW, width: topW, height: rowH }, t) : undefined;
      rate = panel(body, { top: rowH, left: 0, width: w, height: rateH }, t);
      largest = panel(body, { top: rowH + rateH, left: 0, width: w, height: Math.max(3, h - rowH - rateH) }, t);
    },
    update(snap: Snapshot, t: Theme) {
      const w = snap.window.name;
      // The first row is as tall as the exchange table needs (or the top list, beside it); the rest goes below.
      const want = Math.max(snap.totals.exchanges.length + 5, top ? Math.min(TOP, snap.top?.length ?? 0) + 3 : 0);
      const rowH = Math.max(6, Math.min(height - rateH - LARGEST_MIN, want));
      sides.height = rowH;
      if (top) top.height = rowH;
      rate.top = rowH;
      largest.top = rowH + rateH;
      largest.height = height - rowH - rateH;

      setTitle(sides, `exchange ${t.glyphs.times} side`, scopeText(snap), `last ${w}`);
      fill(sides, sideTable(snap.totals, t, (sides.width as number) - 4, rowH - 2));
      if (top) {
        setTitle(top, `top ${snap.group === 'coin' ? 'coins' : 'symbols'}`, `last ${w}`, 'g: symbols/coins');
        fill(top, topTable(snap.top, topShareBase(snap), t, snap.group, (top.width as number) - 4, rowH - 2));
      }
      setTitle(rate, 'rate', 'USD per minute', `last ${w}`);
      const lines = rateLines(snap, t, (rate.width as number) - 4);
      if (rateH > 5) fill(rate, [...lines, ...sidesChart(snap, t, (rate.width as number) - 4, rateH - 2 - lines.length)]);
      else fill(rate, rateH === 5 ? lines : [lines[0], lines[lines.length - 1]]);
      setTitle(largest, 'largest liquidations', `last ${w}`, 'from liq:big');
      fill(largest, largestTable(snap, t, (largest.width as number) - 4, (largest.height as number) - 2));
    },
  };
}

export const compact: DashboardDef = {
  name: 'compact',
  min: { width: 72, height: 20 },
  request: (s) => ({ ...baseRequest(s), top: TOP, largest: LARGEST }),
  createView,
};
