// A dashboard running in a detached tmux session (its own server socket), 160×50, captured as plain text.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { CLI, LOG_DIR, ROOT } from './cli.js';

let counter = 0;

export class TmuxPane {
  readonly socket = `liqd-test-${process.pid}-${++counter}`;
  readonly session = 'dash';

  private tmux(...args: string[]): string {
    return execFileSync('tmux', ['-u', '-L', this.socket, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  }

  /** Runs the dashboard; afterwards the pane prints EXIT=<code> and stays open. */
  start(args: string[], env: Record<string, string>, width = 160, height = 50): void {
    const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
    const vars = Object.entries({ LOG_FILE: path.join(LOG_DIR, `${this.socket}.log`), ...env })
      .map(([k, v]) => `${k}=${quote(v)}`)
      .join(' ');
    const cmd = `cd ${quote(ROOT)} && env ${vars} ${quote(process.execPath)} ${quote(CLI)} ${args.map(quote).join(' ')}; echo EXIT=$?; sleep 60`;
    this.tmux('new-session', '-d', '-s', this.session, '-x', String(width), '-y', String(height), cmd);
  }

  capture(): string {
    return this.tmux('capture-pane', '-p', '-t', this.session);
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
        pane = this.capture();
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
