// The spool: events that could not be held in memory (Redis unreachable for long) or were still held at a
// shutdown with Redis down, appended as NDJSON files under SPOOL_DIR. Nothing is dropped: files are replayed
// when Redis is writable again, or at the next start. Replaying is idempotent, so a crash mid-replay only
// means the file is replayed again.
import { closeSync, createReadStream, fstatSync, fsyncSync, ftruncateSync, mkdirSync, openSync, readdirSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import type { Logger } from '../log.js';
import { eventFromJson, eventToJson, type LiquidationEvent } from '../core/event.js';

const FILE_RE = /^spool-\d+-\d+-\d+\.ndjson$/;
const CLAIMED_RE = /^(spool-\d+-\d+-\d+\.ndjson)\.replaying-(\d+)$/;

function alive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class SpoolDirError extends Error {
  override name = 'SpoolDirError';
}

/**
 * Start-up check: SPOOL_DIR exists (or is created) and a file can be written, fsynced and removed there. Throws
 * SpoolDirError with one line naming the directory and the reason, so the daemon refuses to start rather than
 * finding out during the first Redis outage that it cannot hold what it receives. A directory that is writable but
 * full (ENOSPC, EDQUOT) is not refused, since it may hold a spool to replay: the result says so, for an error line.
 */
export function checkSpoolDir(dir: string): 'ok' | 'full' {
  const probe = path.join(dir, `.probe-${process.pid}`);
  try {
    mkdirSync(dir, { recursive: true });
    const fd = openSync(probe, 'w');
    try {
      writeSync(fd, 'liqd spool probe\n');
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    unlinkSync(probe);
    return 'ok';
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'ENOSPC' || e.code === 'EDQUOT') {
      try {
        unlinkSync(probe);
      } catch {
        // never created
      }
      return 'full';
    }
    throw new SpoolDirError(`SPOOL_DIR ${dir} is not writable (${e.code ?? 'error'}: ${e.message}); set SPOOL_DIR to a writable directory`);
  }
}

export class Spool {
  private current: string | undefined;
  private seq = 0;
  /** Events appended by this process and not yet replayed (approximate across files left by others). */
  private appended = 0;
  /** Lines of spool files that could not be read back (torn or corrupt), since start: those events are gone. */
  unreadable = 0;

  constructor(
    readonly dir: string,
    private readonly log: Logger,
  ) {}

  init(): void {
    mkdirSync(this.dir, { recursive: true });
  }

  /**
   * Appends events durably (fsync) to the current file, or throws (ENOSPC, EROFS, EIO, …) leaving the file as it
   * was: a write that fails half-way is cut back, so no torn line is left behind for events the caller still holds.
   * Synchronous: it must also work during shutdown.
   */
  append(events: readonly LiquidationEvent[]): void {
    if (events.length === 0) return;
    let text = '';
    for (const e of events) text += eventToJson(e) + '\n';
    const file = this.current ?? path.join(this.dir, `spool-${Date.now()}-${process.pid}-${this.seq++}.ndjson`);
    const fd = openSync(file, 'a');
    let size = -1;
    try {
      size = fstatSync(fd).size;
      const bytes = Buffer.from(text);
      // write(2) may write less than asked (a filling disk): go on until all is written or it throws
      for (let off = 0; off < bytes.length; ) off += writeSync(fd, bytes, off, bytes.length - off);
      fsyncSync(fd);
    } catch (err) {
      if (size >= 0) {
        try {
          ftruncateSync(fd, size);
        } catch {
          // the file may be gone or the filesystem read-only: the reader skips a torn last line anyway
        }
      }
      throw err;
    } finally {
      closeSync(fd);
    }
    if (this.current === undefined) {
      this.current = file;
      this.log.warn({ file }, 'spooling events to disk');
    }
    this.appended += events.length;
  }

  /** Ends the current file: later appends go to a new one, so the sealed file can be replayed. */
  seal(): void {
    this.current = undefined;
  }

  get pendingEstimate(): number {
    return this.appended;
  }

  /** Files waiting to be replayed (not counting the one being appended to). */
  files(): string[] {
    let names: string[];
    try {
      names = readdirSync(this.dir);
    } catch {
      return [];
    }
    const out: string[] = [];
    for (const n of names) {
      const full = path.join(this.dir, n);
      if (full === this.current) continue;
      if (FILE_RE.test(n)) out.push(full);
      else {
        const m = CLAIMED_RE.exec(n);
        // A claim by a process that died mid-replay (or by us, earlier) is free to take again.
        if (m && (Number(m[2]) === process.pid || !alive(Number(m[2])))) out.push(full);
      }
    }
    return out.sort((a, b) => path.basename(a).localeCompare(path.basename(b), 'en', { numeric: true }));
  }

  hasWork(): boolean {
    return this.current !== undefined || this.files().length > 0;
  }

  /** Takes the oldest file for replay by renaming it, so a second daemon on the same directory skips it. */
  claimNext(): string | undefined {
    for (const file of this.files()) {
      const base = path.basename(file).replace(/\.replaying-\d+$/, '');
      const claimed = path.join(this.dir, `${base}.replaying-${process.pid}`);
      try {
        if (file !== claimed) renameSync(file, claimed);
        return claimed;
      } catch {
        // taken by another process in the meantime
      }
    }
    return undefined;
  }

  /** Reads a claimed file in batches. A torn last line (crash mid-append) or a corrupt line is skipped and logged. */
  async *read(file: string, batchSize: number): AsyncGenerator<LiquidationEvent[]> {
    const rl = readline.createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
    let batch: LiquidationEvent[] = [];
    let bad = 0;
    for await (const line of rl) {
      if (line.length === 0) continue;
      const e = eventFromJson(line);
      if (e === undefined) {
        bad++;
        continue;
      }
      batch.push(e);
      if (batch.length >= batchSize) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length > 0) yield batch;
    if (bad > 0) {
      this.unreadable += bad;
      this.log.error({ file, badLines: bad }, 'spool file had unreadable lines: those events are lost (counted in liq_dropped_total{reason="spool_unreadable"})');
    }
  }

  remove(file: string, events: number): void {
    try {
      unlinkSync(file);
    } catch {
      // already gone
    }
    this.appended = Math.max(0, this.appended - events);
  }

  /** Bytes waiting on disk, for /health. */
  bytes(): number {
    let total = 0;
    for (const f of [...this.files(), ...(this.current ? [this.current] : [])]) {
      try {
        total += statSync(f).size;
      } catch {
        // gone
      }
    }
    return total;
  }
}
