// The benchmark's generator and the validator on a smaller generated case (2 h × 50 symbols through the real
// BucketWriter): every check passes and is counted; then one changed field makes it fail. No timing assertions.
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type PrivateRedis } from '../support/redis.js';
import { BENCH, forensicJson, runNode } from './cli.js';

let redis: PrivateRedis;
let client: Redis;

beforeAll(async () => {
  redis = await startRedis();
  client = redis.client();
});
afterAll(async () => {
  await redis?.stop();
});

describe('bench-forensic (2 h × 50 symbols)', () => {
  it('generates consistent data that the validator passes, and fails once a field is changed', async () => {
    const run = await runNode(BENCH, ['--hours', '2', '--symbols', '50', '--redis-url', redis.url, '--json']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const figures = JSON.parse(run.stdout) as {
      symbolBuckets: number;
      events: number;
      validatorExit: number;
      bucketsChecked: number;
      logEntriesRead: number;
      checks: Array<{ id: number; passed: number; failed: number }>;
      warnings: Array<{ name: string; compared: number; warned: number }>;
    };
    expect(figures.validatorExit).toBe(0);
    expect(figures.symbolBuckets).toBe(2 * 60 * 50);
    // every symbol bucket (the current minute's events moved to the previous one) and the ALL buckets
    expect(figures.bucketsChecked).toBeGreaterThanOrEqual(119 * 50 + 119);
    expect(figures.logEntriesRead).toBe(figures.events);
    expect(figures.checks).toHaveLength(9);
    for (const c of figures.checks) {
      expect(c.failed).toBe(0);
      expect(c.passed).toBeGreaterThan(0);
    }
    // the generator's exchanges trade within 0.2% of one price: compared, never warned
    expect(figures.warnings).toHaveLength(1);
    expect(figures.warnings[0].compared).toBeGreaterThan(1000);
    expect(figures.warnings[0].warned).toBe(0);

    // the same data through the CLI, then one corrupted bucket
    expect((await forensicJson(redis.url, ['--window', '4h'])).run.code).toBe(0);
    const minute = Math.floor(Date.now() / 60_000) * 60_000 - 30 * 60_000;
    const top = await client.zrange(`liq:top:60s:${minute}`, 0, 0);
    const key = `liq:agg:${top[0]}:60s:${minute}`;
    await client.hincrby(key, 'short_value_cents', 1);
    const { run: bad, report } = await forensicJson(redis.url, ['--window', '4h']);
    expect(bad.code).toBe(1);
    expect(report.checks[0].firstFailure?.key).toBe(key);
  });
});
