// The shared terminal runner: screen, header and footer, keys, refresh loop, layouts per size, the Redis-down
// overlay. Each dashboard builds its panels for a body size (again after every resize) and fills them.
import blessed from 'blessed';
import type { Redis } from 'ioredis';
import { type Snapshot, SnapshotCache, displayWidth, formatHms, loadSnapshot, nextWindow } from '../aggregator/index.js';
import { clip } from '../aggregator/sanitize.js';
import { ALL } from '../core/keys.js';
import type { Logger } from '../log.js';
import { feedStatus } from './lists.js';
import type { Box } from './panels.js';
import { headerParts, notesLines } from './sections.js';
import { type ColorMode, Theme, colorDepth, glyphsFor } from './theme.js';
import { promptFor } from './prompt.js';
import { type DashboardDef, type ViewState, normalizeSymbol } from './view.js';


export interface RunOptions {
  readonly redis: Redis;
  readonly state: ViewState;
  readonly refreshMs: number;
  readonly color: ColorMode;
  readonly log: Logger;
  /** Shown while Redis cannot be reached (redacted). */
  readonly redisLabel: string;
}

const KEYS_HINT = 'q quit · w window · s symbol · c coin · g top by symbol/coin · times UTC';

/** Footer lines: the feed status line, notes, the key hint; more notes on tall screens. */
function footerLines(height: number): number {
  return height >= 40 ? 5 : 3;
}

/** Runs until the user quits; resolves with the exit code. */
export function runInteractive(def: DashboardDef, opts: RunOptions): Promise<number> {
  const { redis, log } = opts;
  let state = opts.state;
  let last: Snapshot | undefined;
  let timer: NodeJS.Timeout | undefined;
  let resizeTimer: NodeJS.Timeout | undefined;
  let inflight = false;
  let again = false;
  let prompting = false;
  let closed = false;
  let flash = '';
  let cache = new SnapshotCache();

  const screen = blessed.screen({ smartCSR: true, fullUnicode: true, forceUnicode: true, autoPadding: true, warnings: false, title: `liqd ${def.name}` });
  // Draw line-drawing and other symbols as UTF-8, never through the terminal's alternate character set: terminfo
  // entries such as TERM=screen need an ACS set-up blessed does not send, which turns borders into 'lqqk'.
  const tput = screen.tput as unknown as { brokenACS: boolean; colors: number };
  tput.brokenACS = true;
  const depth = colorDepth(opts.color, tput.colors, process.env);
  // blessed reduces every colour to what it believes the terminal has; tell it what we found.
  if (depth === 256 || depth === 16) tput.colors = depth;
  // blessed 0.1.81 fills its colour-match cache while it builds its 8-colour table, so every #rrggbb of the
  // 256-colour palette would come out as one of 8 colours: empty it once the table is built.
  const matchCache = (blessed as unknown as { colors: { _cache: Record<string, number> } }).colors._cache;
  for (const k of Object.keys(matchCache)) delete matchCache[k];
  const t = new Theme(depth, true, glyphsFor(process.env.TERM));
  log.info({ term: process.env.TERM, tputColors: tput.colors, depth }, 'colour depth');

  const header = blessed.box({ parent: screen, top: 0, left: 0, width: '100%', height: 1, tags: true, wrap: false, style: t.style(t.header) });
  const footer = blessed.box({ parent: screen, bottom: 0, left: 0, width: '100%', height: footerLines(screen.height as number), tags: true, wrap: false });
  let body: Box = newBody();
  let small = false;
  const view = def.createView();
  const banner = blessed.box({
    parent: screen,
    top: 'center',
    left: 'center',
    width: Math.min(64, (screen.width as number) - 2),
    height: 5,
    tags: true,
    hidden: true,
    border: { type: 'line' },
    align: 'center',
    valign: 'middle',
    style: { ...t.style(t.alert), border: t.style(t.alert) },
  });
  layout();

  function newBody(): Box {
    const f = footerLines(screen.height as number);
    return blessed.box({ parent: screen, top: 1, left: 0, width: '100%', height: Math.max(1, (screen.height as number) - 1 - f), tags: true });
  }

  /** Builds the view for the current size, or says the terminal is too small. */
  function layout(): void {
    const w = screen.width as number;
    const h = screen.height as number;
    small = w < def.min.width || h < def.min.height;
    if (small) {
      body.setContent(`\n ${t.paint(`terminal too small: need at least ${def.min.width}${t.glyphs.times}${def.min.height} (now ${w}${t.glyphs.times}${h})`, t.warn)}`);
      return;
    }
    view.build(body, w, body.height as number, t);
    if (last) update(last);
  }

  function update(snap: Snapshot): void {
    t.setExchanges(snap.exchanges);
    if (!small) view.update(snap, t);
  }

  function fitParts(parts: string[], width: number): string {
    let text = parts[0];
    for (const p of parts.slice(1)) {
      if (displayWidth(`${text} | ${p}`) > width) break;
      text = `${text} | ${p}`;
    }
    return clip(text, width);
  }

  function drawChrome(): void {
    const w = screen.width as number;
    const f = footerLines(screen.height as number);
    if (last) {
      const fs = feedStatus(last, t, w - 2);
      const alert = fs.down.length ? ` ${fs.down.length} FEED${fs.down.length > 1 ? 'S' : ''} DOWN ` : fs.noDaemon ? ' NO FEED STATUS ' : '';
      const title = fitParts(headerParts(last, def.name), w - 2 - alert.length);
      header.setContent(` ${t.paint(title)}${alert ? t.paint(alert, t.alert) : ''}`);
      const notes = notesLines(last, t);
      const room = f - 2;
      const shown = notes.slice(0, room);
      while (shown.length < room) shown.push('');
      footer.setContent([` ${fs.line}`, ...shown.map((n) => ` ${n}`), ` ${t.paint(flash || KEYS_HINT, t.dim)}`].join('\n'));
    } else {
      const scope = state.symbol !== ALL ? state.symbol : state.coin ? `coin ${state.coin}` : 'all symbols';
      header.setContent(` ${t.paint(fitParts([`liqd ${def.name}`, scope, `last ${state.window}`, 'loading…'], w - 2))}`);
      footer.setContent(`${'\n'.repeat(f - 1)} ${t.paint(flash || KEYS_HINT, t.dim)}`);
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
      const snap = await loadSnapshot(redis, def.request(state), cache);
      if (closed) return;
      last = snap;
      banner.hide();
      update(snap);
    } catch (err) {
      if (closed) return;
      const down = redis.status !== 'ready';
      log.warn({ err, redis: redis.status }, 'refresh failed');
      const since = last ? `showing data as of ${formatHms(last.at)} UTC` : `no data yet · ${opts.redisLabel}`;
      showBanner(
        down
          ? `Redis unreachable, retrying…\n${t.paint(clip(since, 60))}`
          : `refresh failed, retrying…\n${t.paint(String((err as Error).message ?? err).slice(0, 120))}`,
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
    banner.width = Math.min(64, (screen.width as number) - 2);
    body.destroy();
    footer.height = footerLines(screen.height as number);
    body = newBody();
    layout();
    drawChrome();
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

  /** A new view state: the old frame no longer applies. */
  function change(next: ViewState, message: string): void {
    state = next;
    last = undefined;
    cache = new SnapshotCache();
    rebuild();
    setFlash(message);
    void refresh();
  }

  // A Redis that comes (back) draws at once rather than at the next tick.
  const onReady = () => {
    if (!closed) schedule(0);
  };
  redis.on('ready', onReady);

  return new Promise<number>((resolve) => {
    const quit = () => {
      if (closed) return;
      closed = true;
      redis.off('ready', onReady);
      if (timer) clearTimeout(timer);
      if (resizeTimer) clearTimeout(resizeTimer);
      screen.destroy();
      resolve(0);
    };
    screen.key(['q', 'escape', 'C-c'], () => {
      if (!prompting) quit();
    });
    // Ctrl-C always quits, even while a prompt is open.
    screen.program.on('keypress', (_ch: unknown, key: { full?: string } | undefined) => {
      if (prompting && key?.full === 'C-c') quit();
    });
    screen.key('w', () => {
      if (!prompting) change({ ...state, window: nextWindow(state.window) }, `window: last ${nextWindow(state.window)}`);
    });
    screen.key('g', () => {
      if (prompting) return;
      const group = state.group === 'symbol' ? 'coin' : 'symbol';
      change({ ...state, group }, `top lists by ${group}`);
    });
    const ask = (what: 'symbol' | 'coin') => {
      if (prompting) return;
      prompting = true;
      promptFor(screen, t, what, (value) => {
        prompting = false;
        if (value === undefined) return screen.render();
        const s = normalizeSymbol(value);
        if (s === undefined) return setFlash(`not a ${what}: ${value.replace(/[^\x20-\x7e]/g, '?').slice(0, 40)} (letters, digits and _)`);
        if (what === 'symbol') change({ ...state, symbol: s, coin: undefined }, `symbol: ${s === ALL ? 'all symbols' : s}`);
        else change({ ...state, symbol: ALL, coin: s === ALL ? undefined : s }, s === ALL ? 'all coins' : `coin: ${s}`);
      });
    };
    screen.key('s', () => ask('symbol'));
    screen.key('c', () => ask('coin'));
    screen.on('resize', () => {
      if (resizeTimer) clearTimeout(resizeTimer);
      resizeTimer = setTimeout(rebuild, 80);
    });
    drawChrome();
    screen.render();
    void refresh();
  });
}
