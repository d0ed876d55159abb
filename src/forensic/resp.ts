// A minimal RESP2 client for the validator's bulk reads. The validator reads hundreds of thousands of hashes and
// stream entries; a general client spends most of that time on per-command objects and reply transforms, so this
// one encodes a whole pipeline as one write and decodes replies with a resumable parser (arrays can span chunks
// without re-parsing). Read-only use: no pub/sub, no reconnects; any socket error fails the pending pipelines.
import net from 'node:net';
import tls from 'node:tls';

export class RespError {
  constructor(readonly message: string) {}
}

/** Bulk strings of digits only (at most 15) are decoded as numbers: see RespClient.decode. */
export type Reply = string | number | null | RespError | Reply[];

interface Pending {
  readonly replies: Reply[];
  readonly n: number;
  resolve(r: Reply[]): void;
  reject(e: Error): void;
}

interface Frame {
  readonly arr: Reply[];
  i: number;
}

const CR = 13;
const INTERN_SIZE = 8192;

export class RespClient {
  private readonly queue: Pending[] = [];
  private head = 0;
  private buf: Buffer = Buffer.alloc(0);
  private readonly stack: Frame[] = [];
  private failure: Error | undefined;
  private readonly intern: Array<string | undefined> = new Array<string | undefined>(INTERN_SIZE);

  private constructor(private readonly socket: net.Socket) {
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (err) => this.fail(err));
    socket.on('close', () => this.fail(new Error('connection closed')));
  }

  /** Connects (redis:// or rediss://, optional user:password@ and /db), or rejects within timeoutMs. */
  static async connect(url: string, timeoutMs = 3000): Promise<RespClient> {
    const u = new URL(url);
    const host = u.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1';
    const port = Number(u.port || 6379);
    const secure = u.protocol === 'rediss:';
    const socket = await new Promise<net.Socket>((resolve, reject) => {
      const s = secure ? tls.connect({ host, port, servername: host }) : net.connect({ host, port });
      const timer = setTimeout(() => {
        s.destroy();
        reject(new Error(`no connection within ${timeoutMs} ms`));
      }, timeoutMs);
      s.once(secure ? 'secureConnect' : 'connect', () => {
        clearTimeout(timer);
        s.removeAllListeners('error');
        resolve(s);
      });
      s.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
    });
    socket.setNoDelay(true);
    const client = new RespClient(socket);
    const setup: string[][] = [];
    if (u.password) {
      setup.push(u.username ? ['AUTH', decodeURIComponent(u.username), decodeURIComponent(u.password)] : ['AUTH', decodeURIComponent(u.password)]);
    }
    const db = u.pathname.replace(/^\//, '');
    if (db !== '' && db !== '0') setup.push(['SELECT', db]);
    setup.push(['PING']);
    const timer = setTimeout(() => client.fail(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    try {
      for (const r of await client.pipeline(setup)) if (r instanceof RespError) throw new Error(r.message);
    } catch (err) {
      client.close();
      throw err;
    } finally {
      clearTimeout(timer);
    }
    return client;
  }

  /** Sends the commands as one write; resolves with one reply per command, in order (errors as RespError). */
  pipeline(cmds: readonly (readonly string[])[]): Promise<Reply[]> {
    if (this.failure) return Promise.reject(this.failure);
    if (cmds.length === 0) return Promise.resolve([]);
    const parts: string[] = [];
    for (const cmd of cmds) {
      parts.push(`*${cmd.length}\r\n`);
      for (const arg of cmd) parts.push(`$${Buffer.byteLength(arg)}\r\n`, arg, '\r\n');
    }
    return new Promise((resolve, reject) => {
      this.queue.push({ replies: [], n: cmds.length, resolve, reject });
      this.socket.write(parts.join(''));
    });
  }

  async command(...args: string[]): Promise<Reply> {
    return (await this.pipeline([args]))[0];
  }

  close(): void {
    this.failure ??= new Error('client closed');
    this.socket.destroy();
  }

  private fail(err: Error): void {
    this.failure ??= err;
    const pending = this.queue.splice(this.head);
    this.queue.length = 0;
    this.head = 0;
    for (const p of pending) p.reject(this.failure);
  }

  private deliver(v: Reply): void {
    const p = this.queue[this.head];
    if (p === undefined) return; // an answer nobody asked for: ignore
    p.replies.push(v);
    if (p.replies.length === p.n) {
      this.head++;
      if (this.head > 1024 && this.head * 2 > this.queue.length) {
        this.queue.splice(0, this.head);
        this.head = 0;
      }
      p.resolve(p.replies);
    }
  }

  /**
   * A bulk string: digits-only strings of at most 15 digits come back as exact numbers (the validator's integer
   * fields, timestamps, EXPIRETIME-like values), short ASCII strings that start with a letter are interned (field
   * names, symbols, exchanges recur hundreds of thousands of times), anything else is decoded as UTF-8. Strings
   * that start with a digit (stream ids, prices, quantities) are nearly all distinct: interning them would only
   * cost a hash and evict the recurring names.
   */
  private decode(buf: Buffer, start: number, end: number): string | number {
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
    if (n > 32) return buf.toString('utf8', start, end);
    // slot from the length and four sampled bytes (cheap; a collision only costs a fresh string)
    const h =
      Math.imul(n, 0x9e3779b1) ^
      Math.imul(buf[start], 0x85ebca6b) ^
      Math.imul(buf[end - 1], 0xc2b2ae35) ^
      Math.imul(buf[start + (n >> 1)], 0x27d4eb2f) ^
      Math.imul(buf[start + ((n * 3) >> 2)], 0x165667b1);
    const slot = (h >>> 0) & (INTERN_SIZE - 1);
    const cached = this.intern[slot];
    if (cached !== undefined && cached.length === n) {
      let i = 0;
      while (i < n && cached.charCodeAt(i) === buf[start + i]) i++;
      if (i === n) return cached;
    }
    for (let i = start; i < end; i++) if (buf[i] >= 0x80) return buf.toString('utf8', start, end);
    const s = buf.toString('latin1', start, end);
    this.intern[slot] = s;
    return s;
  }

  private onData(chunk: Buffer): void {
    const buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    const len = buf.length;
    let pos = 0;
    const stack = this.stack;
    while (pos < len) {
      const type = buf[pos];
      let value: Reply;
      if (type === 36 /* $ */ || type === 42 /* * */ || type === 58 /* : */) {
        // the length or integer is read up to its CR in this loop: a native indexOf per element costs more
        let i = pos + 1;
        const neg = buf[i] === 45;
        if (neg) i++;
        let n = 0;
        for (; i < len; i++) {
          const c = buf[i];
          if (c === CR) break;
          n = n * 10 + (c - 48);
        }
        if (i + 1 >= len) break; // header incomplete: wait for more
        if (neg) n = -n;
        const body = i + 2;
        if (type === 36) {
          if (n < 0) {
            value = null;
            pos = body;
          } else {
            const end = body + n;
            if (end + 2 > len) break;
            value = this.decode(buf, body, end);
            pos = end + 2;
          }
        } else if (type === 42) {
          pos = body;
          if (n < 0) value = null;
          else if (n === 0) value = [];
          else {
            stack.push({ arr: new Array<Reply>(n), i: 0 });
            continue;
          }
        } else {
          value = n;
          pos = body;
        }
      } else if (type === 43 /* + */ || type === 45 /* - */) {
        const cr = buf.indexOf(CR, pos + 1);
        if (cr < 0 || cr + 1 >= len) break;
        const text = buf.toString('utf8', pos + 1, cr);
        value = type === 43 ? text : new RespError(text);
        pos = cr + 2;
      } else {
        this.fail(new Error(`protocol error: unexpected byte ${type}`));
        this.socket.destroy();
        return;
      }
      // place the value in its array, completing arrays upwards
      for (;;) {
        const top = stack[stack.length - 1];
        if (top === undefined) {
          this.deliver(value);
          break;
        }
        top.arr[top.i++] = value;
        if (top.i < top.arr.length) break;
        stack.pop();
        value = top.arr;
      }
    }
    this.buf = pos >= len ? Buffer.alloc(0) : Buffer.from(buf.subarray(pos));
  }
}

/** Throws a RespError reply as an Error; returns anything else. */
export function ok(r: Reply): Exclude<Reply, RespError> {
  if (r instanceof RespError) throw new Error(r.message);
  return r;
}
