// The eight checks' tallies and the report: human text or one JSON document with the same content.

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
  { id: 8, name: 'prices', unit: 'symbol-minutes', what: 'exchanges agree within 2%; implied price inside the logged price range' },
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

export type Checks = readonly [Check, Check, Check, Check, Check, Check, Check, Check];

export function newChecks(): Checks {
  return CHECKS.map((c) => new Check(c.id, c.name, c.unit)) as unknown as Checks;
}

export interface Report {
  ok: boolean;
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
}

export function buildReport(
  checks: Checks,
  info: Omit<Report, 'ok' | 'checks'>,
): Report {
  return {
    ok: checks.every((c) => c.failed === 0),
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
  for (const note of r.notes) lines.push(`note: ${note}`);
  lines.push(r.ok ? 'result: every check holds' : `result: ${r.checks.filter((c) => c.failed > 0).map((c) => `${c.id}. ${c.name}`).join(', ')} failed`);
  return `${lines.join('\n')}\n`;
}
