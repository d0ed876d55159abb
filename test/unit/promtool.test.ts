// `promtool check metrics` (Debian's prometheus package; .ci/run installs it) finds nothing to say about the
// project's own metrics: names, types, units, help. Every metric is given a value under every label first, so each
// appears. prom-client's own defaults keep their standard names (process_cpu_user_seconds_total, nodejs_…), which
// the usual Node.js dashboards expect, and are left out of the verdict (promtool lints three of them).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Counter, Gauge, Histogram } from 'prom-client';
import { createMetrics } from '../../src/metrics.js';

const promtool = spawnSync('promtool', ['--version'], { encoding: 'utf8' }).status === 0;

async function exposition(): Promise<string> {
  const m = createMetrics();
  for (const metric of m.registry.getMetricsAsArray()) {
    const names = ((metric as unknown as { labelNames?: string[] }).labelNames ?? []) as string[];
    const labels = Object.fromEntries(names.map((n) => [n, 'x']));
    if (metric instanceof Counter) metric.inc(labels, 1);
    else if (metric instanceof Gauge) metric.set(labels, 1);
    else if (metric instanceof Histogram) metric.observe(labels, 0.01);
  }
  return m.registry.metrics();
}

describe('metrics', () => {
  it('the process and Node.js metrics keep their standard names; the Grafana counters exist', async () => {
    const text = await exposition();
    expect(text).toMatch(/^process_cpu_user_seconds_total /m);
    expect(text).toMatch(/^nodejs_heap_size_used_bytes /m);
    expect(text).not.toMatch(/liq_process_|liq_nodejs_/);
    expect(text).toMatch(/^# TYPE liq_liquidated_usd_total counter$/m);
    expect(text).toMatch(/^# TYPE liq_liquidations_total counter$/m);
  });

  it.skipIf(!promtool)('promtool check metrics says nothing about the liq_ metrics', async () => {
    const text = await exposition();
    const r = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    const findings = `${r.stdout}\n${r.stderr}`.split('\n').filter((l) => l.trim() !== '');
    expect(findings.filter((l) => /\bliq_/.test(l))).toEqual([]);
    // whatever it does say is about prom-client's defaults only
    for (const l of findings) expect(l).toMatch(/^(nodejs_|process_)/);
  });

  it('grafana/liqd.json plots only metrics the daemon serves, through an import-time data source', async () => {
    const dash = JSON.parse(readFileSync(new URL('../../grafana/liqd.json', import.meta.url), 'utf8')) as {
      __inputs: Array<{ name: string; pluginId: string }>;
      panels: Array<{ targets?: Array<{ expr: string }> }>;
    };
    expect(dash.__inputs).toEqual([expect.objectContaining({ name: 'DS_PROMETHEUS', pluginId: 'prometheus' })]);
    const served = new Set((await createMetrics().registry.getMetricsAsJSON()).map((m) => m.name));
    const used = new Set<string>();
    for (const p of dash.panels) for (const t of p.targets ?? []) for (const m of t.expr.matchAll(/\b((?:liq|process|nodejs)_[a-z_]+)/g)) used.add(m[1].replace(/_bucket$/, ''));
    expect([...used].filter((n) => !served.has(n))).toEqual([]);
    expect(used).toContain('liq_liquidated_usd_total');
    expect(used).toContain('liq_liquidations_total');
    expect(used).toContain('liq_stream_open');
  });
});
