// What a dashboard is to the runner: the view state the keys change, the request it reads for a frame, and the
// panels it builds for a size and fills from a snapshot.
import type { Snapshot, SnapshotRequest, WindowName } from '../aggregator/index.js';
import { isValidSymbol } from '../core/event.js';
import { ALL } from '../core/keys.js';
import type { Box } from './panels.js';
import type { DashboardName } from './sections.js';
import type { Theme } from './theme.js';

/** What the user looks at: changed by the keys, turned into a SnapshotRequest by the dashboard. */
export interface ViewState {
  readonly window: WindowName;
  readonly symbol: string;
  readonly coin?: string;
  readonly exchanges?: readonly string[];
  readonly minUsdCents?: number;
  readonly group: 'symbol' | 'coin';
}

export interface View {
  /** Creates the panels for a body of `width` × `height` (called again, with fresh widgets, after a resize). */
  build(body: Box, width: number, height: number, t: Theme): void;
  update(snap: Snapshot, t: Theme): void;
}

export interface DashboardDef {
  readonly name: DashboardName;
  /** The smallest terminal it draws in (columns × rows); below it says so. */
  readonly min: { readonly width: number; readonly height: number };
  /** What to read for one frame (also used by --once and the benchmark). */
  request(state: ViewState): SnapshotRequest;
  createView(): View;
}

/** Normalizes a symbol typed by the user; undefined when it is not a valid symbol. */
export function normalizeSymbol(input: string): string | undefined {
  const s = input.trim().toUpperCase();
  if (s === '' || s === ALL) return ALL;
  return isValidSymbol(s) ? s : undefined;
}

/** The part of every dashboard's request that the view state decides. */
export function baseRequest(s: ViewState): SnapshotRequest {
  return { window: s.window, symbol: s.symbol, coin: s.coin, exchanges: s.exchanges, minUsdCents: s.minUsdCents, group: s.group };
}
