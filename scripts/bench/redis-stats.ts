// INFO commandstats before/after a run: how many Redis commands the daemon issued per event. Commands run by the
// write script (redis.call) are counted by Redis like any other, so the figure includes what the script does. On a
// Cluster the counts of every master are summed (not the replicas': they replay their master's commands).
import type { Redis } from 'ioredis';

/**
 * Commands the benchmark itself sends (probes, setup), and upkeep whatever the load: the clients' of a Cluster's
 * slot map (CLUSTER SLOTS), a replica's acknowledgements (REPLCONF ACK, every second): left out of the daemon's
 * figures. Redis 7 counts a subcommand under `command|sub` (client|setname, cluster|slots): matched by its command.
 */
export const BENCH_COMMANDS = new Set(['info', 'xlen', 'hexists', 'flushall', 'ping', 'config', 'client', 'select', 'hello', 'command', 'dbsize', 'memory', 'quit', 'cluster', 'readonly', 'replconf']);

export type CommandCounts = Map<string, number>;

/** The calls of each command so far, summed over `servers` (one Redis, or every master of a Cluster). */
export async function commandStats(servers: readonly Redis[]): Promise<CommandCounts> {
  const out: CommandCounts = new Map();
  for (const redis of servers) {
    const text = await redis.info('commandstats');
    for (const line of text.split('\n')) {
      const m = /^cmdstat_([^:]+):calls=(\d+)/.exec(line.trim());
      if (m) out.set(m[1].toLowerCase(), (out.get(m[1].toLowerCase()) ?? 0) + Number(m[2]));
    }
  }
  return out;
}

export interface CommandFigures {
  /** Every command the daemon caused (top level and inside the write script). */
  total: number;
  perEvent: number;
  /** Script invocations (EVALSHA + EVAL): round trips carrying the event data. */
  scriptCalls: number;
  eventsPerScriptCall: number;
  byCommand: Record<string, number>;
}

/**
 * The daemon's commands between two snapshots. `own`: calls the benchmark made of commands the daemon also uses
 * (the probes' ZSCORE; on a Cluster the daemon's claim script runs ZSCORE too), taken off by number.
 */
export function commandDelta(before: CommandCounts, after: CommandCounts, events: number, own: Readonly<Record<string, number>> = {}): CommandFigures {
  const byCommand: Record<string, number> = {};
  let total = 0;
  for (const [cmd, n] of after) {
    if (BENCH_COMMANDS.has(cmd.split('|', 1)[0])) continue;
    const d = n - (before.get(cmd) ?? 0) - (own[cmd] ?? 0);
    if (d <= 0) continue;
    byCommand[cmd] = d;
    total += d;
  }
  const scriptCalls = (byCommand.evalsha ?? 0) + (byCommand.eval ?? 0);
  return {
    total,
    perEvent: events > 0 ? total / events : 0,
    scriptCalls,
    eventsPerScriptCall: scriptCalls > 0 ? events / scriptCalls : 0,
    byCommand: Object.fromEntries(Object.entries(byCommand).sort((a, b) => b[1] - a[1])),
  };
}
