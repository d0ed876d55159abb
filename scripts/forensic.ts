#!/usr/bin/env node
// liqd-forensic: validates the buckets, indexes and event log in Redis against each other (see --help).
// Exit 0 every check holds (warnings do not count unless --strict), 1 a check failed, 2 cannot run.
import { ConfigError } from '../src/core/env.js';
import { type RedisTarget, adoptKeyLayout, redisTargetFromEnv } from '../src/core/redis-target.js';
import { HELP, UsageError, parseCli } from '../src/forensic/options.js';
import { stderrProgress } from '../src/forensic/progress.js';
import { renderText } from '../src/forensic/report.js';
import { CannotRun, runForensic } from '../src/forensic/run.js';

function fail(line: string): number {
  process.stderr.write(`liqd-forensic: ${line}\n`);
  return 2;
}

async function main(): Promise<number> {
  let opts;
  try {
    opts = parseCli(process.argv.slice(2));
  } catch (err) {
    if (err instanceof UsageError) return fail(err.message);
    throw err;
  }
  if (opts.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const retention = process.env.EVENT_LOG_RETENTION_HOURS;
  if (retention !== undefined && retention !== '' && !/^\d+$/.test(retention.trim())) {
    return fail(`EVENT_LOG_RETENTION_HOURS must be a whole number of hours (got ${JSON.stringify(retention)})`);
  }
  let redis: RedisTarget;
  try {
    redis = redisTargetFromEnv(process.env);
  } catch (err) {
    if (err instanceof ConfigError) return fail(err.message.replace(/^invalid configuration: /, ''));
    throw err;
  }
  adoptKeyLayout(redis);
  const progress = stderrProgress();
  try {
    const report = await runForensic({
      redis,
      window: opts.window,
      symbol: opts.symbol,
      strict: opts.strict,
      logRetentionHours: retention ? Number(retention) : 24,
      progress: progress.update,
    });
    progress.done();
    process.stdout.write(opts.json ? `${JSON.stringify(report)}\n` : renderText(report));
    return report.ok ? 0 : 1;
  } catch (err) {
    progress.done();
    if (err instanceof CannotRun) return fail(err.message);
    return fail(`cannot run: ${err instanceof Error ? err.message : String(err)}`);
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.exitCode = fail(`unexpected error: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
  },
);
