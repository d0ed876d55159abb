// The tables of the dashboards built from a Snapshot, for the plain --once frames (PLAIN theme) and the panels.
import { ALL } from '../core/keys.js';
import {
  type ExchangeTotals,
  type Horizon,
  type Merged,
  type Snapshot,
  LOWER_BOUND_EXCHANGES,
  formatCount,
  formatDateHm,
  formatHm,
  formatHms,
  formatLongShort,
  formatMoney,
  formatShare,
  sortExchanges,
} from '../aggregator/index.js';
import { type Column, type Row, renderTable } from './table.js';
import type { Theme } from './theme.js';

export type DashboardName = 'simple' | 'compact' | 'pro' | 'cumulative';

/** Exchange name as shown: a '*' marks totals that are lower bounds (see the notes). */
export function exchangeLabel(ex: string): string {
  return Object.hasOwn(LOWER_BOUND_EXCHANGES, ex) ? `${ex}*` : ex;
}

function anyLowerBound(list: readonly ExchangeTotals[]): boolean {
  return list.some((e) => Object.hasOwn(LOWER_BOUND_EXCHANGES, e.exchange) && e.count > 0);
}

/** "all symbols", "BTCUSDT" or "coin BTC". */
export function scopeText(snap: Snapshot): string {
  if (snap.symbol !== ALL) return snap.symbol;
  return snap.filter.coin ? `coin ${snap.filter.coin}` : 'all symbols';
}

/** The filters beyond the symbol: "okx+bybit only", "lists ≥ $100k". */
export function filterParts(snap: Snapshot): string[] {
  const parts: string[] = [];
  if (snap.filter.exchanges?.length) parts.push(`${snap.filter.exchanges.join('+')} only`);
  if (snap.filter.minUsdCents) parts.push(`lists ≥ ${formatMoney(snap.filter.minUsdCents)}`);
  return parts;
}

const sameDay = (a: number, b: number) => new Date(a).toISOString().slice(0, 10) === new Date(b).toISOString().slice(0, 10);

/** The header's parts, most important first (a narrow screen keeps a prefix of them). */
export function headerParts(snap: Snapshot, name: DashboardName): string[] {
  const w = snap.window;
  const span = `${formatDateHm(w.start).replace(' UTC', '')} → ${sameDay(w.start, w.end) ? formatHm(w.end) : formatDateHm(w.end).replace(' UTC', '')} UTC`;
  const period = w.stepMinutes === 1 ? 'minute' : w.stepMinutes === 60 ? 'hour' : 'day';
  return [`liqd ${name}`, scopeText(snap), `last ${w.name}`, ...filterParts(snap), `as of ${formatHms(snap.at)} UTC`, `${span} (current ${period} in progress)`];
}

export function headerText(snap: Snapshot, name: DashboardName): string {
  return headerParts(snap, name).join(' | ');
}

function totalLabel(totals: Merged): string {
  return anyLowerBound(totals.exchanges) ? 'TOTAL*' : 'TOTAL';
}

/** simple: per exchange events, long, short, total, share and the L/S split; then the total row. */
export function exchangeTable(totals: Merged, t: Theme, width?: number, maxRows = Infinity, barWidth = 0): string[] {
  const bar = (e: ExchangeTotals) => ({
    text: '█'.repeat(totals.valueCents > 0 ? Math.round((e.valueCents / totals.valueCents) * barWidth) : 0),
    ink: t.exchange(e.exchange),
  });
  const shown = totals.exchanges.slice(0, fitRows(totals.exchanges.length, maxRows - 3));
  const rows: Row[] = shown.map((e) => ({
    cells: [
      { text: exchangeLabel(e.exchange), ink: t.exchange(e.exchange) },
      formatCount(e.count),
      { text: t.money(e.long.valueCents), ink: t.long },
      { text: t.money(e.short.valueCents), ink: t.short },
      t.money(e.valueCents),
      formatShare(e.valueCents, totals.valueCents),
      formatLongShort(e.long.valueCents, e.short.valueCents),
      bar(e),
    ],
  }));
  if (shown.length < totals.exchanges.length) rows.push(moreRow(totals.exchanges.length - shown.length, t));
  rows.push({
    ruleAbove: true,
    bold: true,
    cells: [
      totalLabel(totals),
      formatCount(totals.count),
      { text: t.money(totals.long.valueCents), ink: t.long },
      { text: t.money(totals.short.valueCents), ink: t.short },
      t.money(totals.valueCents),
      totals.valueCents > 0 ? '100.0%' : '-',
      formatLongShort(totals.long.valueCents, totals.short.valueCents),
    ],
  });
  const columns: Column[] = [
    { title: 'EXCHANGE', max: 20, min: 6 },
    { title: 'EVENTS', align: 'right', drop: 2 },
    { title: 'LONG', align: 'right' },
    { title: 'SHORT', align: 'right' },
    { title: 'TOTAL', align: 'right' },
    { title: 'SHARE', align: 'right' },
    { title: 'L/S', align: 'right', drop: 1 },
    ...(barWidth > 0 ? [{ title: '', drop: 3 }] : []),
  ];
  return renderTable(columns, rows, t, { width, gap: 3 });
}

/** How many of `n` rows fit in `room`, keeping one line for "+k more" when they do not all fit. */
export function fitRows(n: number, room: number): number {
  return n <= room ? n : Math.max(0, room - 1);
}

function moreRow(k: number, t: Theme): Row {
  return { cells: [{ text: `+${k} more`, ink: t.dim }] };
}

/** compact: exchange × side, events and USD of each side, total, share and the L/S split. */
export function sideTable(totals: Merged, t: Theme, width?: number, maxRows = Infinity): string[] {
  const line = (first: Row['cells'][number], x: Merged | ExchangeTotals): Row['cells'] => [
    first,
    formatCount(x.long.count),
    { text: t.money(x.long.valueCents), ink: t.long },
    formatCount(x.short.count),
    { text: t.money(x.short.valueCents), ink: t.short },
    formatCount(x.count),
    t.money(x.valueCents),
    formatShare(x.valueCents, totals.valueCents),
    formatLongShort(x.long.valueCents, x.short.valueCents),
  ];
  const shown = totals.exchanges.slice(0, fitRows(totals.exchanges.length, maxRows - 3));
  const rows: Row[] = shown.map((e) => ({ cells: line({ text: exchangeLabel(e.exchange), ink: t.exchange(e.exchange) }, e) }));
  if (shown.length < totals.exchanges.length) rows.push(moreRow(totals.exchanges.length - shown.length, t));
  rows.push({ ruleAbove: true, bold: true, cells: line(totalLabel(totals), totals) });
  return renderTable(
    [
      { title: 'EXCHANGE', max: 16, min: 6 },
      { title: 'LONG #', align: 'right', drop: 3 },
      { title: 'LONG', align: 'right' },
      { title: 'SHORT #', align: 'right', drop: 2 },
      { title: 'SHORT', align: 'right' },
      { title: 'TOTAL #', align: 'right', drop: 1 },
      { title: 'TOTAL', align: 'right' },
      { title: 'SHARE', align: 'right' },
      { title: 'L/S', align: 'right', drop: 0 },
    ],
    rows,
    t,
    { width },
  );
}

/**
 * Per exchange the totals of 1h, 4h, 12h and 24h side by side, then the TOTAL rows (never dropped). `bySide`: a
 * long and a short row per exchange; otherwise one row per exchange. Exchanges beyond `maxRows` become "+k more".
 */
export function horizonTable(horizons: readonly Horizon[] | null, t: Theme, opts: { width?: number; maxRows?: number; bySide?: boolean } = {}): string[] {
  if (!horizons) return [];
  const bySide = opts.bySide ?? true;
  const longest = horizons[horizons.length - 1].totals;
  const exchanges = sortExchanges(longest.exchanges).map((e) => e.exchange);
  const find = (h: Horizon, ex: string) => h.totals.exchanges.find((e) => e.exchange === ex);
  const totalRows = 4;
  const perExchange = bySide ? 2 : 1;
  const room = Math.floor(((opts.maxRows ?? Infinity) - 2 - totalRows) / perExchange);
  const shown = exchanges.slice(0, fitRows(exchanges.length, room));
  // The long/short split of the longest horizon, on each exchange's first row and on the TOTAL all row.
  const split = (t_: { long: { valueCents: number }; short: { valueCents: number } } | undefined) => (t_ ? formatLongShort(t_.long.valueCents, t_.short.valueCents) : '-');
  const rows: Row[] = [];
  for (const ex of shown) {
    const name = { text: exchangeLabel(ex), ink: t.exchange(ex) };
    const ls = split(find(horizons[horizons.length - 1], ex));
    if (!bySide) {
      rows.push({ cells: [name, 'all', ...horizons.map((h) => t.money(find(h, ex)?.valueCents ?? 0)), ls] });
      continue;
    }
    for (const side of ['long', 'short'] as const) {
      rows.push({ cells: [name, { text: side, ink: t.side(side) }, ...horizons.map((h) => t.money(find(h, ex)?.[side].valueCents ?? 0)), side === 'long' ? ls : ''] });
    }
  }
  if (shown.length < exchanges.length) rows.push(moreRow(exchanges.length - shown.length, t));
  const lb = totalLabel(longest);
  rows.push({ ruleAbove: true, bold: true, cells: [lb, { text: 'long', ink: t.long }, ...horizons.map((h) => t.money(h.totals.long.valueCents))] });
  rows.push({ bold: true, cells: [lb, { text: 'short', ink: t.short }, ...horizons.map((h) => t.money(h.totals.short.valueCents))] });
  rows.push({ bold: true, cells: [lb, 'all', ...horizons.map((h) => t.money(h.totals.valueCents)), split(longest)] });
  rows.push({ cells: ['', 'events', ...horizons.map((h) => formatCount(h.totals.count))] });
  return renderTable(
    [
      { title: 'EXCHANGE', max: 16, min: 6 },
      { title: 'SIDE' },
      ...horizons.map((h) => ({ title: `LAST ${h.name}`, align: 'right' as const })),
      { title: `L/S ${horizons[horizons.length - 1].name}`, align: 'right', drop: 1 },
    ],
    rows,
    t,
    { width: opts.width, gap: 3 },
  );
}

export function notesLines(snap: Snapshot, t: Theme): string[] {
  return snap.notes.map((n) => {
    const ink = n.startsWith('feeds down') ? t.warn : n.startsWith('no ') ? t.accent : t.dim;
    const mark = Object.values(LOWER_BOUND_EXCHANGES).includes(n) ? '* ' : '';
    return t.paint(`${mark}${n}`, ink);
  });
}
