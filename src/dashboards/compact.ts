// compact: one screen with the exchange × side table, the top 10 symbols, the last minute's rate and the largest
// single liquidation of the window.
import { EMPTY_HINT, formatUsd, formatCount, type Snapshot } from '../aggregator/index.js';
import { ALL } from '../core/keys.js';
import type { Box, DashboardDef, View } from './runner.js';
import { largestLines, rateLines, sideTable, topTable } from './sections.js';
import { gridPanel, newGrid } from './panels.js';

function createView(): View {
  let sides: Box;
  let top: Box;
  let rate: Box;
  let largest: Box;
  return {
    build(body) {
      const grid = newGrid(body);
      sides = gridPanel(grid, 0, 0, 7, 7, 'exchange × side');
      top = gridPanel(grid, 0, 7, 7, 5, 'top 10 symbols by USD');
      rate = gridPanel(grid, 7, 0, 5, 6, "last minute's rate");
      largest = gridPanel(grid, 7, 6, 5, 6, 'largest single liquidation');
    },
    update(snap: Snapshot) {
      const w = snap.window.name;
      sides.setLabel(` exchange × side · ${snap.symbol === ALL ? 'all symbols' : snap.symbol} · last ${w} `);
      const sideLines = ['', ...sideTable(snap.totals, true)];
      if (snap.totals.count === 0) sideLines.push('', `{cyan-fg}${EMPTY_HINT}{/cyan-fg}`);
      sides.setContent(sideLines.join('\n'));
      top.setLabel(` top ${snap.top?.length || 10} symbols by USD · all symbols · last ${w} `);
      top.setContent(['', ...topTable(snap.top, snap.symbol === ALL ? snap.totals.valueCents : undefined, true)].join('\n'));
      const avg = snap.window.minutes > 0 ? Math.round(snap.totals.valueCents / snap.window.minutes) : 0;
      rate.setContent(
        [
          '',
          ...rateLines(snap.minutes, true),
          `{gray-fg}window average: ${formatUsd(avg)}/min, ${formatCount(snap.totals.count)} liquidations in ${snap.window.minutes} min{/gray-fg}`,
        ].join('\n'),
      );
      largest.setLabel(` largest single liquidation · last ${w} `);
      largest.setContent(['', ...largestLines(snap, true, true)].join('\n'));
    },
  };
}

export const compact: DashboardDef = {
  name: 'compact',
  request: (window, symbol) => ({ window, symbol, top: 10, largest: true }),
  createView,
};
