// simple: one table (per exchange events, long, short, total, share, L/S split, with a total row) and the rate:
// the last minute's USD and count, and a sparkline of USD per minute over the window.
import type { Snapshot } from '../aggregator/index.js';
import { rateLines, sidesChart } from './lists.js';
import { type Box, fill, inner, panel, rows, setTitle } from './panels.js';
import { type DashboardDef, type View, baseRequest } from './view.js';
import { exchangeTable, scopeText } from './sections.js';
import type { Theme } from './theme.js';

const RATE_HEIGHT = 5;
// Rows a chart needs to say something: labels at top, middle and zero, the time axis and the key.
const CHART_MIN = 7;

function createView(): View {
  let table: Box;
  let rate: Box;
  let width = 0;
  let height = 0;
  return {
    build(body, w, h, t) {
      width = w;
      height = h;
      const [a, b] = rows({ top: 0, left: 0, width: w, height: h }, [{ min: 6, want: h - RATE_HEIGHT }, { min: RATE_HEIGHT, want: RATE_HEIGHT }]);
      table = panel(body, a, t);
      rate = panel(body, b, t);
    },
    update(snap: Snapshot, t: Theme) {
      // The table panel is as tall as its rows; the rate panel sits right under it.
      const wanted = snap.totals.exchanges.length + 3 + 2 + (height >= 30 ? 1 : 0);
      const tableH = Math.max(6, Math.min(height - RATE_HEIGHT, wanted));
      table.height = tableH;
      rate.top = tableH;
      // Tall screens: the rest goes to the rate, with a chart of long and short USD under its lines.
      const rateH = height - tableH >= RATE_HEIGHT + CHART_MIN ? height - tableH : RATE_HEIGHT;
      rate.height = rateH;
      const { width: iw } = inner({ top: 0, left: 0, width, height: tableH });
      const pad = height >= 30 ? [''] : [];
      const barWidth = Math.max(0, Math.min(40, iw - 80));
      setTitle(table, 'USD by exchange', scopeText(snap), `last ${snap.window.name}`);
      fill(table, [...pad, ...exchangeTable(snap.totals, t, iw, tableH - 2 - pad.length, barWidth)]);
      setTitle(rate, 'rate', 'USD per minute', `last ${snap.window.name}`);
      const lines = rateLines(snap, t, iw);
      fill(rate, rateH > RATE_HEIGHT ? [...lines, ...sidesChart(snap, t, iw, rateH - 2 - lines.length)] : lines);
    },
  };
}

export const simple: DashboardDef = {
  name: 'simple',
  min: { width: 60, height: 16 },
  request: baseRequest,
  createView,
};
