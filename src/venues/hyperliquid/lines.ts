// Reading a file that is being appended to, line by line, with the byte offset of the last complete line: the tail
// and the import both stop and resume there, so a line the node has half written is read again whole later.
import type { FileHandle } from 'node:fs/promises';

/** A block of a busy minute is a few MB; a line past this has no end in sight and is dropped (loudly, by the caller). */
export const MAX_LINE_BYTES = 64 * 1024 * 1024;
export const CHUNK_BYTES = 4 * 1024 * 1024;

export interface Chunk {
  /** Complete lines, without their newline (empty lines left out). */
  lines: string[];
  /** Bytes of a line longer than MAX_LINE_BYTES that were dropped in this chunk (0 normally). */
  dropped: number;
}

/** Splits bytes read from a file into complete lines; the unterminated rest waits for more. */
export class LineSplitter {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** Inside an overlong line: bytes are dropped until its newline. */
  private skipping = false;

  /** Bytes held that do not end a line yet (the committed offset is the read offset minus these). */
  get held(): number {
    return this.pendingBytes;
  }

  push(buf: Buffer): Chunk {
    const out: Chunk = { lines: [], dropped: 0 };
    const nl = buf.indexOf(0x0a);
    if (nl < 0) {
      this.hold(buf, out);
      return out;
    }
    // the first newline ends the held line
    if (this.skipping) {
      out.dropped += nl + 1;
      this.skipping = false;
    } else {
      const first = this.pendingBytes === 0 ? buf.subarray(0, nl) : Buffer.concat([...this.pending, buf.subarray(0, nl)]);
      addLine(out, first.toString('utf8'));
    }
    this.pending = [];
    this.pendingBytes = 0;
    const last = buf.lastIndexOf(0x0a);
    if (last > nl + 1) {
      for (const line of buf.toString('utf8', nl + 1, last).split('\n')) addLine(out, line);
    }
    if (last + 1 < buf.length) this.hold(buf.subarray(last + 1), out);
    return out;
  }

  /** The unterminated rest (at the end of a file the node has left), and forgets it. */
  takeRest(): string | undefined {
    const rest = this.pendingBytes === 0 || this.skipping ? undefined : Buffer.concat(this.pending).toString('utf8').replace(/\r$/, '');
    this.reset();
    return rest === '' ? undefined : rest;
  }

  reset(): void {
    this.pending = [];
    this.pendingBytes = 0;
    this.skipping = false;
  }

  private hold(part: Buffer, out: Chunk): void {
    if (this.skipping) {
      out.dropped += part.length;
      return;
    }
    // a copy: the read buffer is reused
    this.pending.push(Buffer.from(part));
    this.pendingBytes += part.length;
    if (this.pendingBytes > MAX_LINE_BYTES) {
      out.dropped += this.pendingBytes;
      this.pending = [];
      this.pendingBytes = 0;
      this.skipping = true;
    }
  }
}

function addLine(out: Chunk, line: string): void {
  const l = line.endsWith('\r') ? line.slice(0, -1) : line;
  if (l.length > 0) out.lines.push(l);
}

/** Reads up to `max` bytes at `offset`; the buffer it returns is only valid until the next call. */
export async function readAt(fh: FileHandle, offset: number, max: number, buf: Buffer): Promise<Buffer> {
  const { bytesRead } = await fh.read(buf, 0, Math.min(max, buf.length), offset);
  return buf.subarray(0, bytesRead);
}
