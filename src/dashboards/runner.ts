// The shared terminal runner: screen, header and footer, keys, refresh loop, resizes and the Redis-down banner.
// Each dashboard only builds its panels (again after every resize) and fills them from a Snapshot.
import blessed from 'blessed';
import type { Redis } from 'ioredis';
import { type Snapshot, type SnapshotRequest, type WindowName, SnapshotCache, formatHms, loadSnapshot, nextWindow } from '../aggregator/index.js';
import { isValidSymbol } from '../core/event.js';
import { ALL } from '../core/keys.js';
import type { Logger } from '../log.js';
import { type DashboardName, headerText, notesLines, statusSection } from './sections.js';
import { esc } from './table.js';

export type Box = blessed.Widgets.BoxElement;

export interface View {
  /** Creates the panels inside `body` (called again after every resize, with fresh widgets). */
  build(body: Box): void;
  /** Fills the panels from a snapshot. */
  update(snap: Snapshot): void;
}

export interface DashboardDef {
  readonly name: DashboardName;
  /** What to read for one frame (also used by --once and the benchmark). */
  request(window: WindowName, symbol: string): SnapshotRequest;
  createView(): View;
}

export interface RunOptions {
  readonly redis: Redis;
  readonly window: WindowName;
  readonly symbol: string;
  readonly refreshMs: number;
  readonly log: Logger;
}

const FOOTER_LINES = 4;
const KEYS_HINT = 'q/Esc quit · w window (15m 1h 4h 12h 24h) · s symbol · times in UTC · USD to the dollar';

/** Normalizes a symbol typed by the user; undefined when it is not a valid symbol. */
export function normalizeSymbol(input: string): string | undefined {
  const s = input.trim().toUpperCase();
  if (s === '' || s === ALL) return ALL;
  return isValidSymbol(s) ? s : undefined;
}

/** Runs until the user quits; resolves with the exit code. */
export function runInteractive(def: DashboardDef, opts: RunOptions): Promise<number> {
  const { redis, log } = opts;
  let window = opts.window;
  let symbol = opts.symbol;
  let last: Snapshot | undefined;
  let timer: NodeJS.Timeout | undefined;
  let resizeTimer: NodeJS.Timeout | undefined;
  let inflight = false;
  let again = false;
  let prompting = false;
  let closed = false;
  let flash = '';
  const cache = new SnapshotCache();

  const screen = blessed.screen({
    smartCSR: true,
    fullUnicode: true,
    forceUnicode: true,
    autoPadding: true,
    warnings: false,
    title: `liqd ${def.name}`,
  });
  // Draw line-drawing and other symbols as UTF-8, never through the terminal's alternate character set: terminfo
  // entries such as TERM=screen need an ACS set-up blessed does not send, which turns borders into 'lqqk'.
  (screen.tput as unknown as { brokenACS: boolean }).brokenACS = true;
  const header = blessed.box({ parent: screen, top: 0, left: 0, width: '100%', height: 1, tags: true, wrap: false, style: { fg: 'white', bg: 'blue' } });
  const footer = blessed.box({ parent: screen, bottom: 0, left: 0, width: '100%', height: FOOTER_LINES, tags: true, wrap: false });
  let body = newBody();
  const view = def.createView();
  view.build(body);
  const banner = blessed.box({
    parent: screen,
    top: 'center',
    left: 'center',
    width: 64,
    height: 5,
    tags: true,
    hidden: true,
    border: { type: 'line' },
    align: 'center',
    valign: 'middle',
    style: { fg: 'white', bg: 'red', bold: true, border: { fg: 'white', bg: 'red' } },
  });

  function newBody(): Box {
    return blessed.box({ parent: screen, top: 1, left: 0, width: '100%', bottom: FOOTER_LINES });
  }

  function drawChrome(): void {
    if (last) {
      const s = statusSection(last.status, last.at, false);
      let alert = '';
      if (last.status && s.down.length) alert = ` {red-bg}{white-fg}{bold} ${s.down.length} FEED${s.down.length > 1 ? 'S' : ''} DOWN: ${esc(s.down.join(', '))} {/bold}{/white-fg}{/red-bg}`;
      header.setContent(` {bold}${esc(headerText(last, def.name))}{/bold}${alert}`);
      const notes = notesLines(last, true).slice(0, FOOTER_LINES - 1);
      while (notes.length < FOOTER_LINES - 1) notes.push('');
      footer.setContent([...notes.map((n) => ` ${n}`), ` {gray-fg}${esc(flash || KEYS_HINT)}{/gray-fg}`].join('\n'));
    } else {
      header.setContent(` {bold}liqd ${def.name} | ${esc(symbol === ALL ? 'all symbols' : symbol)} | last ${window} | loading…{/bold}`);
      footer.setContent(`\n\n\n {gray-fg}${esc(flash || KEYS_HINT)}{/gray-fg}`);
    }
  }

  function showBanner(text: string): void {
    banner.setContent(text);
    banner.show();
    banner.setFront();
  }

  function schedule(ms = opts.refreshMs): void {
    if (closed) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => void refresh(), ms);
  }

  async function refresh(): Promise<void> {
    if (closed) return;
    if (inflight) {
      again = true;
      return;
    }
    inflight = true;
    try {
      const snap = await loadSnapshot(redis, def.request(window, symbol), cache);
      if (closed) return;
      last = snap;
      banner.hide();
      view.update(snap);
    } catch (err) {
      if (closed) return;
      const down = redis.status !== 'ready';
      log.warn({ err, redis: redis.status }, 'refresh failed');
      const since = last ? `showing data as of ${formatHms(last.at)} UTC` : 'no data yet';
      showBanner(
        down
          ? `Redis unreachable, retrying…\n{normal}${esc(since)}{/normal}`
          : `refresh failed, retrying…\n{normal}${esc(String((err as Error).message ?? err).slice(0, 120))}{/normal}`,
      );
    } finally {
      inflight = false;
    }
    drawChrome();
    screen.render();
    if (again) {
      again = false;
      schedule(0);
    } else schedule();
  }

  function rebuild(): void {
    body.destroy();
    body = newBody();
    view.build(body);
    if (last) view.update(last);
    banner.setFront();
    screen.render();
  }

  function setFlash(text: string): void {
    flash = text;
    drawChrome();
    screen.render();
    setTimeout(() => {
      if (flash === text) {
        flash = '';
        drawChrome();
        screen.render();
      }
    }, 4000).unref();
  }

  return new Promise<number>((resolve) => {
    const quit = () => {
      if (closed) return;
      closed = true;
      if (timer) clearTimeout(timer);
      if (resizeTimer) clearTimeout(resizeTimer);
      screen.destroy();
      resolve(0);
    };
    screen.key(['q', 'escape', 'C-c'], () => {
      if (!prompting) quit();
    });
    // Ctrl-C always quits, even while the symbol prompt is open.
    screen.program.on('keypress', (_ch: unknown, key: { full?: string } | undefined) => {
      if (prompting && key?.full === 'C-c') quit();
    });
    screen.key('w', () => {
      if (prompting) return;
      window = nextWindow(window);
      setFlash(`window: last ${window}`);
      last = undefined;
      void refresh();
    });
    screen.key('s', () => {
      if (prompting) return;
      prompting = true;
      const prompt = blessed.prompt({
        parent: screen,
        top: 'center',
        left: 'center',
        width: 60,
        height: 8,
        border: { type: 'line' },
        label: ' symbol ',
        tags: true,
        keys: true,
        style: { border: { fg: 'cyan' } },
      });
      prompt.input('Symbol, e.g. BTCUSDT (empty: all symbols):', symbol === ALL ? '' : symbol, (_err, value) => {
        prompting = false;
        prompt.destroy();
        if (typeof value === 'string') {
          const s = normalizeSymbol(value);
          if (s === undefined) setFlash(`not a symbol: ${value.replace(/[^\x20-\x7e]/g, '?').slice(0, 40)} (letters, digits and _)`);
          else if (s !== symbol) {
            symbol = s;
            last = undefined;
            setFlash(`symbol: ${s === ALL ? 'all symbols' : s}`);
            void refresh();
          }
        }
        screen.render();
      });
      screen.render();
    });
    screen.on('resize', () => {
      if (resizeTimer) clearTimeout(resizeTimer);
      resizeTimer = setTimeout(rebuild, 80);
    });
    drawChrome();
    screen.render();
    void refresh();
  });
}
