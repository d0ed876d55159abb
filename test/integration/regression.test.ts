// The sample capture replayed through the real daemon gives exactly what the daemon of 2026-11-29 (before the adapter
// redesign) wrote: every bucket and field, the indexes, the identities per minute and every log entry, compared as a
// canonical dump (scripts/dump.ts) with times moved back by the replay's shift, so the comparison holds on any day.
// test/fixtures/cascade-dump.ndjson.gz was made by the same commands on that code.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dumpLines } from '../../scripts/dump.js';
import { loadCapture } from '../../scripts/lib/capture.js';
import { startRedis, type PrivateRedis } from '../support/redis.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
// The sample as it was before the redesign (three venues), frozen here: samples/cascade.ndjson.gz grows with the venues.
const SAMPLE = path.join(ROOT, 'test/fixtures/cascade-3venues.ndjson.gz');
const FIXTURE = path.join(ROOT, 'test/fixtures/cascade-dump.ndjson.gz');

let redis: PrivateRedis;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis.stop();
});

describe('regression: the sample through the daemon, against the dump from before the redesign', () => {
  it('every key, field and log entry is what it was', async () => {
    const capture = await loadCapture(SAMPLE);
    const lastT = Math.max(...capture.frames.map((f) => f.t));
    // whole minutes, so that the capture ends five minutes ago (inside every retention)
    const shiftMs = Math.floor((Date.now() - lastT) / 60_000) * 60_000 - 5 * 60_000;
    const r = spawnSync(
      process.execPath,
      [path.join(ROOT, 'dist/scripts/replay.js'), SAMPLE, '--speed', 'max', '--with-daemon', '--redis', redis.url, '--shift-ms', String(shiftMs)],
      { env: { PATH: process.env.PATH ?? '', TMPDIR: process.env.TMPDIR ?? '' }, encoding: 'utf8', timeout: 120_000 },
    );
    expect(r.status, r.stderr).toBe(0);
    const got = await dumpLines(redis.url, shiftMs);
    const want = gunzipSync(readFileSync(FIXTURE)).toString('utf8').trimEnd().split('\n');
    const firstDiff = got.findIndex((l, i) => l !== want[i]);
    expect(firstDiff === -1 ? null : { line: firstDiff + 1, got: got[firstDiff], want: want[firstDiff] }).toBeNull();
    expect(got.length).toBe(want.length);
    expect(got.at(-1)).toBe('["ids",44205,44205]');
  });
});
