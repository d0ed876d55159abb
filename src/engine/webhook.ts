// Alert webhook (ALERT_WEBHOOK_URL): each alert that this instance's write recorded is POSTed once here, as the JSON
// the write script published. Deliveries run beside the write path, never in it: the engine hands an alert over and
// goes on; a slow or failing receiver costs a queue entry, never a batch. A failed try (network error, timeout, 5xx,
// 408, 429) is retried with exponential backoff and jitter (Retry-After honoured), with the same body and the same
// Idempotency-Key (the alert's identity), so a receiver that saw a try whose answer was lost can tell the repeat.
// With ALERT_WEBHOOK_SECRET the body is signed: `X-Liqd-Signature: sha256=<hex HMAC-SHA256 of the body>`.
import { createHmac } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics.js';
import type { Alert } from './alert.js';

export interface WebhookOptions {
  url: string;
  /** HMAC-SHA256 key of the signature header; none when empty or absent. */
  secret?: string;
  /** Tries per alert (default 8: about four minutes of backoff). */
  attempts?: number;
  /** First backoff, ms, doubled per try up to maxBackoffMs (default 1000). */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** Per try, ms (default 5000). */
  timeoutMs?: number;
  /** Alerts waiting beyond the ones being sent; more are dropped (counted, logged). Default 10 000. */
  maxQueued?: number;
  /** Deliveries at once (default 4). */
  concurrency?: number;
}

export const SIGNATURE_HEADER = 'x-liqd-signature';

/** The signature header's value for a body. */
export function signature(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

export interface WebhookState {
  delivered: number;
  failed: number;
  dropped: number;
  queued: number;
  sending: number;
  /** The last failed try, for /health. */
  lastError?: string;
}

export class AlertWebhook {
  private readonly queue: Alert[] = [];
  private sending = 0;
  private readonly stopping = new AbortController();
  private readonly active = new Set<Promise<void>>();
  private readonly st: WebhookState = { delivered: 0, failed: 0, dropped: 0, queued: 0, sending: 0 };

  constructor(
    private readonly opts: WebhookOptions,
    private readonly log: Logger,
    private readonly metrics?: Metrics,
  ) {}

  get state(): WebhookState {
    return { ...this.st, queued: this.queue.length, sending: this.sending };
  }

  /** Hands an alert over; returns at once. */
  send(alert: Alert): void {
    if (this.stopping.signal.aborted) return;
    if (this.queue.length >= (this.opts.maxQueued ?? 10_000)) {
      this.st.dropped++;
      this.metrics?.webhook.inc({ result: 'dropped' });
      this.log.error({ id: alert.fields.id, queued: this.queue.length }, 'alert webhook queue full: alert not posted (it is in the liq:alerts stream)');
      return;
    }
    this.queue.push(alert);
    this.pump();
  }

  private pump(): void {
    while (this.sending < (this.opts.concurrency ?? 4) && this.queue.length > 0) {
      const alert = this.queue.shift()!;
      this.sending++;
      const p = this.deliver(alert).finally(() => {
        this.sending--;
        this.active.delete(p);
        this.pump();
      });
      this.active.add(p);
    }
  }

  private async deliver(alert: Alert): Promise<void> {
    const attempts = Math.max(1, this.opts.attempts ?? 8);
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'idempotency-key': alert.fields.id,
      'user-agent': 'liqd',
    };
    if (this.opts.secret) headers[SIGNATURE_HEADER] = signature(this.opts.secret, alert.json);
    let backoff = this.opts.backoffMs ?? 1000;
    for (let attempt = 1; ; attempt++) {
      let error: string;
      let retryable = true;
      let waitMs: number | undefined;
      try {
        const signal = AbortSignal.any([this.stopping.signal, AbortSignal.timeout(this.opts.timeoutMs ?? 5000)]);
        const res = await fetch(this.opts.url, { method: 'POST', headers, body: alert.json, signal });
        await res.body?.cancel().catch(() => undefined);
        if (res.ok) {
          this.st.delivered++;
          this.metrics?.webhook.inc({ result: 'delivered' });
          if (attempt > 1) this.log.info({ id: alert.fields.id, attempt }, 'alert webhook delivered after retries');
          return;
        }
        error = `HTTP ${res.status}`;
        retryable = res.status >= 500 || res.status === 408 || res.status === 429;
        const after = Number(res.headers.get('retry-after'));
        if (Number.isFinite(after) && after > 0) waitMs = Math.min(after * 1000, this.opts.maxBackoffMs ?? 60_000);
      } catch (err) {
        if (this.stopping.signal.aborted) return;
        error = err instanceof Error ? `${err.message}${err.cause instanceof Error ? `: ${err.cause.message}` : ''}` : String(err);
      }
      this.st.lastError = error;
      if (!retryable || attempt >= attempts) {
        this.st.failed++;
        this.metrics?.webhook.inc({ result: 'failed' });
        this.log.error({ id: alert.fields.id, attempts: attempt, error }, 'alert webhook failed: alert not posted (it is in the liq:alerts stream)');
        return;
      }
      this.metrics?.webhook.inc({ result: 'retried' });
      const delay = waitMs ?? backoff * (0.75 + Math.random() * 0.5);
      this.log.warn({ id: alert.fields.id, attempt, error, delayMs: Math.round(delay) }, 'alert webhook try failed; retrying');
      backoff = Math.min(backoff * 2, this.opts.maxBackoffMs ?? 60_000);
      try {
        await sleep(delay, undefined, { signal: this.stopping.signal });
      } catch {
        return;
      }
    }
  }

  /** Waits up to `ms` for the deliveries under way, then gives up on the rest (logged with their number). */
  async stop(ms: number): Promise<void> {
    if (this.active.size > 0) await Promise.race([Promise.allSettled([...this.active]), sleep(ms)]);
    const left = this.queue.length + this.sending;
    this.stopping.abort();
    this.queue.length = 0;
    if (left > 0) this.log.error({ alerts: left }, 'shutdown: alerts not posted to the webhook (they are in the liq:alerts stream)');
  }
}
