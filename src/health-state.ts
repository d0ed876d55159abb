// The daemon's overall state for /health, the summary line and liq:status: ok, degraded or down, with the reasons.
//   down      Redis does not take writes (not connected, or the last write failed: OOM, READONLY, NOAUTH, …), or
//             no stream has been open for more than STREAM_DOWN_AFTER_MS (no network, every venue down);
//   degraded  some streams have not been open for more than STREAM_DOWN_AFTER_MS, the spool cannot be written, reading
//             is paused at MAX_HELD_EVENTS, or Redis was found to have lost data in the last DATA_LOSS_SHOW_MS;
//   ok        none of these.
// /health answers 200 for ok and degraded (an exchange outage is no reason to restart the daemon) and 503 for down.
import type { StreamStatus } from './core/status.js';

export const DATA_LOSS_SHOW_MS = 10 * 60_000;

export type Overall = 'ok' | 'degraded' | 'down';

/** Since when each connection has not been open, and when any was last open. */
export class StreamTracker {
  private readonly notOpenSince = new Map<string, number>();
  private readonly seenOpen = new Set<string>();
  private lastAnyOpen: number;

  constructor(private readonly startedAt = Date.now()) {
    this.lastAnyOpen = startedAt;
  }

  update(statuses: readonly StreamStatus[], now = Date.now()): void {
    const names = new Set<string>();
    let anyOpen = false;
    for (const s of statuses) {
      names.add(s.connection);
      if (s.state === 'open') {
        anyOpen = true;
        this.notOpenSince.delete(s.connection);
        this.seenOpen.add(s.connection);
      } else if (!this.notOpenSince.has(s.connection)) {
        // a connection never seen open counts from the daemon's start
        this.notOpenSince.set(s.connection, this.seenOpen.has(s.connection) ? now : this.startedAt);
      }
    }
    for (const name of this.notOpenSince.keys()) if (!names.has(name)) this.notOpenSince.delete(name);
    if (anyOpen) this.lastAnyOpen = now;
  }

  /** ms the connection has not been open (0 when open). */
  notOpenFor(connection: string, now = Date.now()): number {
    const since = this.notOpenSince.get(connection);
    return since === undefined ? 0 : now - since;
  }

  /** ms since any stream was open (0 while one is). */
  noneOpenFor(now = Date.now()): number {
    return now - this.lastAnyOpen;
  }
}

export interface OverallInput {
  connected: boolean;
  redisState: string;
  writable: boolean;
  writeError?: { code?: string; error?: string };
  streams: readonly StreamStatus[];
  tracker: StreamTracker;
  spoolWritable: boolean;
  spoolError?: string;
  holdLimitReached: boolean;
  dataLossAt: number | null;
  dataLossEvents: bigint;
  /** STREAM_DOWN_AFTER_MS: a stream not open this long counts. */
  graceMs: number;
  now: number;
}

export function overall(i: OverallInput): { status: Overall; reasons: string[] } {
  const down: string[] = [];
  const degraded: string[] = [];
  // the last error says why (NOAUTH, WRONGPASS, ECONNREFUSED…): an operator fixes a password, not a network
  if (!i.connected) down.push(`Redis not connected (${i.redisState}${i.writeError?.code ? `: ${i.writeError.code}` : ''})`);
  else if (!i.writable) down.push(`Redis refuses writes: ${i.writeError?.code ?? 'error'} ${i.writeError?.error ?? ''}`.trim());
  const late = i.streams.filter((s) => i.tracker.notOpenFor(s.connection, i.now) > i.graceMs);
  if (i.streams.length > 0 && i.streams.every((s) => s.state !== 'open') && i.tracker.noneOpenFor(i.now) > i.graceMs) {
    down.push(`no stream open for ${Math.round(i.tracker.noneOpenFor(i.now) / 1000)} s`);
  } else if (late.length > 0) {
    degraded.push(`${late.length} of ${i.streams.length} streams not open for over ${i.graceMs / 1000} s: ${late.map((s) => s.connection).join(', ')}`);
  }
  if (!i.spoolWritable) degraded.push(`spool not writable: ${i.spoolError ?? 'error'}`);
  if (i.holdLimitReached) degraded.push('MAX_HELD_EVENTS reached: reading from the exchanges paused');
  if (i.dataLossAt !== null && i.now - i.dataLossAt < DATA_LOSS_SHOW_MS) {
    degraded.push(`Redis lost ${i.dataLossEvents} events written by this instance ${Math.round((i.now - i.dataLossAt) / 1000)} s ago`);
  }
  if (down.length > 0) return { status: 'down', reasons: [...down, ...degraded] };
  if (degraded.length > 0) return { status: 'degraded', reasons: degraded };
  return { status: 'ok', reasons: [] };
}
