// Capture files: NDJSON (gzip when the name ends in .gz). The first line is the metadata the recorder fetched
// over REST (raw responses, so a replay needs nothing from outside); every further line is one raw frame:
//   {"meta":{"format":"liqd-capture/1","createdAt":…,"source":"record","exchanges":[…],"rest":{…}}}
//   {"t":1732000000123,"venue":"bybit-linear","frame":"{\"topic\":\"allLiquidation.BTCUSDT\",…}"}
// `t` is when the frame was received (ms), `frame` the text exactly as it arrived. Later {"meta":…} lines (a
// refreshed listing) are allowed; readers merge them into the first.
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { constants as zc, createGunzip, createGzip, type Gzip } from 'node:zlib';
import type { Venue } from '../../src/core/parse.js';
import { FEED_NAMES } from '../../src/venues/registry.js';

export const CAPTURE_FORMAT = 'liqd-capture/1';

/**
 * Raw REST answers, exactly as the exchanges (or stand-ins) returned them, by feed name: what each venue's capture
 * hooks record and serve again (src/venues/<exchange>/capture.ts). E.g. 'binance-coinm': { exchangeInfo },
 * 'bybit-linear': { pages: […] }, okx: { SWAP, FUTURES }.
 */
export type RestMeta = Record<string, unknown>;

export interface CaptureMeta {
  format: string;
  createdAt: number;
  /** 'record' or 'gen-sample' */
  source: string;
  exchanges: string[];
  rest: RestMeta;
  [extra: string]: unknown;
}

export interface CaptureFrame {
  /** receivedAt, ms */
  t: number;
  venue: Venue;
  /** the raw text frame */
  frame: string;
}

export interface Capture {
  meta: CaptureMeta;
  frames: CaptureFrame[];
}

export class CaptureFormatError extends Error {
  override name = 'CaptureFormatError';
}

const VENUE_SET: ReadonlySet<string> = new Set(FEED_NAMES);

export function isGzipName(path: string): boolean {
  return path.toLowerCase().endsWith('.gz');
}

export function frameLine(f: CaptureFrame): string {
  return JSON.stringify({ t: f.t, venue: f.venue, frame: f.frame });
}

export function metaLine(meta: CaptureMeta): string {
  return JSON.stringify({ meta });
}

/**
 * Appends lines to a capture file. Gzip output is sync-flushed every `flushMs` so that what was recorded so far
 * can be read back (tolerantly) even while the recorder runs; close() ends the gzip member, so the finished file
 * is an ordinary .gz.
 */
export class CaptureWriter {
  private readonly file: WriteStream;
  private readonly gzip: Gzip | undefined;
  private readonly timer: NodeJS.Timeout | undefined;
  private dirty = false;
  private closing: Promise<void> | undefined;
  private failure: Error | undefined;
  lines = 0;

  constructor(
    readonly path: string,
    flushMs = 1000,
  ) {
    this.file = createWriteStream(path);
    this.file.on('error', (err) => (this.failure ??= err));
    if (isGzipName(path)) {
      this.gzip = createGzip({ level: 6 });
      this.gzip.on('error', (err) => (this.failure ??= err));
      this.gzip.pipe(this.file);
      this.timer = setInterval(() => {
        if (this.dirty && this.gzip && !this.closing) {
          this.dirty = false;
          this.gzip.flush(zc.Z_SYNC_FLUSH);
        }
      }, flushMs);
      this.timer.unref();
    }
  }

  /** The first error writing the file, if any. */
  get error(): Error | undefined {
    return this.failure;
  }

  private write(line: string): void {
    if (this.closing) throw new Error('capture writer already closed');
    (this.gzip ?? this.file).write(line + '\n');
    this.dirty = true;
    this.lines++;
  }

  writeMeta(meta: CaptureMeta): void {
    this.write(metaLine(meta));
  }

  writeFrame(f: CaptureFrame): void {
    this.write(frameLine(f));
  }

  /** Ends the file; resolves once every byte is on disk (rejects if writing failed). */
  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve, reject) => {
      if (this.timer) clearInterval(this.timer);
      this.file.once('close', () => (this.failure ? reject(this.failure) : resolve()));
      this.file.once('error', reject);
      (this.gzip ?? this.file).end();
    });
    return this.closing;
  }
}

async function startsWithGzipMagic(path: string): Promise<boolean> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(2);
    const { bytesRead } = await fh.read(buf, 0, 2, 0);
    return bytesRead === 2 && buf[0] === 0x1f && buf[1] === 0x8b;
  } finally {
    await fh.close();
  }
}

export interface ReadOptions {
  /**
   * Read a gzip file that is still being written (or was cut short): decode what is complete and stop there,
   * ignoring a last partial line, instead of failing on the missing end.
   */
  partial?: boolean;
}

/** The text stream of a capture file: gunzipped when the file is gzip (by its magic bytes, whatever its name). */
// The magic check comes first: it rejects cleanly when the file is missing, where a read stream opened before it
// would emit its ENOENT with nobody listening (an uncaught error in the process).
async function textStream(path: string, opts: ReadOptions): Promise<Readable> {
  const gzip = await startsWithGzipMagic(path);
  const raw = createReadStream(path);
  if (!gzip) return raw;
  const gunzip = createGunzip(opts.partial ? { finishFlush: zc.Z_SYNC_FLUSH } : {});
  raw.on('error', (err) => gunzip.destroy(err));
  return raw.pipe(gunzip);
}

export type CaptureLine = { kind: 'meta'; meta: CaptureMeta } | ({ kind: 'frame' } & CaptureFrame);

export function parseCaptureLine(line: string, lineNo: number): CaptureLine {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    throw new CaptureFormatError(`line ${lineNo}: not JSON`);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new CaptureFormatError(`line ${lineNo}: not an object`);
  const o = v as Record<string, unknown>;
  if ('meta' in o) {
    const m = o.meta as Record<string, unknown> | null;
    if (typeof m !== 'object' || m === null || typeof m.rest !== 'object' || m.rest === null) {
      throw new CaptureFormatError(`line ${lineNo}: meta without rest`);
    }
    return { kind: 'meta', meta: m as unknown as CaptureMeta };
  }
  if (typeof o.t !== 'number' || !Number.isFinite(o.t)) throw new CaptureFormatError(`line ${lineNo}: t is not a number`);
  if (typeof o.venue !== 'string' || !VENUE_SET.has(o.venue)) throw new CaptureFormatError(`line ${lineNo}: unknown venue ${String(o.venue)}`);
  if (typeof o.frame !== 'string') throw new CaptureFormatError(`line ${lineNo}: frame is not a string`);
  return { kind: 'frame', t: o.t, venue: o.venue as Venue, frame: o.frame };
}

/** Every line of a capture, in order. */
export async function* readCaptureLines(path: string, opts: ReadOptions = {}): AsyncGenerator<CaptureLine> {
  const stream = await textStream(path, opts);
  // A read error (the file vanished, a corrupt gzip) must end the loop with that error, not escape as an event.
  let failure: Error | undefined;
  const rl = createInterface({ input: stream, crlfDelay: Infinity });
  stream.on('error', (err) => {
    failure ??= err;
    rl.close();
  });
  let lineNo = 0;
  let pending: string | undefined;
  try {
    for await (const line of rl) {
      if (pending !== undefined) yield parseCaptureLine(pending, lineNo);
      lineNo++;
      pending = line.trim() === '' ? undefined : line;
    }
    if (failure) throw failure;
    if (pending !== undefined) {
      // With `partial`, a last line may be cut: skip it when it does not parse.
      try {
        yield parseCaptureLine(pending, lineNo);
      } catch (err) {
        if (!opts.partial) throw err;
      }
    }
  } finally {
    rl.close();
    stream.destroy();
  }
}

/** Later metadata (a refreshed listing) replaces what it names; the rest of the first stays. */
export function mergeMeta(a: CaptureMeta, b: CaptureMeta): CaptureMeta {
  return { ...a, ...b, createdAt: a.createdAt, rest: { ...a.rest, ...b.rest } };
}

/** The whole capture in memory. Frames are kept in file order (the order they were received). */
export async function loadCapture(path: string, opts: ReadOptions = {}): Promise<Capture> {
  let meta: CaptureMeta | undefined;
  const frames: CaptureFrame[] = [];
  for await (const l of readCaptureLines(path, opts)) {
    if (l.kind === 'meta') meta = meta === undefined ? l.meta : mergeMeta(meta, l.meta);
    else frames.push({ t: l.t, venue: l.venue, frame: l.frame });
  }
  if (meta === undefined) {
    if (opts.partial) meta = { format: CAPTURE_FORMAT, createdAt: 0, source: 'unknown', exchanges: [], rest: {} };
    else throw new CaptureFormatError(`${path}: no {"meta":…} line: not a liqd capture`);
  }
  return { meta, frames };
}

