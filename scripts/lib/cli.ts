// Small helpers shared by the scripts' command lines: options, one-line failures, a status line on a terminal, figures.
import { parseArgs, type ParseArgsConfig } from 'node:util';

export class UsageError extends Error {
  override name = 'UsageError';
}

/** node:util parseArgs, its complaint (an unknown option, a missing value) thrown as a UsageError (exit status 2). */
export function parseOptions<T extends ParseArgsConfig>(config: T): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

/** Prints `prog: line` on stderr and exits with code. */
export function die(prog: string, line: string, code = 1): never {
  process.stderr.write(`${prog}: ${line}\n`);
  process.exit(code);
}

/** A one-line status on stderr, rewritten in place; a no-op when stderr is not a terminal. */
export class StatusLine {
  private shown = false;
  readonly enabled = process.stderr.isTTY === true;

  update(text: string): void {
    if (!this.enabled) return;
    const width = process.stderr.columns ?? 120;
    process.stderr.write(`\r\x1b[K${text.length > width - 1 ? text.slice(0, width - 1) : text}`);
    this.shown = true;
  }

  /** Clears the status line (before printing an ordinary line). */
  clear(): void {
    if (!this.enabled || !this.shown) return;
    process.stderr.write('\r\x1b[K');
    this.shown = false;
  }
}

/** A duration for messages: "3.2 s" under a minute, else HH:MM:SS. */
export function duration(ms: number): string {
  return ms < 60_000 ? `${(ms / 1000).toFixed(1)} s` : elapsed(ms);
}

export function elapsed(ms: number): string {
  const s = Math.floor(ms / 1000);
  const hh = Math.floor(s / 3600);
  const mm = Math.floor((s % 3600) / 60);
  const ss = s % 60;
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(hh)}:${p(mm)}:${p(ss)}`;
}

/** Exact dollars from integer cents: 123456789n → "$1,234,567.89". */
export function usd(cents: bigint): string {
  const neg = cents < 0n;
  const c = neg ? -cents : cents;
  const dollars = (c / 100n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${neg ? '-' : ''}$${dollars}.${(c % 100n).toString().padStart(2, '0')}`;
}

export function int(n: number): string {
  return n.toLocaleString('en-US');
}
