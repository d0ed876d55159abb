// The --once frames: plain text, no escape codes, the same sections as the terminal panels.
import { type Snapshot, formatHm, formatUsd } from '../aggregator/index.js';
import { ALL } from '../core/keys.js';
import {
  type DashboardName,
  cumulativeSeries,
  exchangeLabel,
  exchangeTable,
  feedTable,
  headerText,
  horizonTable,
  largestLines,
  notesLines,
  rateLines,
  seriesTable,
  sideTable,
  statusSection,
  topTable,
} from './sections.js';
import { renderTable } from './table.js';

function section(title: string, lines: string[]): string[] {
  return ['', `${title}`, ...lines.map((l) => `  ${l}`)];
}

function notes(snap: Snapshot): string[] {
  const n = notesLines(snap, false);
  return n.length ? section('NOTES', n) : [];
}

function marketCents(snap: Snapshot): number | undefined {
  return snap.symbol === ALL ? snap.totals.valueCents : undefined;
}

export function renderPlain(name: DashboardName, snap: Snapshot): string {
  const out: string[] = [headerText(snap, name)];
  switch (name) {
    case 'simple':
      out.push(...section('USD BY EXCHANGE', exchangeTable(snap.totals, false)));
      break;
    case 'compact':
      out.push(...section('EXCHANGE × SIDE', sideTable(snap.totals, false)));
      out.push(...section(`TOP ${snap.top?.length ?? 0} SYMBOLS BY USD (all symbols)`, topTable(snap.top, marketCents(snap), false)));
      out.push(...section('RATE', rateLines(snap.minutes, false)));
      out.push(...section('LARGEST SINGLE LIQUIDATION', largestLines(snap, false)));
      break;
    case 'pro': {
      const series = seriesTable(snap.minutes, 24, false);
      out.push(...section(series.title.toUpperCase(), series.lines));
      out.push(
        ...section(
          'USD BY EXCHANGE',
          snap.totals.exchanges.length
            ? renderTable(
                [{ title: 'EXCHANGE' }, { title: 'USD', align: 'right' }],
                snap.totals.exchanges.map((e) => ({ cells: [exchangeLabel(e.exchange), formatUsd(e.valueCents)] })),
                false,
              )
            : ['none'],
        ),
      );
      out.push(...section(`TOP ${snap.top?.length ?? 0} SYMBOLS BY USD (all symbols)`, topTable(snap.top, marketCents(snap), false)));
      out.push(...section('LATEST LIQUIDATIONS (liq:events, largest marked ▶)', feedTable(snap.feed, false)));
      out.push(...section('FEED HEALTH', statusSection(snap.status, snap.at, false).lines));
      break;
    }
    case 'cumulative': {
      out.push(...section('TOTALS BY HORIZON', horizonTable(snap.horizons, false)));
      const cum = cumulativeSeries(snap, 12);
      const rows = cum.labels.map((label, i) => ({ cells: [label, ...cum.lines.map((l) => formatUsd(l.values[i]))] }));
      out.push(
        ...section(
          `CUMULATIVE USD SINCE ${formatHm(snap.window.start)} UTC (window ${snap.window.name})`,
          cum.lines.length
            ? renderTable(
                [{ title: 'UNTIL UTC' }, ...cum.lines.map((l) => ({ title: `${exchangeLabel(l.exchange)} ${l.side}`, align: 'right' as const }))],
                rows,
                false,
              )
            : ['none'],
        ),
      );
      break;
    }
  }
  out.push(...notes(snap));
  return `${out.join('\n')}\n`;
}
