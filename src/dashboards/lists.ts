// Lists and series of a Snapshot: top symbols or coins, largest liquidations, the live feed, feed health, the rate
// and the per-bin series behind the charts and sparklines.
import {
  alertLine,
  clip,
  type Bucket,
  type InstanceStatus,
  type Liquidation,
  type Snapshot,
  type SymbolValue,
  LOWER_BOUND_EXCHANGES,
  displayWidth,
  feedHealth,
  formatAge,
  formatCount,
  formatDateHm,
  formatHm,
  formatHms,
  formatLongShort,
  formatShare,
  perMinutesLabel,
} from '../aggregator/index.js';
import { lineChart, sparkline } from './chart.js';
import { exchangeLabel, fitRows } from './sections.js';
import { type Row, renderTable } from './table.js';
import type { Ink, Theme } from './theme.js';

/** What the top list's shares are of: the frame's total, unless the list is market-wide and the frame one symbol. */
export function topShareBase(snap: Snapshot): number | undefined {
  return snap.symbol === 'ALL' ? snap.totals.valueCents : undefined;
}

/** Top symbols (or coins) by USD in the window. */
export function topTable(top: readonly SymbolValue[] | null, marketCents: number | undefined, t: Theme, group: string, width?: number, maxRows = Infinity): string[] {
  if (!top || top.length === 0) return [t.paint(`no ${group === 'coin' ? 'coins' : 'symbols'} in this window`, t.dim)];
  const rows: Row[] = top.slice(0, Math.max(1, maxRows - 1)).map((x, i) => ({
    cells: [String(i + 1), x.symbol, t.money(x.valueCents), marketCents ? formatShare(x.valueCents, marketCents) : ''],
  }));
  return renderTable(
    [
      { title: '#', align: 'right' },
      { title: group === 'coin' ? 'COIN' : 'SYMBOL', max: 24, min: 6 },
      { title: 'USD', align: 'right' },
      { title: marketCents ? 'SHARE' : '', align: 'right', drop: 1 },
    ],
    rows,
    t,
    { width },
  );
}

/** Single liquidations (largest list or live feed): time, exchange, symbol, side, price, quantity, USD. */
function liquidationTable(list: readonly Liquidation[], t: Theme, width: number | undefined, highlight: number, marker: boolean, dated = false): string[] {
  // over days (7d and more) the date comes first: 11-29 21:32
  const when = (ts: number) => (dated ? formatDateHm(ts).slice(5, 16) : formatHms(ts));
  const rows: Row[] = list.map((l, i) => ({
    highlight: i === highlight && t.tags ? true : undefined,
    cells: [
      marker && i === highlight ? `${when(l.ts)} ▶` : when(l.ts),
      { text: exchangeLabel(l.exchange), ink: t.exchange(l.exchange) },
      l.symbol,
      { text: l.side, ink: t.side(l.side) },
      l.price,
      l.quantity,
      t.money(l.valueCents),
    ],
  }));
  return renderTable(
    [
      { title: 'TIME UTC' },
      { title: 'EXCHANGE', max: 12, min: 5 },
      { title: 'SYMBOL', max: 18, min: 6 },
      { title: 'SIDE' },
      { title: 'PRICE', align: 'right', max: 14, drop: 2 },
      { title: 'QTY', align: 'right', max: 14, drop: 1 },
      { title: 'USD', align: 'right' },
    ],
    rows,
    t,
    { width },
  );
}

/** The window's largest liquidations, largest first. */
export function largestTable(snap: Snapshot, t: Theme, width?: number, maxRows = Infinity): string[] {
  const list = snap.largest ?? [];
  if (list.length === 0) return [t.paint('no liquidation in this window passes the filters', t.dim)];
  return liquidationTable(list.slice(0, Math.max(1, maxRows - 1)), t, width, -1, false, snap.stepMinutes > 1);
}

/** The latest alerts (liq:alerts), newest first, one line each: when, what, how much. */
export function alertsTable(snap: Snapshot, t: Theme, width = Infinity, maxRows = Infinity): string[] {
  const list = (snap.alerts ?? []).slice(0, Math.max(1, maxRows));
  if (list.length === 0) return [t.paint('no alerts (ALERT_MIN_USD, ALERT_MINUTE_USD on the daemon)', t.dim)];
  return list.map((a) => {
    // alertLine starts with the HH:MM of the liquidation or minute: the date goes before it
    const line = `${formatDateHm(a.ts ?? a.minute ?? a.at).slice(5, 10)} ${alertLine(a)}`;
    const clipped = width === Infinity ? line : clip(line, width);
    return a.kind === 'liquidation' ? t.paint(clipped, t.side(a.side ?? '')) : t.paint(clipped, t.accent);
  });
}

/** Latest liquidations, newest first; the largest of those shown is highlighted (marked ▶ in plain text). */
export function feedTable(snap: Snapshot, t: Theme, width?: number, maxRows = Infinity): string[] {
  const feed = (snap.feed ?? []).slice(0, Math.max(1, maxRows - 1));
  if (feed.length === 0) return [t.paint('no liquidations in liq:events yet', t.dim)];
  let maxIdx = 0;
  feed.forEach((f, i) => {
    if (f.valueCents > feed[maxIdx].valueCents) maxIdx = i;
  });
  return liquidationTable(feed, t, width, maxIdx, !t.tags);
}

/** Feed health: every stream's state and last message age; down streams on the alert background. */
export function healthTable(status: readonly InstanceStatus[] | null, now: number, t: Theme, width?: number, maxRows = Infinity): string[] {
  // Streams that are down first, then warnings: a short panel still shows what matters.
  const rank = { down: 0, warn: 1, ok: 2 } as const;
  const list = feedHealth(status ?? [], now).sort((a, b) => rank[a.health] - rank[b.health]);
  if (list.length === 0) return [t.paint('NO FEED STATUS: no daemon has reported in the last minute — is it running? npm start', t.alert)];
  const multi = new Set(list.map((h) => h.instance)).size > 1;
  const shown = list.slice(0, fitRows(list.length, maxRows - 1));
  const rows: Row[] = shown.map((h) => ({
    highlight: h.health === 'down' && t.tags ? t.alert : undefined,
    cells: [
      h.health === 'down' ? t.glyphs.down : h.health === 'warn' ? '!' : t.glyphs.ok,
      { text: h.status.connection, ink: t.exchange(h.status.exchange) },
      { text: h.verdict, ink: h.health === 'ok' ? t.ok : t.warn },
      h.messageAge === null ? 'none yet' : `${formatAge(h.messageAge)} ago`,
      String(h.status.topics),
      String(h.status.reconnects),
      ...(multi ? [h.instance] : []),
    ],
  }));
  if (shown.length < list.length) rows.push({ cells: ['', { text: `+${list.length - shown.length} more`, ink: t.dim }] });
  return renderTable(
    [
      { title: '' },
      { title: 'STREAM', max: 22, min: 8 },
      { title: 'STATE', max: 22, min: 6 },
      { title: 'LAST MESSAGE', align: 'right', drop: 2 },
      { title: 'TOPICS', align: 'right', drop: 3 },
      { title: 'RECONNECTS', align: 'right', drop: 4 },
      ...(multi ? [{ title: 'INSTANCE', max: 24, drop: 5 }] : []),
    ],
    rows,
    t,
    { width },
  );
}

export interface FeedStatus {
  /** One line: streams open / total, which are down, the lower-bound mark. */
  readonly line: string;
  readonly down: string[];
  readonly noDaemon: boolean;
}

/** The feed status line every dashboard shows, fitted to `width`: down streams named while they fit, then counted. */
export function feedStatus(snap: Snapshot, t: Theme, width = Infinity): FeedStatus {
  const list = feedHealth(snap.status ?? [], snap.at);
  // Marked only where the frame counts them (an --exchange filter may leave Binance out).
  const counted = new Set([...snap.totals.exchanges, ...(snap.horizons ?? []).flatMap((h) => h.totals.exchanges)].map((e) => e.exchange));
  const lower = [...counted].filter((e) => Object.hasOwn(LOWER_BOUND_EXCHANGES, e));
  const down = list.filter((h) => h.health === 'down');
  const open = list.filter((h) => h.status.state === 'open').length;
  const named = down.map((h) => `${h.status.connection} (${h.verdict.replace(/^DOWN: /, '')})`);
  const downTexts = [
    `DOWN: ${named.join(', ')}`,
    `DOWN: ${down.map((h) => h.status.connection).join(', ')}`,
    ...(down.length > 1 ? [`DOWN: ${down[0].status.connection} +${down.length - 1} more`] : []),
    `${down.length} DOWN`,
  ];
  const lowerText = lower.length ? `${lower.map((e) => `${e}*`).join(', ')} = lower bound` : '';
  // On screen an alert is a block of colour; a space each side keeps its text off the block's edge.
  const block = (text: string) => (t.tags ? ` ${text} ` : text);
  const render = (downText: string, withLower: boolean): [string, string] => {
    const parts: [string, Ink | undefined][] = [];
    if (list.length === 0) parts.push([block('feeds: NO STATUS — no daemon reported in the last minute (npm start?)'), t.alert]);
    else {
      parts.push([`feeds ${open}/${list.length} open`, down.length ? t.warn : t.ok]);
      if (down.length) parts.push([block(downText), t.alert]);
    }
    if (withLower && lowerText) parts.push([lowerText, t.dim]);
    return [parts.map(([x]) => x).join(' · '), parts.map(([x, ink]) => t.paint(x, ink)).join(t.paint(' · ', t.dim))];
  };
  let line = render(downTexts[downTexts.length - 1], false)[1];
  search: for (const withLower of [true, false]) {
    for (const d of downTexts) {
      const [plain, painted] = render(d, withLower);
      if (displayWidth(plain) <= width) {
        line = painted;
        break search;
      }
    }
  }
  return { line, down: down.map((h) => h.status.connection), noDaemon: list.length === 0 };
}

/** Sums of the window's minutes in bins of `size` minutes, aligned to the end (the last bin holds the latest). */
export function bins(minutes: readonly Bucket[], size: number): { start: number; items: Bucket[] }[] {
  const out: { start: number; items: Bucket[] }[] = [];
  const first = minutes.length % size === 0 ? 0 : (minutes.length % size) - size;
  for (let i = first; i < minutes.length; i += size) {
    const items = minutes.slice(Math.max(0, i), i + size);
    if (items.length) out.push({ start: items[0].start, items });
  }
  return out;
}

export function sumOf(items: readonly Bucket[], side?: 'long' | 'short'): number {
  let s = 0;
  for (const m of items) s += side ? m[side].valueCents : m.valueCents;
  return s;
}

/** A time as the window's series shows it: HH:MM, or the date too over days (7d and more). */
export function stampOf(snap: Snapshot): (ts: number) => string {
  return snap.stepMinutes === 1 ? formatHm : (ts) => formatDateHm(ts).slice(5, 16);
}

/** The series' bins: binMinutes of the window, in periods of stepMinutes (minutes, or hours or days of the rollups). */
export function binsOf(snap: Snapshot): { start: number; items: Bucket[] }[] {
  return bins(snap.minutes, Math.max(1, Math.round(snap.binMinutes / snap.stepMinutes)));
}

/** The rate: the last complete minute, the minute in progress, and a sparkline of USD per bin over the window. */
export function rateLines(snap: Snapshot, t: Theme, width = Infinity): string[] {
  const m = snap.recent;
  const cur = m[m.length - 1];
  const prev = m.length > 1 ? m[m.length - 2] : undefined;
  const out: string[] = [];
  if (prev) {
    out.push(
      `${t.paint(`last minute ${formatHm(prev.start)} UTC:`, t.title)} ${t.paint(`${t.money(prev.valueCents)}/min`, t.title)} in ${formatCount(prev.count)} liquidations` +
        ` · L/S ${formatLongShort(prev.long.valueCents, prev.short.valueCents)}`,
    );
  }
  if (cur) out.push(`this minute so far (${formatHm(cur.start)} UTC): ${t.money(cur.valueCents)} in ${formatCount(cur.count)} liquidations`);
  const b = binsOf(snap);
  const values = b.map((x) => sumOf(x.items));
  const stamp = stampOf(snap);
  const label = `USD ${perMinutesLabel(snap.binMinutes)}, ${stamp(b[0]?.start ?? snap.window.start)}–${stamp(snap.window.end)}: `;
  const peak = ` peak ${t.money(Math.max(0, ...values))}`;
  if (label.length + values.length + peak.length <= width) out.push(`${t.paint(label, t.dim)}${sparkline(values, t, t.accent)}${t.paint(peak, t.dim)}`);
  else out.push(`${sparkline(values.slice(-Math.max(1, width - peak.length)), t, t.accent)}${t.paint(peak, t.dim)}`);
  return out;
}

/** Long and short USD per bin as a braille chart `height` rows tall (the last row the key), for tall screens. */
export function sidesChart(snap: Snapshot, t: Theme, width: number, height: number): string[] {
  const b = binsOf(snap);
  const series = [
    { values: b.map((x) => sumOf(x.items, 'short')), ink: t.short },
    { values: b.map((x) => sumOf(x.items, 'long')), ink: t.long },
  ];
  const key = `${t.paint(`${t.glyphs.line} long liquidated`, t.long)}  ${t.paint(`${t.glyphs.line} short liquidated`, t.short)}  ${t.paint(`USD ${perMinutesLabel(snap.binMinutes)}`, t.dim)}`;
  return [...lineChart(series, b.map((x) => x.start), width, height - 1, t), key];
}

/** Long/short USD over the window per bin: the plain form of the pro chart. */
export function seriesTable(snap: Snapshot, t: Theme): { title: string; lines: string[] } {
  const rows: Row[] = binsOf(snap).map((b) => ({
    cells: [
      snap.stepMinutes === 1 ? formatHm(b.start) : formatDateHm(b.start).replace(' UTC', ''),
      { text: t.money(sumOf(b.items, 'long')), ink: t.long },
      { text: t.money(sumOf(b.items, 'short')), ink: t.short },
      formatCount(b.items.reduce((a, x) => a + x.count, 0)),
    ],
  }));
  return {
    title: `USD ${perMinutesLabel(snap.binMinutes)} (long / short)`,
    lines: renderTable([{ title: 'FROM UTC' }, { title: 'LONG', align: 'right' }, { title: 'SHORT', align: 'right' }, { title: 'EVENTS', align: 'right' }], rows, t),
  };
}

export interface CumulativeLine {
  readonly exchange: string;
  readonly side: 'long' | 'short';
  /** Cumulative cents at the end of each bin. */
  readonly values: number[];
}

/** Cumulative USD since the window's start, per exchange and side, at the end of each bin. */
export function cumulativeSeries(snap: Snapshot): { starts: number[]; ends: number[]; lines: CumulativeLine[] } {
  const b = binsOf(snap);
  const lines: CumulativeLine[] = [];
  for (const ex of snap.totals.exchanges.map((e) => e.exchange)) {
    for (const side of ['long', 'short'] as const) {
      let acc = 0;
      const values = b.map((x) => {
        for (const m of x.items) acc += m.exchanges.get(ex)?.[side].valueCents ?? 0;
        return acc;
      });
      lines.push({ exchange: ex, side, values });
    }
  }
  return { starts: b.map((x) => x.start), ends: b.map((x) => x.items[x.items.length - 1].start + snap.stepMinutes * 60_000), lines };
}
