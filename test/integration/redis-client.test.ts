// The daemon's Redis client never stays ended unless the daemon ends it (src/engine/redis.ts, keepConnecting).
// ioredis ends a client for good when a connect fails in its connector (seen after a Sentinel failover: the previous
// connection's failover detector disconnects the connector mid-connect). Here the connector of a client on a real
// Redis fails one connect as it did then ("Connection is closed."), after the server drops the connection.
import type { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { waitUntil } from '../support/daemon.js';
import { captureLog } from '../support/log.js';
import { redisForFile } from '../support/redis-file.js';
import { createRedis } from '../../src/engine/redis.js';

const redis = redisForFile();

type Connector = { connect: (...args: unknown[]) => Promise<unknown> };

describe('the daemon Redis client', () => {
  it('connects again after an end it did not ask for, and stays ended after quit()', async () => {
    const { log, lines } = captureLog();
    const client = createRedis(redis.url, log, 'liqd:end-test');
    await client.connect();
    expect(await client.ping()).toBe('PONG');
    // The next connect fails in the connector, as the Sentinel connector's does when disconnected mid-connect.
    const connector = (client as unknown as { connector: Connector }).connector;
    const connect = connector.connect.bind(connector);
    let failed = 0;
    connector.connect = (...args: unknown[]) => {
      if (failed++ === 0) return Promise.reject(new Error('Connection is closed.'));
      return connect(...args);
    };
    await redis.db.client('KILL', 'USER', 'default', 'SKIPME', 'yes');
    await waitUntil(() => lines.some((l) => l.msg === 'redis ended'), 10_000, 'the client ended');
    expect(lines.find((l) => l.msg === 'redis ended')).toMatchObject({ level: 'warn', redis: 'ended' });
    // ioredis alone would stay in "end" here for good
    await waitUntil(() => client.status === 'ready', 10_000, 'the client ready again');
    expect(await client.ping()).toBe('PONG');
    expect(failed).toBe(2);

    await client.quit();
    await waitUntil(() => client.status === 'end', 5_000, 'quit');
    await new Promise((r) => setTimeout(r, 1500));
    expect(client.status).toBe('end');
  });

  it('a client disconnected by the daemon is not connected again', async () => {
    const { log } = captureLog();
    const client: Redis = createRedis(redis.url, log, 'liqd:end-test-2');
    await client.connect();
    client.disconnect();
    await new Promise((r) => setTimeout(r, 1500));
    expect(client.status).toBe('end');
  });
});
