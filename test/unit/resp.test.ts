// The validator's RESP client on raw bytes: a scripted server on port 0 answers every pipeline with recorded
// replies cut into chunks of every size, so headers, bulk bodies and nested arrays are split at every position.
// Decoded replies (pipeline) and undecoded ones (pipelineRaw) must come out the same however the bytes arrive.
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Encoder, RespError, rawError } from '../../src/forensic/resp-codec.js';
import { RespClient } from '../../src/forensic/resp.js';

/** A stream page (two entries), an error, a hash, an integer, a nil, an empty array, a status. */
const REPLIES = [
  '*2\r\n*2\r\n$15\r\n1795221476967-0\r\n*4\r\n$2\r\nid\r\n$20\r\nMoj1z6e4gPpXoyRIYnbO\r\n$5\r\nprice\r\n$10\r\n36064.3306\r\n' +
    '*2\r\n$15\r\n1795221476967-1\r\n*2\r\n$6\r\nsymbol\r\n$7\r\nÉTHUSD\r\n',
  '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n',
  '*4\r\n$5\r\ncount\r\n$1\r\n3\r\n$11\r\nvalue_cents\r\n$20\r\n12345678901234567890\r\n',
  ':-1\r\n',
  '$-1\r\n',
  '*0\r\n',
  '+OK\r\n',
];
const WIRE = Buffer.from(REPLIES.join(''));

const servers: net.Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
});

/** A server that answers the first write it reads (after the client's PING) with WIRE in chunks of `size` bytes. */
async function serve(size: number): Promise<{ url: string; received: () => Buffer }> {
  let received = Buffer.alloc(0);
  const server = net.createServer((sock) => {
    let pinged = false;
    sock.on('data', async (d) => {
      if (!pinged) {
        pinged = true;
        sock.write('+PONG\r\n');
        return;
      }
      received = Buffer.concat([received, d]);
      for (let i = 0; i < WIRE.length; i += size) {
        sock.write(WIRE.subarray(i, i + size));
        // let each chunk arrive as its own 'data' event
        await new Promise((r) => setImmediate(r));
      }
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as net.AddressInfo;
  return { url: `redis://127.0.0.1:${port}`, received: () => received };
}

const CMDS = REPLIES.map((_, i) => ['GET', `k${i}`]);

describe('RespClient', () => {
  it.each([1, 2, 3, 5, 7, 16, 64, 4096])('decodes replies split into %i-byte chunks', async (size) => {
    const { url } = await serve(size);
    const client = await RespClient.connect(url);
    try {
      const r = await client.pipeline(CMDS);
      expect(r).toHaveLength(REPLIES.length);
      expect(r[0]).toEqual([
        ['1795221476967-0', ['id', 'Moj1z6e4gPpXoyRIYnbO', 'price', '36064.3306']],
        ['1795221476967-1', ['symbol', 'ÉTHUSD']],
      ]);
      expect(r[1]).toBeInstanceOf(RespError);
      expect((r[1] as RespError).message).toMatch(/^WRONGTYPE/);
      // digits-only strings of at most 15 digits are numbers, longer ones stay exact strings
      expect(r[2]).toEqual(['count', 3, 'value_cents', '12345678901234567890']);
      expect(r.slice(3)).toEqual([-1, null, [], 'OK']);
    } finally {
      client.close();
    }
  });

  it.each([1, 2, 3, 5, 7, 16, 64, 4096])('hands over raw replies byte for byte, split into %i-byte chunks', async (size) => {
    const { url } = await serve(size);
    const client = await RespClient.connect(url);
    try {
      const r = await client.pipelineRaw(CMDS);
      expect(r.map((b) => b.bytes.toString())).toEqual(REPLIES);
      expect(rawError(r[1].bytes)?.message).toMatch(/^WRONGTYPE/);
      expect(rawError(r[0].bytes)).toBeUndefined();
    } finally {
      client.close();
    }
  });

  it.each([1, 7, 4096])('hands over a joined pipeline as one buffer, split into %i-byte chunks', async (size) => {
    const { url } = await serve(size);
    const client = await RespClient.connect(url);
    try {
      const enc = new Encoder();
      for (const c of CMDS) enc.command(c);
      const r = await client.sendJoined(enc);
      expect(r.bytes.equals(WIRE)).toBe(true);
    } finally {
      client.close();
    }
  });

  it('reuses a released buffer only for a later reply', async () => {
    const { url } = await serve(4096);
    const client = await RespClient.connect(url);
    try {
      const [first, second] = await client.pipelineRaw(CMDS);
      const copy = Buffer.from(first.bytes);
      // the second reply was assembled before the first was released: its own buffer
      second.release();
      expect(first.bytes.equals(copy)).toBe(true);
      expect(second.bytes.toString()).toBe(REPLIES[1]);
    } finally {
      client.close();
    }
  });

  it('encodes arguments by their UTF-8 byte length', async () => {
    const { url, received } = await serve(4096);
    const client = await RespClient.connect(url);
    try {
      await client.pipeline([['HGETALL', 'liq:agg:ÉTH:60s:0'], ...CMDS.slice(1)]);
      expect(received().toString().startsWith('*2\r\n$7\r\nHGETALL\r\n$18\r\nliq:agg:ÉTH:60s:0\r\n*2\r\n$3\r\nGET\r\n$2\r\nk1\r\n')).toBe(true);
    } finally {
      client.close();
    }
    const enc = new Encoder();
    enc.command(['SET', 'a', '']);
    enc.command(['GET', 'ü']);
    expect(enc.count).toBe(2);
    expect(enc.take().toString()).toBe('*3\r\n$3\r\nSET\r\n$1\r\na\r\n$0\r\n\r\n*2\r\n$3\r\nGET\r\n$2\r\nü\r\n');
    expect(enc.count).toBe(0);
  });
});
