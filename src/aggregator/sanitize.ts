// Text that came from the exchanges (symbols, venue names, prices, status strings) is made safe for a terminal:
// escape sequences, C0 and C1 controls, DEL, bidirectional overrides and line separators are removed.

// ESC sequences first, so their parameters do not survive as text: CSI, OSC/DCS/PM/APC/SOS strings, then any
// other two-character escape.
const ESC_SEQUENCES =
  /\u001b\[[0-?]*[ -/]*[@-~]?|\u001b[\]PX^_][^\u0007\u001b]*(?:\u0007|\u001b\\)?|\u001b[\s\S]?|\u009b[0-?]*[ -/]*[@-~]?/g;
// C0, DEL, C1, bidi embeddings/overrides/isolates, line/paragraph separators, BOM.
const CONTROLS = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2028\u2029\u2066-\u2069\ufeff]/g;

export function safeText(value: unknown): string {
  if (value === null || value === undefined) return '';
  return String(value).replace(ESC_SEQUENCES, '').replace(CONTROLS, '');
}

/** Safe text cut to at most `max` display columns (an ellipsis marks the cut). */
export function safeClip(value: unknown, max: number): string {
  return clip(safeText(value), max);
}

function isWide(cp: number): boolean {
  return (
    (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2e80 && cp <= 0xa4cf && cp !== 0x303f) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x1f300 && cp <= 0x1f64f) ||
    (cp >= 0x1f900 && cp <= 0x1f9ff) ||
    (cp >= 0x20000 && cp <= 0x3fffd)
  );
}

/** Terminal columns a (safe) string takes: East Asian wide characters count 2, combining marks 0. */
export function displayWidth(s: string): number {
  let w = 0;
  for (const ch of s) {
    const cp = ch.codePointAt(0) ?? 0;
    if ((cp >= 0x300 && cp <= 0x36f) || cp === 0x200b || cp === 0x200d) continue;
    w += isWide(cp) ? 2 : 1;
  }
  return w;
}

export function clip(s: string, max: number): string {
  if (displayWidth(s) <= max) return s;
  let out = '';
  let w = 0;
  for (const ch of s) {
    const cw = displayWidth(ch);
    if (w + cw > max - 1) break;
    out += ch;
    w += cw;
  }
  return `${out}…`;
}

export function padEnd(s: string, width: number): string {
  return s + ' '.repeat(Math.max(0, width - displayWidth(s)));
}

export function padStart(s: string, width: number): string {
  return ' '.repeat(Math.max(0, width - displayWidth(s))) + s;
}
