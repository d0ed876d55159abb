// Percentiles and number formatting for the benchmark's table.

export interface LatencySummary {
  samples: number;
  p50: number;
  p99: number;
  max: number;
}

/** Nearest-rank percentile of sorted values (p in 0..100). */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

export function summarize(values: readonly number[]): LatencySummary {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    samples: sorted.length,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted.length > 0 ? sorted[sorted.length - 1] : 0,
  };
}

/** 1234567 → "1,234,567"; fractional figures keep `digits` decimals. */
export function fmt(n: number, digits = 0): string {
  return n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** A plain text table: header row, a rule, rows; numbers right-aligned. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
  const right = (c: number) => rows.some((r) => /^[-\d.,×%$]+( ?[a-zA-Z%/×]*)?$/.test(r[c] ?? '') && /\d/.test(r[c] ?? ''));
  const align = header.map((_, c) => right(c));
  const line = (cells: string[]) => cells.map((x, c) => (align[c] ? x.padStart(widths[c]) : x.padEnd(widths[c]))).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}
