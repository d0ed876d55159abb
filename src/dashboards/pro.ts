// pro: USD per minute (long and short lines), USD per exchange (bars), top symbols, the live feed of liq:events
// (largest highlighted), the largest liquidations, the latest alerts and feed health. Smaller screens keep the chart
// and the feed (the latest alert, when there is one, heads the feed on medium screens).
import { type Snapshot, perMinutesLabel } from '../aggregator/index.js';
import { lineChart } from './chart.js';
import { alertsTable, binsOf, feedTable, healthTable, largestTable, sumOf, topShareBase, topTable } from './lists.js';
import { type Box, type Rect, cols, exchangeBars, fill, panel, rows, setTitle } from './panels.js';
import { type DashboardDef, type View, baseRequest } from './view.js';
import { scopeText } from './sections.js';
import type { Theme } from './theme.js';

const TOP = 12;
const FEED = 60;
const LARGEST = 10;
const ALERTS = 10;

type Id = 'chart' | 'bars' | 'top' | 'feed' | 'largest' | 'alerts' | 'health';

/** Where each panel goes at this size; panels left out are not shown. */
function plan(w: number, h: number): Partial<Record<Id, Rect>> {
  const all = { top: 0, left: 0, width: w, height: h };
  if (w >= 150 && h >= 40) {
    const [row1, row2] = rows(all, [{ min: 12, want: Math.round(h * 0.4) }, { min: 10, want: h }]);
    const [chart, bars] = cols(row1, [w - 60, 0]);
    const [feed, right] = cols(row2, [Math.round(w * 0.55), 0]);
    const [top, largest, alerts, health] = rows(right, [{ min: 5, want: 8 }, { min: 5, want: 12 }, { min: 4, want: 6 }, { min: 6, want: h }]);
    return { chart, bars, feed, top, largest, alerts, health };
  }
  if (w >= 100 && h >= 24) {
    const [row1, row2] = rows(all, [{ min: 9, want: Math.round(h * 0.42) }, { min: 8, want: h }]);
    const [chart, bars] = cols(row1, [w - 42, 0]);
    const [feed, right] = cols(row2, [Math.round(w * 0.55), 0]);
    if (right.height >= 14) {
      const [top, largest] = rows(right, [{ min: 6, want: Math.floor(right.height / 2) }, { min: 6, want: h }]);
      return { chart, bars, feed, top, largest };
    }
    return { chart, bars, feed, largest: right };
  }
  const [chart, feed] = rows(all, [{ min: 7, want: Math.round(h * 0.45) }, { min: 6, want: h }]);
  return { chart, feed };
}

function createView(): View {
  let boxes: Partial<Record<Id, Box>> = {};
  return {
    build(body, w, h, t) {
      boxes = {};
      for (const [id, r] of Object.entries(plan(w, h)) as [Id, Rect][]) boxes[id] = panel(body, r, t);
    },
    update(snap: Snapshot, t: Theme) {
      const w = snap.window.name;
      const size = (b: Box) => ({ width: (b.width as number) - 4, height: (b.height as number) - 2 });
      const { chart, bars, top, feed, largest, alerts, health } = boxes;
      if (chart) {
        const { width, height } = size(chart);
        const b = binsOf(snap);
        setTitle(chart, `USD ${perMinutesLabel(snap.binMinutes)}`, scopeText(snap), `last ${w}`);
        const key = `${t.paint(`${t.glyphs.line} long liquidated`, t.long)}  ${t.paint(`${t.glyphs.line} short liquidated`, t.short)}`;
        const series = [
          { values: b.map((x) => sumOf(x.items, 'short')), ink: t.short },
          { values: b.map((x) => sumOf(x.items, 'long')), ink: t.long },
        ];
        fill(chart, [...lineChart(series, b.map((x) => x.start), width, height - 1, t), key]);
      }
      if (bars) {
        const { width, height } = size(bars);
        setTitle(bars, 'USD by exchange', `last ${w}`);
        const key = `${t.paint(`${t.longBar} long`, t.long)} ${t.paint(`${t.shortBar} short`, t.short)}  ${t.paint('L/S in %', t.dim)}`;
        fill(bars, [key, ...exchangeBars(snap.totals, t, width, height - 1)]);
      }
      if (top) {
        const { width, height } = size(top);
        setTitle(top, `top ${snap.group === 'coin' ? 'coins' : 'symbols'}`, `last ${w}`, 'g: symbols/coins');
        fill(top, topTable(snap.top, topShareBase(snap), t, snap.group, width, height));
      }
      if (feed) {
        const { width, height } = size(feed);
        setTitle(feed, 'latest liquidations', 'liq:events', 'largest highlighted');
        fill(feed, feedTable(snap, t, width, height));
      }
      if (largest) {
        const { width, height } = size(largest);
        setTitle(largest, 'largest liquidations', `last ${w}`);
        fill(largest, largestTable(snap, t, width, height));
      }
      if (alerts) {
        const { width, height } = size(alerts);
        setTitle(alerts, 'latest alerts', 'liq:alerts');
        fill(alerts, alertsTable(snap, t, width, height));
      }
      if (health) {
        const { width, height } = size(health);
        setTitle(health, 'feed health');
        fill(health, healthTable(snap.status, snap.at, t, width, height));
      }
    },
  };
}

export const pro: DashboardDef = {
  name: 'pro',
  min: { width: 72, height: 20 },
  request: (s) => ({ ...baseRequest(s), top: TOP, feed: FEED, largest: LARGEST, alerts: ALERTS }),
  createView,
};
