// simple: one table, per exchange events, long USD, short USD, total USD and share, with a total row.
import blessed from 'blessed';
import { EMPTY_HINT, type Snapshot } from '../aggregator/index.js';
import type { Box, DashboardDef, View } from './runner.js';
import { exchangeTable } from './sections.js';
import { panelOptions } from './panels.js';

function createView(): View {
  let table: Box;
  return {
    build(body) {
      table = blessed.box({ parent: body, top: 0, left: 0, width: '100%', height: '100%', border: { type: 'line' }, ...panelOptions('USD by exchange'), padding: { left: 2, right: 2, top: 1 } });
    },
    update(snap: Snapshot) {
      table.setLabel(` USD by exchange · ${snap.symbol === 'ALL' ? 'all symbols' : snap.symbol} · last ${snap.window.name} `);
      const lines = exchangeTable(snap.totals, true, Math.max(0, Math.min(40, (table.width as number) - 80)));
      if (snap.totals.count === 0) lines.push('', `{cyan-fg}${EMPTY_HINT}{/cyan-fg}`);
      table.setContent(lines.join('\n'));
    },
  };
}

export const simple: DashboardDef = {
  name: 'simple',
  request: (window, symbol) => ({ window, symbol }),
  createView,
};
