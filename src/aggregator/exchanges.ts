// Exchanges come from the data (bucket fields), never from a list: any name gets a colour slot, and the exchanges
// of one frame always get different slots. Known exchanges keep a fixed slot; any other name starts at a slot from
// a hash of its name and takes the next free one.
import { exchangesInFields } from '../core/keys.js';

export { exchangesInFields };

export interface Color {
  /** For blessed tags: {#rrggbb-fg}; always a colour of the xterm 256-colour cube, so no terminal rounds it. */
  readonly hex: string;
  readonly rgb: readonly [number, number, number];
  /** Its index in the 256-colour palette. */
  readonly index: number;
}

/**
 * The exchanges with a fixed slot, in slot order, and those whose totals are lower bounds (a venue that publishes a
 * sample), with the reason. Empty until the entry point configures them from the venue registry
 * (configureExchanges): the aggregator knows no venue by name; without them every name takes a hashed slot.
 */
export const KNOWN_EXCHANGES: string[] = [];
/** Exchanges whose totals are lower bounds → the footnote that says why. */
export const LOWER_BOUND_EXCHANGES: Record<string, string> = {};

export function configureExchanges(facts: { known: readonly string[]; lowerBound: Readonly<Record<string, string>> }): void {
  KNOWN_EXCHANGES.splice(0, KNOWN_EXCHANGES.length, ...facts.known);
  for (const k of Object.keys(LOWER_BOUND_EXCHANGES)) delete LOWER_BOUND_EXCHANGES[k];
  Object.assign(LOWER_BOUND_EXCHANGES, facts.lowerBound);
}

const CUBE = [0, 95, 135, 175, 215, 255];

export function color256(index: number): Color {
  const i = index - 16;
  const rgb: [number, number, number] =
    index >= 232 ? [8 + 10 * (index - 232), 8 + 10 * (index - 232), 8 + 10 * (index - 232)] : [CUBE[Math.floor(i / 36)], CUBE[Math.floor(i / 6) % 6], CUBE[i % 6]];
  return { hex: `#${rgb.map((v) => v.toString(16).padStart(2, '0')).join('')}`, rgb, index };
}

// 16 colours of the 256 palette picked for distance from each other (CIEDE2000 ≥ 12 between any two) and from
// the long and short colours, with lightness that reads on dark and light backgrounds; none is a grey, none
// equals one of the 16 system colours (which terminal themes redefine).
export const PALETTE_256: readonly Color[] = [220, 208, 45, 164, 69, 37, 140, 39, 100, 31, 218, 179, 99, 213, 147, 136].map(color256);

export const LONG_COLOR: Color = color256(203);
export const SHORT_COLOR: Color = color256(77);

/** FNV-1a 32-bit of the name. */
function hash(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/**
 * A slot in [0, slots) for every name: known exchanges their fixed slot, the others (in name order) the slot of
 * their hash or the next free one. Names get different slots while there are at most `slots` of them.
 */
export function assignSlots(names: Iterable<string>, slots: number): Map<string, number> {
  const out = new Map<string, number>();
  const used = new Set<number>();
  const unique = [...new Set(names)];
  for (const n of unique) {
    const k = KNOWN_EXCHANGES.indexOf(n);
    if (k >= 0 && k < slots && !used.has(k)) {
      out.set(n, k);
      used.add(k);
    }
  }
  for (const n of unique.filter((x) => !out.has(x)).sort()) {
    let s = hash(n) % slots;
    for (let tries = 0; tries < slots && used.has(s); tries++) s = (s + 1) % slots;
    out.set(n, s);
    used.add(s);
  }
  return out;
}

/** The exchange's 256-colour on its own (without the other exchanges of a frame): its fixed or hashed slot. */
export function exchangeColor(name: string): Color {
  return PALETTE_256[assignSlots([name], PALETTE_256.length).get(name)!];
}
