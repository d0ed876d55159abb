// A JSON array of strings written straight into bytes: the write script's one argument (script.ts), without an
// intermediate array of ~10 strings per event, without JSON.stringify, and without ioredis encoding a string of a
// megabyte to UTF-8 again. The bytes are exactly those of Buffer.from(JSON.stringify(strings)): printable ASCII is
// copied as it is, anything else (a quote, a backslash, a control character, a non-ASCII letter such as the 牛 of
// 牛来USDT) goes through JSON.stringify itself.

const COMMA = 44;
const QUOTE = 34;

// One scratch buffer for the arrays: built synchronously, then copied out at its exact size, so a batch leaves
// one allocation of its own size behind rather than a generously sized one per batch. A second array built while
// one is open gets a buffer of its own.
let scratch: Buffer = Buffer.allocUnsafe(1 << 16);
let scratchInUse = false;
// A scratch grown past this by an unusually large batch is not kept.
const SCRATCH_KEEP = 4 << 20;

export class JsonStrings {
  private buf: Buffer;
  private pos = 1;
  private first = true;
  /** Whether this array holds the shared scratch (and gives it back in done()). */
  private owner = false;

  /** sizeHint: the expected size in bytes (the buffer grows when it is short). */
  constructor(sizeHint: number) {
    const size = Math.max(64, sizeHint);
    if (scratchInUse || size > SCRATCH_KEEP) this.buf = Buffer.allocUnsafe(size);
    else {
      if (scratch.length < size) scratch = Buffer.allocUnsafe(size);
      scratchInUse = true;
      this.buf = scratch;
      this.owner = true;
    }
    this.buf[0] = 0x5b; // [
  }

  private room(bytes: number): void {
    if (this.pos + bytes <= this.buf.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + bytes));
    this.buf.copy(bigger, 0, 0, this.pos);
    this.buf = bigger;
  }

  private open(bytes: number): number {
    this.room(bytes + 3);
    if (this.first) this.first = false;
    else this.buf[this.pos++] = COMMA;
    this.buf[this.pos++] = QUOTE;
    return this.pos;
  }

  /** Appends one string. */
  str(s: string): void {
    const len = s.length;
    const start = this.pos;
    const wasFirst = this.first;
    let p = this.open(len);
    const b = this.buf; // after open(), which may have grown it
    for (let i = 0; i < len; i++) {
      const c = s.charCodeAt(i);
      if (c < 32 || c > 126 || c === QUOTE || c === 92) {
        this.pos = start;
        this.first = wasFirst;
        this.escaped(s);
        return;
      }
      b[p++] = c;
    }
    b[p++] = QUOTE;
    this.pos = p;
  }

  private escaped(s: string): void {
    const json = JSON.stringify(s);
    const bytes = Buffer.byteLength(json);
    this.room(bytes + 1);
    if (this.first) this.first = false;
    else this.buf[this.pos++] = COMMA;
    this.pos += this.buf.write(json, this.pos, 'utf8');
  }

  /** Appends a safe integer ≥ 0 as a string of its decimal digits (what String(n) gives). */
  int(n: number): void {
    if (!(n >= 0 && n <= Number.MAX_SAFE_INTEGER && n === Math.floor(n))) {
      this.str(String(n));
      return;
    }
    let p = this.open(16);
    const b = this.buf; // after open(), which may have grown it
    if (n < 1e9) p = digits(b, p, n);
    else {
      const hi = Math.floor(n / 1e9);
      p = padded9(b, digits(b, p, hi), n - hi * 1e9);
    }
    b[p++] = QUOTE;
    this.pos = p;
  }

  /** The array's bytes, in a buffer of their own (the writer is done with). */
  done(): Buffer {
    this.room(1);
    this.buf[this.pos++] = 0x5d; // ]
    const out = Buffer.allocUnsafe(this.pos);
    this.buf.copy(out, 0, 0, this.pos);
    if (this.owner) {
      // keep the grown buffer as the scratch, unless it grew past the bound
      if (this.buf.length <= SCRATCH_KEEP) scratch = this.buf;
      scratchInUse = false;
      this.owner = false;
    }
    return out;
  }
}

/** Writes n (0 ≤ n < 2^31) in decimal at p; returns the position after it. */
function digits(b: Buffer, p: number, n: number): number {
  let x = n | 0; // int32 arithmetic from here: % and / by 10 need no floating point
  let q = p;
  do {
    const next = (x / 10) | 0;
    b[q++] = 48 + x - next * 10;
    x = next;
  } while (x !== 0);
  // written backwards: reverse in place
  for (let i = p, j = q - 1; i < j; i++, j--) {
    const t = b[i];
    b[i] = b[j];
    b[j] = t;
  }
  return q;
}

/** Writes n (0 ≤ n < 10^9) as exactly 9 digits at p. */
function padded9(b: Buffer, p: number, n: number): number {
  let x = n | 0;
  for (let q = p + 8; q >= p; q--) {
    const next = (x / 10) | 0;
    b[q] = 48 + x - next * 10;
    x = next;
  }
  return p + 9;
}
