// Text tables shared by the plain-text frames (--once) and the terminal panels: the same figures either way.
// With tags, cells may carry blessed color tags; their text is escaped so data can never inject a tag.
import { clip, displayWidth, padEnd, padStart } from '../aggregator/sanitize.js';

export interface Column {
  readonly title: string;
  readonly align?: 'left' | 'right';
  /** Cells longer than this are cut (with …). */
  readonly max?: number;
}

export interface Cell {
  readonly text: string;
  /** '#rrggbb' or a blessed color name. */
  readonly color?: string;
}

export interface Row {
  readonly cells: readonly (string | Cell)[];
  readonly bold?: boolean;
  /** Whole-row highlight: inverse video (or a background color). */
  readonly highlight?: boolean | string;
  /** A rule line drawn above the row. */
  readonly ruleAbove?: boolean;
}

/** Escapes blessed tag braces in data text. */
export function esc(s: string): string {
  return s.replace(/[{}]/g, (c) => (c === '{' ? '{open}' : '{close}'));
}

export function colored(text: string, color: string | undefined, tags: boolean): string {
  if (!tags) return text;
  return color ? `{${color}-fg}${esc(text)}{/${color}-fg}` : esc(text);
}

export function bold(text: string, tags: boolean): string {
  return tags ? `{bold}${esc(text)}{/bold}` : text;
}

export function renderTable(columns: readonly Column[], rows: readonly Row[], tags: boolean, gap = 2): string[] {
  const cellOf = (c: string | Cell | undefined): Cell => (typeof c === 'string' ? { text: c } : (c ?? { text: '' }));
  const texts = rows.map((r) => columns.map((col, i) => {
    const t = cellOf(r.cells[i]).text;
    return col.max ? clip(t, col.max) : t;
  }));
  const widths = columns.map((col, i) => Math.max(displayWidth(col.title), ...texts.map((t) => displayWidth(t[i]))));
  const pad = (s: string, i: number) => (columns[i].align === 'right' ? padStart(s, widths[i]) : padEnd(s, widths[i]));
  const sep = ' '.repeat(gap);
  const head = columns.map((c, i) => pad(c.title, i)).join(sep).trimEnd();
  const out = [tags ? `{bold}{underline}${esc(head)}{/underline}{/bold}` : head];
  const ruleWidth = widths.reduce((a, b) => a + b, 0) + gap * (columns.length - 1);
  rows.forEach((r, ri) => {
    if (r.ruleAbove) out.push(tags ? `{gray-fg}${'─'.repeat(ruleWidth)}{/gray-fg}` : '-'.repeat(ruleWidth));
    const parts = columns.map((_, i) => {
      const text = pad(texts[ri][i], i);
      const color = cellOf(r.cells[i]).color;
      return tags && !r.highlight ? colored(text, color, true) : tags ? esc(text) : text;
    });
    let line = parts.join(sep);
    if (!tags) line = line.trimEnd();
    if (tags && r.bold) line = `{bold}${line}{/bold}`;
    if (tags && r.highlight) line = typeof r.highlight === 'string' ? `{${r.highlight}-bg}{bold}${line}{/bold}{/${r.highlight}-bg}` : `{inverse}${line}{/inverse}`;
    out.push(line);
  });
  return out;
}
