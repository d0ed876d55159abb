// The text sections of the dashboards, built from a Snapshot: used by the plain --once frames and by the panels.
import { ALL } from '../core/keys.js';
import {
  type Bucket,
  type ExchangeTotals,
  type FeedEntry,
  type Horizon,
  type InstanceStatus,
  type Liquidation,
  type Merged,
  type Snapshot,
  type SymbolValue,
  LONG_COLOR,
  LOWER_BOUND_EXCHANGES,
  SHORT_COLOR,
  exchangeColor,
  feedHealth,
  formatAge,
  formatCount,
  formatDateHm,
  formatHm,
  formatHms,
  formatShare,
  formatUsd,
  sortExchanges,
} from '../aggregator/index.js';
import { type Row, bold, colored, renderTable } from './table.js';

export type DashboardName = 'simple' | 'compact' | 'pro' | 'cumulative';

const SIDE_COLOR: Record<string, string> = { long: LONG_COLOR.hex, short: SHORT_COLOR.hex };

/** Exchange name as shown: a '*' marks totals that are lower bounds (see the notes). */
export function exchangeLabel(ex: string): string {
  return Object.hasOwn(LOWER_BOUND_EXCHANGES, ex) ? `${ex}*` : ex;
}

function anyLowerBound(list: readonly ExchangeTotals[]): boolean {
  return list.some((e) => Object.hasOwn(LOWER_BOUND_EXCHANGES, e.exchange) && e.count > 0);
}

const sameDay = (a: number, b: number) => new Date(a).toISOString().slice(0, 10) === new Date(b).toISOString().slice(0, 10);

export function headerText(snap: Snapshot, name: DashboardName): string {
  const w = snap.window;
  return (
    `liqd ${name} | ${snap.symbol === ALL ? 'all symbols' : snap.symbol} | last ${w.name}: ` +
    `${formatDateHm(w.start).replace(' UTC', '')} → ${sameDay(w.start, w.end) ? formatHm(w.end) : formatDateHm(w.end).replace(' UTC', '')} UTC ` +
    `(current minute in progress) | as of ${formatHms(snap.at)} UTC`
  );
}

/** simple: per exchange events, long USD, short USD, total USD, share; then the total row. */
export function exchangeTable(totals: Merged, tags: boolean, barWidth = 0): string[] {
  const bar = (cents: number, color: string | undefined) => ({
    text: '█'.repeat(totals.valueCents > 0 ? Math.round((cents / totals.valueCents) * barWidth) : 0),
    color,
  });
  const rows: Row[] = totals.exchanges.map((e) => ({
    cells: [
      { text: exchangeLabel(e.exchange), color: exchangeColor(e.exchange).hex },
      formatCount(e.count),
      { text: formatUsd(e.long.valueCents), color: SIDE_COLOR.long },
      { text: formatUsd(e.short.valueCents), color: SIDE_COLOR.short },
      formatUsd(e.valueCents),
      formatShare(e.valueCents, totals.valueCents),
      bar(e.valueCents, exchangeColor(e.exchange).hex),
    ],
  }));
  rows.push({
    ruleAbove: true,
    bold: true,
    cells: [
      anyLowerBound(totals.exchanges) ? 'TOTAL*' : 'TOTAL',
      formatCount(totals.count),
      { text: formatUsd(totals.long.valueCents), color: SIDE_COLOR.long },
      { text: formatUsd(totals.short.valueCents), color: SIDE_COLOR.short },
      formatUsd(totals.valueCents),
      totals.valueCents > 0 ? '100.0%' : '-',
    ],
  });
  return renderTable(
    [
      { title: 'EXCHANGE', max: 20 },
      { title: 'EVENTS', align: 'right' },
      { title: 'LONG USD', align: 'right' },
      { title: 'SHORT USD', align: 'right' },
      { title: 'TOTAL USD', align: 'right' },
      { title: 'SHARE', align: 'right' },
      ...(barWidth > 0 ? [{ title: '' }] : []),
    ],
    rows,
    tags,
    3,
  );
}

/** compact: exchange × side, events and USD of each side. */
export function sideTable(totals: Merged, tags: boolean): string[] {
  const line = (label: string, color: string | undefined, t: Merged | ExchangeTotals): (string | { text: string; color?: string })[] => [
    { text: label, color },
    formatCount(t.long.count),
    { text: formatUsd(t.long.valueCents), color: SIDE_COLOR.long },
    formatCount(t.short.count),
    { text: formatUsd(t.short.valueCents), color: SIDE_COLOR.short },
    formatCount(t.count),
    formatUsd(t.valueCents),
    formatShare(t.valueCents, totals.valueCents),
  ];
  const rows: Row[] = totals.exchanges.map((e) => ({ cells: line(exchangeLabel(e.exchange), exchangeColor(e.exchange).hex, e) }));
  rows.push({ ruleAbove: true, bold: true, cells: line(anyLowerBound(totals.exchanges) ? 'TOTAL*' : 'TOTAL', undefined, totals) });
  return renderTable(
    [
      { title: 'EXCHANGE', max: 16 },
      { title: 'LONG #', align: 'right' },
      { title: 'LONG USD', align: 'right' },
      { title: 'SHORT #', align: 'right' },
      { title: 'SHORT USD', align: 'right' },
      { title: 'TOTAL #', align: 'right' },
      { title: 'TOTAL USD', align: 'right' },
      { title: 'SHARE', align: 'right' },
    ],
    rows,
    tags,
  );
}

/** Top symbols by USD in the window (market-wide index). */
export function topTable(top: readonly SymbolValue[] | null, marketCents: number | undefined, tags: boolean): string[] {
  if (!top || top.length === 0) return [colored('no symbols in this window', 'gray', tags)];
  const rows: Row[] = top.map((t, i) => ({
    cells: [String(i + 1), t.symbol, formatUsd(t.valueCents), marketCents ? formatShare(t.valueCents, marketCents) : ''],
  }));
  return renderTable(
    [
      { title: '#', align: 'right' },
      { title: 'SYMBOL', max: 24 },
      { title: 'USD', align: 'right' },
      { title: marketCents ? 'SHARE' : '', align: 'right' },
    ],
    rows,
    tags,
  );
}

/** The last complete minute and the minute in progress. */
export function rateLines(minutes: readonly Bucket[], tags: boolean): string[] {
  const cur = minutes[minutes.length - 1];
  const prev = minutes.length > 1 ? minutes[minutes.length - 2] : undefined;
  const out: string[] = [];
  if (prev) {
    out.push(
      `${bold(`last minute ${formatHm(prev.start)} UTC:`, tags)} ${bold(`${formatUsd(prev.valueCents)}/min`, tags)} in ${formatCount(prev.count)} liquidations` +
        ` (long ${colored(formatUsd(prev.long.valueCents), SIDE_COLOR.long, tags)}, short ${colored(formatUsd(prev.short.valueCents), SIDE_COLOR.short, tags)})`,
    );
  }
  if (cur) {
    out.push(`this minute so far (${formatHm(cur.start)} UTC): ${formatUsd(cur.valueCents)} in ${formatCount(cur.count)} liquidations`);
  }
  return out;
}

export function liquidationText(l: Liquidation, tags: boolean): string {
  return (
    `${bold(formatUsd(l.valueCents), tags)}  ${colored(exchangeLabel(l.exchange), exchangeColor(l.exchange).hex, tags)}  ${colored(l.symbol, undefined, tags)}  ` +
    `${colored(l.side, SIDE_COLOR[l.side], tags)}  ${colored(`${l.quantity} @ ${l.price}`, undefined, tags)}  at ${formatHms(l.ts)} UTC`
  );
}

export function largestLines(snap: Snapshot, tags: boolean, detailed = false): string[] {
  const l = snap.largest;
  if (l && detailed) {
    return [
      `${bold(formatUsd(l.valueCents), tags)}  ${colored(l.side, SIDE_COLOR[l.side], tags)} liquidated  ${bold(l.symbol, tags)} on ${colored(exchangeLabel(l.exchange), exchangeColor(l.exchange).hex, tags)}`,
      `${colored(`${l.quantity} @ ${l.price}`, undefined, tags)}  at ${formatHms(l.ts)} UTC (${formatAge(snap.at - l.ts)} ago)`,
    ];
  }
  if (l) return [liquidationText(l, tags)];
  if (snap.symbol !== ALL) return [colored(`no ${snap.symbol} liquidation among each minute's largest`, 'gray', tags)];
  return [colored('none in this window', 'gray', tags)];
}

/** Latest liquidations, newest first; the largest of the list is highlighted. */
export function feedTable(feed: readonly FeedEntry[] | null, tags: boolean): string[] {
  if (!feed || feed.length === 0) return [colored('no liquidations in liq:events yet', 'gray', tags)];
  let maxIdx = 0;
  feed.forEach((f, i) => {
    if (f.valueCents > feed[maxIdx].valueCents) maxIdx = i;
  });
  const rows: Row[] = feed.map((f, i) => ({
    highlight: i === maxIdx ? true : undefined,
    cells: [
      i === maxIdx && !tags ? `${formatHms(f.ts)} ▶` : formatHms(f.ts),
      { text: exchangeLabel(f.exchange), color: exchangeColor(f.exchange).hex },
      f.symbol,
      { text: f.side, color: SIDE_COLOR[f.side] },
      f.price,
      f.quantity,
      formatUsd(f.valueCents),
    ],
  }));
  return renderTable(
    [
      { title: 'TIME UTC' },
      { title: 'EXCHANGE', max: 12 },
      { title: 'SYMBOL', max: 18 },
      { title: 'SIDE' },
      { title: 'PRICE', align: 'right', max: 14 },
      { title: 'QTY', align: 'right', max: 14 },
      { title: 'USD', align: 'right' },
    ],
    rows,
    tags,
  );
}

export interface StatusSummary {
  readonly lines: string[];
  readonly down: string[];
  readonly noDaemon: boolean;
}

/** Feed health: every stream's state and last message age; down streams on a red background. */
export function statusSection(status: readonly InstanceStatus[] | null, now: number, tags: boolean): StatusSummary {
  const list = feedHealth(status ?? [], now);
  if (list.length === 0) {
    return {
      lines: [colored('NO FEED STATUS: no daemon has reported in the last minute — is it running? npm start', 'red', tags)],
      down: [],
      noDaemon: true,
    };
  }
  const multi = new Set(list.map((h) => h.instance)).size > 1;
  const rows: Row[] = list.map((h) => ({
    highlight: h.health === 'down' ? 'red' : undefined,
    cells: [
      h.health === 'down' ? '✖' : h.health === 'warn' ? '!' : '✓',
      { text: h.status.connection, color: exchangeColor(h.status.exchange).hex },
      { text: h.verdict, color: h.health === 'ok' ? 'green' : 'yellow' },
      h.messageAge === null ? 'none yet' : `${formatAge(h.messageAge)} ago`,
      String(h.status.topics),
      String(h.status.reconnects),
      ...(multi ? [h.instance] : []),
    ],
  }));
  const lines = renderTable(
    [
      { title: '' },
      { title: 'STREAM', max: 22 },
      { title: 'STATE', max: 22 },
      { title: 'LAST MESSAGE', align: 'right' },
      { title: 'TOPICS', align: 'right' },
      { title: 'RECONNECTS', align: 'right' },
      ...(multi ? [{ title: 'INSTANCE', max: 24 }] : []),
    ],
    rows,
    tags,
  );
  return { lines, down: list.filter((h) => h.health === 'down').map((h) => h.status.connection), noDaemon: false };
}

/** Minutes grouped so that a series has at most `maxPoints` points. */
export function binMinutes(minutes: readonly Bucket[], maxPoints: number): { size: number; bins: { start: number; items: Bucket[] }[] } {
  const size = Math.max(1, Math.ceil(minutes.length / maxPoints));
  const bins: { start: number; items: Bucket[] }[] = [];
  // Align bins to the end so the last bin holds the most recent minutes.
  const first = minutes.length % size === 0 ? 0 : (minutes.length % size) - size;
  for (let i = first; i < minutes.length; i += size) {
    const items = minutes.slice(Math.max(0, i), i + size);
    if (items.length) bins.push({ start: items[0].start, items });
  }
  return { size, bins };
}

export function perMinuteLabel(size: number): string {
  return size === 1 ? 'per minute' : `per ${size} minutes`;
}

/** Long/short USD over the window, binned: the plain form of the pro line chart. */
export function seriesTable(minutes: readonly Bucket[], maxRows: number, tags: boolean): { title: string; lines: string[] } {
  const { size, bins } = binMinutes(minutes, maxRows);
  const rows: Row[] = bins.map((b) => {
    let l = 0;
    let s = 0;
    let n = 0;
    for (const m of b.items) {
      l += m.long.valueCents;
      s += m.short.valueCents;
      n += m.count;
    }
    return { cells: [formatHm(b.start), { text: formatUsd(l), color: SIDE_COLOR.long }, { text: formatUsd(s), color: SIDE_COLOR.short }, formatCount(n)] };
  });
  return {
    title: `USD ${perMinuteLabel(size)} (long / short)`,
    lines: renderTable(
      [{ title: 'FROM UTC' }, { title: 'LONG USD', align: 'right' }, { title: 'SHORT USD', align: 'right' }, { title: 'EVENTS', align: 'right' }],
      rows,
      tags,
    ),
  };
}

/** Per exchange and side, the totals of 1h, 4h, 12h and 24h side by side. */
export function horizonTable(horizons: readonly Horizon[] | null, tags: boolean): string[] {
  if (!horizons) return [];
  const longest = horizons[horizons.length - 1].totals;
  const exchanges = sortExchanges(longest.exchanges).map((e) => e.exchange);
  const rows: Row[] = [];
  const find = (h: Horizon, ex: string) => h.totals.exchanges.find((e) => e.exchange === ex);
  for (const ex of exchanges) {
    for (const side of ['long', 'short'] as const) {
      rows.push({
        cells: [
          { text: exchangeLabel(ex), color: exchangeColor(ex).hex },
          { text: side, color: SIDE_COLOR[side] },
          ...horizons.map((h) => formatUsd(find(h, ex)?.[side].valueCents ?? 0)),
        ],
      });
    }
  }
  const lb = anyLowerBound(longest.exchanges) ? 'TOTAL*' : 'TOTAL';
  rows.push({ ruleAbove: true, bold: true, cells: [lb, { text: 'long', color: SIDE_COLOR.long }, ...horizons.map((h) => formatUsd(h.totals.long.valueCents))] });
  rows.push({ bold: true, cells: [lb, { text: 'short', color: SIDE_COLOR.short }, ...horizons.map((h) => formatUsd(h.totals.short.valueCents))] });
  rows.push({ bold: true, cells: [lb, 'all', ...horizons.map((h) => formatUsd(h.totals.valueCents))] });
  rows.push({ cells: ['', 'events', ...horizons.map((h) => formatCount(h.totals.count))] });
  return renderTable(
    [{ title: 'EXCHANGE', max: 16 }, { title: 'SIDE' }, ...horizons.map((h) => ({ title: `LAST ${h.name}`, align: 'right' as const }))],
    rows,
    tags,
    3,
  );
}

export interface CumulativeLine {
  readonly exchange: string;
  readonly side: 'long' | 'short';
  /** Cumulative cents at the end of each point. */
  readonly values: number[];
}

/** Cumulative USD since the window's start, per exchange and side, sampled at the end of each bin. */
export function cumulativeSeries(snap: Snapshot, maxPoints: number): { labels: string[]; ends: number[]; lines: CumulativeLine[] } {
  const { bins } = binMinutes(snap.minutes, maxPoints);
  const exchanges = snap.totals.exchanges.map((e) => e.exchange);
  const lines: CumulativeLine[] = [];
  for (const ex of exchanges) {
    for (const side of ['long', 'short'] as const) {
      let acc = 0;
      const values: number[] = [];
      for (const b of bins) {
        for (const m of b.items) acc += m.exchanges.get(ex)?.[side].valueCents ?? 0;
        values.push(acc);
      }
      lines.push({ exchange: ex, side, values });
    }
  }
  const ends = bins.map((b) => b.items[b.items.length - 1].start + 60_000);
  return { labels: ends.map((t) => formatHm(t)), ends, lines };
}

export function notesLines(snap: Snapshot, tags: boolean): string[] {
  return snap.notes.map((n) => {
    const color = n.startsWith('feeds down') ? 'yellow' : n.startsWith('no liquidations') ? 'cyan' : 'gray';
    const mark = Object.values(LOWER_BOUND_EXCHANGES).includes(n) ? '* ' : '';
    return colored(`${mark}${n}`, color, tags);
  });
}
