// Where Redis is, from the environment or a script's --redis: the one parser every process uses (core/redis-target.ts).
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { parseRedisSpec, redisTargetFromEnv, targetEnv, targetSpec, type RedisTarget } from '../../src/core/redis-target.js';

describe('the Redis of the environment', () => {
  it('one Redis by default, or REDIS_URL', () => {
    expect(redisTargetFromEnv({})).toEqual({ mode: 'single', url: 'redis://127.0.0.1:6379' });
    expect(redisTargetFromEnv({ REDIS_URL: 'rediss://:pw@10.0.0.5:6380/2' })).toEqual({ mode: 'single', url: 'rediss://:pw@10.0.0.5:6380/2' });
  });

  it('REDIS_SENTINELS (and REDIS_SENTINEL_NAME) find the master through Sentinel', () => {
    expect(redisTargetFromEnv({ REDIS_SENTINELS: '10.0.0.1:26379, sentinel-b:26380,[::1]:26381' })).toEqual({
      mode: 'sentinel',
      sentinels: [
        { host: '10.0.0.1', port: 26379 },
        { host: 'sentinel-b', port: 26380 },
        { host: '::1', port: 26381 },
      ],
      name: 'mymaster',
    });
    expect(redisTargetFromEnv({ REDIS_SENTINELS: 'a:1', REDIS_SENTINEL_NAME: 'liq-prod' })).toMatchObject({ mode: 'sentinel', name: 'liq-prod' });
    // empty is unset, as for every variable
    expect(redisTargetFromEnv({ REDIS_SENTINELS: '', REDIS_CLUSTER_NODES: '', REDIS_URL: 'redis://h:1' })).toEqual({ mode: 'single', url: 'redis://h:1' });
  });

  it('REDIS_CLUSTER_NODES is read and checked', () => {
    expect(redisTargetFromEnv({ REDIS_CLUSTER_NODES: 'n1:7000,n2:7001' })).toEqual({ mode: 'cluster', nodes: [{ host: 'n1', port: 7000 }, { host: 'n2', port: 7001 }] });
  });

  it.each([
    [{ REDIS_SENTINELS: 'a:1', REDIS_URL: 'redis://h:1' }, 'invalid configuration: REDIS_URL names one Redis and REDIS_SENTINELS another deployment: unset one of them'],
    [{ REDIS_CLUSTER_NODES: 'a:1', REDIS_URL: 'redis://h:1' }, 'invalid configuration: REDIS_URL names one Redis and REDIS_CLUSTER_NODES another deployment: unset one of them'],
    [{ REDIS_SENTINELS: 'a:1', REDIS_CLUSTER_NODES: 'b:2' }, 'invalid configuration: REDIS_SENTINELS and REDIS_CLUSTER_NODES cannot both be set (a master found through Sentinel, or a Cluster): unset one of them'],
    [{ REDIS_SENTINEL_NAME: 'prod' }, 'invalid configuration: REDIS_SENTINEL_NAME is set but REDIS_SENTINELS is not: list the Sentinels (host:port,…) or unset REDIS_SENTINEL_NAME'],
    [{ REDIS_SENTINELS: 'a' }, 'invalid configuration: REDIS_SENTINELS must be a comma-separated list of Sentinel addresses host:port (port 1 to 65535, each once) (got "a")'],
    [{ REDIS_SENTINELS: 'a:1,a:1' }, /REDIS_SENTINELS must be a comma-separated list/],
    [{ REDIS_SENTINELS: 'a:0' }, /REDIS_SENTINELS must be/],
    [{ REDIS_SENTINELS: 'a:70000' }, /REDIS_SENTINELS must be/],
    [{ REDIS_SENTINELS: 'a:1,' }, /REDIS_SENTINELS must be/],
    [{ REDIS_SENTINELS: 'a:1', REDIS_SENTINEL_NAME: 'my master' }, /REDIS_SENTINEL_NAME must be a master name of letters, digits, _ \. -/],
    [{ REDIS_CLUSTER_NODES: 'redis://n1:7000' }, /REDIS_CLUSTER_NODES must be a comma-separated list of cluster node addresses/],
    [{ REDIS_URL: 'http://x' }, /REDIS_URL must be a redis:\/\/ or rediss:\/\/ URL/],
  ])('%j is one line: %s', (env, message) => {
    expect(() => redisTargetFromEnv(env)).toThrow(message);
  });

  it('REDIS_SENTINEL_NAME at its default without Sentinels is harmless (a copied .env.example sets it)', () => {
    expect(redisTargetFromEnv({ REDIS_SENTINEL_NAME: 'mymaster' }).mode).toBe('single');
  });

  it('the daemon reads the same, and REDIS_MANAGED=always contradicts a Sentinel or Cluster set-up', () => {
    expect(loadConfig({ REDIS_SENTINELS: '127.0.0.1:26379' }).redis).toMatchObject({ mode: 'sentinel', name: 'mymaster' });
    expect(loadConfig({}).redis).toEqual({ mode: 'single', url: 'redis://127.0.0.1:6379' });
    expect(() => loadConfig({ REDIS_SENTINELS: 'a:1', REDIS_URL: 'redis://h:1' })).toThrow(/^invalid configuration: REDIS_URL names one Redis/);
    expect(() => loadConfig({ REDIS_SENTINELS: 'a:1', REDIS_MANAGED: 'always' })).toThrow(
      'invalid configuration: REDIS_MANAGED=always starts a Redis of its own and cannot be used with REDIS_SENTINELS: unset one of them',
    );
    expect(loadConfig({ REDIS_WAIT_REPLICAS: '1' })).toMatchObject({ REDIS_WAIT_REPLICAS: 1, REDIS_WAIT_TIMEOUT_MS: 2000 });
    expect(() => loadConfig({ REDIS_WAIT_TIMEOUT_MS: '20000' })).toThrow(/REDIS_WAIT_TIMEOUT_MS must be an integer from 10 to 10000/);
  });
});

describe("a script's --redis", () => {
  it.each<[string, RedisTarget]>([
    ['redis://127.0.0.1:6380', { mode: 'single', url: 'redis://127.0.0.1:6380' }],
    ['rediss://:pw@h:1/3', { mode: 'single', url: 'rediss://:pw@h:1/3' }],
    ['redis-sentinel://a:26379,b:26380', { mode: 'sentinel', sentinels: [{ host: 'a', port: 26379 }, { host: 'b', port: 26380 }], name: 'mymaster' }],
    ['redis-sentinel://a:26379/prod', { mode: 'sentinel', sentinels: [{ host: 'a', port: 26379 }], name: 'prod' }],
    ['redis-cluster://n1:7000,n2:7001', { mode: 'cluster', nodes: [{ host: 'n1', port: 7000 }, { host: 'n2', port: 7001 }] }],
  ])('%s', (spec, target) => {
    expect(parseRedisSpec(spec)).toEqual(target);
    // the canonical form parses back, and the environment it gives a child names the same Redis
    expect(parseRedisSpec(targetSpec(target))).toEqual(target);
    expect(redisTargetFromEnv(targetEnv(target))).toEqual(target);
  });

  it.each(['http://x', 'redis-sentinel://', 'redis-sentinel://a', 'redis-sentinel://a:1/b/c', 'redis-cluster://a:1/x', 'a:1'])('refuses %s', (spec) => {
    expect(() => parseRedisSpec(spec)).toThrow(/^--redis must be a redis:\/\/ or rediss:\/\/ URL, redis-sentinel:\/\/host:port,…\[\/name\] or redis-cluster:\/\/host:port,…/);
  });
});
