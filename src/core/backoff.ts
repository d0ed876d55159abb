// Reconnect backoff: exponential growth, a cap, and jitter. Pure (the random source is injectable).
//
// We use EQUAL jitter, not full jitter:
//   ceiling = min(maxMs, baseMs * 2^attempt)
//   delay   = ceiling / 2 + random() * ceiling / 2        ∈ [ceiling / 2, ceiling]
// Full jitter (random() * ceiling) spreads reconnects slightly better but can return ~0 ms, i.e. an immediate
// retry against a venue that has just dropped or refused us. Exchanges answer hammering with 429 and then 418
// (an IP ban that takes every stream down), so we want a guaranteed floor: equal jitter never waits less than
// half the exponential step (so never less than baseMs / 2) and still de-synchronises the many connections
// that drop together when a venue restarts.
//
// Bounds (tested): for every attempt ≥ 0,  min(baseMs, maxMs) / 2 ≤ delay ≤ maxMs,
// and more precisely ceiling / 2 ≤ delay ≤ ceiling with ceiling as above.

/**
 * The delay before reconnect attempt number `attempt` (0 = the first retry after a failure).
 * A negative, fractional or non-finite `attempt` is treated as the nearest sensible integer ≥ 0.
 * `random` must return a value in [0, 1); values outside are clamped.
 */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const n = Number.isFinite(attempt) ? Math.max(0, Math.floor(attempt)) : attempt > 0 ? 1024 : 0;
  const base = Math.max(0, baseMs);
  const max = Math.max(0, maxMs);
  // 2^n overflows to Infinity for huge n; min() then caps it at max.
  const ceiling = Math.min(max, base * 2 ** n);
  let r = random();
  if (!(r >= 0)) r = 0; // NaN or negative
  if (r > 1) r = 1;
  const half = ceiling / 2;
  // Whole milliseconds, kept inside [half, ceiling] even when rounding would step outside.
  return Math.min(ceiling, Math.max(half, Math.round(half + r * half)));
}
