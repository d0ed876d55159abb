// A real pino logger whose JSON lines are parsed into an array: tests assert on what the daemon would print.
import { createLogger, type Logger } from '../../src/log.js';

export interface LogLine {
  level: string;
  msg: string;
  [k: string]: unknown;
}

/** A real pino logger whose JSON lines are parsed into `lines` (no mock: the same serializers as in production). */
export function captureLog(level = 'debug'): { log: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const log = createLogger(level, { write: (s: string) => void lines.push(JSON.parse(s) as LogLine) });
  return { log, lines };
}
