// RESP bytes for the validator's client (src/forensic/resp.ts) and its page decoders (page.ts, bucket.ts): commands
// written straight into one Buffer, replies decoded in place with recurring short strings interned.

export class RespError {
  constructor(readonly message: string) {}
}

/** Bulk strings of digits only (at most 15) are decoded as numbers: see RespClient.decode. */
export type Reply = string | number | null | RespError | Reply[];

const CR = 13;
const INTERN_SIZE = 8192;

/** The error a raw reply's bytes hold (a `-ERR …` line), or undefined. */
export function rawError(reply: Buffer): RespError | undefined {
  if (reply[0] !== 45) return undefined;
  const cr = reply.indexOf(CR);
  return new RespError(reply.toString('utf8', 1, cr < 0 ? reply.length : cr));
}

/**
 * Commands in RESP, written straight into one growing Buffer (a million short commands cost a fraction of what
 * building and joining their strings does): one string per command, written with one call.
 */
export class Encoder {
  private buf = Buffer.allocUnsafe(1 << 16);
  private pos = 0;
  count = 0;

  command(args: readonly string[]): void {
    let s = `*${args.length}\r\n`;
    for (const a of args) s += `$${a.length}\r\n${a}\r\n`;
    // the lengths above are characters: right when every character is one byte, which the whole string tells
    if (Buffer.byteLength(s) !== s.length) {
      s = `*${args.length}\r\n`;
      for (const a of args) s += `$${Buffer.byteLength(a)}\r\n${a}\r\n`;
      this.write(s, true);
    } else this.write(s, false);
    this.count++;
  }

  private write(s: string, utf8: boolean): void {
    const max = utf8 ? s.length * 3 : s.length;
    if (this.pos + max > this.buf.length) {
      const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + max));
      this.buf.copy(next, 0, 0, this.pos);
      this.buf = next;
    }
    this.pos += this.buf.write(s, this.pos, utf8 ? 'utf8' : 'latin1');
  }

  /** The encoded bytes; the encoder starts empty again. */
  take(): Buffer {
    const out = this.buf.subarray(0, this.pos);
    this.buf = Buffer.allocUnsafe(1 << 16);
    this.pos = 0;
    this.count = 0;
    return out;
  }
}

/**
 * Recurring short ASCII strings (field names, symbols, exchanges) decoded once: a table indexed by a hash of the
 * length and four sampled bytes (cheap; a collision only costs a fresh string).
 */
export class Interner {
  private readonly table: Array<string | undefined> = new Array<string | undefined>(INTERN_SIZE);

  /** The string of buf[start, end) (at most 32 bytes): the interned one, or a new UTF-8 string. */
  get(buf: Buffer, start: number, end: number): string {
    const n = end - start;
    if (n === 0) return '';
    if (n > 32) return buf.toString('utf8', start, end);
    const h =
      Math.imul(n, 0x9e3779b1) ^
      Math.imul(buf[start], 0x85ebca6b) ^
      Math.imul(buf[end - 1], 0xc2b2ae35) ^
      Math.imul(buf[start + (n >> 1)], 0x27d4eb2f) ^
      Math.imul(buf[start + ((n * 3) >> 2)], 0x165667b1);
    const slot = (h >>> 0) & (INTERN_SIZE - 1);
    const cached = this.table[slot];
    if (cached !== undefined && cached.length === n) {
      let i = 0;
      while (i < n && cached.charCodeAt(i) === buf[start + i]) i++;
      if (i === n) return cached;
    }
    for (let i = start; i < end; i++) if (buf[i] >= 0x80) return buf.toString('utf8', start, end);
    const s = buf.toString('latin1', start, end);
    this.table[slot] = s;
    return s;
  }
}

/**
 * A bulk string as the validator reads it: digits-only strings of at most 15 digits come back as exact numbers
 * (the validator's integer fields, timestamps, EXPIRETIME-like values), short strings that start with a letter
 * are interned, anything else is decoded as UTF-8. Strings that start with a digit (stream ids, prices,
 * quantities) are nearly all distinct: interning them would only cost a hash and evict the recurring names.
 */
export function decodeBulk(buf: Buffer, start: number, end: number, intern: Interner): string | number {
  const n = end - start;
  if (n === 0) return '';
  const c0 = buf[start] - 48;
  if (c0 >= 0 && c0 <= 9) {
    if (n <= 15) {
      let v = c0;
      let i = start + 1;
      for (; i < end; i++) {
        const c = buf[i] - 48;
        if (c < 0 || c > 9) break;
        v = v * 10 + c;
      }
      if (i === end) return v;
    }
    return buf.toString('utf8', start, end);
  }
  return intern.get(buf, start, end);
}

/** Throws a RespError reply as an Error; returns anything else. */
export function ok(r: Reply): Exclude<Reply, RespError> {
  if (r instanceof RespError) throw new Error(r.message);
  return r;
}

/**
 * The complete reply at buf[pos], decoded as RespClient.pipeline decodes it; `at.pos` is set to the position
 * after it. For the rare element a shape-specific reader of raw replies does not handle itself.
 */
export function decodeAt(buf: Buffer, pos: number, intern: Interner, at: { pos: number }): Reply {
  const type = buf[pos];
  const cr = buf.indexOf(CR, pos + 1);
  if (cr < 0) throw new Error('protocol error: truncated reply');
  const head = buf.toString('latin1', pos + 1, cr);
  let next = cr + 2;
  let value: Reply;
  if (type === 43 /* + */) value = head;
  else if (type === 45 /* - */) value = new RespError(buf.toString('utf8', pos + 1, cr));
  else if (type === 58 /* : */) value = Number(head);
  else if (type === 36 /* $ */) {
    const n = Number(head);
    if (n < 0) value = null;
    else {
      value = decodeBulk(buf, next, next + n, intern);
      next += n + 2;
    }
  } else if (type === 42 /* * */) {
    const n = Number(head);
    if (n < 0) value = null;
    else {
      const arr = new Array<Reply>(n);
      for (let i = 0; i < n; i++) {
        arr[i] = decodeAt(buf, next, intern, at);
        next = at.pos;
      }
      value = arr;
    }
  } else throw new Error(`protocol error: unexpected byte ${type}`);
  at.pos = next;
  return value;
}

/** The position after the complete reply at buf[pos] (headers read, bulk bodies skipped). */
export function replyEnd(buf: Buffer, pos: number): number {
  let need = 1;
  const open: number[] = [];
  while (need > 0 || open.length > 0) {
    if (need === 0) {
      need = open.pop()!;
      continue;
    }
    const type = buf[pos];
    const cr = buf.indexOf(CR, pos + 1);
    if (cr < 0) throw new Error('protocol error: truncated reply');
    need--;
    if (type === 36 /* $ */ || type === 42 /* * */) {
      const n = Number(buf.toString('latin1', pos + 1, cr));
      pos = cr + 2;
      if (type === 36 && n >= 0) pos += n + 2;
      else if (type === 42 && n > 0) {
        open.push(need);
        need = n;
      }
    } else if (type === 43 /* + */ || type === 45 /* - */ || type === 58 /* : */) pos = cr + 2;
    else throw new Error(`protocol error: unexpected byte ${type}`);
  }
  return pos;
}

/** The commands an Encoder wrote (its bytes, from take()), as their arguments. */
export function decodeCommands(buf: Buffer): string[][] {
  const out: string[][] = [];
  let pos = 0;
  while (pos < buf.length) {
    if (buf[pos] !== 42 /* * */) throw new Error('protocol error: not a command');
    let cr = buf.indexOf(CR, pos);
    const n = Number(buf.toString('latin1', pos + 1, cr));
    pos = cr + 2;
    const args = new Array<string>(n);
    for (let i = 0; i < n; i++) {
      cr = buf.indexOf(CR, pos);
      const len = Number(buf.toString('latin1', pos + 1, cr));
      args[i] = buf.toString('utf8', cr + 2, cr + 2 + len);
      pos = cr + 4 + len;
    }
    out.push(args);
  }
  return out;
}
