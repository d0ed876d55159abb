// simple: one table (per exchange events, long, short, total, share, L/S split, with a total row) and the rate:
// the last minute's USD and count, and a sparkline of USD per minute over the window.
import type { Snapshot } from '../aggregator/index.js';
import { rateLines } from './lists.js';
import { type Box, fill, inner, panel, rows, setTitle } from './panels.js';
import type { DashboardDef, View } from './runner.js';
import { exchangeTable, scopeText } from './sections.js';
import type { Theme } from './theme.js';

const RATE_HEIGHT = 5;

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
      const { width: iw } = inner({ top: 0, left: 0, width, height: tableH });
      const pad = height >= 30 ? [''] : [];
      const barWidth = Math.max(0, Math.min(40, iw - 80));
      setTitle(table, 'USD by exchange', scopeText(snap), `last ${snap.window.name}`);
      fill(table, [...pad, ...exchangeTable(snap.totals, t, iw, tableH - 2 - pad.length, barWidth)]);
      setTitle(rate, 'rate', 'USD per minute', `last ${snap.window.name}`);
      fill(rate, rateLines(snap, t, iw));
    },
  };
}

export const simple: DashboardDef = {
  name: 'simple',
  min: { width: 60, height: 16 },
  request: (s) => ({ window: s.window, symbol: s.symbol, coin: s.coin, exchanges: s.exchanges, minUsdCents: s.minUsdCents, group: s.group }),
  createView,
};
