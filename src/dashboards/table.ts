// Text tables shared by the plain-text frames (--once) and the terminal panels: the same figures either way.
// Given a width, a table drops its least important columns first, then narrows its gaps, then clips the columns
// that may be clipped (names), so the columns that carry the figures are never cut off at the right.
import { clip, displayWidth, padEnd, padStart } from '../aggregator/sanitize.js';
import type { Ink, Theme } from './theme.js';

export interface Column {
  readonly title: string;
  readonly align?: 'left' | 'right';
  /** Cells longer than this are cut (with …). */
  readonly max?: number;
  /** Dropped when the table is too wide: the highest number first; absent: never dropped. */
  readonly drop?: number;
  /** May be clipped down to this many columns when the table is still too wide. */
  readonly min?: number;
}

export interface Cell {
  readonly text: string;
  readonly ink?: Ink;
}

export interface Row {
  readonly cells: readonly (string | Cell)[];
  readonly bold?: boolean;
  /** Whole-row highlight (inverse video, or an ink of its own such as the alert background). */
  readonly highlight?: boolean | Ink;
  /** A rule line drawn above the row. */
  readonly ruleAbove?: boolean;
}

/** Escapes blessed tag braces in data text. */
export function esc(s: string): string {
  return s.replace(/[{}]/g, (c) => (c === '{' ? '{open}' : '{close}'));
}

const cellOf = (c: string | Cell | undefined): Cell => (typeof c === 'string' ? { text: c } : (c ?? { text: '' }));

export function renderTable(columns: readonly Column[], rows: readonly Row[], t: Theme, opts: { width?: number; gap?: number } = {}): string[] {
  const maxWidth = opts.width ?? Infinity;
  let gap = opts.gap ?? 2;
  let cols = columns.map((c, i) => ({ ...c, i }));
  const natural = (c: (typeof cols)[number]) => {
    const cells = rows.map((r) => displayWidth(cellOf(r.cells[c.i]).text));
    return Math.min(c.max ?? Infinity, Math.max(displayWidth(c.title), ...cells));
  };
  let widths = cols.map(natural);
  const total = () => widths.reduce((a, b) => a + b, 0) + gap * Math.max(0, cols.length - 1);
  while (total() > maxWidth) {
    const droppable = cols.filter((c) => c.drop !== undefined);
    if (droppable.length === 0) break;
    const worst = droppable.reduce((a, b) => (b.drop! > a.drop! ? b : a));
    const k = cols.indexOf(worst);
    cols = cols.filter((_, j) => j !== k);
    widths = widths.filter((_, j) => j !== k);
  }
  if (total() > maxWidth && gap > 1) gap = 1;
  for (let j = 0; j < cols.length && total() > maxWidth; j++) {
    const min = cols[j].min;
    if (min !== undefined) widths[j] = Math.max(min, widths[j] - (total() - maxWidth));
  }
  const pad = (s: string, j: number) => (cols[j].align === 'right' ? padStart(s, widths[j]) : padEnd(s, widths[j]));
  const sep = ' '.repeat(gap);
  const head = cols.map((c, j) => pad(clip(c.title, widths[j]), j)).join(sep).trimEnd();
  const out = [t.paint(head, { bold: true, underline: true })];
  const ruleWidth = widths.reduce((a, b) => a + b, 0) + gap * Math.max(0, cols.length - 1);
  for (const r of rows) {
    if (r.ruleAbove) out.push(t.tags ? t.paint('─'.repeat(ruleWidth), t.dim) : '-'.repeat(ruleWidth));
    const texts = cols.map((c, j) => clip(cellOf(r.cells[c.i]).text, widths[j]));
    let line: string;
    if (r.highlight) {
      const ink = r.highlight === true ? { inverse: true, bold: true } : r.highlight;
      line = t.paint(texts.map((x, j) => pad(x, j)).join(sep), ink);
    } else {
      // Padding stays outside the ink, so that an underlined name is not underlined to the column's end.
      line = cols
        .map((c, j) => {
          const room = ' '.repeat(Math.max(0, widths[j] - displayWidth(texts[j])));
          const painted = t.paint(texts[j], cellOf(r.cells[c.i]).ink);
          return c.align === 'right' ? room + painted : painted + room;
        })
        .join(sep);
      if (r.bold) line = t.tags ? `{bold}${line}{/bold}` : line;
    }
    out.push(t.tags ? line : line.trimEnd());
  }
  return out;
}
