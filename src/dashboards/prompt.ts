// The symbol and coin prompts: always empty at first, so Enter on nothing means "all".
import blessed from 'blessed';
import type { Theme } from './theme.js';

/** Asks for a symbol or a coin; `done` gets the text, or undefined when the prompt was cancelled (Esc). */
export function promptFor(screen: blessed.Widgets.Screen, t: Theme, what: 'symbol' | 'coin', done: (value: string | undefined) => void): void {
  const prompt = blessed.prompt({
    parent: screen,
    top: 'center',
    left: 'center',
    width: Math.min(64, (screen.width as number) - 4),
    height: 8,
    border: { type: 'line' },
    label: ` ${what} `,
    tags: true,
    keys: true,
    style: { border: { fg: t.border } },
  });
  // blessed draws the input and the buttons on a black background in the default colour, which a light terminal
  // cannot show: the input is underlined instead, the buttons take the header's colours.
  const parts = (prompt as unknown as { _: Record<'input' | 'okay' | 'cancel', blessed.Widgets.BoxElement> })._;
  parts.input.style = { underline: true };
  for (const b of [parts.okay, parts.cancel]) b.style = { ...t.style(t.header), hover: t.style(t.header) };
  const question =
    what === 'symbol' ? 'Symbol, e.g. BTCUSDT (Enter on empty: all symbols):' : 'Coin, e.g. BTC: every BTC instrument (Enter on empty: all):';
  prompt.input(question, '', (_err, value) => {
    prompt.destroy();
    done(typeof value === 'string' ? value : undefined);
  });
  screen.render();
}
