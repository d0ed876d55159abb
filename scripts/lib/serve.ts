// Serving a capture through the stand-in exchanges: metadata from the capture, frames delivered (by
// Standins.send) only to the connections subscribed to what carries them, paced as recorded and scaled by a speed.
import { setImmediate as yieldToLoop, setTimeout as sleep } from 'node:timers/promises';
import type { Venue } from '../../src/core/parse.js';
import { adapterOfFeed } from '../../src/venues/registry.js';
import { startStandins, type Standins } from '../../src/venues/standin/index.js';
import type { Capture, CaptureFrame } from './capture.js';
import { standinOptionsOf } from './meta.js';
import { shiftFrame } from './shift.js';

export async function startCaptureStandins(capture: Capture): Promise<Standins> {
  return startStandins(standinOptionsOf(capture.meta));
}

/**
 * What a frame is routed by on its feed (its venue's capture hook): a topic or channel key, '' when every connection
 * gets every frame (the stream is in the URL), undefined for a frame without one (garbage: given to every connection).
 */
export function routeOf(venue: Venue, frame: string): string | undefined {
  return adapterOfFeed(venue)?.capture?.routeOf(venue, frame);
}

/**
 * Per feed, the subscriptions a client must hold to receive the capture's frames: a connection where the stream is in
 * the URL, every route the capture carries otherwise, except routes the capture's listing does not offer (a topic the
 * exchange does not list cannot be subscribed).
 */
export function neededRoutes(capture: Capture): Map<Venue, Set<string>> {
  const listed = new Map<Venue, ReadonlySet<string> | undefined>();
  const out = new Map<Venue, Set<string>>();
  for (const f of capture.frames) {
    const route = routeOf(f.venue, f.frame);
    if (route === undefined) continue;
    if (!listed.has(f.venue)) listed.set(f.venue, adapterOfFeed(f.venue)?.capture?.listedRoutes?.(f.venue, capture.meta.rest));
    const allowed = listed.get(f.venue);
    if (allowed && !allowed.has(route)) continue;
    let set = out.get(f.venue);
    if (!set) out.set(f.venue, (set = new Set()));
    set.add(route);
  }
  return out;
}

/** Venues (with what they lack) whose connections do not yet cover the needed routes. */
export function missingSubscriptions(standins: Standins, needed: Map<Venue, Set<string>>): Map<Venue, number> {
  const missing = new Map<Venue, number>();
  for (const [venue, routes] of needed) {
    const v = standins.venues[venue];
    if (v.connections() === 0) {
      missing.set(venue, routes.size || 1);
      continue;
    }
    const have = new Set(v.subscriptions().flat());
    let lack = 0;
    for (const r of routes) if (r !== '' && !have.has(r)) lack++;
    if (lack > 0) missing.set(venue, lack);
  }
  return missing;
}

export function describeMissing(missing: Map<Venue, number>): string {
  return [...missing].map(([v, n]) => `${v} (${n} subscription${n === 1 ? '' : 's'} missing)`).join(', ');
}

/**
 * Waits until a client (the daemon) has subscribed to everything the capture needs. Calls onSlow every slowMs with
 * what is still missing; resolves true when covered, false after timeoutMs (Infinity: wait forever) or on abort.
 */
export async function waitForSubscribers(
  standins: Standins,
  needed: Map<Venue, Set<string>>,
  opts: { timeoutMs?: number; slowMs?: number; onSlow?: (missing: Map<Venue, number>) => void; signal?: AbortSignal } = {},
): Promise<boolean> {
  const start = Date.now();
  const timeoutMs = opts.timeoutMs ?? Infinity;
  const slowMs = opts.slowMs ?? 10_000;
  let nextSlow = start + slowMs;
  for (;;) {
    const missing = missingSubscriptions(standins, needed);
    if (missing.size === 0) return true;
    if (opts.signal?.aborted || Date.now() - start > timeoutMs) return false;
    if (Date.now() >= nextSlow) {
      nextSlow += slowMs;
      opts.onSlow?.(missing);
    }
    await sleep(20);
  }
}

export type Speed = number; // frames' time intervals are divided by it; Infinity = as fast as possible

export function parseSpeed(text: string): Speed | undefined {
  if (text === 'max') return Infinity;
  if (!/^\d+(\.\d+)?$/.test(text)) return undefined;
  const n = Number(text);
  return n > 0 ? n : undefined;
}

export interface PlayProgress {
  sent: number;
  total: number;
  /** Frames no connection was subscribed to (not delivered). */
  undelivered: number;
  perVenue: Record<Venue, number>;
}

export interface PlayOptions {
  speed: Speed;
  shiftMs: number;
  signal?: AbortSignal;
  onProgress?: (p: PlayProgress) => void;
  progressEveryMs?: number;
}

/** Capture duration, ms (first to last frame). */
export function durationOf(frames: readonly CaptureFrame[]): number {
  if (frames.length === 0) return 0;
  let min = Infinity;
  let max = -Infinity;
  for (const f of frames) {
    if (f.t < min) min = f.t;
    if (f.t > max) max = f.t;
  }
  return max - min;
}

export function lastTOf(frames: readonly CaptureFrame[]): number {
  let max = -Infinity;
  for (const f of frames) if (f.t > max) max = f.t;
  return max;
}

/**
 * Sends the frames in order, frame i at start + (t_i − t_0) / speed, timestamps shifted by shiftMs. Resolves
 * when everything was handed to the sockets (or on abort).
 */
export async function play(standins: Standins, frames: readonly CaptureFrame[], opts: PlayOptions): Promise<PlayProgress> {
  const perVenue: Record<Venue, number> = {};
  const progress: PlayProgress = { sent: 0, total: frames.length, undelivered: 0, perVenue };
  const t0 = frames.length > 0 ? frames[0].t : 0;
  const start = performance.now();
  const everyMs = opts.progressEveryMs ?? 500;
  let lastReport = 0;
  let sinceYield = 0;
  for (const f of frames) {
    if (opts.signal?.aborted) break;
    if (Number.isFinite(opts.speed)) {
      const due = start + Math.max(0, f.t - t0) / opts.speed;
      const wait = due - performance.now();
      if (wait > 1) {
        await sleep(wait);
        sinceYield = 0;
      }
    }
    if (++sinceYield >= 200) {
      // At full speed, let the sockets drain and the process breathe.
      sinceYield = 0;
      await yieldToLoop();
    }
    if (opts.signal?.aborted) break;
    const n = standins.send(f.venue, shiftFrame(f.venue, f.frame, opts.shiftMs));
    progress.sent++;
    perVenue[f.venue] = (perVenue[f.venue] ?? 0) + 1;
    if (n === 0) progress.undelivered++;
    const now = performance.now();
    if (opts.onProgress && now - lastReport >= everyMs) {
      lastReport = now;
      opts.onProgress(progress);
    }
  }
  opts.onProgress?.(progress);
  return progress;
}
