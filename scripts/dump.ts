#!/usr/bin/env node
// Canonical dump of what the daemon wrote into a Redis: every bucket with every field, the top and largest indexes,
// the identities per minute, and the event log, in a fixed order and with times moved back by --unshift-ms. Two
// runs that wrote the same events give byte-identical dumps whatever the day they ran: the regression test of the
// adapter redesign replays the sample through the daemon and compares the dump with one committed from before it.
//
//   node dist/scripts/dump.js --redis redis://127.0.0.1:6380 [--unshift-ms N] [--out dump.json.gz]
import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { createGzip } from 'node:zlib';
import type { Redis } from 'ioredis';
import { EVENTS_KEY } from '../src/core/keys.js';
import { isCluster } from '../src/core/pipe.js';
import { UsageError, die, parseOptions } from './lib/cli.js';
import { type RedisTarget, describeTarget } from '../src/core/redis-target.js';
import { redisClient, redisSpec, scanKeys } from './lib/redis.js';

const PROG = 'liqd-dump';
const HELP = `liqd-dump: a canonical dump of the buckets, indexes and event log in a Redis (read only)

Usage:
  node dist/scripts/dump.js --redis <redis> [--unshift-ms <N>] [--rollups] [--out <file[.gz]>]

  --redis <redis>     the Redis to read (nothing is written): redis://host:port, redis-sentinel://host:port,…/name
                      for the master a Sentinel deployment names, or redis-cluster://host:port,… (every master's keys,
                      named as on one Redis: without the cluster layout's {day} tag)
  --unshift-ms <N>    subtract N ms from every time (key minutes, log ts, largest-liquidation ts): the shift a replay
                      printed, so that dumps of replays on different days compare equal (default 0)
  --rollups           also the hourly and daily rollups (see below)
  --out <file>        write there (gzip when it ends in .gz) instead of stdout
  -h, --help          this help

What is in it, one JSON value per line, sorted:
  ["agg", key, {field: value…}]          every minute bucket (liq:agg:*:60s:*), fields sorted
  ["top", key, [[member, score]…]]       liq:top:60s:* sorted sets
  ["big", key, [[member without id, score]…]]   liq:big:60s:* (the id, a hash of the identity with its time, is left out)
  ["seen", key, count]                   liq:seen:* (how many identities each minute holds)
  ["event", {field: value…}]             every liq:events entry without its stream id and identity id
  ["ids", n, distinct]                   how many log entries, and how many distinct ids they carry
  with --rollups, after them:
  ["rollup", key, {field: value…}]       every hourly and daily rollup (liq:agg:*:1h:*, :1d:*), its key unshifted
The identity hashes depend on the shifted times, so they are counted, not listed; their exact values are pinned by
test/unit/identity.test.ts. The rollups are left out by default: a replay shifts times by whole minutes, which moves
events across hour and day boundaries, so rollups of two replays compare equal only when the shift is whole days
(their sums are proven against the minutes by \`npm run forensic\`); the minute sections stay comparable with dumps
made before the rollups existed.
`;

function parse(argv: string[]): { redis: RedisTarget; unshift: number; rollups: boolean; out?: string } | 'help' {
  const v = parseOptions({
    args: argv,
    strict: true,
    options: { redis: { type: 'string' }, 'unshift-ms': { type: 'string' }, rollups: { type: 'boolean' }, out: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  }).values;
  if (v.help) return 'help';
  if (v.redis === undefined) throw new UsageError('--redis <redis:// URL> is required');
  const redis = redisSpec(v.redis);
  const unshift = v['unshift-ms'] === undefined ? 0 : Number(v['unshift-ms']);
  if (!Number.isSafeInteger(unshift) || unshift % 60_000 !== 0) throw new UsageError('--unshift-ms must be a whole number of minutes in ms');
  return { redis, unshift, rollups: v.rollups === true, out: v.out };
}

/** A key as the single layout names it: a Cluster's hash tag (`{2026-11-30}:`) left out, so dumps of both compare. */
function plain(key: string): string {
  return key.replace(/^(liq:[a-z]+:)\{[^}]*\}:/, '$1');
}

/** key ending in :{START_MS} with the start moved back. */
function unshiftKey(key: string, ms: number): string {
  const i = key.lastIndexOf(':');
  return `${key.slice(0, i + 1)}${Number(key.slice(i + 1)) - ms}`;
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Every line of the dump, in its canonical order. */
export async function dumpLines(redis: RedisTarget | string, unshift: number, opts: { rollups?: boolean } = {}): Promise<string[]> {
  const r = redisClient(redis, { lazyConnect: true, maxRetriesPerRequest: 1 });
  // a failed connect rejects connect() below; the error event said why (ECONNREFUSED, …)
  let why: Error | undefined;
  r.on('error', (err: Error) => (why ??= err));
  await r.connect().catch((err: Error) => {
    throw why ?? err;
  });
  try {
    const lines: string[] = [];
    const rollups: string[] = [];
    for (const key of await scanKeys(r, 'liq:agg:*')) {
      const minute = /:60s:\d+$/.test(key);
      if (!minute && !opts.rollups) continue;
      const h = await r.hgetall(key);
      const fields = Object.fromEntries(Object.entries(h).sort(([a], [b]) => cmp(a, b)));
      if (minute) lines.push(JSON.stringify(['agg', unshiftKey(plain(key), unshift), fields]));
      else rollups.push(JSON.stringify(['rollup', plain(key), fields]));
    }
    const minuteKeys = async (pattern: string) => (await scanKeys(r, pattern)).filter((k) => /:60s:\d+$/.test(k));
    for (const key of await minuteKeys('liq:top:*')) {
      const z = await r.zrange(key, 0, -1, 'WITHSCORES');
      const pairs: string[][] = [];
      for (let i = 0; i < z.length; i += 2) pairs.push([z[i], z[i + 1]]);
      lines.push(JSON.stringify(['top', unshiftKey(plain(key), unshift), pairs.sort((a, b) => cmp(a[0], b[0]))]));
    }
    for (const key of await minuteKeys('liq:big:*')) {
      const z = await r.zrange(key, 0, -1, 'WITHSCORES');
      const pairs: string[][] = [];
      for (let i = 0; i < z.length; i += 2) {
        // exchange|symbol|side|price|quantity|ts|id
        const p = z[i].split('|');
        pairs.push([[...p.slice(0, 5), String(Number(p[5]) - unshift)].join('|'), z[i + 1]]);
      }
      lines.push(JSON.stringify(['big', unshiftKey(plain(key), unshift), pairs.sort((a, b) => cmp(a[0], b[0]))]));
    }
    for (const key of await scanKeys(r, 'liq:seen:*')) lines.push(JSON.stringify(['seen', unshiftKey(plain(key), unshift), await r.hlen(key)]));
    const events: string[] = [];
    const ids = new Set<string>();
    let n = 0;
    // liq:events, or a Cluster's day streams liq:events:{day}
    const logs = isCluster(r) ? (await scanKeys(r, 'liq:events:*')).filter((k) => /^liq:events:\{[^}]*\}$/.test(k)).sort() : [EVENTS_KEY];
    for (const log of logs) {
      for (let start = '-'; ; ) {
        const page = (await r.xrange(log, start, '+', 'COUNT', 5000)) as Array<[string, string[]]>;
        for (const [, f] of page) {
          const o: Record<string, string> = {};
          for (let i = 0; i < f.length; i += 2) o[f[i]] = f[i + 1];
          ids.add(o.id);
          n++;
          delete o.id;
          o.ts = String(Number(o.ts) - unshift);
          events.push(JSON.stringify(['event', Object.fromEntries(Object.entries(o).sort(([a], [b]) => cmp(a, b)))]));
        }
        if (page.length < 5000) break;
        start = `(${page[page.length - 1][0]}`;
      }
    }
    lines.sort(cmp);
    events.sort(cmp);
    return [...lines, ...events, JSON.stringify(['ids', n, ids.size]), ...rollups.sort(cmp)];
  } finally {
    r.disconnect();
  }
}

async function main(): Promise<void> {
  let opts;
  try {
    opts = parse(process.argv.slice(2));
  } catch (err) {
    die(PROG, `${(err as Error).message} (see --help)`, 2);
  }
  if (opts === 'help') {
    process.stdout.write(HELP);
    return;
  }
  let lines: string[];
  try {
    lines = await dumpLines(opts.redis, opts.unshift, { rollups: opts.rollups });
  } catch (err) {
    die(PROG, `cannot read ${describeTarget(opts.redis)}: ${(err as Error).message}`);
  }
  // `| head` closing the pipe early is an ordinary end, not an error
  process.stdout.on('error', (err: NodeJS.ErrnoException) => process.exit(err.code === 'EPIPE' ? 0 : 1));
  const body = Readable.from(lines.map((l) => `${l}\n`));
  if (opts.out === undefined) await pipeline(body, process.stdout);
  else if (opts.out.endsWith('.gz')) await pipeline(body, createGzip({ level: 9 }), createWriteStream(opts.out));
  else await pipeline(body, createWriteStream(opts.out));
  process.stderr.write(`${PROG}: ${lines.length} lines${opts.out ? ` into ${opts.out}` : ''}\n`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) void main();
