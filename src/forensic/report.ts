// The eight checks' tallies, the warnings', and the report: human text or one JSON document with the same content.
// A failed check is an inconsistency (exit 1); a warning is a finding that real data can show (a cascade moves
// prices more than 2% within a minute): reported with its figures, exit 0, unless --strict.

export interface Failure {
  /** The offending key: a bucket key, or `liq:events` / `liq:events#<entry id>` for the log. */
  readonly key: string;
  readonly field: string;
  readonly expected: string;
  readonly actual: string;
}

export const CHECKS = [
  { id: 1, name: 'sides', unit: 'buckets', what: 'count, value_cents and qty_e8 equal long + short' },
  { id: 2, name: 'exchanges', unit: 'buckets', what: 'count, value_cents and each side equal the sum over exchanges' },
  { id: 3, name: 'each exchange', unit: 'buckets', what: '{ex}_count and {ex}_value_cents equal long + short of that exchange' },
  { id: 4, name: 'market-wide', unit: 'minutes', what: 'every field of the ALL bucket equals the sum over the symbol buckets (and liq:top scores)' },
  { id: 5, name: 'raw log', unit: 'buckets', what: 'buckets of minutes wholly inside the log retention equal the aggregation of liq:events' },
  { id: 6, name: 'entries', unit: 'entries', what: 'value_cents (and quantity) follow from the entry; ids unique and in liq:seen' },
  { id: 7, name: 'sanity', unit: 'buckets', what: 'digit-string integers, value where count, minute start, TTL at a minute end, shares sum to 100%' },
  { id: 8, name: 'prices', unit: 'symbol-minutes', what: "the bucket's implied price (value ÷ quantity) lies inside its logged price range" },
  { id: 9, name: 'rollups', unit: 'rollups', what: 'each hourly rollup equals the sum of its minutes (while they all exist), each daily rollup the sum of its hours' },
] as const;

export const WARNINGS = [
  { name: 'cross-exchange prices', unit: 'symbol-minutes', what: "each exchange's median price of the symbol-minute within 2% of the others'" },
] as const;

export const MAX_EXAMPLES = 5;

export class Check {
  passed = 0;
  failed = 0;
  readonly examples: Failure[] = [];
  constructor(
    readonly id: number,
    readonly name: string,
    readonly unit: string,
  ) {}
  pass(n = 1): void {
    this.passed += n;
  }
  fail(key: string, field: string, expected: unknown, actual: unknown): void {
    this.failed++;
    if (this.examples.length < MAX_EXAMPLES) {
      this.examples.push({ key, field, expected: String(expected), actual: String(actual) });
    }
  }
}

/** A finding of a warning: where, and its figures (in `actual` as text, in `figures` as numbers). */
export interface Finding extends Failure {
  readonly figures?: Record<string, unknown>;
}

export class Warning {
  compared = 0;
  warned = 0;
  readonly examples: Finding[] = [];
  constructor(
    readonly name: string,
    readonly unit: string,
    readonly what: string,
  ) {}
  pass(): void {
    this.compared++;
  }
  warn(finding: () => Finding): void {
    this.compared++;
    this.warned++;
    // built only for the ones reported
    if (this.examples.length < MAX_EXAMPLES) this.examples.push(finding());
  }
}

export type Warnings = readonly [Warning];

export function newWarnings(): Warnings {
  return WARNINGS.map((w) => new Warning(w.name, w.unit, w.what)) as unknown as Warnings;
}

export type Checks = readonly [Check, Check, Check, Check, Check, Check, Check, Check, Check];

export function newChecks(): Checks {
  return CHECKS.map((c) => new Check(c.id, c.name, c.unit)) as unknown as Checks;
}

export interface Report {
  /** No check failed (and, with --strict, no warning). */
  ok: boolean;
  /** --strict: a warning counts as a failure. */
  strict: boolean;
  window: string;
  symbol: string | null;
  from: string;
  to: string;
  generatedAt: string;
  elapsedMs: number;
  minutes: number;
  buckets: number;
  logEntries: number;
  logMinutes: number;
  notes: string[];
  checks: Array<{ id: number; name: string; unit: string; passed: number; failed: number; firstFailure: Failure | null; examples: Failure[] }>;
  warnings: Array<{ name: string; unit: string; what: string; compared: number; warned: number; firstWarning: Finding | null; examples: Finding[] }>;
}

export function buildReport(
  checks: Checks,
  warnings: Warnings,
  info: Omit<Report, 'ok' | 'checks' | 'warnings'>,
): Report {
  return {
    ok: checks.every((c) => c.failed === 0) && (!info.strict || warnings.every((w) => w.warned === 0)),
    ...info,
    checks: checks.map((c) => ({
      id: c.id,
      name: c.name,
      unit: c.unit,
      passed: c.passed,
      failed: c.failed,
      firstFailure: c.examples[0] ?? null,
      examples: c.examples,
    })),
    warnings: warnings.map((w) => ({
      name: w.name,
      unit: w.unit,
      what: w.what,
      compared: w.compared,
      warned: w.warned,
      firstWarning: w.examples[0] ?? null,
      examples: w.examples,
    })),
  };
}

const n = (x: number) => x.toLocaleString('en-US');

export function renderText(r: Report): string {
  const lines: string[] = [];
  lines.push(
    `liqd forensic: window ${r.window}${r.symbol ? `, symbol ${r.symbol}` : ''} (${r.from} → ${r.to}), ` +
      `${n(r.buckets)} buckets in ${n(r.minutes)} minutes, ${n(r.logEntries)} log entries, ` +
      `${n(r.logMinutes)} minutes wholly in the log, ${(r.elapsedMs / 1000).toFixed(2)} s`,
  );
  for (const c of r.checks) {
    const mark = c.failed > 0 ? 'FAIL' : 'ok  ';
    lines.push(`${mark} ${c.id}. ${c.name.padEnd(14)} ${n(c.passed).padStart(10)} passed ${n(c.failed).padStart(8)} failed  (${c.unit})`);
    const f = c.firstFailure;
    if (f) lines.push(`       first: ${f.key}  field ${f.field}  expected ${f.expected}  actual ${f.actual}`);
  }
  const warned = r.warnings.filter((w) => w.warned > 0);
  lines.push(`warnings (${r.strict ? 'failures with --strict' : 'exit code unchanged; --strict makes them failures'}):`);
  for (const w of r.warnings) {
    const mark = w.warned === 0 ? 'ok  ' : r.strict ? 'FAIL' : 'WARN';
    lines.push(`${mark}    ${w.name.padEnd(22)} ${n(w.compared).padStart(10)} compared ${n(w.warned).padStart(6)} warned  (${w.unit})`);
    const f = w.firstWarning;
    if (f) lines.push(`       first: ${f.key}  ${f.field}: ${f.actual}  (expected ${f.expected})`);
  }
  for (const note of r.notes) lines.push(`note: ${note}`);
  const failed = r.checks.filter((c) => c.failed > 0).map((c) => `${c.id}. ${c.name}`);
  if (r.strict) failed.push(...warned.map((w) => `${w.name} (a warning, --strict)`));
  const warnedText = warned.map((w) => `${n(w.warned)} ${w.unit} warned by ${w.name}`).join(', ');
  if (failed.length > 0) lines.push(`result: ${failed.join(', ')} failed`);
  else lines.push(`result: every check holds${warned.length > 0 ? `; ${warnedText} (not failures)` : ''}`);
  return `${lines.join('\n')}\n`;
}
