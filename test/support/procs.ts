// Processes seen through /proc (Linux): which children a daemon has, and whether a PID still runs. Tests that start
// a redis-server through the daemon use these to see it, and to stop one left behind by its PID.
import { readFileSync, readdirSync } from 'node:fs';

/** /proc/<pid>/stat: [command name, state, parent pid]. */
function stat(pid: number): [string, string, number] | undefined {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = s.lastIndexOf(')');
    const [state, ppid] = s.slice(close + 2).split(' ');
    return [s.slice(s.indexOf('(') + 1, close), state, Number(ppid)];
  } catch {
    return undefined;
  }
}

/** The PID runs (a zombie does not count). */
export function running(pid: number): boolean {
  const s = stat(pid);
  return s !== undefined && s[1] !== 'Z';
}

/** The live children of a process, with their command names. */
export function childrenOf(pid: number): Array<{ pid: number; name: string }> {
  const out: Array<{ pid: number; name: string }> = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const s = stat(Number(entry));
    if (s && s[2] === pid && s[1] !== 'Z') out.push({ pid: Number(entry), name: s[0] });
  }
  return out;
}
