// Which Redis deployment a process talks to: one Redis by URL, a master found through Sentinel, or a Cluster. Every
// process reads it here, from its environment (the daemon's configuration, the dashboards, forensic) or from a
// script's --redis, so that they agree on the variables, their precedence and their errors. The result is plain
// data: the engine and the scripts make an ioredis client of it, forensic its own RESP connection.
//
// Precedence: REDIS_SENTINELS or REDIS_CLUSTER_NODES choose the mode; REDIS_URL belongs to the single-Redis mode.
// Setting REDIS_URL with either, or both of them, is a contradiction and stops start-up with one line.
import { z } from 'zod';
import { ConfigError, type EnvVar, parseEnv, redisUrl } from './env.js';
import { useKeyLayout } from './keys.js';
import { redactUrl } from './redact.js';

export interface HostPort {
  readonly host: string;
  readonly port: number;
}

export type RedisTarget =
  | { readonly mode: 'single'; readonly url: string }
  | { readonly mode: 'sentinel'; readonly sentinels: readonly HostPort[]; readonly name: string }
  | { readonly mode: 'cluster'; readonly nodes: readonly HostPort[] };

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';
export const DEFAULT_SENTINEL_NAME = 'mymaster';

// A host name, an IPv4 address or a bracketed IPv6 address, then a port.
const HOST_PORT = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?):(\d{1,5})$/;

/** `host:port,host:port…` into addresses; undefined when any item is not one (or one is listed twice). */
export function parseHostPorts(text: string): HostPort[] | undefined {
  const out: HostPort[] = [];
  const seen = new Set<string>();
  for (const item of text.split(',').map((s) => s.trim())) {
    const m = HOST_PORT.exec(item);
    const port = m ? Number(m[2]) : 0;
    if (!m || port < 1 || port > 65_535 || seen.has(item.toLowerCase())) return undefined;
    seen.add(item.toLowerCase());
    out.push({ host: m[1].replace(/^\[|\]$/g, ''), port });
  }
  return out;
}

const hostPortList = (what: string) =>
  z
    .string()
    .trim()
    .transform((v, ctx) => {
      if (v === '') return [] as HostPort[];
      const list = parseHostPorts(v);
      if (list === undefined) {
        ctx.addIssue({ code: 'custom', message: what });
        return z.NEVER;
      }
      return list;
    });

/** The variables that say where Redis is (the daemon's configuration lists them with its own). */
export const REDIS_ENV = {
  REDIS_URL: { def: DEFAULT_REDIS_URL, parse: redisUrl },
  REDIS_SENTINELS: { def: '', parse: hostPortList('a comma-separated list of Sentinel addresses host:port (port 1 to 65535, each once)') },
  REDIS_SENTINEL_NAME: { def: DEFAULT_SENTINEL_NAME, parse: z.string().trim().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'a master name of letters, digits, _ . - (at most 64)') },
  REDIS_CLUSTER_NODES: { def: '', parse: hostPortList('a comma-separated list of cluster node addresses host:port (port 1 to 65535, each once)') },
} as const satisfies Record<string, EnvVar>;

/** The environment's Redis. Throws ConfigError (one line) for a bad value or variables that contradict each other. */
export function redisTargetFromEnv(env: NodeJS.ProcessEnv): RedisTarget {
  const v = parseEnv(REDIS_ENV, env) as { REDIS_URL: string; REDIS_SENTINELS: HostPort[]; REDIS_SENTINEL_NAME: string; REDIS_CLUSTER_NODES: HostPort[] };
  const given = (name: string) => env[name] !== undefined && env[name] !== '';
  const sentinel = v.REDIS_SENTINELS.length > 0;
  const cluster = v.REDIS_CLUSTER_NODES.length > 0;
  if (sentinel && cluster) {
    throw new ConfigError('invalid configuration: REDIS_SENTINELS and REDIS_CLUSTER_NODES cannot both be set (a master found through Sentinel, or a Cluster): unset one of them');
  }
  if (given('REDIS_URL') && (sentinel || cluster)) {
    const other = sentinel ? 'REDIS_SENTINELS' : 'REDIS_CLUSTER_NODES';
    throw new ConfigError(`invalid configuration: REDIS_URL names one Redis and ${other} another deployment: unset one of them`);
  }
  // A name without Sentinels is a Sentinel set-up half done: without this line the daemon would write elsewhere.
  if (!sentinel && given('REDIS_SENTINEL_NAME') && v.REDIS_SENTINEL_NAME !== DEFAULT_SENTINEL_NAME) {
    throw new ConfigError('invalid configuration: REDIS_SENTINEL_NAME is set but REDIS_SENTINELS is not: list the Sentinels (host:port,…) or unset REDIS_SENTINEL_NAME');
  }
  if (sentinel) return { mode: 'sentinel', sentinels: v.REDIS_SENTINELS, name: v.REDIS_SENTINEL_NAME };
  if (cluster) return { mode: 'cluster', nodes: v.REDIS_CLUSTER_NODES };
  return { mode: 'single', url: v.REDIS_URL };
}

/** Makes this process build its keys in the target's layout (keys.ts): the cluster layout for a Cluster. */
export function adoptKeyLayout(t: RedisTarget): void {
  useKeyLayout(t.mode === 'cluster' ? 'cluster' : 'single');
}

const SPEC_FORMS = 'a redis:// or rediss:// URL, redis-sentinel://host:port,…[/name] or redis-cluster://host:port,…';

/**
 * A script's --redis: `redis://…` or `rediss://…` (one Redis), `redis-sentinel://host:port,host:port[/name]` (a master
 * found through these Sentinels; name default mymaster) or `redis-cluster://host:port,…`. Throws ConfigError.
 */
export function parseRedisSpec(spec: string, option = '--redis'): RedisTarget {
  const text = spec.trim();
  const bad = () => new ConfigError(`${option} must be ${SPEC_FORMS} (got ${JSON.stringify(spec)})`);
  const m = /^(redis-sentinel|redis-cluster):\/\/([^/]+)(?:\/([^/]*))?$/.exec(text);
  if (m === null) {
    if (!/^rediss?:\/\/./.test(text) || !redisUrl.safeParse(text).success) throw bad();
    return { mode: 'single', url: text };
  }
  const list = parseHostPorts(m[2]);
  if (list === undefined) throw bad();
  if (m[1] === 'redis-cluster') {
    if (m[3] !== undefined && m[3] !== '') throw bad();
    return { mode: 'cluster', nodes: list };
  }
  const name = m[3] || DEFAULT_SENTINEL_NAME;
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(name)) throw bad();
  return { mode: 'sentinel', sentinels: list, name };
}

const hostPorts = (list: readonly HostPort[]) => list.map((a) => (a.host.includes(':') ? `[${a.host}]:${a.port}` : `${a.host}:${a.port}`)).join(',');

/** The target as --redis takes it (passwords included): parseRedisSpec(targetSpec(t)) is t. */
export function targetSpec(t: RedisTarget): string {
  if (t.mode === 'single') return t.url;
  if (t.mode === 'sentinel') return `redis-sentinel://${hostPorts(t.sentinels)}/${t.name}`;
  return `redis-cluster://${hostPorts(t.nodes)}`;
}

/** The target for messages and logs: a URL's password replaced by ***. */
export function describeTarget(t: RedisTarget): string {
  return t.mode === 'single' ? redactUrl(t.url) : targetSpec(t);
}

export function sameTarget(a: RedisTarget, b: RedisTarget): boolean {
  return targetSpec(a) === targetSpec(b);
}

/**
 * The environment that points a child process (the daemon, a dashboard) at the target: every Redis variable, the
 * unused ones empty (unset), so that nothing inherited contradicts it.
 */
export function targetEnv(t: RedisTarget): Record<keyof typeof REDIS_ENV, string> {
  return {
    REDIS_URL: t.mode === 'single' ? t.url : '',
    REDIS_SENTINELS: t.mode === 'sentinel' ? hostPorts(t.sentinels) : '',
    REDIS_SENTINEL_NAME: t.mode === 'sentinel' ? t.name : '',
    REDIS_CLUSTER_NODES: t.mode === 'cluster' ? hostPorts(t.nodes) : '',
  };
}
