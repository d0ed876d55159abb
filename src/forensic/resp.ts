// A minimal RESP2 client for the validator's bulk reads. The validator reads hundreds of thousands of hashes and
// stream entries; a general client spends most of that time on per-command objects and reply transforms, so this
// one encodes a whole pipeline as one write and decodes replies with a resumable parser (arrays can span chunks
// without re-parsing). Read-only use: no pub/sub, no reconnects; any socket error fails the pending pipelines.
import net from 'node:net';
import tls from 'node:tls';

import { Encoder, Interner, type Reply, RespError, decodeBulk } from './resp-codec.js';

interface Pending {
  readonly replies: Array<Reply | RawReply>;
  /** Replies to deliver: one per command, or one holding every command's reply (sendJoined). */
  readonly n: number;
  /** Replies Redis sends: one per command. */
  readonly replyCount: number;
  /** Replies are delivered as their bytes (pipelineRaw, sendJoined). */
  readonly raw: boolean;
  resolve(r: Reply[] | RawReply[]): void;
  reject(e: Error): void;
}

interface Frame {
  readonly arr: Reply[];
  i: number;
}

const CR = 13;
const EMPTY = Buffer.alloc(0);
/** Initial size of a raw reply's buffer. */
const ARENA = 1 << 20;

/**
 * What the validator reads through: a RespClient on one Redis, or a ClusterClient (cluster.ts) that sends each
 * command to the master of its key's slot.
 */
export interface RespConnection {
  pipeline(cmds: readonly (readonly string[])[]): Promise<Reply[]>;
  pipelineRaw(cmds: readonly (readonly string[])[]): Promise<RawReply[]>;
  sendJoined(enc: Encoder): Promise<RawReply>;
  command(...args: string[]): Promise<Reply>;
  close(): void;
}

export class RespClient implements RespConnection {
  private readonly queue: Pending[] = [];
  private head = 0;
  private buf: Buffer = Buffer.alloc(0);
  private readonly stack: Frame[] = [];
  private failure: Error | undefined;
  private readonly intern = new Interner();
  /** The raw reply being read (pipelineRaw), across chunks: see scanRaw. */
  private raw: RawScan | undefined;
  /** Released raw-reply buffers, for the next ones. */
  private readonly arenas: Buffer[] = [];

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
    if (cmds.length === 0) return Promise.resolve([]);
    const enc = new Encoder();
    for (const cmd of cmds) enc.command(cmd);
    return this.send(enc, false) as Promise<Reply[]>;
  }

  /**
   * Like pipeline, but each reply is handed over undecoded: the Buffer holding exactly its RESP bytes (see
   * rawError). For replies read by a parser that knows their shape (stream pages): no value tree is built.
   */
  pipelineRaw(cmds: readonly (readonly string[])[]): Promise<RawReply[]> {
    if (cmds.length === 0) return Promise.resolve([]);
    const enc = new Encoder();
    for (const cmd of cmds) enc.command(cmd);
    return this.send(enc, true) as Promise<RawReply[]>;
  }

  /**
   * Sends an encoder's commands as one write and resolves with the bytes of all their replies, in order, as one
   * Buffer: for many small replies read by a parser that knows their shape (no object per reply).
   */
  async sendJoined(enc: Encoder): Promise<RawReply> {
    if (enc.count === 0) return { bytes: EMPTY, release() {} };
    return ((await this.send(enc, true, true)) as RawReply[])[0];
  }

  /** Sends an encoder's commands as one write: replies decoded (raw false) or as their bytes (raw true). */
  send(enc: Encoder, raw: boolean, joined = false): Promise<Reply[] | RawReply[]> {
    if (this.failure) return Promise.reject(this.failure);
    if (enc.count === 0) return Promise.resolve([]);
    return new Promise((resolve, reject) => {
      this.queue.push({ replies: [], n: joined ? 1 : enc.count, replyCount: enc.count, raw, resolve, reject });
      this.socket.write(enc.take());
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
    this.raw = undefined;
    const pending = this.queue.splice(this.head);
    this.queue.length = 0;
    this.head = 0;
    for (const p of pending) p.reject(this.failure);
  }

  private deliver(v: Reply | RawReply): void {
    const p = this.queue[this.head];
    if (p === undefined) return; // an answer nobody asked for: ignore
    p.replies.push(v);
    if (p.replies.length === p.n) {
      this.head++;
      if (this.head > 1024 && this.head * 2 > this.queue.length) {
        this.queue.splice(0, this.head);
        this.head = 0;
      }
      p.resolve(p.replies as Reply[] | RawReply[]);
    }
  }

  private onData(chunk: Buffer): void {
    const buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    const len = buf.length;
    let pos = 0;
    const stack = this.stack;
    while (pos < len) {
      if (stack.length === 0 && (this.raw !== undefined || this.queue[this.head]?.raw === true)) {
        const end = this.scanRaw(buf, pos);
        if (end < 0) return; // the rest of this buffer is kept by scanRaw
        pos = end;
        continue;
      }
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
            value = decodeBulk(buf, body, end, this.intern);
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
    this.buf = pos >= len ? EMPTY : Buffer.from(buf.subarray(pos));
  }

  /**
   * Finds the end of one reply starting at `from` (or continues the one begun in an earlier chunk) by reading
   * only its headers and skipping bulk bodies: returns the position after it, having delivered its bytes, or -1
   * when the buffer ends first (its part of the reply kept, an incomplete header kept in this.buf).
   */
  private scanRaw(buf: Buffer, from: number): number {
    const len = buf.length;
    // a joined pipeline's replies are read as the elements of one reply
    const p = this.queue[this.head];
    const r = (this.raw ??= { arena: this.arenas.pop() ?? Buffer.allocUnsafe(ARENA), len: 0, need: [p.n === 1 ? p.replyCount : 1], skip: 0 });
    const need = r.need;
    let pos = from;
    if (r.skip > 0) {
      if (r.skip > len - pos) {
        r.skip -= len - pos;
        append(r, buf, from, len);
        this.buf = EMPTY;
        return -1;
      }
      pos += r.skip;
      r.skip = 0;
      while (need.length > 0 && need[need.length - 1] === 0) need.pop();
    }
    while (need.length > 0) {
      const type = buf[pos];
      let i = pos + 1;
      let n = 0;
      if (type === 36 /* $ */ || type === 42 /* * */ || type === 58 /* : */) {
        const neg = buf[i] === 45;
        if (neg) i++;
        for (; i < len; i++) {
          const c = buf[i];
          if (c === CR) break;
          n = n * 10 + (c - 48);
        }
        if (neg) n = -n;
      } else if (type === 43 /* + */ || type === 45 /* - */) {
        const cr = buf.indexOf(CR, i);
        i = cr < 0 ? len : cr;
      } else if (pos < len) {
        this.raw = undefined;
        this.fail(new Error(`protocol error: unexpected byte ${type}`));
        this.socket.destroy();
        return -1;
      }
      if (i + 1 >= len) {
        // header incomplete: keep what came before it with the reply, the header for the next chunk
        append(r, buf, from, pos);
        this.buf = Buffer.from(buf.subarray(pos));
        return -1;
      }
      pos = i + 2;
      need[need.length - 1]--;
      if (type === 42 && n > 0) need.push(n);
      else if (type === 36 && n >= 0) {
        if (pos + n + 2 > len) {
          r.skip = pos + n + 2 - len;
          append(r, buf, from, len);
          this.buf = EMPTY;
          return -1;
        }
        pos += n + 2;
      }
      while (need.length > 0 && need[need.length - 1] === 0) need.pop();
    }
    append(r, buf, from, pos);
    this.raw = undefined;
    const arena = r.arena;
    let lent = true;
    this.deliver({
      bytes: arena.subarray(0, r.len),
      release: () => {
        if (lent && this.arenas.length < 4) this.arenas.push(arena);
        lent = false;
      },
    });
    return pos;
  }
}

/**
 * A reply's bytes, in a buffer the client lends: release() once they have been read lets the next raw reply
 * reuse it. (Raw replies are megabytes each; fresh buffers for each cost more in page faults and garbage
 * collection than reading them.)
 */
export interface RawReply {
  readonly bytes: Buffer;
  release(): void;
}

/** Copies buf[from, to) to the end of the reply being assembled, growing its buffer as needed. */
function append(r: RawScan, buf: Buffer, from: number, to: number): void {
  const n = to - from;
  if (n <= 0) return;
  if (r.len + n > r.arena.length) {
    const next = Buffer.allocUnsafe(Math.max(r.arena.length * 2, r.len + n));
    r.arena.copy(next, 0, 0, r.len);
    r.arena = next;
  }
  buf.copy(r.arena, r.len, from, to);
  r.len += n;
}

interface RawScan {
  /** The reply's bytes so far, in arena[0, len). */
  arena: Buffer;
  len: number;
  /** Elements still to read at each open level (the reply itself is the one element of the outermost). */
  readonly need: number[];
  /** Bytes of a bulk body (and its CRLF) still to skip in the next chunk. */
  skip: number;
}
