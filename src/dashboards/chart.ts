// Line charts in braille dots and sparklines, drawn as tagged text. Written here instead of blessed-contrib's
// line widget, which formats its own y labels (cut to 3 characters: "9.1" next to "16m", "1.3m" on the zero line),
// overwrites labels that collide and picks colours from names only.
import { formatHm, formatMoney } from '../aggregator/index.js';
import type { Ink, Theme } from './theme.js';

export interface ChartSeries {
  /** Integer cents, one per point. */
  readonly values: readonly number[];
  readonly ink: Ink;
}

// Bit of each dot of a braille cell, [row][column]; half blocks have one column of two dots.
const BRAILLE = { cols: 2, rows: 4, bits: [[0x01, 0x08], [0x02, 0x10], [0x04, 0x20], [0x40, 0x80]], char: (b: number) => String.fromCharCode(0x2800 + b) };
const HALVES = { cols: 1, rows: 2, bits: [[1], [2]], char: (b: number) => ' ▀▄█'[b] };

/** The smallest of 1, 2, 2.5 and 5 × 10^k dollars (in cents) at or above `cents`, at least $1. */
export function niceCeil(cents: number): number {
  if (cents <= 100) return 100;
  let step = 100;
  for (;;) {
    for (const m of [1, 2, 2.5, 5]) if (step * m >= cents) return step * m;
    step *= 10;
  }
}

/**
 * A line chart `width` × `height` cells: y labels in the money format at the top, middle and zero, the plot in
 * braille dots (2 × 4 per cell; half blocks, 1 × 2, where the font has no braille), and HH:MM (UTC) labels of
 * `times` (one per point) on the last row.
 */
export function lineChart(series: readonly ChartSeries[], times: readonly number[], width: number, height: number, t: Theme): string[] {
  const plotH = Math.max(1, height - 1);
  const max = niceCeil(Math.max(0, ...series.flatMap((s) => s.values)));
  const labels = new Map<number, string>([[0, formatMoney(max)], [plotH - 1, '$0']]);
  if (plotH >= 5) labels.set(Math.round((plotH - 1) / 2), formatMoney(max / 2));
  const labelW = Math.max(...[...labels.values()].map((l) => l.length));
  const plotW = Math.max(1, width - labelW - 1);
  const cell = t.glyphs.braille ? BRAILLE : HALVES;
  const dotsX = plotW * cell.cols;
  const dotsY = plotH * cell.rows;
  const bits = Array.from({ length: plotH }, () => new Array<number>(plotW).fill(0));
  const owner = Array.from({ length: plotH }, () => new Array<number>(plotW).fill(-1));
  const n = times.length;
  const xOf = (i: number) => (n <= 1 ? 0 : Math.round((i * (dotsX - 1)) / (n - 1)));
  const yOf = (v: number) => dotsY - 1 - Math.round((Math.max(0, v) / max) * (dotsY - 1));
  const dot = (x: number, y: number, s: number) => {
    const row = Math.floor(y / cell.rows);
    const col = Math.floor(x / cell.cols);
    if (row < 0 || row >= plotH || col < 0 || col >= plotW) return;
    bits[row][col] |= cell.bits[y % cell.rows][x % cell.cols];
    owner[row][col] = s;
  };
  series.forEach((s, si) => {
    for (let i = 0; i < s.values.length; i++) {
      const x0 = xOf(i);
      const y0 = yOf(s.values[i]);
      if (i + 1 >= s.values.length) {
        dot(x0, y0, si);
        continue;
      }
      const x1 = xOf(i + 1);
      const y1 = yOf(s.values[i + 1]);
      const steps = Math.max(Math.abs(x1 - x0), Math.abs(y1 - y0), 1);
      for (let k = 0; k <= steps; k++) dot(Math.round(x0 + ((x1 - x0) * k) / steps), Math.round(y0 + ((y1 - y0) * k) / steps), si);
    }
  });
  const lines: string[] = [];
  for (let row = 0; row < plotH; row++) {
    const label = labels.get(row);
    let line = t.paint(label ? label.padStart(labelW) : ' '.repeat(labelW), t.dim) + t.paint(label ? '┤' : '│', t.dim);
    let run = '';
    let runOwner = -2;
    const flush = () => {
      if (run) line += runOwner >= 0 ? t.paint(run, series[runOwner].ink) : run;
      run = '';
    };
    for (let col = 0; col < plotW; col++) {
      const o = bits[row][col] ? owner[row][col] : -1;
      if (o !== runOwner) {
        flush();
        runOwner = o;
      }
      run += bits[row][col] ? cell.char(bits[row][col]) : ' ';
    }
    flush();
    lines.push(line);
  }
  if (height > plotH) lines.push(t.paint(timeAxis(times, labelW + 1, plotW, (i) => xOf(i) / cell.cols), t.dim));
  return lines;
}

/** HH:MM labels under the points (`colOf`: a point's column), as many as fit apart; the last always labelled. */
function timeAxis(times: readonly number[], indent: number, plotW: number, colOf: (i: number) => number): string {
  const cells = new Array<string>(indent + plotW).fill(' ');
  // a series of days (7d and more) is labelled by date, MM-DD, as wide as HH:MM
  const daily = times.length > 1 && times[times.length - 1] - times[0] >= 2 * 86_400_000;
  const put = (i: number, col: number) => {
    const text = daily ? new Date(times[i]).toISOString().slice(5, 10) : formatHm(times[i]);
    for (let k = 0; k < text.length; k++) cells[col + k] = text[k];
  };
  const end = indent + plotW;
  if (times.length === 0) return '';
  const lastCol = Math.min(end - 5, indent + Math.floor(colOf(times.length - 1)) - 2);
  let free = indent;
  for (let i = 0; i < times.length - 1; i++) {
    const col = Math.max(indent, indent + Math.floor(colOf(i)) - 2);
    if (col < free || col + 5 + 2 > lastCol) continue;
    put(i, col);
    free = col + 5 + 3;
  }
  if (lastCol >= indent) put(times.length - 1, lastCol);
  return cells.join('').trimEnd();
}

/** One character per value: · for nothing, then the theme's levels, ▁ to █ (any value above 0 shows at least ▁). */
export function sparkline(values: readonly number[], t: Theme, ink?: Ink): string {
  const max = Math.max(0, ...values);
  let out = '';
  let run = '';
  let zero = false;
  const flush = () => {
    if (run) out += t.paint(run, zero ? t.dim : ink);
    run = '';
  };
  for (const v of values) {
    if (v <= 0 !== zero) {
      flush();
      zero = v <= 0;
    }
    const levels = t.glyphs.spark;
    run += v <= 0 ? '·' : levels[Math.min(levels.length - 1, Math.max(0, Math.ceil((v / max) * levels.length) - 1))];
  }
  flush();
  return out;
}
