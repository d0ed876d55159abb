// Runs the forensic CLI (dist/scripts/forensic.js, built by `npm test`'s pretest) as a real process.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type RedisTarget, targetEnv } from '../../src/core/redis-target.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const FORENSIC = path.join(ROOT, 'dist/scripts/forensic.js');
export const BENCH = path.join(ROOT, 'dist/scripts/bench-forensic.js');

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runNode(script: string, args: string[], env: Record<string, string> = {}, timeoutMs = 120_000): Promise<Run> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [script, ...args], {
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    p.once('error', reject);
    p.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Runs the CLI against a Redis URL, or any target (a Cluster: REDIS_CLUSTER_NODES), with more of the environment. */
export function forensic(redis: string | RedisTarget, args: string[] = [], env: Record<string, string> = {}): Promise<Run> {
  return runNode(FORENSIC, args, { ...(typeof redis === 'string' ? { REDIS_URL: redis } : targetEnv(redis)), ...env });
}

export interface JsonCheck {
  id: number;
  name: string;
  passed: number;
  failed: number;
  firstFailure: { key: string; field: string; expected: string; actual: string } | null;
  examples: Array<{ key: string; field: string; expected: string; actual: string }>;
}

export interface JsonFinding {
  key: string;
  field: string;
  expected: string;
  actual: string;
  figures?: Record<string, unknown>;
}

export interface JsonWarning {
  name: string;
  unit: string;
  compared: number;
  warned: number;
  firstWarning: JsonFinding | null;
  examples: JsonFinding[];
}

export interface JsonReport {
  ok: boolean;
  strict: boolean;
  buckets: number;
  logEntries: number;
  logMinutes: number;
  notes: string[];
  checks: JsonCheck[];
  warnings: JsonWarning[];
}

export async function forensicJson(redis: string | RedisTarget, args: string[] = [], env: Record<string, string> = {}): Promise<{ run: Run; report: JsonReport }> {
  const run = await forensic(redis, [...args, '--json'], env);
  let report: JsonReport;
  try {
    report = JSON.parse(run.stdout) as JsonReport;
  } catch {
    throw new Error(`forensic did not print JSON (exit ${run.code}): stdout ${run.stdout} stderr ${run.stderr}`);
  }
  return { run, report };
}
