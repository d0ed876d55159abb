// Building blocks of the screens: rectangles for the layouts, bordered panels whose titles always fit on their
// border line, and the per-exchange bars.
import blessed from 'blessed';
import { type Merged, displayWidth, formatLongShort } from '../aggregator/index.js';
import { clip } from '../aggregator/sanitize.js';
import { exchangeLabel } from './sections.js';
import type { Theme } from './theme.js';

export type Box = blessed.Widgets.BoxElement;

export interface Rect {
  readonly top: number;
  readonly left: number;
  readonly width: number;
  readonly height: number;
}

/** Splits a rectangle into rows: each gets its `min`, then the rest goes to them in order up to `want`. */
export function rows(r: Rect, parts: readonly { min: number; want: number }[]): Rect[] {
  const heights = parts.map((p) => p.min);
  let left = r.height - heights.reduce((a, b) => a + b, 0);
  parts.forEach((p, i) => {
    const add = Math.max(0, Math.min(left, p.want - p.min));
    heights[i] += add;
    left -= add;
  });
  heights[heights.length - 1] += Math.max(0, left);
  let top = r.top;
  return heights.map((h) => {
    const out = { top, left: r.left, width: r.width, height: h };
    top += h;
    return out;
  });
}

/** Splits a rectangle into columns of the given widths; the last takes what is left. */
export function cols(r: Rect, widths: readonly number[]): Rect[] {
  let left = r.left;
  return widths.map((w, i) => {
    const width = i === widths.length - 1 ? r.left + r.width - left : w;
    const out = { top: r.top, left, width, height: r.height };
    left += width;
    return out;
  });
}

/** Inner size of a bordered panel with one column of padding each side. */
export function inner(r: Rect): { width: number; height: number } {
  return { width: Math.max(1, r.width - 4), height: Math.max(0, r.height - 2) };
}

export function panel(parent: Box, r: Rect, t: Theme): Box {
  return blessed.box({
    parent,
    top: r.top,
    left: r.left,
    width: r.width,
    height: r.height,
    tags: true,
    wrap: false,
    border: { type: 'line' },
    padding: { left: 1, right: 1 },
    style: { border: { fg: t.border }, label: { bold: true } },
  });
}

/**
 * Sets a panel's title on its border: the main title and as many of the details as fit, never wider than the
 * border (a longer label would wrap into the panel and overwrite its first row).
 */
export function setTitle(box: Box, main: string, ...details: string[]): void {
  const room = (box.width as number) - 6;
  let text = main;
  for (const d of details) {
    if (displayWidth(`${text} · ${d}`) > room) break;
    text = `${text} · ${d}`;
  }
  box.setLabel(` ${clip(text, Math.max(1, room))} `.replace(/[{}]/g, ''));
}

/** Fills a panel with lines (already tagged); lines beyond its height are dropped. */
export function fill(box: Box, lines: readonly string[]): void {
  box.setContent(lines.slice(0, Math.max(0, (box.height as number) - 2)).join('\n'));
}

/**
 * One line per exchange: its bar (long part, then short part), total and L/S split; with room, long/short USD under
 * each; then the line of all exchanges.
 */
export function exchangeBars(totals: Merged, t: Theme, width: number, height: number): string[] {
  if (totals.exchanges.length === 0) return [t.paint('no liquidations in this window', t.dim)];
  const n = totals.exchanges.length;
  const room = Math.max(1, height - 1);
  const perExchange = room >= n * 2 ? 2 : 1;
  const list = totals.exchanges.slice(0, n * perExchange <= room ? n : Math.max(1, room - 1));
  const names = [...list.map((e) => exchangeLabel(e.exchange)), 'all'];
  const nameW = Math.max(...names.map((x) => displayWidth(x)));
  const amounts = [...list.map((e) => t.money(e.valueCents)), t.money(totals.valueCents)];
  const amountW = Math.max(...amounts.map((a) => a.length));
  const split = [...list, totals].map((e) => formatLongShort(e.long.valueCents, e.short.valueCents, true));
  const splitW = Math.max(...split.map((x) => x.length));
  const barW = Math.max(3, width - nameW - amountW - splitW - 3);
  const max = Math.max(1, ...list.map((e) => e.valueCents));
  const lines: string[] = [];
  list.forEach((e, i) => {
    const total = Math.max(e.valueCents > 0 ? 1 : 0, Math.round((e.valueCents / max) * barW));
    const longW = e.valueCents > 0 ? Math.round((e.long.valueCents / e.valueCents) * total) : 0;
    const name = exchangeLabel(e.exchange);
    lines.push(
      `${t.paint(name, t.exchange(e.exchange))}${' '.repeat(nameW - displayWidth(name) + 1)}` +
        `${t.paint(t.longBar.repeat(longW), t.long)}${t.paint(t.shortBar.repeat(total - longW), t.short)}${' '.repeat(barW - total + 1)}` +
        `${t.paint(amounts[i].padStart(amountW), t.title)} ${split[i].padStart(splitW)}`,
    );
    if (perExchange === 2) {
      lines.push(`${' '.repeat(nameW + 1)}${t.paint(`long ${t.money(e.long.valueCents)} · short ${t.money(e.short.valueCents)}`, t.dim)}`);
    }
  });
  if (list.length < n) lines.push(t.paint(`+${n - list.length} more`, t.dim));
  lines.push(`${t.paint('all', t.title)}${' '.repeat(nameW - 3 + 1 + barW + 1)}${t.paint(amounts[amounts.length - 1].padStart(amountW), t.title)} ${split[split.length - 1].padStart(splitW)}`);
  return lines;
}
