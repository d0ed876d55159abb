// A test file's private Redis as hooks: started before its tests, stopped after them, optionally flushed before each
// test, with one client that most files need (more through client()). Tests never touch a Redis they did not start.
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { startRedis, type PrivateRedis } from './redis.js';

export interface FileRedis {
  readonly url: string;
  readonly port: number;
  /** The file's client (made at start, closed at stop). */
  readonly db: Redis;
  /** Another client of the same server (closed at stop). */
  client(): Redis;
}

/** Registers the hooks; call once at the top level of a test file (before hooks that use it). */
export function redisForFile(opts: { flushEachTest?: boolean } = {}): FileRedis {
  let redis: PrivateRedis | undefined;
  let db: Redis | undefined;
  beforeAll(async () => {
    redis = await startRedis();
    db = redis.client();
  });
  afterAll(async () => {
    await redis?.stop();
  });
  if (opts.flushEachTest === true) {
    beforeEach(async () => {
      await db!.flushall();
    });
  }
  const server = (): PrivateRedis => {
    if (redis === undefined) throw new Error('redis not started (redisForFile hooks run before the tests)');
    return redis;
  };
  return {
    get url() {
      return server().url;
    },
    get port() {
      return server().port;
    },
    get db() {
      server();
      return db!;
    },
    client: () => server().client(),
  };
}
