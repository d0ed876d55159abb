// Reading liq:events: how much of it may have been trimmed (which minutes are wholly inside the log), and its
// entries in pages of COUNT 10,000, several ID ranges at once so that Redis fills the next pages while the
// previous ones are checked. On a Cluster the log is one stream per UTC day (liq:events:{day}, keys.ts), the
// entries of a day's minutes in its stream: each is read the same way, and their states combine into one whose
// trimming bound is kept per day.
import { BUCKET_MS, DAY_MS, EVENTS_KEY } from '../core/keys.js';
import { type Reply, RespError } from './resp-codec.js';
import type { RawReply, RespConnection } from './resp.js';

/** An entry's ts can be up to 5 minutes in the future of its insertion (the stream ID's ms part). */
export const FUTURE_MS = 5 * 60_000;
export const PAGE = 10_000;
const SLICES = 3;

export interface LogState {
  readonly exists: boolean;
  readonly length: number;
  readonly firstMs: number | undefined;
  readonly lastMs: number | undefined;
  /**
   * Entries inserted at or before this ms may have been removed (−Infinity: none ever was). A minute M is wholly
   * inside the log when M − 5 min > bound and M has ended.
   */
  readonly removedUpTo: number;
  /** Set when an entry was removed from inside the log (after its first entry): not what trimming does. */
  readonly insideRemoval: string | undefined;
  /** The stream insideRemoval is about. */
  readonly removalKey?: string;
  /**
   * Cluster layout: removedUpTo of each UTC day's stream (day start → bound). Absent for the one liq:events.
   */
  readonly days?: ReadonlyMap<number, number>;
}

/**
 * The state of the logs of several days (day start, its stream's state), as one log: see LogState.days. A day
 * without a stream either had no entries (nothing removed: its minutes are compared with an empty log) or is past
 * its expiry (the day's end plus retentionHours: everything removed, its minutes are not compared).
 */
export function combineStates(days: ReadonlyArray<readonly [number, LogState]>, now: number, retentionHours: number): LogState {
  const existing = days.filter(([, s]) => s.exists);
  if (existing.length === 0) return { ...NO_LOG, days: new Map() };
  const bounds = new Map<number, number>();
  for (const [d, s] of days) {
    if (s.exists) bounds.set(d, s.removedUpTo);
    else if (d + DAY_MS + retentionHours * 3_600_000 <= now) bounds.set(d, Infinity);
  }
  const firsts = existing.flatMap(([, s]) => (s.firstMs === undefined ? [] : [s.firstMs]));
  const lasts = existing.flatMap(([, s]) => (s.lastMs === undefined ? [] : [s.lastMs]));
  const inside = existing.find(([, s]) => s.insideRemoval !== undefined)?.[1];
  return {
    exists: true,
    length: existing.reduce((n, [, s]) => n + s.length, 0),
    firstMs: firsts.length === 0 ? undefined : Math.min(...firsts),
    lastMs: lasts.length === 0 ? undefined : Math.max(...lasts),
    removedUpTo: Math.max(...existing.map(([, s]) => s.removedUpTo)),
    insideRemoval: inside?.insideRemoval,
    removalKey: inside?.removalKey,
    days: bounds,
  };
}

const NO_LOG: LogState = { exists: false, length: 0, firstMs: undefined, lastMs: undefined, removedUpTo: Infinity, insideRemoval: undefined };

const idMs = (id: string) => Number(id.slice(0, id.indexOf('-')));
function idLess(a: string, b: string): boolean {
  const [am, as] = a.split('-').map(BigInt);
  const [bm, bs] = b.split('-').map(BigInt);
  return am < bm || (am === bm && as < bs);
}

/**
 * XINFO STREAM: trimming only ever removes the head of the log (XADD … MINID ~), so when the largest removed id
 * is below the first entry, everything after it is intact. A removal after the first entry is flagged, and then
 * only the head older than the retention (EVENT_LOG_RETENTION_HOURS) is taken as legitimately trimmed.
 */
export async function logState(client: RespConnection, now: number, retentionHours: number, key = EVENTS_KEY): Promise<LogState> {
  return stateOf(await client.command('XINFO', 'STREAM', key), now, retentionHours, key);
}

/** The state of the stream `key` from its XINFO STREAM reply. */
export function stateOf(r: Reply, now: number, retentionHours: number, key: string): LogState {
  if (r instanceof RespError) {
    if (/no such key/i.test(r.message)) return NO_LOG;
    throw new Error(key === EVENTS_KEY ? r.message : `${key}: ${r.message}`);
  }
  const flat = r as Reply[];
  const info = new Map<string, Reply>();
  for (let i = 0; i + 1 < flat.length; i += 2) info.set(String(flat[i]), flat[i + 1]);
  const length = Number(info.get('length') ?? 0);
  const first = info.get('first-entry') as Reply[] | null | undefined;
  const last = info.get('last-entry') as Reply[] | null | undefined;
  const firstId = first ? String(first[0]) : undefined;
  const lastId = last ? String(last[0]) : undefined;
  const maxDeleted = String(info.get('max-deleted-entry-id') ?? '');
  const added = info.get('entries-added');
  let removedUpTo: number;
  let insideRemoval: string | undefined;
  if (maxDeleted === '' || added === undefined) {
    // Redis before 7.0: no record of removals; the spec's conservative rule (the oldest entry bounds the trim)
    removedUpTo = firstId === undefined ? Infinity : idMs(firstId);
  } else if (maxDeleted === '0-0' && Number(added) === length) removedUpTo = -Infinity;
  else if (firstId === undefined || idLess(maxDeleted, firstId)) removedUpTo = idMs(maxDeleted);
  else {
    insideRemoval = `max-deleted-entry-id ${maxDeleted} is after the first entry ${firstId}`;
    removedUpTo = Math.min(idMs(firstId), now - retentionHours * 3_600_000);
  }
  return {
    exists: true,
    length,
    firstMs: firstId === undefined ? undefined : idMs(firstId),
    lastMs: lastId === undefined ? undefined : idMs(lastId),
    removedUpTo,
    insideRemoval,
    removalKey: insideRemoval === undefined ? undefined : key,
  };
}

/** Whether every event of the minute starting at `start` is still in the log. */
export function wholeInLog(state: LogState, start: number, now: number): boolean {
  const removedUpTo = state.days === undefined ? state.removedUpTo : state.days.get(Math.floor(start / DAY_MS) * DAY_MS) ?? -Infinity; // a day without a stream: no entries
  return state.exists && start + BUCKET_MS <= now && start - FUTURE_MS > removedUpTo;
}

/**
 * Calls onPage with every page of entries inserted at or after fromMs, as its raw XRANGE reply; onPage returns how
 * many entries the page held and the last one's id. Ranges are read in parallel slices, within a slice in order:
 * a slice's next page is requested as soon as its page has been read, so Redis fills it while the other slices'
 * pages are read.
 */
export async function readLog(
  client: RespConnection,
  state: LogState,
  fromMs: number,
  onPage: (page: Buffer) => { entries: number; lastId: string | undefined },
  key = EVENTS_KEY,
): Promise<void> {
  if (!state.exists || state.firstMs === undefined || state.lastMs === undefined) return;
  const lo = Math.max(fromMs, state.firstMs);
  const hi = state.lastMs;
  if (lo > hi) return;
  const n = Math.max(1, Math.min(SLICES, Math.ceil((hi - lo + 1) / 60_000)));
  const step = Math.ceil((hi - lo + 1) / n);
  const fetch = (start: string, end: string) => {
    const page = client.pipelineRaw([['XRANGE', key, start, end, 'COUNT', String(PAGE)]]).then((r) => r[0]);
    page.catch(() => {}); // awaited in turn below; a failure meanwhile must not go unhandled
    return { end, page };
  };
  // each slice: its next page, and the inclusive end of its range
  let pending: Array<{ end: string; page: Promise<RawReply> }> = [];
  for (let i = 0; i < n; i++) {
    const a = lo + i * step;
    const b = Math.min(hi, a + step - 1);
    if (a <= b) pending.push(fetch(String(a), i === n - 1 ? '+' : `${b}-18446744073709551615`));
  }
  while (pending.length > 0) {
    const next: typeof pending = [];
    for (const p of pending) {
      const page = await p.page;
      const { entries, lastId } = onPage(page.bytes);
      page.release();
      if (entries === PAGE && lastId !== undefined) next.push(fetch(`(${lastId}`, p.end));
    }
    pending = next;
  }
}
