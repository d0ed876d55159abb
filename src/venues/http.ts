// HTTP for the venues' REST endpoints (instrument metadata, gap backfill): the global fetch with a timeout per
// attempt, a few attempts with exponential backoff, and errors that say what failed and whether to try again.
import { setTimeout as sleep } from 'node:timers/promises';
import type { z } from 'zod';

export interface HttpOptions {
  /** Per attempt, ms (default 10 000). */
  timeoutMs?: number;
  /** Attempts in all (default 3). */
  attempts?: number;
  /** First backoff, ms, doubled after each failed attempt (default 500). */
  backoffMs?: number;
  /** Aborts everything (the cache's stop()). */
  signal?: AbortSignal;
}

export class InstrumentFetchError extends Error {
  override name = 'InstrumentFetchError';
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
  }
}

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

async function fetchOnce(url: string, timeoutMs: number, outer: AbortSignal | undefined): Promise<unknown> {
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
      return await fetchOnce(url, timeoutMs, opts.signal);
    } catch (e) {
      const err = e instanceof InstrumentFetchError ? e : new InstrumentFetchError(errorText(e), true);
      if (!err.retryable || attempt >= attempts || opts.signal?.aborted) {
        throw attempt > 1 ? new InstrumentFetchError(`${err.message} (after ${attempt} attempts)`, err.retryable) : err;
      }
      try {
        await sleep(backoff, undefined, opts.signal === undefined ? undefined : { signal: opts.signal });
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

