// Small building blocks shared by the four screens: a bordered text panel, line-chart data, text bars.
import blessed from 'blessed';
import contrib from 'blessed-contrib';
import type { LineElement, LineSeries } from 'blessed-contrib';
import { displayWidth, exchangeColor, formatUsd, formatUsdShort, LONG_COLOR, SHORT_COLOR, type Merged } from '../aggregator/index.js';
import type { Box } from './runner.js';
import { exchangeLabel } from './sections.js';
import { colored, esc } from './table.js';

export const BORDER = 'cyan';

export function panelOptions(label: string, extra: blessed.Widgets.BoxOptions = {}): blessed.Widgets.BoxOptions {
  return {
    label: ` ${label} `,
    tags: true,
    wrap: false,
    padding: { left: 1, right: 1 },
    style: { border: { fg: BORDER }, label: { fg: 'white', bold: true } },
    ...extra,
  };
}

/** A text panel placed with the grid (row, col, rowSpan, colSpan in a 12×12 grid). */
export function gridPanel(grid: InstanceType<typeof contrib.grid>, r: number, c: number, rs: number, cs: number, label: string): Box {
  return grid.set(r, c, rs, cs, blessed.box as never, panelOptions(label)) as Box;
}

export function newGrid(body: Box): InstanceType<typeof contrib.grid> {
  return new contrib.grid({ rows: 12, cols: 12, screen: body, color: BORDER });
}

export function gridLine(grid: InstanceType<typeof contrib.grid>, r: number, c: number, rs: number, cs: number, label: string): LineElement {
  const chart = grid.set(r, c, rs, cs, contrib.line as never, {
    label: ` ${label} `,
    tags: true,
    showLegend: false,
    abbreviate: true,
    wholeNumbersOnly: true,
    numYLabels: 4,
    xPadding: 3,
    style: { line: 'yellow', text: 'white', baseline: 'white', border: { fg: BORDER }, label: { fg: 'white', bold: true } },
  }) as LineElement;
  // The legend: one line under the x labels, inside the border.
  blessed.box({ parent: chart, bottom: 0, left: 1, right: 1, height: 1, tags: true, wrap: false, name: 'legend' });
  return chart;
}

/** Sets the one-line legend of a chart made by gridLine. */
export function setLegend(chart: LineElement, text: string): void {
  const box = chart.children.find((c) => (c as Box).options?.name === 'legend') as Box | undefined;
  box?.setContent(text);
}

/** Sets a line chart's series (cents converted to dollars); an all-zero chart gets a fixed scale instead of NaN. */
export function setLines(chart: LineElement, series: LineSeries[]): void {
  const max = Math.max(0, ...series.flatMap((s) => s.y));
  if (max <= 0) chart.options.maxY = 1;
  else delete chart.options.maxY;
  chart.setData(series);
}

export const LONG_RGB = LONG_COLOR.rgb as [number, number, number];
export const SHORT_RGB = SHORT_COLOR.rgb as [number, number, number];

export function legend(items: { text: string; color: string }[]): string {
  return items.map((i) => `{${i.color}-fg}━━ ${esc(i.text)}{/${i.color}-fg}`).join('  ');
}

/** Horizontal stacked bars per exchange: long part red, short part green, then the exact USD. */
export function exchangeBars(totals: Merged, width: number): string[] {
  if (totals.exchanges.length === 0) return ['{gray-fg}no liquidations in this window{/gray-fg}'];
  const nameW = Math.max(...totals.exchanges.map((e) => displayWidth(exchangeLabel(e.exchange))));
  const amounts = totals.exchanges.map((e) => formatUsd(e.valueCents));
  const amountW = Math.max(...amounts.map((a) => a.length));
  const barW = Math.max(4, width - nameW - amountW - 4);
  const max = Math.max(1, ...totals.exchanges.map((e) => e.valueCents));
  const lines: string[] = [];
  totals.exchanges.forEach((e, i) => {
    const longW = Math.round((e.long.valueCents / max) * barW);
    const shortW = Math.max(0, Math.round((e.valueCents / max) * barW) - longW);
    const name = exchangeLabel(e.exchange);
    lines.push(
      `${colored(name.padEnd(nameW), exchangeColor(e.exchange).hex, true)} ` +
        `{${LONG_COLOR.hex}-fg}${'█'.repeat(longW)}{/${LONG_COLOR.hex}-fg}{${SHORT_COLOR.hex}-fg}${'█'.repeat(shortW)}{/${SHORT_COLOR.hex}-fg}` +
        `${' '.repeat(Math.max(1, barW - longW - shortW + 1))}{bold}${amounts[i].padStart(amountW)}{/bold}`,
    );
    lines.push(
      `${' '.repeat(nameW)} {gray-fg}long ${formatUsdShort(e.long.valueCents)} · short ${formatUsdShort(e.short.valueCents)}{/gray-fg}`,
    );
  });
  return lines;
}

/** Inner width of a bordered, padded panel. */
export function innerWidth(box: Box): number {
  return Math.max(10, (box.width as number) - 4);
}
