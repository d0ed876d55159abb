// The daemon's commands per event from two INFO commandstats snapshots (scripts/bench/redis-stats.ts): what the
// benchmark and the connections' upkeep send is left out, by name or, for commands the daemon uses too, by number.
import { describe, expect, it } from 'vitest';
import { commandDelta } from '../../scripts/bench/redis-stats.js';

const counts = (o: Record<string, number>) => new Map(Object.entries(o));

describe('commandDelta', () => {
  it('counts the daemon\'s commands and scripts, without the probes, the setup or Redis 7 subcommands of upkeep', () => {
    const before = counts({ evalsha: 1, hincrby: 10, xlen: 5, 'cluster|slots': 1 });
    const after = counts({ evalsha: 3, hincrby: 410, xadd: 200, xlen: 900, hexists: 40, info: 4, 'cluster|slots': 6, 'client|setname': 2, replconf: 9, wait: 2 });
    const f = commandDelta(before, after, 200);
    expect(f.byCommand).toEqual({ hincrby: 400, xadd: 200, evalsha: 2, wait: 2 });
    expect(f.total).toBe(604);
    expect(f.perEvent).toBeCloseTo(3.02, 10);
    expect(f.scriptCalls).toBe(2);
    expect(f.eventsPerScriptCall).toBe(100);
  });

  it('takes the benchmark\'s own calls of a command the daemon uses too off by number', () => {
    const before = counts({ zscore: 0, evalsha: 0 });
    const after = counts({ zscore: 130, evalsha: 4 });
    expect(commandDelta(before, after, 100, { zscore: 30 }).byCommand).toEqual({ zscore: 100, evalsha: 4 });
    // all of them the benchmark's: the command is not the daemon's at all
    expect(commandDelta(before, after, 100, { zscore: 130 }).byCommand).toEqual({ evalsha: 4 });
  });
});
