// cumulative: cumulative USD since the window's start per exchange and side (a chart per side, a line per
// exchange), with the totals of 1h, 4h, 12h and 24h side by side.
import type { LineElement } from 'blessed-contrib';
import { type Snapshot, exchangeColor, formatHm } from '../aggregator/index.js';
import { ALL } from '../core/keys.js';
import type { Box, DashboardDef, View } from './runner.js';
import { cumulativeSeries, exchangeLabel, horizonTable } from './sections.js';
import { gridLine, gridPanel, legend, newGrid, setLegend, setLines } from './panels.js';

function createView(): View {
  let longChart: LineElement;
  let shortChart: LineElement;
  let table: Box;
  return {
    build(body) {
      const grid = newGrid(body);
      longChart = gridLine(grid, 0, 0, 7, 6, 'cumulative long USD');
      shortChart = gridLine(grid, 0, 6, 7, 6, 'cumulative short USD');
      table = gridPanel(grid, 7, 0, 5, 12, 'totals by horizon');
    },
    update(snap: Snapshot) {
      const points = Math.max(10, Math.min(120, Math.floor(((longChart.width as number) * 2 - 20) / 4)));
      const cum = cumulativeSeries(snap, points);
      const since = `since ${formatHm(snap.window.start)} UTC (last ${snap.window.name})`;
      const key = legend(snap.totals.exchanges.map((e) => ({ text: exchangeLabel(e.exchange), color: exchangeColor(e.exchange).hex })));
      for (const [chart, side] of [
        [longChart, 'long'],
        [shortChart, 'short'],
      ] as const) {
        const lines = cum.lines.filter((l) => l.side === side);
        chart.setLabel(` cumulative ${side.toUpperCase()} USD ${since} `);
        setLegend(chart, `${key || '{gray-fg}no exchange in this window yet{/gray-fg}'}   {gray-fg}y: USD (k=thousand m=million){/gray-fg}`);
        setLines(
          chart,
          lines.length
            ? lines.map((l) => ({ title: l.exchange, x: cum.labels, y: l.values.map((v) => v / 100), style: { line: exchangeColor(l.exchange).rgb as [number, number, number] } }))
            : [{ title: 'none', x: cum.labels, y: cum.labels.map(() => 0), style: { line: 'white' } }],
        );
      }
      table.setLabel(` totals by horizon · ${snap.symbol === ALL ? 'all symbols' : snap.symbol} · USD, the last 1h / 4h / 12h / 24h up to now `);
      table.setContent(horizonTable(snap.horizons, true).join('\n'));
    },
  };
}

export const cumulative: DashboardDef = {
  name: 'cumulative',
  request: (window, symbol) => ({ window, symbol, horizons: true }),
  createView,
};
