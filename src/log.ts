// The root pino logger: JSON lines on stdout. Modules take log.child({ mod }).
import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    // minLength 1 writes at once as with 0, but makes flush(cb) wait until every write has reached the fd: with 0,
    // sonic-boom calls back at once, and an exit right after could land the last lines out of order or lose them.
    destination ?? pino.destination({ fd: 1, sync: false, minLength: 1 }),
  );
}

/** A logger for tools that own stdout (dashboards): a file, opened synchronously so an early exit cannot lose it; silent without a path. */
export function fileLogger(path: string | undefined, level = 'info'): Logger {
  if (!path) return pino({ level: 'silent' });
  return pino({ level, timestamp: pino.stdTimeFunctions.isoTime }, pino.destination({ dest: path, mkdir: true, sync: true }));
}
