// A dashboard running in a detached tmux session (its own server socket, no tmux configuration), captured as
// plain text or with its colours (capture-pane -e).
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import path from 'node:path';
import { CLI, LOG_DIR, ROOT } from './cli.js';

const run = promisify(execFile);
let counter = 0;

export class TmuxPane {
  readonly socket = `liqd-test-${process.pid}-${++counter}`;
  readonly session = 'dash';

  private tmux(...args: string[]): string {
    return execFileSync('tmux', ['-u', '-f', '/dev/null', '-L', this.socket, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  }

  /**
   * Runs the dashboard; afterwards the pane prints EXIT=<code> and stays open. TERM is what tmux sets unless `env`
   * gives one; COLORTERM and NO_COLOR of the test's environment are removed unless `env` gives them.
   */
  start(args: string[], env: Record<string, string>, width = 160, height = 50): void {
    const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
    const vars = Object.entries({ LOG_FILE: path.join(LOG_DIR, `${this.socket}.log`), ...env })
      .map(([k, v]) => `${k}=${quote(v)}`)
      .join(' ');
    const cmd = `cd ${quote(ROOT)} && env -u COLORTERM -u NO_COLOR ${vars} ${quote(process.execPath)} ${quote(CLI)} ${args.map(quote).join(' ')}; echo EXIT=$?; sleep 60`;
    this.tmux('new-session', '-d', '-s', this.session, '-x', String(width), '-y', String(height), cmd);
  }

  capture(): string {
    return this.tmux('capture-pane', '-p', '-t', this.session);
  }

  /** The screen with its attributes as SGR sequences (asynchronous: many panes are polled at once). */
  async captureEscapes(): Promise<string> {
    const { stdout } = await run('tmux', ['-u', '-f', '/dev/null', '-L', this.socket, 'capture-pane', '-p', '-e', '-t', this.session], { encoding: 'utf8' });
    return stdout;
  }

  keys(...keys: string[]): void {
    this.tmux('send-keys', '-t', this.session, ...keys);
  }

  resize(width: number, height: number): void {
    this.tmux('resize-window', '-t', this.session, '-x', String(width), '-y', String(height));
  }

  /** Waits until the captured pane satisfies `test`; fails with the last capture. */
  async waitFor(test: RegExp | string | ((pane: string) => boolean), timeoutMs = 15_000): Promise<string> {
    const ok = (p: string) => (typeof test === 'string' ? p.includes(test) : test instanceof RegExp ? test.test(p) : test(p));
    const deadline = Date.now() + timeoutMs;
    let pane = '';
    for (;;) {
      try {
        pane = (await run('tmux', ['-u', '-f', '/dev/null', '-L', this.socket, 'capture-pane', '-p', '-t', this.session], { encoding: 'utf8' })).stdout;
      } catch {
        pane = '';
      }
      if (ok(pane)) return pane;
      if (Date.now() > deadline) throw new Error(`pane never matched ${String(test)}; last capture:\n${pane}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  kill(): void {
    try {
      this.tmux('kill-server');
    } catch {
      // already gone
    }
  }
}
