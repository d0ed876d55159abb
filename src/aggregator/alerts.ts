// Reads the alerts stream (liq:alerts, written by the engine's write script): the latest ones for the pro dashboard
// and `liqd alerts`, and one line of text per alert. Strings from the exchanges are sanitized here.
import type { Redis } from 'ioredis';
import { formatCents, formatHm } from './format.js';
import { safeText } from './sanitize.js';
import { readLatest } from './streams.js';

export interface AlertEntry {
  /** The stream entry's id. */
  readonly streamId: string;
  readonly kind: 'liquidation' | 'minute';
  /** The alert's identity: the event id, or minute|symbol|threshold_cents. */
  readonly id: string;
  /** When it was recorded (ms). */
  readonly at: number;
  readonly symbol: string;
  /** The liquidation's value, or the minute's value after the crossing write (integer cents, as text: exact). */
  readonly valueCents: string;
  readonly exchange?: string;
  readonly side?: string;
  readonly price?: string;
  readonly quantity?: string;
  /** The liquidation's time (ms). */
  readonly ts?: number;
  readonly minute?: number;
  readonly thresholdCents?: string;
  /** Every field as stored (sanitized), for JSON output. */
  readonly fields: Readonly<Record<string, string>>;
}

const digits = (v: string | undefined) => (v !== undefined && /^\d+$/.test(v) ? v : '0');

/** A stream entry → an alert; undefined when it is not one. */
export function alertOf(streamId: string, flat: readonly string[]): AlertEntry | undefined {
  const f: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) f[safeText(flat[i])] = safeText(flat[i + 1]);
  if (f.kind !== 'liquidation' && f.kind !== 'minute') return undefined;
  const num = (v: string | undefined) => (v !== undefined && /^\d+$/.test(v) ? Number(v) : undefined);
  return {
    streamId,
    kind: f.kind,
    id: f.id ?? '',
    at: num(f.at) ?? 0,
    symbol: f.symbol ?? '',
    valueCents: digits(f.value_cents),
    exchange: f.exchange,
    side: f.side,
    price: f.price,
    quantity: f.quantity,
    ts: num(f.ts),
    minute: num(f.minute),
    thresholdCents: f.threshold_cents === undefined ? undefined : digits(f.threshold_cents),
    fields: f,
  };
}

/** The latest `count` alerts, newest first (in a Cluster, over its day streams: streams.ts). */
export async function readAlerts(redis: Redis, count: number): Promise<AlertEntry[]> {
  const raw = await readLatest(redis, 'alerts', count);
  const out: AlertEntry[] = [];
  for (const { id, fields: flat } of raw) {
    const a = alertOf(id, flat);
    if (a !== undefined) out.push(a);
  }
  return out;
}

/** One line: "21:30 BTCUSDT binance short $150,000.00 (50000 × 3)" or "21:29 minute ALL reached $5,050.00 (≥ $5,000.00)". */
export function alertLine(a: AlertEntry): string {
  if (a.kind === 'liquidation') {
    return `${formatHm(a.ts ?? a.at)} ${a.symbol} ${a.exchange ?? '?'} ${a.side ?? '?'} ${formatCents(a.valueCents)} (${a.price ?? '?'} × ${a.quantity ?? '?'})`;
  }
  return `${formatHm(a.minute ?? a.at)} minute ${a.symbol} reached ${formatCents(a.valueCents)} (≥ ${formatCents(a.thresholdCents ?? '0')})`;
}
