// End to end: the stand-in exchange servers push a pre-built workload over loopback WebSockets into the real daemon
// process (dist/src/main.js) writing to a private Redis. Either as fast as the daemon takes it (sustained
// throughput) or paced at a fixed rate (latency under steady load).
//
// Sending: the frames go out on the stand-ins' own server-side sockets, in chunks of about a millisecond, each chunk
// corked so a chunk leaves as few TCP writes as the kernel allows (as a busy exchange's frames arrive), and the
// sender waits whenever a socket holds more than HIGH_WATER bytes unsent: a slow daemon slows the sender through
// TCP backpressure, and the sender's loop never blocks for long (the probes below run between chunks).
//
// Measuring: the first frame's send time to the moment `XLEN liq:events` reaches the number of events sent (the
// write script adds the log entries in the same atomic call as the bucket increments). Latency is sampled: about
// a thousand frames are samples; for each, the id of its last event is known in advance (the workload parses it),
// and a probe connection asks `HEXISTS liq:seen:60s:{minute} {id}` (written atomically with the bucket; for an event
// identified by the exchange's own id, whose minute is its receive time, `ZSCORE liq:ids {id}`): the time
// from the frame being sent to the first probe answering 1. Frames of one venue are written in order, so only the
// oldest unseen sample per venue is probed (one command per venue per round, a round every `probeMs`) and, once it
// is seen, the next ones straight away: the probes stay a few thousand cheap commands per second.
//
// On a Redis Cluster the same, with every key built by core/keys.ts in the cluster layout and pipelined through
// core/pipe.ts (one batch per node): the log is one stream per UTC day, so XLEN is summed over the days from the
// workload's first event time to now; an own id is claimed in its shard (liq:ids:{ids-N}) before its event is
// written, so a ZSCORE answer is followed by HEXISTS in the claimed minute's liq:seen. FLUSHALL and INFO
// commandstats go to every master (a replica replays its master's commands: counted once), INFO cpu to every master
// and, through alsoRedis, to every replica (their CPU counts with Redis's, as the Sentinel replica's does).
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setImmediate as yieldLoop, setTimeout as sleep } from 'node:timers/promises';
import { type ChainableCommander, type Cluster, Redis } from 'ioredis';
import type { WebSocket } from 'ws';
import { daysBack, eventsKey, idsKey, keyLayout, seenKey } from '../../src/core/keys.js';
import { isCluster, pipe } from '../../src/core/pipe.js';
import { type RedisTarget, targetEnv } from '../../src/core/redis-target.js';
import type { Venue } from '../../src/core/parse.js';
import { trackTempDir } from '../lib/children.js';
import { startDaemonChild, type DaemonChild } from '../lib/daemon.js';
import { startStandins, type Standins } from '../../src/venues/standin/index.js';
import { FEEDS } from '../../src/venues/registry.js';
import { redisClient } from '../lib/redis.js';
import { missingSubscriptions } from '../lib/serve.js';
import { commandDelta, commandStats, type CommandFigures } from './redis-stats.js';
import { summarize, type LatencySummary } from './stats.js';
import type { Sample, Universe, Workload } from './workload.js';

const HIGH_WATER = 4 * 1024 * 1024;
const CHUNK_MS = 1;
const CHUNK_FRAMES = 4000;

/** Queues the command that tells whether a sample's event was written (see the header). */
function probeSample(p: ChainableCommander, s: Sample): void {
  if (s.byId) p.zscore(idsKey(s.id), s.id);
  else p.hexists(seenKey(s.minute), s.id);
}

/** The answer of probeSample: written or not. */
function written(s: Sample, answer: unknown): boolean {
  return s.byId ? answer !== null && answer !== undefined : Number(answer) === 1;
}

/**
 * Cluster layout: an own id's ZSCORE answers once the id is claimed, before its event is written (see the header).
 * Asks the claimed minute's liq:seen for each such sample and clears the answer (res[from + k]) of those not there.
 */
async function confirmClaims(redis: Redis, samples: readonly Sample[], res: Array<[Error | null, unknown]>, from: number): Promise<void> {
  const p = pipe(redis);
  const asked: number[] = [];
  samples.forEach((s, k) => {
    const answer = res[from + k]?.[1];
    if (!s.byId || !written(s, answer)) return;
    p.hexists(seenKey(Number(answer)), s.id);
    asked.push(from + k);
  });
  if (asked.length === 0) return;
  const seen = (await p.exec()) ?? [];
  asked.forEach((i, j) => {
    if (Number(seen[j]?.[1]) !== 1) res[i] = [null, null];
  });
}

/** The event logs of a workload, as keys.ts names them in the layout in use (see the header). */
function logKeys(w: Workload): string[] {
  return [...new Set(daysBack(Date.now(), w.fromTs).map(eventsKey))];
}

export interface RunResult {
  events: number;
  frames: number;
  bytes: number;
  /** First frame sent → last event visible. */
  seconds: number;
  eventsPerSec: number;
  /** Time the sender took to hand every frame to the sockets. */
  sendSeconds: number;
  latencyMs: LatencySummary;
  /** The daemon's VmHWM (peak resident set) at the end of the run. */
  peakRssMb: number;
  /** Largest /health bufferedEvents seen (polled every 200 ms). */
  maxBufferedEvents: number;
  redis: CommandFigures;
  /** liq:events length at the end (must equal events). */
  visible: number;
  duplicates: number;
  rejected: number;
  /**
   * CPU time (user + system) per event from the first frame sent to the last event visible, for the daemon, Redis
   * and this process (the stand-ins that send, and the probes). Sharing the machine's cores, they can go no faster
   * than cores × 1 s ÷ their sum. Undefined where /proc is missing.
   */
  cpuUsPerEvent: { daemon: number; redis: number; bench: number } | undefined;
}

export interface RunOptions {
  /** One Redis, or the master through Sentinel. */
  redis: RedisTarget;
  /** Other redis-servers of the set-up (the replicas) whose CPU time counts with Redis's. */
  alsoRedis?: readonly string[];
  universe: Universe;
  workload: Workload;
  /** Paced: events per second; undefined = as fast as the daemon takes them. */
  rate?: number;
  probeMs: number;
  /** Env for the daemon on top of the stand-ins' and the Redis variables. */
  daemonEnv?: Record<string, string>;
  progress: (line: string) => void;
  label: string;
  timeoutMs: number;
}

interface ConnLike {
  ws: WebSocket;
  topics: Set<string>;
}

/** The stand-ins' server-side connections of a venue (VenueCore keeps them in its `conns`). */
function connsOf(s: Standins, venue: Venue): ConnLike[] {
  const conns = (s.venues[venue] as unknown as { conns?: Set<ConnLike> }).conns;
  if (!conns) throw new Error(`stand-in ${venue} does not expose its connections`);
  return [...conns];
}

interface Socketish {
  cork(): void;
  uncork(): void;
}
function rawSocket(ws: WebSocket): Socketish | undefined {
  return (ws as unknown as { _socket?: Socketish })._socket;
}

async function waitUntil(pred: () => boolean | Promise<boolean>, timeoutMs: number, what: string, detail?: () => string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await pred())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${detail ? `: ${detail()}` : ''}`);
    await sleep(20);
  }
}

/** CPU seconds (user + system) the process has used so far, from /proc/<pid>/stat; undefined when unreadable. */
function procCpuSeconds(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // after "pid (comm) ": state is field 3, utime field 14, stime field 15, in clock ticks (USER_HZ, 100 on Linux)
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return undefined;
  }
}

/** Redis's own CPU seconds (user + system, all its threads) from INFO cpu. */
async function redisCpuSeconds(redis: Redis): Promise<number> {
  const info = await redis.info('cpu');
  const read = (name: string) => Number(new RegExp(`${name}:([0-9.]+)`).exec(info)?.[1] ?? NaN);
  return read('used_cpu_user') + read('used_cpu_sys');
}

function vmHwmMb(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const m = /VmHWM:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

export async function runThroughDaemon(opts: RunOptions): Promise<RunResult> {
  const { workload: w, universe: u } = opts;
  const admin = redisClient(opts.redis, { lazyConnect: false, maxRetriesPerRequest: 2 });
  const probe = redisClient(opts.redis, { lazyConnect: false, maxRetriesPerRequest: 2 });
  // Plain clients, not redisClient: that would choose the single layout for this process (a cluster's replicas).
  const others = (opts.alsoRedis ?? []).map((url) => new Redis(url, { lazyConnect: false, maxRetriesPerRequest: 2 }));
  // (redisClient chose the key layout of opts.redis for this process: the probes' keys below are in it.)
  const claimsFirst = keyLayout() === 'cluster';
  // The servers behind the admin client: itself, or a Cluster's masters (see the header).
  const masters = (): Redis[] => (isCluster(admin) ? (admin as unknown as Cluster).nodes('master') : [admin]);
  const redisCpu = async () => {
    let sum = 0;
    for (const m of masters()) sum += await redisCpuSeconds(m);
    for (const o of others) sum += await redisCpuSeconds(o);
    return sum;
  };
  const logLength = async (client: Redis) => {
    const p = pipe(client);
    for (const k of logKeys(opts.workload)) p.xlen(k);
    return ((await p.exec()) ?? []).reduce((sum, r) => sum + Number(r[1] ?? 0), 0);
  };
  let standins: Standins | undefined;
  let daemon: DaemonChild | undefined;
  try {
    if (isCluster(admin)) await admin.ping(); // its slot map loaded: masters() knows them all
    for (const m of masters()) await m.flushall();
    standins = await startStandins({ ...u.standins, okxIdleCloseMs: 600_000 });
    const dir = mkdtempSync(path.join(os.tmpdir(), 'liqd-bench-'));
    trackTempDir(dir);
    daemon = await startDaemonChild({
      // every venue the workload covers, whatever the daemon's default
      env: { ...standins.env, ...targetEnv(opts.redis), EXCHANGES: u.markets.map((m) => m.exchange).join(','), LOG_LEVEL: 'warn', STATUS_INTERVAL_MS: '5000', ...opts.daemonEnv },
      dir,
      instance: `bench-${opts.label.replace(/[^A-Za-z0-9_.-]+/g, "-")}`,
    });
    const s = standins;
    const d = daemon;
    await waitUntil(() => d.child.running && d.health().then((h) => h !== undefined), 15_000, 'the daemon to start', () => d.logTail(5));
    // Every route the workload's frames use must be held by a connection (Bybit: every topic; a URL stream: one).
    const needed = new Map<Venue, Set<string>>();
    for (const f of w.frames) {
      let set = needed.get(f.venue);
      if (!set) needed.set(f.venue, (set = new Set()));
      set.add(f.route);
    }
    const VENUES = [...needed.keys()];
    await waitUntil(
      () => missingSubscriptions(s, needed).size === 0,
      20_000,
      'the daemon to connect and subscribe everywhere',
      () =>
        `connections ${VENUES.map((v) => `${v}=${s.venues[v].connections()}/${s.venues[v].subscriptions().flat().length} topics`).join(' ')}; daemon log: ${d.logTail(5)}`,
    );
    // Metadata (contract values and sizes) is fetched at start; let it land.
    await waitUntil(
      () => FEEDS.every((f) => f.feed.metadata === undefined || !VENUES.includes(f.feed.venue) || s.venues[f.feed.venue].restRequests().length > 0),
      10_000,
      'metadata requests',
    );
    await waitUntil(async () => (await d.health())?.status === 'ok', 10_000, 'daemon /health ok');
    await sleep(300);

    // Routes: frame route → the sockets it goes to (as the stand-ins route: Binance all, Bybit by topic, OKX by key).
    const routeCache = new Map<string, ConnLike[]>();
    const targets = (venue: Venue, route: string): ConnLike[] => {
      const k = `${venue} ${route}`;
      let list = routeCache.get(k);
      if (!list) {
        list = connsOf(s, venue).filter((c) => route === '' || c.topics.has(route));
        if (list.length === 0) throw new Error(`no ${venue} connection carries ${route}`);
        routeCache.set(k, list);
      }
      return list;
    };
    const allConns = VENUES.flatMap((v) => connsOf(s, v));
    const maxBuffered = () => allConns.reduce((m, c) => Math.max(m, c.ws.bufferedAmount), 0);

    const before = await commandStats(masters());

    // --- probes ----------------------------------------------------------------------------------------------
    const sentAt = new Float64Array(w.samples.length).fill(-1);
    const latencies: number[] = [];
    const queues = new Map<Venue, number[]>(); // sample indexes sent and not yet seen, oldest first
    for (const v of VENUES) queues.set(v, []);
    const sampleAtFrame = new Map<number, number>();
    w.samples.forEach((smp, k) => sampleAtFrame.set(smp.frame, k));
    // The probes' ZSCOREs, taken off the daemon's commands (redis-stats.ts: it uses ZSCORE on a Cluster).
    let probeZscores = 0;
    const ask = (p: ChainableCommander, smp: Sample) => {
      if (smp.byId) probeZscores++;
      probeSample(p, smp);
    };
    let visible = 0;
    let visibleAt = 0;
    let probing = true;
    let sendDone = false;
    const probeLoop = (async () => {
      while (probing) {
        const p = pipe(probe);
        const logs = logKeys(w);
        for (const k of logs) p.xlen(k);
        const heads: Array<[Venue, number]> = [];
        for (const [v, q] of queues) {
          if (q.length > 0) {
            heads.push([v, q[0]]);
            ask(p, w.samples[q[0]]);
          }
        }
        const res = (await p.exec()) ?? [];
        if (claimsFirst) await confirmClaims(probe, heads.map(([, k]) => w.samples[k]), res, logs.length);
        const now = performance.now();
        visible = 0;
        for (let k = 0; k < logs.length; k++) visible += Number(res[k]?.[1] ?? 0);
        if (visible >= w.events && visibleAt === 0) visibleAt = now;
        for (let h = 0; h < heads.length; h++) {
          const [v, head] = heads[h];
          if (!written(w.samples[head], res[logs.length + h]?.[1])) continue;
          const q = queues.get(v)!;
          latencies.push(now - sentAt[q.shift()!]);
          // The next samples of this venue are probably visible too: ask for them at once, 16 at a time.
          while (q.length > 0) {
            const batch = q.slice(0, 16);
            const p2 = pipe(probe);
            for (const k of batch) ask(p2, w.samples[k]);
            const r2 = (await p2.exec()) ?? [];
            if (claimsFirst) await confirmClaims(probe, batch.map((k) => w.samples[k]), r2, 0);
            const t2 = performance.now();
            let k = 0;
            while (k < batch.length && written(w.samples[batch[k]], r2[k]?.[1])) {
              latencies.push(t2 - sentAt[q.shift()!]);
              k++;
            }
            if (k < batch.length) break;
          }
        }
        if (visibleAt !== 0 && [...queues.values()].every((q) => q.length === 0) && sendDone) break;
        await sleep(opts.probeMs);
      }
    })();

    let maxBufferedEvents = 0;
    let healthOn = true;
    const healthLoop = (async () => {
      while (healthOn) {
        const h = await d.health();
        const b = Number(h?.bufferedEvents ?? 0);
        if (b > maxBufferedEvents) maxBufferedEvents = b;
        await sleep(200);
      }
    })();

    // --- sender ----------------------------------------------------------------------------------------------
    const cpuBefore = { daemon: procCpuSeconds(d.child.proc.pid), redis: await redisCpu(), bench: process.cpuUsage() };
    const start = performance.now();
    let i = 0;
    let sentEvents = 0;
    let lastReport = start;
    const corked = new Set<Socketish>();
    while (i < w.frames.length) {
      while (maxBuffered() > HIGH_WATER) await sleep(1);
      const chunkStart = performance.now();
      // Paced: send what is due by now.
      const due = opts.rate === undefined ? Infinity : ((chunkStart - start) / 1000) * opts.rate;
      let n = 0;
      while (i < w.frames.length && n < CHUNK_FRAMES && sentEvents < due) {
        const f = w.frames[i];
        const k = sampleAtFrame.get(i);
        if (k !== undefined) {
          sentAt[k] = performance.now();
          queues.get(f.venue)!.push(k);
        }
        for (const c of targets(f.venue, f.route)) {
          const sock = rawSocket(c.ws);
          if (sock && !corked.has(sock)) {
            sock.cork();
            corked.add(sock);
          }
          c.ws.send(f.text);
        }
        sentEvents += f.events;
        i++;
        n++;
        if ((n & 63) === 0 && performance.now() - chunkStart >= CHUNK_MS) break;
      }
      for (const sock of corked) sock.uncork();
      corked.clear();
      const now = performance.now();
      if (now - lastReport > 1000) {
        lastReport = now;
        opts.progress(`${opts.label}: sent ${sentEvents.toLocaleString('en-US')}/${w.events.toLocaleString('en-US')} events, visible ${visible.toLocaleString('en-US')}`);
      }
      if (opts.rate === undefined) await yieldLoop();
      else await sleep(Math.max(1, Math.min(5, (sentEvents / opts.rate) * 1000 - (now - start))));
    }
    const sendSeconds = (performance.now() - start) / 1000;
    sendDone = true;
    const deadline = Date.now() + opts.timeoutMs;
    let lastVisible = -1;
    while (visibleAt === 0) {
      if (Date.now() > deadline) {
        const m = async (name: string) => (await d.metric(name)) ?? 'n/a';
        throw new Error(
          `${opts.label}: only ${visible} of ${w.events} events visible after the timeout (daemon: parsed ${await m('liq_events_total')}, ` +
            `written ${await m('liq_events_written_total')}, duplicates ${await m('liq_duplicates_total')}, rejected ${await m('liq_rejected_total')}, ` +
            `expired ${await m('liq_expired_total')}, reconnects ${await m('liq_stream_reconnects_total')}); log: ${d.logTail(5)}`,
        );
      }
      if (!d.child.running) throw new Error(`${opts.label}: the daemon exited: ${d.logTail()}`);
      await sleep(200);
      if (visible !== lastVisible && performance.now() - lastReport > 1000) {
        lastReport = performance.now();
        lastVisible = visible;
        opts.progress(`${opts.label}: all sent, visible ${visible.toLocaleString('en-US')}/${w.events.toLocaleString('en-US')}`);
      }
    }
    const daemonCpu = procCpuSeconds(d.child.proc.pid);
    const benchCpu = process.cpuUsage(cpuBefore.bench);
    const redisCpuAfter = await redisCpu();
    const perEventUs = (seconds: number) => (seconds * 1e6) / w.events;
    const cpuUsPerEvent =
      daemonCpu === undefined || cpuBefore.daemon === undefined
        ? undefined
        : {
            daemon: perEventUs(daemonCpu - cpuBefore.daemon),
            redis: perEventUs(redisCpuAfter - cpuBefore.redis),
            bench: (benchCpu.user + benchCpu.system) / w.events,
          };
    await probeLoop;
    probing = false;
    healthOn = false;
    await healthLoop;
    const seconds = (visibleAt - start) / 1000;
    const after = await commandStats(masters());
    const peakRssMb = vmHwmMb(d.child.proc.pid);
    const duplicates = (await d.metric('liq_duplicates_total')) ?? -1;
    const rejected = (await d.metric('liq_rejected_total')) ?? -1;
    const finalLen = await logLength(admin);
    return {
      events: w.events,
      frames: w.frames.length,
      bytes: w.bytes,
      seconds,
      eventsPerSec: w.events / seconds,
      sendSeconds,
      latencyMs: summarize(latencies),
      peakRssMb,
      maxBufferedEvents,
      redis: commandDelta(before, after, w.events, { zscore: probeZscores }),
      visible: finalLen,
      duplicates,
      rejected,
      cpuUsPerEvent,
    };
  } finally {
    if (daemon) await daemon.stop();
    if (standins) await standins.close();
    admin.disconnect();
    probe.disconnect();
    for (const o of others) o.disconnect();
  }
}
