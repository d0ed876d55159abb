// Window math: a window is the last N whole periods ending with the current (in-progress) one. Windows up to 24h
// are minutes; 7d is hours (the hourly rollups), 30d and 90d are days (the daily rollups).
import { BUCKET_MS, RESOLUTION_MS, type Resolution, periodOf } from '../core/keys.js';

export const WINDOWS = { '15m': 15, '1h': 60, '4h': 240, '12h': 720, '24h': 1440, '7d': 10_080, '30d': 43_200, '90d': 129_600 } as const;
export type WindowName = keyof typeof WINDOWS;
export const WINDOW_NAMES = Object.keys(WINDOWS) as WindowName[];
/** The standard horizons the cumulative dashboard shows side by side. */
export const HORIZONS: readonly WindowName[] = ['1h', '4h', '12h', '24h'];

/** The buckets a window's series is read from: minutes up to 24h, hourly rollups for 7d, daily ones beyond. */
export const WINDOW_RES: Readonly<Record<WindowName, Resolution>> = {
  '15m': '60s',
  '1h': '60s',
  '4h': '60s',
  '12h': '60s',
  '24h': '60s',
  '7d': '1h',
  '30d': '1d',
  '90d': '1d',
};

/** Minute windows of at least this many minutes read their whole hours' indexes from the hourly rollups. */
export const HOURLY_FROM_MINUTES = 240;

export function isWindowName(s: string): s is WindowName {
  return Object.hasOwn(WINDOWS, s);
}

export function nextWindow(w: WindowName): WindowName {
  return WINDOW_NAMES[(WINDOW_NAMES.indexOf(w) + 1) % WINDOW_NAMES.length];
}

export interface Window {
  readonly name: WindowName;
  readonly minutes: number;
  /** The resolution of its periods (60s, 1h, 1d). */
  readonly res: Resolution;
  /** Minutes per period (1, 60 or 1440). */
  readonly stepMinutes: number;
  /** Start of the first period (inclusive). */
  readonly start: number;
  /** Start of the last period, the one containing `now`. */
  readonly last: number;
  /** End (exclusive): last + one period. */
  readonly end: number;
  /** Start of every period, oldest first. */
  readonly starts: readonly number[];
}

export function windowAt(name: WindowName, now: number): Window {
  const minutes = WINDOWS[name];
  const res = WINDOW_RES[name];
  const step = RESOLUTION_MS[res];
  const count = (minutes * BUCKET_MS) / step;
  const last = periodOf(now, res);
  const start = last - (count - 1) * step;
  const starts: number[] = [];
  for (let t = start; t <= last; t += step) starts.push(t);
  return { name, minutes, res, stepMinutes: step / BUCKET_MS, start, last, end: last + step, starts };
}

/** Minutes per point of every series (charts, sparklines, --once tables), one figure per window. */
export const BIN_MINUTES: Readonly<Record<WindowName, number>> = { '15m': 1, '1h': 1, '4h': 5, '12h': 15, '24h': 30, '7d': 180, '30d': 1440, '90d': 1440 };

export function perMinutesLabel(minutes: number): string {
  if (minutes === 1) return 'per minute';
  if (minutes === 60) return 'per hour';
  if (minutes === 1440) return 'per day';
  if (minutes % 1440 === 0) return `per ${minutes / 1440} days`;
  if (minutes % 60 === 0) return `per ${minutes / 60} hours`;
  return `per ${minutes} minutes`;
}
