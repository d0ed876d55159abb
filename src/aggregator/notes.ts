// The honest footnotes of a frame: lower bounds, feeds down during the window, and the empty-database hint.
import { LOWER_BOUND_EXCHANGES } from './exchanges.js';
import type { DownReport } from './read.js';

export const EMPTY_HINT = 'no liquidations in this window yet — is the daemon running? npm start';

export function lowerBoundNotes(exchanges: Iterable<string>): string[] {
  const seen = new Set(exchanges);
  return Object.entries(LOWER_BOUND_EXCHANGES)
    .filter(([ex]) => seen.has(ex))
    .map(([, note]) => note);
}

export function downNote(down: DownReport, scope = 'this window'): string | undefined {
  if (down.minutes === 0) return undefined;
  const list = down.venues.map((v) => `${v.venue} (${v.minutes} min)`).join(', ');
  return `feeds down during ${down.minutes} minute${down.minutes === 1 ? '' : 's'} of ${scope}: ${list}`;
}

/** What was asked for when it has no data in the window, and the known names nearest to it. */
export interface NoData {
  /** "NOPEUSDT", "coin NOPE", "okx, bybit". */
  readonly asked: string;
  readonly suggestions: readonly string[];
  /** "symbols", "coins", "exchanges". */
  readonly kind: string;
  /** A symbol that is a coin's name (BTC): the option that covers its instruments. */
  readonly hint?: string;
}

export function noDataNote(n: NoData, windowName: string): string {
  const near = n.suggestions.length ? `; nearest known ${n.kind}: ${n.suggestions.join(', ')}` : `; no ${n.kind} in this window`;
  return `no data for ${n.asked} in the last ${windowName}${near}${n.hint ? ` (${n.hint})` : ''}`;
}

export function frameNotes(opts: {
  exchanges: Iterable<string>;
  down: DownReport;
  /** What the down marks cover ('this window'; a long window reads the last 24 h of them). */
  downScope?: string;
  empty: boolean;
  noData?: NoData | null;
  windowName?: string;
  extra?: readonly string[];
}): string[] {
  const notes: string[] = [];
  if (opts.noData) notes.push(noDataNote(opts.noData, opts.windowName ?? ''));
  else if (opts.empty) notes.push(EMPTY_HINT);
  notes.push(...lowerBoundNotes(opts.exchanges));
  const d = downNote(opts.down, opts.downScope);
  if (d) notes.push(d);
  notes.push(...(opts.extra ?? []));
  return notes;
}
