// The hash slot of a key in a Redis Cluster (https://redis.io/docs/latest/operate/oss_and_stack/reference/cluster-spec/#key-distribution-model):
// CRC16 (XMODEM: polynomial 0x1021, initial value 0) of the key's bytes, or of its hash tag (the text between the
// first `{` and the first `}` after it, when not empty), modulo 16384.
// Written here rather than taken from cluster-key-slot (the library ioredis routes by, which the daemon uses to find
// a slot's master): that library hashes `foo{}{bar}` to 4015 where Redis 7.0 says 8363 (it takes `{bar}` as the tag
// after an empty one), and the validator must see the slots Redis sees. test/unit/cluster-slot.test.ts holds the
// CLUSTER KEYSLOT values. liqd's own keys never hold an empty tag, so both agree on them.

export const SLOTS = 16_384;

const TABLE = new Uint16Array(256);
for (let i = 0; i < 256; i++) {
  let c = i << 8;
  for (let k = 0; k < 8; k++) c = c & 0x8000 ? ((c << 1) ^ 0x1021) & 0xffff : (c << 1) & 0xffff;
  TABLE[i] = c;
}

function crc16(bytes: Uint8Array, start: number, end: number): number {
  let crc = 0;
  for (let i = start; i < end; i++) crc = ((crc << 8) & 0xffff) ^ TABLE[((crc >> 8) ^ bytes[i]) & 0xff];
  return crc;
}

/** The slot of `key` (its UTF-8 bytes, as Redis sees them). */
export function keySlot(key: string): number {
  // the validator's keys are ASCII, their characters their bytes: hashed from the string, no Buffer each
  let a = 0;
  let b = key.length;
  const open = key.indexOf('{');
  if (open >= 0) {
    const close = key.indexOf('}', open + 1);
    if (close > open + 1) {
      a = open + 1;
      b = close;
    }
  }
  let crc = 0;
  for (let i = a; i < b; i++) {
    const c = key.charCodeAt(i);
    if (c >= 0x80) return keySlotBytes(Buffer.from(key, 'utf8'));
    crc = ((crc << 8) & 0xffff) ^ TABLE[((crc >> 8) ^ c) & 0xff];
  }
  return crc & (SLOTS - 1);
}

/** The slot of a key given as bytes. */
export function keySlotBytes(bytes: Uint8Array): number {
  let a = 0;
  let b = bytes.length;
  const open = bytes.indexOf(0x7b /* { */);
  if (open >= 0) {
    const close = bytes.indexOf(0x7d /* } */, open + 1);
    if (close > open + 1) {
      a = open + 1;
      b = close;
    }
  }
  return crc16(bytes, a, b) & (SLOTS - 1);
}
