// The part of blessed-contrib the dashboards use (the package ships no types).
declare module 'blessed-contrib' {
  import type { Widgets } from 'blessed';

  type RGB = readonly [number, number, number] | [number, number, number];

  interface LineSeries {
    title: string;
    x: string[];
    y: number[];
    style?: { line?: string | RGB };
  }

  interface LineOptions extends Widgets.BoxOptions {
    label?: string;
    showLegend?: boolean;
    legend?: { width?: number };
    wholeNumbersOnly?: boolean;
    abbreviate?: boolean;
    numYLabels?: number;
    xLabelPadding?: number;
    xPadding?: number;
    showNthLabel?: number;
    minY?: number;
    maxY?: number;
    style?: { line?: string | RGB; text?: string | RGB; baseline?: string | RGB } & Record<string, unknown>;
  }

  interface LineElement extends Widgets.BoxElement {
    options: LineOptions;
    setData(data: LineSeries[]): void;
  }

  interface GridOptions {
    rows: number;
    cols: number;
    screen: Widgets.Node;
    hideBorder?: boolean;
    color?: string;
    dashboardMargin?: number;
  }

  class grid {
    constructor(options: GridOptions);
    set<T>(row: number, col: number, rowSpan: number, colSpan: number, widget: (options: never) => T, options: object): T;
  }

  function line(options: LineOptions): LineElement;

  const contrib: { grid: typeof grid; line: typeof line };
  export default contrib;
  export { grid, line };
  export type { LineElement, LineOptions, LineSeries, GridOptions };
}
