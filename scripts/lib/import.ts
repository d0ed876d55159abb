// The import loop of liqd-import: a source's past files, line by line through its own parser, into the buckets
// through the engine's writer (the same Lua script as the daemon: identities make a second import count nothing).
// Resumable: after each chunk's events are written, the byte offset of its last complete line is kept in Redis
// (liq:import:{exchange}:{root}, file → offset), so a run that was stopped goes on where it was; never ahead of what
// was written.
import { createHash } from 'node:crypto';
import { open, realpath } from 'node:fs/promises';
import path from 'node:path';
import type { Redis } from 'ioredis';
import type { LiquidationEvent } from '../../src/core/event.js';
import type { RejectReason } from '../../src/core/parse.js';
import { BucketWriter } from '../../src/engine/writer.js';
import type { HistoryFile, HistorySpec } from '../../src/venues/types.js';

const CHUNK_BYTES = 4 * 1024 * 1024;
const BATCH_EVENTS = 5000;

export interface ImportOptions {
  exchange: string;
  history: HistorySpec;
  files: readonly HistoryFile[];
  redis: Redis;
  bucketRetentionHours: number;
  eventLogRetentionHours: number;
  /** Forget the resume record and read every file from its start. */
  reread: boolean;
  /** Called after every chunk (and when a file is done, with `fileDone`). */
  progress?: (t: ImportTotals, fileDone?: HistoryFile) => void;
  /** Checked between chunks: true stops the run (what was written is recorded). */
  stopped?: () => boolean;
}

export interface ImportTotals {
  files: number;
  filesDone: number;
  /** Files already imported whole by an earlier run (skipped). */
  filesSkipped: number;
  bytes: number;
  bytesDone: number;
  lines: number;
  /** Liquidations read from the files. */
  found: number;
  foundCents: bigint;
  /** Written now for the first time. */
  counted: number;
  /** Already counted (an earlier import, or the daemon's tail). */
  already: number;
  /** Older than the bucket retention: never written. */
  expired: number;
  rejected: Map<RejectReason, number>;
  /** A file whose last line had no end yet (still being written): read again by the next run. */
  unfinished: string[];
  interrupted: boolean;
}

/** The resume record's key: one per exchange and directory of files. */
export async function progressKey(exchange: string, files: readonly HistoryFile[]): Promise<string> {
  const dirs = [...new Set(await Promise.all(files.map(async (f) => path.dirname(path.dirname(await realpath(f.path))))))].sort();
  return `liq:import:${exchange}:${createHash('sha256').update(dirs.join('\n')).digest('hex').slice(0, 16)}`;
}

export async function runImport(o: ImportOptions): Promise<ImportTotals> {
  const t: ImportTotals = {
    files: o.files.length,
    filesDone: 0,
    filesSkipped: 0,
    bytes: o.files.reduce((n, f) => n + f.size, 0),
    bytesDone: 0,
    lines: 0,
    found: 0,
    foundCents: 0n,
    counted: 0,
    already: 0,
    expired: 0,
    rejected: new Map(),
    unfinished: [],
    interrupted: false,
  };
  const writer = new BucketWriter(o.redis, { bucketRetentionHours: o.bucketRetentionHours, eventLogRetentionHours: o.eventLogRetentionHours });
  const key = await progressKey(o.exchange, o.files);
  if (o.reread) await o.redis.del(key);
  const record = await o.redis.hgetall(key);
  const ttl = o.bucketRetentionHours * 3600;
  const buf = Buffer.allocUnsafe(CHUNK_BYTES);

  const parse = (lines: readonly string[], pending: LiquidationEvent[]) => {
    const opts = { receivedAt: Date.now(), retentionMs: o.bucketRetentionHours * 3_600_000 };
    for (const line of lines) {
      const r = o.history.parse(line, opts);
      t.lines++;
      for (const e of r.events) {
        pending.push(e);
        t.found++;
        t.foundCents += BigInt(e.valueCents);
      }
      for (const x of r.rejections) t.rejected.set(x.reason, (t.rejected.get(x.reason) ?? 0) + 1);
    }
  };
  const write = async (events: LiquidationEvent[]) => {
    for (let i = 0; i < events.length; i += BATCH_EVENTS) {
      const r = await writer.write(events.slice(i, i + BATCH_EVENTS));
      t.counted += r.written;
      t.already += r.duplicates;
      t.expired += r.expired;
      if (r.overflow.length > 0) t.rejected.set('out_of_range', (t.rejected.get('out_of_range') ?? 0) + r.overflow.length);
    }
  };
  const commit = async (file: HistoryFile, offset: number) => {
    await o.redis.multi().hset(key, file.name, String(offset)).expire(key, ttl).exec();
  };

  for (const file of o.files) {
    const from = Math.min(Number(record[file.name] ?? 0) || 0, file.size);
    if (from >= file.size) {
      t.filesSkipped++;
      t.filesDone++;
      t.bytesDone += file.size;
      o.progress?.(t, file);
      continue;
    }
    t.bytesDone += from;
    const fh = await open(file.path, 'r');
    try {
      let offset = from;
      let held = Buffer.alloc(0);
      for (;;) {
        if (o.stopped?.()) {
          t.interrupted = true;
          return t;
        }
        const { bytesRead } = await fh.read(buf, 0, buf.length, offset);
        if (bytesRead === 0) break;
        offset += bytesRead;
        t.bytesDone += bytesRead;
        const data = held.length === 0 ? buf.subarray(0, bytesRead) : Buffer.concat([held, buf.subarray(0, bytesRead)]);
        const nl = data.lastIndexOf(0x0a);
        held = Buffer.from(data.subarray(nl + 1));
        const pending: LiquidationEvent[] = [];
        if (nl >= 0) parse(lines(data.toString('utf8', 0, nl)), pending);
        await write(pending);
        await commit(file, offset - held.length);
        o.progress?.(t);
      }
      if (held.length > 0) {
        // A last line without its newline: complete in a finished file, half written in one the node still writes.
        const rest = held.toString('utf8').replace(/\r$/, '');
        const probe = o.history.parse(rest, { receivedAt: Date.now(), retentionMs: o.bucketRetentionHours * 3_600_000 });
        if (probe.rejections.some((r) => r.reason === 'invalid_json')) {
          t.unfinished.push(file.name);
        } else {
          const pending: LiquidationEvent[] = [];
          parse([rest], pending);
          await write(pending);
          await commit(file, offset);
        }
      }
    } finally {
      await fh.close();
    }
    t.filesDone++;
    o.progress?.(t, file);
  }
  return t;
}

function lines(text: string): string[] {
  const out: string[] = [];
  for (const l of text.split('\n')) {
    const line = l.endsWith('\r') ? l.slice(0, -1) : l;
    if (line.length > 0) out.push(line);
  }
  return out;
}
