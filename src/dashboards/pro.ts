// pro: a grid with USD per minute (long and short lines), USD per exchange (bars), the top symbols, the live feed
// of liq:events (largest highlighted) and the feed-health panel (a dead stream is red, in the header too).
import type { LineElement } from 'blessed-contrib';
import { LONG_COLOR, SHORT_COLOR, type Snapshot, formatHm } from '../aggregator/index.js';
import { ALL } from '../core/keys.js';
import type { Box, DashboardDef, View } from './runner.js';
import { binMinutes, feedTable, perMinuteLabel, statusSection, topTable } from './sections.js';
import { BORDER, exchangeBars, gridLine, gridPanel, innerWidth, legend, LONG_RGB, newGrid, SHORT_RGB, setLegend, setLines } from './panels.js';

const TOP = 12;
const FEED = 60;

function createView(): View {
  let chart: LineElement;
  let bars: Box;
  let top: Box;
  let feed: Box;
  let health: Box;
  return {
    build(body) {
      const grid = newGrid(body);
      chart = gridLine(grid, 0, 0, 5, 8, 'USD per minute');
      bars = gridPanel(grid, 0, 8, 5, 4, 'USD by exchange');
      top = gridPanel(grid, 5, 0, 4, 6, 'top symbols');
      health = gridPanel(grid, 9, 0, 3, 6, 'feed health');
      feed = gridPanel(grid, 5, 6, 7, 6, 'latest liquidations');
    },
    update(snap: Snapshot) {
      const w = snap.window.name;
      // About three braille dots per point: a 1h window is drawn minute by minute at 160 columns.
      const points = Math.max(10, Math.floor(((chart.width as number) * 2 - 24) / 3));
      const { size, bins } = binMinutes(snap.minutes, Math.min(points, 120));
      const x = bins.map((b) => formatHm(b.start));
      const sum = (b: (typeof bins)[number], side: 'long' | 'short') => b.items.reduce((a, m) => a + m[side].valueCents, 0) / 100;
      chart.setLabel(` USD ${perMinuteLabel(size)} · ${snap.symbol === ALL ? 'all symbols' : snap.symbol} · last ${w} `);
      setLegend(
        chart,
        `${legend([
          { text: 'long liquidated', color: LONG_COLOR.hex },
          { text: 'short liquidated', color: SHORT_COLOR.hex },
        ])}   {gray-fg}y: USD (k=thousand m=million){/gray-fg}`,
      );
      setLines(chart, [
        { title: 'long', x, y: bins.map((b) => sum(b, 'long')), style: { line: LONG_RGB } },
        { title: 'short', x, y: bins.map((b) => sum(b, 'short')), style: { line: SHORT_RGB } },
      ]);

      bars.setLabel(` USD by exchange · last ${w} · {${LONG_COLOR.hex}-fg}█ long{/${LONG_COLOR.hex}-fg} {${SHORT_COLOR.hex}-fg}█ short{/${SHORT_COLOR.hex}-fg} `);
      bars.setContent(['', ...exchangeBars(snap.totals, innerWidth(bars))].join('\n'));

      top.setLabel(` top ${TOP} symbols by USD · all symbols · last ${w} `);
      top.setContent(topTable(snap.top, snap.symbol === ALL ? snap.totals.valueCents : undefined, true).join('\n'));

      feed.setLabel(` latest liquidations (liq:events${snap.symbol === ALL ? '' : `, ${snap.symbol}`}) · largest highlighted `);
      feed.setContent(feedTable(snap.feed, true).join('\n'));

      const s = statusSection(snap.status, snap.at, true);
      const bad = s.down.length > 0 || s.noDaemon;
      health.style.border = { fg: bad ? 'red' : BORDER };
      health.setLabel(
        bad
          ? ` {red-bg}{white-fg}{bold} feed health · ${s.noDaemon ? 'NO STATUS' : `${s.down.length} DOWN`} {/bold}{/white-fg}{/red-bg} `
          : ' feed health · all streams up ',
      );
      health.setContent(s.lines.join('\n'));
    },
  };
}

export const pro: DashboardDef = {
  name: 'pro',
  request: (window, symbol) => ({ window, symbol, top: TOP, feed: FEED, status: true }),
  createView,
};
