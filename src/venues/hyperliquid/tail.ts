// The tail of a node's fill files: follows the hourly file the node is writing (appends, a half-written last line, the
// next hour's file, the next day's directory), hands each complete line's liquidations to the engine, and keeps its
// position (file and byte offset of the last complete line whose events are written or spooled) in the daemon's Redis, so that a restart goes
// on where it stopped. Files are polled, not watched: a few stats every 200 ms cost nothing next to the node's own
// writes, and change notifications do not reach every mount (NFS, some container volumes).
//
// Reported like a connection (liq:status, /health, liq_stream_open): `open` while the newest file grows, `down` when
// it has not grown for 60 s (the node writes a line per block, many a second: silence means it stopped or lost its
// peers), `waiting_files` while the directory does not exist, `waiting_state` until the saved position could be read.
import { open } from 'node:fs/promises';
import path from 'node:path';
import type { ParseOptions, ParseResult } from '../../core/parse.js';
import type { StreamStatus } from '../../core/status.js';
import type { Logger } from '../../log.js';
import { deliver } from '../metadata-gate.js';
import type { SourceState, StreamDeps, VenueGroup } from '../runtime.js';
import { type HourFile, isDir, newestHour, nextHour } from './files.js';
import { CHUNK_BYTES, LineSplitter } from './lines.js';
import { type Began, type Position, beginning, decodePosition, encodePosition, sizeOf } from './position.js';
import { Marks } from './marks.js';

export interface TailOptions {
  /** `<data dir>/node_fills_by_block/hourly`. */
  root: string;
  exchange: string;
  venue: string;
  /** HYPERLIQUID_FROM (ms): where to begin when no position is saved; null: at the end of the newest file. */
  from: number | null;
  retentionMs: number;
  parse: (line: string, opts: ParseOptions) => ParseResult;
  pollMs?: number;
  staleAfterMs?: number;
  saveEveryMs?: number;
}

export const STALE_AFTER_MS = 60_000;
const RETRY_STATE_MS = 1_000;

type State = 'waiting_state' | 'waiting_files' | 'open' | 'down' | 'stopped';

export class FillTail implements VenueGroup {
  private readonly log: Logger;
  private readonly store: SourceState | undefined;
  private readonly pollMs: number;
  private readonly staleAfterMs: number;
  private readonly saveEveryMs: number;
  private running = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private state: State = 'waiting_state';
  private stateSince = Date.now();
  /** The file being read, where the next read starts, and the lines not yet complete. */
  private cur: HourFile | undefined;
  private readOffset = 0;
  private readonly splitter = new LineSplitter();
  private saved: string | undefined;
  /** The newest file and its size when last looked at (null: there was none; undefined: not looked yet), when it last
   *  grew, and since when growth is expected (the directory was first seen). */
  private newest: { name: string; size: number } | null | undefined;
  private grewAt: number | null = null;
  private watchFrom = Date.now();
  /** How the tail began (undefined: not yet); 'start': nothing was there, whatever appears is read from its first byte. */
  private began: Began | undefined;
  private saveTimer: NodeJS.Timeout | undefined;
  /** Positions after each hand-over: saved once the events before them are kept (marks.ts). */
  private readonly marks = new Marks();
  private readonly buf = Buffer.allocUnsafe(CHUNK_BYTES);

  constructor(
    private readonly opts: TailOptions,
    private readonly deps: StreamDeps,
  ) {
    this.log = deps.log;
    this.store = deps.state?.(opts.venue);
    this.pollMs = opts.pollMs ?? 200;
    this.staleAfterMs = opts.staleAfterMs ?? STALE_AFTER_MS;
    this.saveEveryMs = opts.saveEveryMs ?? 1_000;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run().catch((err: unknown) => {
      this.log.error({ err }, 'fill file tail stopped by an error');
      this.setState('down');
    });
    this.saveTimer = setInterval(() => void this.save(), this.saveEveryMs);
    this.saveTimer.unref();
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.saveTimer) clearInterval(this.saveTimer);
    this.wake?.();
    await this.loop;
    // the last position, unless Redis does not answer in time (the daemon has seconds to shut down)
    await Promise.race([this.save(), new Promise((r) => setTimeout(r, 1_000).unref())]);
    this.setState('stopped');
  }

  statuses(): StreamStatus[] {
    const now = Date.now();
    let state: State = this.state;
    if (state === 'open' && now - (this.grewAt ?? this.watchFrom) > this.staleAfterMs) state = 'down';
    const status: StreamStatus & { file: string | null; offset: number } = {
      venue: this.opts.venue,
      exchange: this.opts.exchange,
      connection: this.opts.venue,
      state,
      topics: 1,
      lastMessageAt: this.grewAt,
      reconnects: 0,
      since: now - this.stateSince,
      updatedAt: now,
      file: this.cur === undefined ? null : path.join(this.opts.root, this.cur.name),
      offset: this.committed,
    };
    return [status];
  }

  /** The offset just after the last complete line handed over. */
  private get committed(): number {
    return this.readOffset - this.splitter.held;
  }

  private setState(s: State): void {
    if (s === this.state) return;
    this.state = s;
    this.stateSince = Date.now();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(t);
        resolve();
      };
    });
  }

  private async run(): Promise<void> {
    const saved = await this.loadPosition();
    if (saved === null) return;
    let reported = false;
    let failed: string | undefined;
    while (this.running) {
      let more = false;
      try {
        if (!(await isDir(this.opts.root))) {
          if (!reported) this.log.warn({ dir: this.opts.root }, 'node fill files: the directory does not exist yet; waiting for the node to write it (--write-fills --batch-by-block)');
          reported = true;
          // Nothing was there when the tail began: whatever appears is new and is read from its first byte.
          if (this.began === undefined && saved === undefined && this.opts.from === null) this.began = 'start';
          this.setState('waiting_files');
          await this.sleep(this.pollMs * 5);
          continue;
        }
        if (reported) this.log.info({ dir: this.opts.root }, 'node fill files: the directory exists now');
        reported = false;
        if (this.state === 'waiting_files' || this.state === 'waiting_state') {
          this.watchFrom = Date.now();
          this.setState('open');
        }
        await this.watchNewest();
        if (this.cur === undefined) await this.begin(saved);
        if (this.cur !== undefined && !(this.deps.gate?.paused ?? false)) more = await this.readSome();
        if (failed !== undefined) this.log.info({ dir: this.opts.root }, 'node fill files readable again');
        failed = undefined;
      } catch (err) {
        // A file that cannot be read (permissions, a vanished mount) is retried; said once per distinct error.
        const text = err instanceof Error ? err.message : String(err);
        if (text !== failed) this.log.error({ err, dir: this.opts.root }, 'node fill files cannot be read; retrying');
        failed = text;
        this.setState('down');
      }
      if (!more) await this.sleep(failed === undefined ? this.pollMs : RETRY_STATE_MS);
      else await new Promise((r) => setImmediate(r));
    }
  }

  /** The saved position (retried until the store answers); null when stopped meanwhile. */
  private async loadPosition(): Promise<Position | undefined | null> {
    if (this.store === undefined) return undefined;
    for (let attempt = 0; this.running; attempt++) {
      try {
        const text = await this.store.load();
        const p = decodePosition(text);
        if (text !== null && p === undefined) this.log.error({ saved: text }, 'saved position unreadable: ignored');
        return p;
      } catch (err) {
        if (attempt === 5) this.log.warn({ err }, 'cannot read the saved position yet (Redis); retrying');
        await this.sleep(RETRY_STATE_MS);
      }
    }
    return null;
  }

  /** Picks the file and offset to begin at, once files exist. */
  private async begin(saved: Position | undefined): Promise<void> {
    const b = await beginning(this.opts.root, this.log, saved, this.opts.from, this.began);
    this.began = b.began;
    if (b.at !== undefined) this.follow(b.at.file, b.at.offset);
  }

  private fileOf(f: HourFile): string {
    return path.join(this.opts.root, f.name);
  }

  private follow(f: HourFile, offset: number): void {
    this.cur = f;
    this.readOffset = offset;
    this.splitter.reset();
  }

  /** Notes whether the newest file grew (or a newer one appeared) since the last look. */
  private async watchNewest(): Promise<void> {
    const found = await newestHour(this.opts.root);
    const now = Date.now();
    const seen = found === undefined ? null : { name: found.name, size: (await sizeOf(path.join(this.opts.root, found.name))) ?? 0 };
    const before = this.newest;
    this.newest = seen;
    if (before !== undefined && seen !== null && (before === null || before.name !== seen.name || before.size !== seen.size)) {
      if (this.state === 'down') this.log.info({ file: path.join(this.opts.root, seen.name) }, 'node fill files growing again');
      this.grewAt = now;
      this.setState('open');
    } else if (this.state === 'open' && now - (this.grewAt ?? this.watchFrom) > this.staleAfterMs) {
      this.log.error(
        { dir: this.opts.root, newest: seen?.name ?? null, silentMs: now - (this.grewAt ?? this.watchFrom) },
        `node fill files not growing for ${Math.round(this.staleAfterMs / 1000)} s: is the node running and synced, with --write-fills --batch-by-block?`,
      );
      this.setState('down');
    }
  }

  /** Reads from the current file; true when there is more to read right away. */
  private async readSome(): Promise<boolean> {
    const cur = this.cur!;
    const file = this.fileOf(cur);
    const size = await sizeOf(file);
    if (size !== undefined && size < this.readOffset) {
      this.log.error({ file, size, offset: this.readOffset }, 'file shorter than what was read (rewritten?): reading it again from the start');
      this.follow(cur, 0);
      return true;
    }
    if (size !== undefined && size > this.readOffset) {
      await this.readChunk(file);
      return true;
    }
    // At the end of the current file: go on with the next one once the node has moved to it. The current file is
    // looked at once more after the next one was seen, so that its last lines are never left behind.
    const next = await nextHour(this.opts.root, cur.start);
    if (next === undefined) return false;
    const final = await sizeOf(file);
    if (final !== undefined && final > this.readOffset) return true;
    const rest = this.splitter.takeRest();
    if (rest !== undefined) {
      this.log.warn({ file, bytes: Buffer.byteLength(rest) }, 'file ended without a newline: its last line is read as it is');
      this.hand([rest]);
    }
    this.log.info({ file: this.fileOf(next), previous: file }, 'node fill files: next hour');
    this.follow(next, 0);
    await this.save();
    return true;
  }

  private async readChunk(file: string): Promise<void> {
    const fh = await open(file, 'r');
    try {
      const { bytesRead } = await fh.read(this.buf, 0, this.buf.length, this.readOffset);
      if (bytesRead === 0) return;
      const chunk = this.splitter.push(this.buf.subarray(0, bytesRead));
      this.readOffset += bytesRead;
      if (chunk.dropped > 0) {
        this.log.error({ file, bytes: chunk.dropped }, 'a line longer than 64 MiB was dropped');
        this.deps.onRejections([{ exchange: this.opts.exchange, reason: 'bad_shape', sample: `line of over 64 MiB in ${file}` }]);
      }
      this.hand(chunk.lines);
    } finally {
      await fh.close();
    }
  }

  /** Parses lines and hands their events over, once per chunk (the position may then move past them). */
  private hand(lines: readonly string[]): void {
    if (lines.length === 0) return;
    const opts = { receivedAt: Date.now(), retentionMs: this.opts.retentionMs };
    const all: ParseResult = { events: [], rejections: [], missing: [] };
    for (const line of lines) {
      const r = this.opts.parse(line, opts);
      for (const e of r.events) all.events.push(e);
      for (const x of r.rejections) all.rejections.push(x);
    }
    deliver(all, this.deps);
    const p = this.deps.progress?.();
    if (p !== undefined && this.cur !== undefined) this.marks.add({ file: this.cur.name, offset: this.committed }, p.pushed);
  }

  private async save(): Promise<void> {
    if (this.store === undefined) return;
    if (this.cur === undefined) return;
    const pos = this.marks.safe({ file: this.cur.name, offset: this.committed }, this.deps.progress?.());
    if (pos === undefined) return;
    const value = encodePosition(pos);
    if (value === this.saved) return;
    try {
      await this.store.save(value);
      this.saved = value;
    } catch (err) {
      // retried at the next interval; the engine holds the events meanwhile
      this.log.debug({ err }, 'position not saved (Redis); retrying');
    }
  }
}
