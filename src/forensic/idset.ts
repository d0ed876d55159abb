// A set of identities (20 base64url characters = 120 bits, see src/core/event.ts idOf) that keeps no strings:
// open addressing over typed arrays holding the 120 bits exactly, so a million ids cost ~40 MB of flat memory and
// nothing for the garbage collector to trace.
const B64 = new Int8Array(128).fill(-1);
'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'.split('').forEach((c, i) => (B64[c.charCodeAt(0)] = i));

export class IdSet {
  private a = new Float64Array(0); // bits 0..47 (+1, so 0 marks an empty slot)
  private b = new Float64Array(0); // bits 48..95
  private c = new Int32Array(0); // bits 96..119
  private size = 0;
  private mask = 0;

  constructor(expected = 1024) {
    this.alloc(Math.max(1024, expected * 2));
  }

  private alloc(n: number): void {
    let cap = 1;
    while (cap < n) cap *= 2;
    this.a = new Float64Array(cap);
    this.b = new Float64Array(cap);
    this.c = new Int32Array(cap);
    this.mask = cap - 1;
  }

  /** Adds a 20-character base64url id; false when it was already there. */
  add(id: string): boolean {
    let x = 0;
    let y = 0;
    let z = 0;
    for (let i = 0; i < 8; i++) x = x * 64 + B64[id.charCodeAt(i)];
    for (let i = 8; i < 16; i++) y = y * 64 + B64[id.charCodeAt(i)];
    for (let i = 16; i < 20; i++) z = z * 64 + B64[id.charCodeAt(i)];
    if ((this.size + 1) * 2 > this.a.length) this.grow();
    return this.insert(x + 1, y, z);
  }

  /** add() of the 20 bytes at buf[start] (each one a base64url character: the caller checked). */
  addBytes(buf: Uint8Array, start: number): boolean {
    let x = 0;
    let y = 0;
    let z = 0;
    for (let i = 0; i < 8; i++) x = x * 64 + B64[buf[start + i]];
    for (let i = 8; i < 16; i++) y = y * 64 + B64[buf[start + i]];
    for (let i = 16; i < 20; i++) z = z * 64 + B64[buf[start + i]];
    if ((this.size + 1) * 2 > this.a.length) this.grow();
    return this.insert(x + 1, y, z);
  }

  /** Whether each of the 20 bytes at buf[start] is a base64url character. */
  static isId(buf: Uint8Array, start: number): boolean {
    for (let i = start; i < start + 20; i++) if (buf[i] >= 128 || B64[buf[i]] < 0) return false;
    return true;
  }

  private insert(x1: number, y: number, z: number): boolean {
    let h = (Math.imul((x1 % 0x40000000) ^ (y % 0x40000000), 0x9e3779b1) ^ z) & this.mask;
    for (;;) {
      const cur = this.a[h];
      if (cur === 0) {
        this.a[h] = x1;
        this.b[h] = y;
        this.c[h] = z;
        this.size++;
        return true;
      }
      if (cur === x1 && this.b[h] === y && this.c[h] === z) return false;
      h = (h + 1) & this.mask;
    }
  }

  private grow(): void {
    const { a, b, c } = this;
    this.alloc(a.length * 2);
    this.size = 0;
    for (let i = 0; i < a.length; i++) if (a[i] !== 0) this.insert(a[i], b[i], c[i]);
  }
}
