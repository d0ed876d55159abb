// Watching the Redis the engine writes to: whether writes succeed (the write state, fed by every batch and by a small
// probe write every few seconds when idle), whether Redis restarted (its run_id), and whether it lost data (the
// instance marker, marker.ts). Each change is logged once, at error when writes fail or data is gone.
import type { Redis } from 'ioredis';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics.js';
import { redisRunId } from './marker.js';
import { WriteState, type WriteStateView, isAuthError, redisErrorCode } from './write-state.js';
import type { BucketWriter } from './writer.js';

/** An idle engine proves Redis takes writes this often (a small write to the marker). */
export const PROBE_INTERVAL_MS = 5_000;

export interface DataLoss {
  /** Events this instance had written that Redis no longer holds. */
  lost: bigint;
  at: number;
  /** Redis's run_id changed since the last connection (it restarted). */
  restarted: boolean;
}

export interface WatchOptions {
  probeIntervalMs?: number;
  markerKey?: string;
  /** How many events are held now (for the log line of a refusal). */
  held: () => number;
  /** The engine is stopping: no more probes. */
  stopped: () => boolean;
  onLoss: (loss: DataLoss) => void;
}

export class RedisWatch {
  readonly writes: WriteState;
  private timer: NodeJS.Timeout | undefined;
  private probing = false;
  private runId: string | undefined;
  private restarted = false;

  constructor(
    private readonly redis: Redis,
    private readonly writer: BucketWriter,
    private readonly opts: WatchOptions,
    private readonly log: Logger,
    private readonly metrics?: Metrics,
  ) {
    this.writes = new WriteState((now, before) => this.onWriteState(now, before));
    redis.on('ready', () => void this.checkRestart().then(() => this.probe()));
    // A connection that fails before it is ready (a wrong password, a refused AUTH) never reaches a write: its error is the state.
    redis.on('error', (err: Error) => {
      if (isAuthError(redisErrorCode(err))) this.writes.failed(err);
    });
  }

  get view(): WriteStateView {
    return this.writes.view();
  }

  start(): void {
    const every = this.opts.probeIntervalMs ?? PROBE_INTERVAL_MS;
    this.timer = setInterval(() => {
      const at = this.writes.view().at;
      if (at === null || Date.now() - at >= every) void this.probe();
    }, Math.max(100, Math.floor(every / 5)));
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** A batch was written: writes work; the marker said whether Redis still holds what this instance wrote. */
  written(lost: bigint | undefined): void {
    this.writes.succeeded();
    if (lost !== undefined && lost > 0n) this.reportLoss(lost);
  }

  /** A batch or a probe failed: the error (OOM, READONLY, …) is the state until a write succeeds. */
  failed(err: unknown): string {
    this.writes.failed(err);
    const code = redisErrorCode(err);
    this.metrics?.writeErrors.inc({ error: code });
    return code;
  }

  /** The idle probe: a small write that says whether Redis takes writes, and checks the marker. */
  private async probe(): Promise<void> {
    if (this.probing || this.redis.status !== 'ready' || this.opts.stopped()) return;
    this.probing = true;
    try {
      this.written(await this.writer.probe());
    } catch (err) {
      this.failed(err);
    } finally {
      this.probing = false;
    }
  }

  /** Redis's run_id at each (re)connection: a change means Redis restarted; the marker says whether data went with it. */
  private async checkRestart(): Promise<void> {
    let id: string | undefined;
    try {
      id = await redisRunId(this.redis);
    } catch {
      return; // the probe that follows reports a Redis that does not answer
    }
    if (id === undefined) return;
    if (this.runId !== undefined && id !== this.runId) {
      this.restarted = true;
      this.log.warn({ before: this.runId, now: id }, 'Redis restarted (its run_id changed)');
    }
    this.runId = id;
  }

  private reportLoss(lost: bigint): void {
    const loss: DataLoss = { lost, at: Date.now(), restarted: this.restarted };
    this.restarted = false;
    this.metrics?.dataLoss.inc();
    this.metrics?.lostEvents.inc(Number(lost));
    this.log.error(
      { lost: Number(lost), restarted: loss.restarted, marker: this.opts.markerKey },
      'Redis lost data: events this instance had written are gone (was it restarted without persistence, or failed over to a replica that was behind?)',
    );
    this.opts.onLoss(loss);
  }

  private onWriteState(now: WriteStateView, before: WriteStateView): void {
    this.metrics?.redisUp.set(now.ok ? 1 : 0);
    if (now.ok) {
      this.log.info({ was: before.code }, 'Redis takes writes again');
      return;
    }
    if (now.code !== undefined && isAuthError(now.code)) {
      this.log.error({ code: now.code, error: now.error }, 'Redis authentication failed: check the user and password in REDIS_URL');
    } else if (now.code === 'NOREPLICAS') {
      this.log.error({ code: now.code, error: now.error, held: this.opts.held() }, 'Redis replicas do not confirm writes (REDIS_WAIT_REPLICAS): events are held until they do');
    } else {
      this.log.error({ code: now.code, error: now.error, held: this.opts.held() }, 'Redis refuses writes: events are held until it takes them again');
    }
  }
}
