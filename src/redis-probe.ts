// What listens at a TCP address, asked the way redis-cli would: one command over a raw socket. A client library
// would retry, queue and hide the difference between "nothing there", "a Redis that wants a password" and "not a
// Redis", which is what start-up has to tell apart.
import net from 'node:net';

/**
 * - `free`: connection refused, nothing listens there.
 * - `redis`: a Redis answered (PONG, or an error such as LOADING that only a Redis sends).
 * - `auth`: a Redis that asks for a password (NOAUTH, WRONGPASS).
 * - `other`: something listens but gave no Redis answer within the time.
 */
export type ProbeResult = 'free' | 'redis' | 'auth' | 'other';

type Reply = { kind: 'free' | 'other' } | { kind: 'reply'; text: string };

/** Sends one inline command and reads one simple, error or bulk-string reply. */
function ask(host: string, port: number, command: string, timeoutMs: number): Promise<Reply> {
  return new Promise((resolve) => {
    const sock = net.connect({ host, port });
    let buf = '';
    const done = (reply: Reply) => {
      clearTimeout(timer);
      sock.destroy();
      resolve(reply);
    };
    const timer = setTimeout(() => done({ kind: 'other' }), timeoutMs);
    sock.once('connect', () => sock.write(`${command}\r\n`));
    sock.on('data', (d: Buffer) => {
      buf += d.toString('latin1');
      const end = buf.indexOf('\r\n');
      if (end < 0) {
        if (buf.length > 512) done({ kind: 'other' });
        return;
      }
      const first = buf.slice(0, end);
      if (!first.startsWith('$')) return done({ kind: 'reply', text: first });
      const len = Number(first.slice(1));
      if (!Number.isInteger(len) || len < 0) return done({ kind: 'other' });
      if (buf.length >= end + 2 + len) done({ kind: 'reply', text: buf.slice(end + 2, end + 2 + len) });
    });
    sock.once('error', (err: NodeJS.ErrnoException) => done({ kind: err.code === 'ECONNREFUSED' ? 'free' : 'other' }));
    sock.once('close', () => done({ kind: 'other' }));
  });
}

export async function probeRedis(host: string, port: number, timeoutMs = 1000): Promise<ProbeResult> {
  const r = await ask(host, port, 'PING', timeoutMs);
  if (r.kind !== 'reply') return r.kind;
  if (/^-(NOAUTH|WRONGPASS)\b/.test(r.text)) return 'auth';
  return r.text.startsWith('+') || /^-[A-Z]+ /.test(r.text) ? 'redis' : 'other';
}

/** The process id of the Redis answering there (INFO is served while it loads its data), or undefined. */
export async function redisProcessId(host: string, port: number, timeoutMs = 1000): Promise<number | undefined> {
  const r = await ask(host, port, 'INFO server', timeoutMs);
  const m = r.kind === 'reply' ? /\bprocess_id:(\d+)/.exec(r.text) : null;
  return m ? Number(m[1]) : undefined;
}
