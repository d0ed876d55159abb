// cumulative: cumulative USD since the window's start per exchange and side (a chart per side, a line per
// exchange), with the totals of 1h, 4h, 12h and 24h side by side (one row per exchange on smaller screens).
import type { Snapshot } from '../aggregator/index.js';
import { lineChart } from './chart.js';
import { cumulativeSeries, stampOf } from './lists.js';
import { type Box, cols, fill, panel, rows, setTitle } from './panels.js';
import { type DashboardDef, type View, baseRequest } from './view.js';
import { exchangeLabel, horizonTable, scopeText } from './sections.js';
import type { Theme } from './theme.js';

function createView(): View {
  let longChart: Box;
  let shortChart: Box;
  let table: Box;
  let bySide = true;
  return {
    build(body, w, h, t) {
      bySide = w >= 120 && h >= 36;
      const [charts, bottom] = rows({ top: 0, left: 0, width: w, height: h }, [{ min: 7, want: Math.round(h * (bySide ? 0.5 : 0.45)) }, { min: 6, want: h }]);
      const [a, b] = cols(charts, [Math.floor(w / 2), 0]);
      longChart = panel(body, a, t);
      shortChart = panel(body, b, t);
      table = panel(body, bottom, t);
    },
    update(snap: Snapshot, t: Theme) {
      const cum = cumulativeSeries(snap);
      for (const [chart, side] of [
        [longChart, 'long'],
        [shortChart, 'short'],
      ] as const) {
        const width = (chart.width as number) - 4;
        const height = (chart.height as number) - 2;
        const lines = cum.lines.filter((l) => l.side === side);
        setTitle(chart, `cumulative ${side.toUpperCase()} USD`, `since ${stampOf(snap)(snap.window.start)} UTC`, `last ${snap.window.name}`);
        const key = lines.length ? lines.map((l) => t.paint(`${t.glyphs.line[0]} ${exchangeLabel(l.exchange)}`, t.exchange(l.exchange))).join(' ') : t.paint('no exchange in this window yet', t.dim);
        // Draw the largest line last, so that it stays on top where lines share a cell.
        const series = [...lines].reverse().map((l) => ({ values: l.values, ink: t.exchange(l.exchange) }));
        fill(chart, [...lineChart(series, cum.starts, width, height - 1, t), key]);
      }
      setTitle(table, 'totals by horizon', scopeText(snap), 'USD of the last 1h / 4h / 12h / 24h');
      fill(table, horizonTable(snap.horizons, t, { width: (table.width as number) - 4, maxRows: (table.height as number) - 2, bySide }));
    },
  };
}

export const cumulative: DashboardDef = {
  name: 'cumulative',
  min: { width: 72, height: 20 },
  request: (s) => ({ ...baseRequest(s), horizons: true }),
  createView,
};
