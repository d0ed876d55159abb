import { describe, expect, it } from 'vitest';
import { redactUrl } from '../../src/core/redact.js';

describe('redactUrl', () => {
  it.each([
    ['redis://:secret@10.0.0.5:6380/2', 'redis://:***@10.0.0.5:6380/2'],
    ['rediss://liqd:p%40ss@redis.example:6379', 'rediss://liqd:***@redis.example:6379'],
    ['redis://127.0.0.1:6379', 'redis://127.0.0.1:6379'],
    ['redis://127.0.0.1:6379/', 'redis://127.0.0.1:6379'],
    ['not a url', 'not a url'],
  ])('%s → %s', (url, shown) => {
    expect(redactUrl(url)).toBe(shown);
  });
});
