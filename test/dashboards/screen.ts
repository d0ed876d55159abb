// A tmux capture with escapes (capture-pane -e) turned into styled cells, and the checks every screen must pass:
// nothing drawn black or in the colour of its background, panel titles on their border line, exchanges in colours
// of their own.

/** 'd' is the terminal's default colour; numbers are palette indexes (0–255). */
export type Colour = 'd' | number;

export interface Cell {
  readonly ch: string;
  readonly fg: Colour;
  readonly bg: Colour;
  readonly bold: boolean;
  readonly underline: boolean;
  readonly inverse: boolean;
}

export interface Screen {
  readonly lines: Cell[][];
  /** The same screen as plain text, one string per line. */
  readonly text: string[];
}

/** Parses SGR sequences; the state carries across lines, as tmux writes it. Other escapes are dropped. */
export function parseCapture(raw: string): Screen {
  let fg: Colour = 'd';
  let bg: Colour = 'd';
  let bold = false;
  let underline = false;
  let inverse = false;
  const lines: Cell[][] = [[]];
  for (let i = 0; i < raw.length; ) {
    if (raw[i] === '\u001b') {
      const m = /^\u001b\[([0-9;:]*)([A-Za-z])/.exec(raw.slice(i, i + 40));
      if (!m) {
        i++;
        continue;
      }
      i += m[0].length;
      if (m[2] !== 'm') continue;
      const p = m[1] === '' ? [0] : m[1].split(/[;:]/).map(Number);
      for (let k = 0; k < p.length; k++) {
        const n = p[k];
        if (n === 0) [fg, bg, bold, underline, inverse] = ['d', 'd', false, false, false];
        else if (n === 1) bold = true;
        else if (n === 22) bold = false;
        else if (n === 4) underline = true;
        else if (n === 24) underline = false;
        else if (n === 7) inverse = true;
        else if (n === 27) inverse = false;
        else if (n >= 30 && n <= 37) fg = n - 30;
        else if (n >= 90 && n <= 97) fg = n - 90 + 8;
        else if (n === 39) fg = 'd';
        else if (n >= 40 && n <= 47) bg = n - 40;
        else if (n >= 100 && n <= 107) bg = n - 100 + 8;
        else if (n === 49) bg = 'd';
        else if ((n === 38 || n === 48) && p[k + 1] === 5) {
          if (n === 38) fg = p[k + 2];
          else bg = p[k + 2];
          k += 2;
        } else if ((n === 38 || n === 48) && p[k + 1] === 2) {
          // Direct colour: no test expects it; record it as something no palette index equals.
          if (n === 38) fg = 1000 + p[k + 2] * 65536 + p[k + 3] * 256 + p[k + 4];
          else bg = 1000 + p[k + 2] * 65536 + p[k + 3] * 256 + p[k + 4];
          k += 4;
        }
      }
      continue;
    }
    const cp = raw.codePointAt(i)!;
    const ch = String.fromCodePoint(cp);
    i += ch.length;
    if (ch === '\n') lines.push([]);
    else lines[lines.length - 1].push({ ch, fg, bg, bold, underline, inverse });
  }
  while (lines.length > 1 && lines[lines.length - 1].length === 0) lines.pop();
  return { lines, text: lines.map((l) => l.map((c) => c.ch).join('')) };
}

// Black, and the greys near it: 0 and 16 are black, 8 is the "bright black" that blessed makes of "gray" (and many
// themes draw in their background colour), 232–234 are the darkest greys.
const BLACKISH = new Set<Colour>([0, 8, 16, 232, 233, 234]);

export function describeCell(c: Cell): string {
  return `fg ${c.fg} bg ${c.bg}${c.bold ? ' bold' : ''}${c.underline ? ' underline' : ''}${c.inverse ? ' inverse' : ''}`;
}

/**
 * Text that cannot be read: a visible character in black (or near-black) on the default or a dark background,
 * or in the same colour as its background (after inverse video).
 */
export function unreadable(s: Screen): string[] {
  const bad: string[] = [];
  s.lines.forEach((line, row) => {
    line.forEach((c, col) => {
      if (c.ch === ' ' || c.ch === '\u2800') return;
      // Inverse video swaps the two; the default colours swapped stay readable.
      const textColour = c.inverse ? c.bg : c.fg;
      const behind = c.inverse ? c.fg : c.bg;
      const problem =
        BLACKISH.has(textColour) && (behind === 'd' || BLACKISH.has(behind))
          ? 'black text'
          : textColour !== 'd' && textColour === behind
            ? 'text in its background colour'
            : textColour === 'd' && BLACKISH.has(behind)
              ? 'default colour on black (unreadable on a light terminal)'
              : undefined;
      if (problem && bad.length < 10) bad.push(`${problem} at row ${row} col ${col} '${c.ch}' (${describeCell(c)}): ${s.text[row]}`);
    });
  });
  return bad;
}

/** Panel titles that are not whole on a top-border line (┌ … ┐). */
export function brokenTitles(s: Screen, titles: readonly string[]): string[] {
  const borders = s.text.filter((l) => l.includes('┌'));
  return titles.filter((t) => !borders.some((l) => new RegExp(`┌─+ ${escapeRe(t)}( |$)`).test(l) || l.includes(`─ ${t} `)));
}

export function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export interface Style {
  readonly fg: Colour;
  readonly bold: boolean;
  readonly underline: boolean;
}

const key = (st: Style) => `${st.fg}${st.bold ? '+bold' : ''}${st.underline ? '+underline' : ''}`;

/**
 * The styles each exchange name is drawn in (coloured occurrences on the default background, in rows `from` to
 * `to`): a name found as a word, followed by anything but a letter.
 */
export function exchangeStyles(s: Screen, names: readonly string[], from = 0, to = s.lines.length): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>(names.map((n) => [n, new Set<string>()]));
  for (let row = from; row < to; row++) {
    const text = s.text[row];
    for (const name of names) {
      const re = new RegExp(`(?<![a-z])${escapeRe(name)}(?![a-z])`, 'g');
      for (let m = re.exec(text); m; m = re.exec(text)) {
        // Code-point index = cell index: the names are ASCII, but a wide character before them is one code point.
        const col = [...text.slice(0, m.index)].length;
        const c = s.lines[row][col];
        if (!c || c.inverse || c.bg !== 'd' || c.fg === 'd') continue;
        out.get(name)!.add(key(c));
      }
    }
  }
  return out;
}

/** Pairs of exchanges drawn in the same style, and exchanges drawn in the long or short colour. */
export function sharedColours(styles: Map<string, Set<string>>, sideColours: readonly Colour[]): string[] {
  const problems: string[] = [];
  const names = [...styles.keys()];
  for (let i = 0; i < names.length; i++) {
    for (const st of styles.get(names[i])!) {
      if (sideColours.some((c) => st === String(c) || st.startsWith(`${c}+`))) problems.push(`${names[i]} is drawn in a long/short colour (${st})`);
      for (let j = i + 1; j < names.length; j++) if (styles.get(names[j])!.has(st)) problems.push(`${names[i]} and ${names[j]} share ${st}`);
    }
  }
  return problems;
}
