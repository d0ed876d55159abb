// Colours picked from what the terminal supports. Every foreground is one that reads on the usual backgrounds:
// no black, and no grey at 8 or 16 colours, where blessed turns "gray" into black (SGR 30) or the theme's
// background (bright black); dim text there is the default colour. Exchanges get distinct styles at every depth.
import { LONG_COLOR, PALETTE_256, SHORT_COLOR, assignSlots, color256, formatMoney, formatUsd } from '../aggregator/index.js';
import { esc } from './table.js';

export type Depth = 0 | 8 | 16 | 256;
export type ColorMode = 'auto' | 'always' | 'never';
export const COLOR_MODES: readonly ColorMode[] = ['auto', 'always', 'never'];

/**
 * The colour depth to draw with. `tputColors` is blessed's reading of terminfo; blessed cannot read ncurses 6
 * entries such as tmux-256color and falls back to xterm's 8 colours, so a TERM ending in -256color (or
 * COLORTERM=truecolor/24bit) counts as 256. NO_COLOR (no-color.org) turns colour off unless --color always.
 */
export function colorDepth(mode: ColorMode, tputColors: number, env: NodeJS.ProcessEnv): Depth {
  if (mode === 'never') return 0;
  if (mode === 'auto' && env.NO_COLOR !== undefined && env.NO_COLOR !== '') return 0;
  let n = tputColors;
  if (/-256colou?r$/.test(env.TERM ?? '') || /^(truecolor|24bit)$/i.test(env.COLORTERM ?? '')) n = Math.max(n, 256);
  const depth: Depth = n >= 256 ? 256 : n >= 16 ? 16 : n >= 8 ? 8 : 0;
  return mode === 'always' && depth === 0 ? 8 : depth;
}

/** How a piece of text is drawn. Colours are blessed names or #rrggbb of the 256-colour palette. */
export interface Ink {
  readonly fg?: string;
  readonly bg?: string;
  readonly bold?: boolean;
  readonly underline?: boolean;
  readonly inverse?: boolean;
}

// Exchange styles per depth, in slot order. At 8 colours only yellow, cyan, magenta and blue are neither the
// long/short colours nor black/white (white is the background of light terminals); blue is bold (plain blue is
// dark on black), and underline and bold make further slots.
const EIGHT: readonly Ink[] = [
  { fg: 'yellow' }, { fg: 'cyan' }, { fg: 'magenta' }, { fg: 'blue', bold: true },
  { fg: 'yellow', underline: true }, { fg: 'cyan', underline: true }, { fg: 'magenta', underline: true }, { fg: 'blue', bold: true, underline: true },
  { fg: 'yellow', bold: true }, { fg: 'cyan', bold: true }, { fg: 'magenta', bold: true }, { fg: 'yellow', bold: true, underline: true },
];
const SIXTEEN: readonly Ink[] = [
  { fg: 'lightyellow' }, { fg: 'lightcyan' }, { fg: 'lightmagenta' }, { fg: 'lightblue' },
  { fg: 'yellow' }, { fg: 'cyan' }, { fg: 'magenta' }, { fg: 'blue', bold: true },
  { fg: 'lightyellow', underline: true }, { fg: 'lightcyan', underline: true }, { fg: 'lightmagenta', underline: true }, { fg: 'lightblue', underline: true },
  { fg: 'yellow', underline: true }, { fg: 'cyan', underline: true }, { fg: 'magenta', underline: true }, { fg: 'blue', bold: true, underline: true },
];
const TWO_FIFTY_SIX: readonly Ink[] = [...PALETTE_256.map((c) => ({ fg: c.hex })), ...PALETTE_256.map((c) => ({ fg: c.hex, underline: true }))];

/** The symbols the screens draw with: Unicode, or what the Linux console's font holds. */
export interface Glyphs {
  /** Braille dots for charts (2 × 4 per cell); otherwise half blocks (1 × 2). */
  readonly braille: boolean;
  /** Sparkline levels, lowest first. */
  readonly spark: string;
  /** A legend's line sample. */
  readonly line: string;
  readonly times: string;
  readonly ok: string;
  readonly down: string;
}

export const UNICODE: Glyphs = { braille: true, spark: '▁▂▃▄▅▆▇█', line: '━━', times: '×', ok: '✓', down: '✖' };
// The Linux console draws from a 256/512-glyph font (the CP437 set): box lines and ▀▄█░▒▓■√, but no braille, no
// eighth blocks, no ━ × ✓ ✖.
export const CONSOLE: Glyphs = { braille: false, spark: '░▒▓█', line: '■', times: 'x', ok: '√', down: 'X' };

/** The glyphs for a TERM: the console's for linux (and its variants), Unicode elsewhere. */
export function glyphsFor(term: string | undefined): Glyphs {
  return /^linux/.test(term ?? '') ? CONSOLE : UNICODE;
}

export class Theme {
  readonly long: Ink;
  readonly short: Ink;
  /** Secondary text (units, hints): grey at 256 colours, the default colour below. */
  readonly dim: Ink;
  readonly ok: Ink;
  readonly warn: Ink;
  /** A stream down, an error: always on a background of its own. */
  readonly alert: Ink;
  readonly header: Ink;
  readonly title: Ink = { bold: true };
  readonly accent: Ink;
  /** Border colour (blessed style), undefined for the default. */
  readonly border: string | undefined;
  /** Bar glyphs: without colour, long and short differ by shape. */
  readonly longBar = '█';
  readonly shortBar: string;
  /** Money: $9.50M on screen; exact dollars ($9,501,234) in plain text, for scripts. */
  readonly money: (cents: number) => string;
  private readonly styles: readonly Ink[];
  private slots = new Map<string, number>();

  constructor(
    readonly depth: Depth,
    /** false: plain text (--once), paint() adds nothing. */
    readonly tags = true,
    readonly glyphs: Glyphs = UNICODE,
  ) {
    const c = depth > 0;
    this.long = !c ? {} : depth === 256 ? { fg: LONG_COLOR.hex } : { fg: 'red' };
    this.short = !c ? {} : depth === 256 ? { fg: SHORT_COLOR.hex } : { fg: 'green' };
    this.dim = depth === 256 ? { fg: color256(245).hex } : {};
    this.ok = this.short;
    this.warn = !c ? { bold: true } : depth === 256 ? { fg: color256(221).hex } : { fg: 'yellow' };
    this.alert = c ? { fg: 'white', bg: 'red', bold: true } : { inverse: true, bold: true };
    this.header = c ? { fg: 'white', bg: 'blue', bold: true } : { inverse: true, bold: true };
    this.accent = c ? { fg: 'cyan' } : {};
    this.border = c ? 'cyan' : undefined;
    this.shortBar = c ? '█' : '▒';
    this.money = tags ? formatMoney : formatUsd;
    this.styles = depth === 256 ? TWO_FIFTY_SIX : depth === 16 ? SIXTEEN : depth === 8 ? EIGHT : [{}];
  }

  /** Gives the exchanges of a frame their styles: distinct while there are no more of them than styles. */
  setExchanges(names: readonly string[]): void {
    this.slots = assignSlots(names, this.styles.length);
  }

  exchange(name: string): Ink {
    let slot = this.slots.get(name);
    if (slot === undefined) {
      this.setExchanges([...this.slots.keys(), name]);
      slot = this.slots.get(name)!;
    }
    return this.styles[slot % this.styles.length];
  }

  side(side: string): Ink {
    return side === 'long' ? this.long : side === 'short' ? this.short : {};
  }

  /** Text (escaped for blessed tags) drawn with an ink. */
  paint(text: string, ink?: Ink): string {
    if (!this.tags) return text;
    let s = esc(text);
    if (!ink || text === '') return s;
    if (ink.fg) s = `{${ink.fg}-fg}${s}{/${ink.fg}-fg}`;
    if (ink.bg) s = `{${ink.bg}-bg}${s}{/${ink.bg}-bg}`;
    if (ink.bold) s = `{bold}${s}{/bold}`;
    if (ink.underline) s = `{underline}${s}{/underline}`;
    if (ink.inverse) s = `{inverse}${s}{/inverse}`;
    return s;
  }

  /** Blessed widget style for an ink (borders, header, banner). */
  style(ink: Ink): Record<string, unknown> {
    return { fg: ink.fg, bg: ink.bg, bold: ink.bold, underline: ink.underline, inverse: ink.inverse };
  }
}

/** The plain-text theme of --once: no tags, no colour. */
export const PLAIN = new Theme(0, false);
