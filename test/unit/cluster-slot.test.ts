// The pure parts of the validator's Cluster routing: hash slots, and the byte walks that split a joined pipeline.
import { describe, expect, it } from 'vitest';
import { Encoder, decodeCommands, replyEnd } from '../../src/forensic/resp-codec.js';
import { keySlot, keySlotBytes } from '../../src/forensic/slot.js';

describe('keySlot', () => {
  // every value as `redis-cli CLUSTER KEYSLOT` of Redis 7.0 gave it on a private cluster (test/forensic/cluster.test.ts
  // compares keySlot with a live cluster too)
  it.each([
    ['foo', 12182],
    ['{user1000}.following', 3443],
    ['user1000', 3443],
    ['123456789', 12739],
    ['', 0],
    ['{}', 15257], // an empty tag: the whole key is hashed
    ['foo{}{bar}', 8363],
    ['foo{{bar}}zap', 4015], // the tag is `{bar`
    ['foo{bar}{zap}', 5061], // the first tag only
    ['a{b', 13340], // no closing brace: the whole key
    ['liq:events', 10242],
    ['liq:agg:{2026-11-30}:BTCUSDT:60s:1', 4970],
    ['liq:ids:{ids-7}', 5589],
    ['ключ', 10303], // UTF-8 bytes, not UTF-16 code units
    ['{ключ}x', 10303],
  ])('%j is in slot %i', (key, slot) => {
    expect(keySlot(key)).toBe(slot);
    expect(keySlotBytes(Buffer.from(key, 'utf8'))).toBe(slot);
  });

  it('gives every key of one hash tag the same slot', () => {
    const tag = '{2026-11-30}';
    const slot = keySlot(tag.slice(1, -1));
    for (const k of [`liq:agg:${tag}:ALL:1d:0`, `liq:seen:${tag}:60s:5`, `liq:events:${tag}`]) expect(keySlot(k)).toBe(slot);
  });
});

describe('splitting a joined pipeline', () => {
  it('decodeCommands gives back what an Encoder wrote, multi-byte characters included', () => {
    const cmds = [['HGETALL', 'liq:agg:{2026-11-30}:ÉTHUSD:60s:1'], ['EXPIRETIME', 'k'], ['XRANGE', 'liq:events', '(1-0', '+', 'COUNT', '10000'], ['PING']];
    const enc = new Encoder();
    for (const c of cmds) enc.command(c);
    expect(decodeCommands(enc.take())).toEqual(cmds);
  });

  it('replyEnd finds the end of each reply: nested arrays, nils, errors, integers and multi-byte bulk strings', () => {
    const replies = [
      '*2\r\n*2\r\n$3\r\n1-0\r\n*2\r\n$6\r\nsymbol\r\n$7\r\nÉTHUSD\r\n*-1\r\n',
      '-MOVED 3999 127.0.0.1:6381\r\n',
      ':-1\r\n',
      '$-1\r\n',
      '*0\r\n',
      '+OK\r\n',
      '$0\r\n\r\n',
    ];
    const wire = Buffer.from(replies.join(''));
    let pos = 0;
    const cut: string[] = [];
    for (let i = 0; i < replies.length; i++) {
      const end = replyEnd(wire, pos);
      cut.push(wire.toString('utf8', pos, end));
      pos = end;
    }
    expect(cut).toEqual(replies);
    expect(pos).toBe(wire.length);
    expect(() => replyEnd(Buffer.from('*2\r\n$3\r\nab'), 0)).toThrow(/truncated|protocol/);
  });
});
