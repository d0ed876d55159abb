// Vitest globalSetup: the Redis at 127.0.0.1:6379 is not ours, and no test may write to it. This reads (never
// writes) how many liq:* keys it holds before and after the run; if the run added any, the run fails naming the count.
import { Redis } from 'ioredis';
import { scanKeys } from '../../scripts/lib/redis.js';

let before: number | undefined;

async function liqKeys(): Promise<number | undefined> {
  const r = new Redis({ host: '127.0.0.1', port: 6379, lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 1000 });
  r.on('error', () => undefined);
  try {
    await r.connect();
    return (await scanKeys(r, 'liq:*')).length;
  } catch {
    return undefined; // nothing there (or not a Redis we can read): nothing to guard
  } finally {
    r.disconnect();
  }
}

export async function setup(): Promise<void> {
  before = await liqKeys();
}

export async function teardown(): Promise<void> {
  if (before === undefined) return;
  const after = await liqKeys();
  if (after !== undefined && after > before) {
    process.stderr.write(`\nFAIL the tests wrote ${after - before} liq:* key(s) into the Redis at 127.0.0.1:6379, which is not theirs\n`);
    process.exitCode = 1;
  }
}
