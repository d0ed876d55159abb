// Whether writes to Redis succeed: not whether a connection is open. A Redis can be connected and refuse every
// write (maxmemory reached: OOM; a replica: READONLY; a failed snapshot: MISCONF; a wrong password: NOAUTH or
// WRONGPASS). The state follows the last write, a batch or the idle probe, and names the error.

/** The error's code: the first word of a Redis error reply (OOM, READONLY, MISCONF, NOAUTH, …), else a generic one. */
export function redisErrorCode(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  const m = /^([A-Z][A-Z_]{2,})\b/.exec(msg);
  if (m) return m[1];
  if (/closed|not writeable|offline queue|ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT/i.test(msg)) return 'DISCONNECTED';
  if (/timed? ?out/i.test(msg)) return 'TIMEOUT';
  return 'ERROR';
}

/** Codes that mean a password problem: said in so many words in the log. */
export function isAuthError(code: string): boolean {
  return code === 'NOAUTH' || code === 'WRONGPASS' || code === 'NOPERM';
}

export interface WriteStateView {
  /** The last write succeeded. */
  readonly ok: boolean;
  /** The last failed write's code and message, while not ok. */
  readonly code?: string;
  readonly error?: string;
  /** When the last write (either outcome) finished, ms. */
  readonly at: number | null;
  /** When a write last succeeded, ms. */
  readonly okAt: number | null;
}

export class WriteState {
  private state: { ok: boolean; code?: string; error?: string } = { ok: true };
  private at: number | null = null;
  private okAt: number | null = null;

  constructor(private readonly onChange: (now: WriteStateView, before: WriteStateView) => void = () => undefined) {}

  succeeded(now = Date.now()): void {
    const before = this.view();
    this.at = now;
    this.okAt = now;
    this.state = { ok: true };
    if (!before.ok) this.onChange(this.view(), before);
  }

  failed(err: unknown, now = Date.now()): void {
    const before = this.view();
    this.at = now;
    const code = redisErrorCode(err);
    this.state = { ok: false, code, error: err instanceof Error ? err.message : String(err) };
    if (before.ok || before.code !== code) this.onChange(this.view(), before);
  }

  view(): WriteStateView {
    return { ...this.state, at: this.at, okAt: this.okAt };
  }
}
