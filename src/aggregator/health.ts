// Feed health: a stream's state and message age turned into ok / warn / down, so a dead stream stands out.
import type { StreamStatus } from '../core/status.js';
import type { InstanceStatus } from './read.js';

export type Health = 'ok' | 'warn' | 'down';

export interface StreamHealth {
  readonly instance: string;
  readonly status: StreamStatus;
  readonly health: Health;
  /** Short words: "open", "DOWN: backoff", "quiet 12m", "status stale 40s". */
  readonly verdict: string;
  /** ms since the last message, or null when none yet. */
  readonly messageAge: number | null;
}

/** A stream still connecting after this long counts as down. */
export const STARTING_GRACE_MS = 30_000;
/** An open stream without messages for this long is flagged (liquidations can pause; it is a warning). */
export const QUIET_MS = 10 * 60_000;
/** A status not rewritten for this long means its daemon is stuck. */
export const STALE_STATUS_MS = 30_000;

export function streamHealth(instance: string, s: StreamStatus, now: number): StreamHealth {
  const messageAge = s.lastMessageAt === null ? null : Math.max(0, now - s.lastMessageAt);
  const stateAge = Math.max(0, now - s.since);
  let health: Health = 'ok';
  let verdict = s.state || 'unknown';
  if (now - s.updatedAt > STALE_STATUS_MS) {
    health = 'down';
    verdict = `DOWN: status stale`;
  } else if (s.state === 'open') {
    if (messageAge === null ? stateAge > QUIET_MS : messageAge > QUIET_MS) {
      health = 'warn';
      verdict = 'open, quiet';
    }
  } else if ((s.state === 'connecting' || s.state === 'subscribing') && stateAge <= STARTING_GRACE_MS) {
    health = 'warn';
    verdict = s.state;
  } else {
    health = 'down';
    verdict = `DOWN: ${s.state || 'unknown'}`;
  }
  return { instance, status: s, health, verdict, messageAge };
}

export function feedHealth(instances: readonly InstanceStatus[], now: number): StreamHealth[] {
  const out: StreamHealth[] = [];
  for (const i of instances) for (const s of i.streams) out.push(streamHealth(i.instance, s, now));
  return out;
}
