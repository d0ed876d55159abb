// Window math: a window is the last N whole minutes ending with the current (in-progress) minute.
import { BUCKET_MS, minuteOf } from '../core/keys.js';

export const WINDOWS = { '15m': 15, '1h': 60, '4h': 240, '12h': 720, '24h': 1440 } as const;
export type WindowName = keyof typeof WINDOWS;
export const WINDOW_NAMES = Object.keys(WINDOWS) as WindowName[];
/** The standard horizons the cumulative dashboard shows side by side. */
export const HORIZONS: readonly WindowName[] = ['1h', '4h', '12h', '24h'];

export function isWindowName(s: string): s is WindowName {
  return Object.hasOwn(WINDOWS, s);
}

export function nextWindow(w: WindowName): WindowName {
  return WINDOW_NAMES[(WINDOW_NAMES.indexOf(w) + 1) % WINDOW_NAMES.length];
}

export interface Window {
  readonly name: WindowName;
  readonly minutes: number;
  /** Start of the first minute (inclusive). */
  readonly start: number;
  /** Start of the last minute, the one containing `now`. */
  readonly last: number;
  /** End (exclusive): last + 1 minute. */
  readonly end: number;
  /** Start of every minute, oldest first. */
  readonly starts: readonly number[];
}

export function windowAt(name: WindowName, now: number): Window {
  const minutes = WINDOWS[name];
  const last = minuteOf(now);
  const start = last - (minutes - 1) * BUCKET_MS;
  const starts: number[] = [];
  for (let t = start; t <= last; t += BUCKET_MS) starts.push(t);
  return { name, minutes, start, last, end: last + BUCKET_MS, starts };
}

/** Minutes per point of every per-minute series (charts, sparklines, --once tables), one figure per window. */
export const BIN_MINUTES: Readonly<Record<WindowName, number>> = { '15m': 1, '1h': 1, '4h': 5, '12h': 15, '24h': 30 };

export function perMinutesLabel(minutes: number): string {
  return minutes === 1 ? 'per minute' : `per ${minutes} minutes`;
}
