// HTTP for the venues' REST endpoints (instrument metadata, gap backfill): the global fetch with a timeout per
// attempt, a few attempts with exponential backoff, and errors that say what failed and whether to try again. A
// venue's calls share one token bucket (its REST rate limit, declared by the adapter); a 429 holds the whole bucket
// for its Retry-After, so the next call of that venue, whichever it is, waits too.
import { setTimeout as sleep } from 'node:timers/promises';
import type { z } from 'zod';
import { parseRetryAfter } from './connection.js';

/** A venue's REST rate limit: `perSecond` calls a second on average, bursts of up to `burst`. */
export interface RateLimit {
  perSecond: number;
  burst: number;
}

/** Token bucket shared by every REST call to one venue. */
export class TokenBucket {
  private tokens: number;
  private last = performance.now();
  private heldUntil = 0;
  /** Calls that had to wait for a token (or for a 429's hold), for the logs. */
  waited = 0;
  /** 429 answers seen. */
  limited = 0;

  constructor(readonly limit: RateLimit) {
    if (!(limit.perSecond > 0) || !(limit.burst >= 1)) throw new RangeError(`a rate limit needs perSecond > 0 and burst >= 1 (got ${JSON.stringify(limit)})`);
    this.tokens = limit.burst;
  }

  /** Resolves when a call may go (rejects when `signal` aborts). */
  async take(signal?: AbortSignal): Promise<void> {
    let waited = false;
    for (;;) {
      const now = performance.now();
      this.tokens = Math.min(this.limit.burst, this.tokens + ((now - this.last) / 1000) * this.limit.perSecond);
      this.last = now;
      const hold = this.heldUntil - Date.now();
      if (hold <= 0 && this.tokens >= 1) {
        this.tokens -= 1;
        if (waited) this.waited++;
        return;
      }
      waited = true;
      const ms = Math.max(hold, ((1 - this.tokens) / this.limit.perSecond) * 1000, 1);
      await sleep(ms, undefined, signal === undefined ? undefined : { signal });
    }
  }

  /** The venue said "too many requests": no call of this venue goes before `ms` from now. */
  hold(ms: number): void {
    this.limited++;
    this.heldUntil = Math.max(this.heldUntil, Date.now() + ms);
    this.tokens = 0;
  }
}

export interface HttpOptions {
  /** Per attempt, ms (default 10 000). */
  timeoutMs?: number;
  /** Attempts in all (default 3). */
  attempts?: number;
  /** First backoff, ms, doubled after each failed attempt (default 500). */
  backoffMs?: number;
  /** Aborts everything (the cache's stop()). */
  signal?: AbortSignal;
  /** The venue's shared rate limit: every attempt takes a token; a 429 holds it for its Retry-After. */
  limiter?: TokenBucket;
}

export class InstrumentFetchError extends Error {
  override name = 'InstrumentFetchError';
  constructor(
    message: string,
    readonly retryable: boolean,
    /** The venue asked for this long a pause (Retry-After of a 429). */
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

/** 429 without Retry-After: the whole venue waits this long. */
const DEFAULT_429_HOLD_MS = 1_000;

const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_ATTEMPTS = 3;
const DEFAULT_BACKOFF_MS = 500;

export function errorText(e: unknown): string {
  if (e instanceof Error) {
    const cause = (e as { cause?: unknown }).cause;
    return cause instanceof Error ? `${e.message}: ${cause.message}` : e.message;
  }
  return String(e);
}

async function fetchOnce(url: string, timeoutMs: number, outer: AbortSignal | undefined, limiter?: TokenBucket): Promise<unknown> {
  if (limiter !== undefined) {
    try {
      await limiter.take(outer);
    } catch {
      throw new InstrumentFetchError('aborted', false);
    }
  }
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = outer === undefined ? timeout : AbortSignal.any([outer, timeout]);
  const failed = (what: string, e: unknown): InstrumentFetchError => {
    if (outer?.aborted) return new InstrumentFetchError('aborted', false);
    if (timeout.aborted) return new InstrumentFetchError(`timeout after ${timeoutMs} ms`, true);
    return new InstrumentFetchError(`${what}: ${errorText(e)}`, true);
  };
  let res: Response;
  try {
    res = await fetch(url, { signal, headers: { accept: 'application/json' } });
  } catch (e) {
    throw failed('request failed', e);
  }
  if (!res.ok) {
    try {
      await res.body?.cancel();
    } catch {
      // ignore
    }
    const retryable = res.status >= 500 || res.status === 429 || res.status === 408;
    if (res.status === 429) {
      const wait = parseRetryAfter(res.headers.get('retry-after') ?? undefined) ?? DEFAULT_429_HOLD_MS;
      limiter?.hold(wait);
      throw new InstrumentFetchError(`HTTP 429 (retry after ${wait} ms)`, true, wait);
    }
    throw new InstrumentFetchError(`HTTP ${res.status}`, retryable);
  }
  let text: string;
  try {
    text = await res.text();
  } catch (e) {
    throw failed('reading the body failed', e);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new InstrumentFetchError('response is not JSON', true);
  }
}

/** GET a JSON document with a timeout per attempt and retries with backoff. Throws InstrumentFetchError. */
export async function fetchJson(url: string, opts: HttpOptions = {}): Promise<unknown> {
  const attempts = Math.max(1, opts.attempts ?? DEFAULT_ATTEMPTS);
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  let backoff = opts.backoffMs ?? DEFAULT_BACKOFF_MS;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fetchOnce(url, timeoutMs, opts.signal, opts.limiter);
    } catch (e) {
      const err = e instanceof InstrumentFetchError ? e : new InstrumentFetchError(errorText(e), true);
      if (!err.retryable || attempt >= attempts || opts.signal?.aborted) {
        throw attempt > 1 ? new InstrumentFetchError(`${err.message} (after ${attempt} attempts)`, err.retryable) : err;
      }
      try {
        // a 429's pause is taken by the limiter (the next attempt waits for its token); without one, here
        const wait = err.retryAfterMs !== undefined && opts.limiter === undefined ? Math.max(backoff, err.retryAfterMs) : backoff;
        await sleep(wait, undefined, opts.signal === undefined ? undefined : { signal: opts.signal });
      } catch {
        throw new InstrumentFetchError('aborted', false);
      }
      backoff *= 2;
    }
  }
}

export function schemaError(what: string, error: z.ZodError): InstrumentFetchError {
  const issue = error.issues[0];
  const where = issue === undefined ? '' : ` at ${issue.path.join('.') || '(root)'}: ${issue.message}`;
  return new InstrumentFetchError(`unexpected ${what} response${where}`, false);
}

