// The parsers of environment variables, shared by the daemon's configuration (src/config.ts) and the venues, which
// declare their own variables (URLs with the real endpoints as defaults, venue limits) beside their code. Each
// parser's message is the "must be …" of the one-line start-up error that names a bad variable.
import { z } from 'zod';

/** One variable: its default (the text the environment would hold) and its parser. */
export interface EnvVar {
  readonly def: string;
  readonly parse: z.ZodType;
}

/** A bad variable, or variables that contradict each other: the message is the one line start-up prints. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Parses each variable of a schema (absent or empty: its default). Throws ConfigError naming the first bad one. */
export function parseEnv(schema: Readonly<Record<string, EnvVar>>, env: NodeJS.ProcessEnv): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(schema)) {
    const raw = env[name];
    const value = raw === undefined || raw === '' ? spec.def : raw;
    const result = spec.parse.safeParse(value);
    if (!result.success) {
      const allowed = result.error.issues[0]?.message ?? 'a valid value';
      throw new ConfigError(`invalid configuration: ${name} must be ${allowed} (got ${JSON.stringify(value)})`);
    }
    out[name] = result.data;
  }
  return out;
}

export const int = (min: number, max: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, `an integer from ${min} to ${max}`)
    .transform(Number)
    .pipe(z.number().int().min(min, `an integer from ${min} to ${max}`).max(max, `an integer from ${min} to ${max}`));

/** A decimal number in (gt, lt) or [min, max], written plainly (no sign, no exponent). */
export const number = (what: string, bounds: { min?: number; max?: number; gt?: number; lt?: number }) => {
  let n = z.number();
  if (bounds.min !== undefined) n = n.min(bounds.min, what);
  if (bounds.max !== undefined) n = n.max(bounds.max, what);
  if (bounds.gt !== undefined) n = n.gt(bounds.gt, what);
  if (bounds.lt !== undefined) n = n.lt(bounds.lt, what);
  return z.string().trim().regex(/^\d+(\.\d+)?$/, what).transform(Number).pipe(n);
};

export const wsUrl = z
  .string()
  .trim()
  .refine((v) => /^wss?:\/\/[^\s]+$/.test(v) && URL.canParse(v), 'a ws:// or wss:// URL');

export const httpUrl = z
  .string()
  .trim()
  .refine((v) => /^https?:\/\/[^\s]+$/.test(v) && URL.canParse(v), 'an http:// or https:// URL')
  .transform((v) => v.replace(/\/+$/, ''));

export const redisUrl = z
  .string()
  .trim()
  .refine((v) => /^rediss?:\/\/[^\s]*$/.test(v) && URL.canParse(v), 'a redis:// or rediss:// URL');
