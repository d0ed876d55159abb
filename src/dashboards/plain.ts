// The --once frames: plain text, no escape codes, the same sections as the terminal panels, USD to the dollar.
import { type Snapshot } from '../aggregator/index.js';
import { ALL } from '../core/keys.js';
import { alertsTable, cumulativeSeries, feedStatus, stampOf, feedTable, healthTable, largestTable, rateLines, seriesTable, topShareBase, topTable } from './lists.js';
import { type DashboardName, exchangeLabel, exchangeTable, headerText, horizonTable, notesLines, sideTable } from './sections.js';
import { renderTable } from './table.js';
import { PLAIN as t } from './theme.js';

function section(title: string, lines: string[]): string[] {
  return ['', title, ...lines.map((l) => `  ${l}`)];
}

function top(snap: Snapshot): string[] {
  const what = snap.group === 'coin' ? 'COINS' : 'SYMBOLS';
  const scope = snap.symbol !== ALL ? ' (all symbols)' : snap.filter.coin ? ` (coin ${snap.filter.coin})` : '';
  return section(`TOP ${snap.top?.length ?? 0} ${what} BY USD${scope}`, topTable(snap.top, topShareBase(snap), t, snap.group));
}

function largest(snap: Snapshot): string[] {
  const floor = snap.filter.minUsdCents ? `, at least ${t.money(snap.filter.minUsdCents)}` : '';
  return section(`LARGEST ${snap.largest?.length ?? 0} LIQUIDATIONS (liq:big${floor})`, largestTable(snap, t));
}

function rate(snap: Snapshot): string[] {
  return section('RATE', rateLines(snap, t));
}

export function renderPlain(name: DashboardName, snap: Snapshot): string {
  t.setExchanges(snap.exchanges);
  const out: string[] = [headerText(snap, name)];
  switch (name) {
    case 'simple':
      out.push(...section('USD BY EXCHANGE', exchangeTable(snap.totals, t)));
      out.push(...rate(snap));
      break;
    case 'compact':
      out.push(...section('EXCHANGE × SIDE', sideTable(snap.totals, t)));
      out.push(...top(snap));
      out.push(...rate(snap));
      out.push(...largest(snap));
      break;
    case 'pro': {
      const series = seriesTable(snap, t);
      out.push(...section(series.title.toUpperCase(), series.lines));
      out.push(...section('USD BY EXCHANGE', exchangeTable(snap.totals, t)));
      out.push(...top(snap));
      out.push(...largest(snap));
      const floor = snap.filter.minUsdCents ? `, at least ${t.money(snap.filter.minUsdCents)}` : '';
      out.push(...section(`LATEST LIQUIDATIONS (liq:events${floor}, newest first, largest marked ▶)`, feedTable(snap, t)));
      out.push(...section('LATEST ALERTS (liq:alerts, newest first)', alertsTable(snap, t)));
      out.push(...section('FEED HEALTH', healthTable(snap.status, snap.at, t)));
      break;
    }
    case 'cumulative': {
      out.push(...section('TOTALS BY HORIZON', horizonTable(snap.horizons, t)));
      const cum = cumulativeSeries(snap);
      // Running sums lose nothing when sampled: at most 12 rows, the last one the window's end.
      const step = Math.ceil(cum.ends.length / 12);
      const picked = cum.ends.map((_, i) => i).filter((i) => (cum.ends.length - 1 - i) % step === 0);
      const rows = picked.map((i) => ({ cells: [stampOf(snap)(cum.ends[i]), ...cum.lines.map((l) => t.money(l.values[i]))] }));
      out.push(
        ...section(
          `CUMULATIVE USD SINCE ${stampOf(snap)(snap.window.start)} UTC (window ${snap.window.name})`,
          cum.lines.length
            ? renderTable([{ title: 'UNTIL UTC' }, ...cum.lines.map((l) => ({ title: `${exchangeLabel(l.exchange)} ${l.side}`, align: 'right' as const }))], rows, t)
            : ['none'],
        ),
      );
      break;
    }
  }
  out.push(...section('FEEDS', [feedStatus(snap, t).line.trim()]));
  const notes = notesLines(snap, t);
  if (notes.length) out.push(...section('NOTES', notes));
  return `${out.join('\n')}\n`;
}
