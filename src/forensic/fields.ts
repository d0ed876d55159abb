// Bucket field names of src/core/keys.ts, classified once per distinct name: what an equation needs to know
// about a field (metric, exchange, side) without parsing its name again for every bucket.
export const COUNT = 0;
export const VALUE = 1;
export const QTY = 2;
/** `qty_capped` of a symbol bucket: events whose quantity its qty fields do not hold (their sum would pass 2^63 - 1). */
export const CAPPED = 3;
export const METRIC_SUFFIX = ['count', 'value_cents', 'qty_e8'] as const;
export const SIDES = ['long', 'short'] as const;

export interface FieldInfo {
  readonly name: string;
  /** COUNT, VALUE or QTY. */
  readonly metric: number;
  /** Index in the exchange registry, or -1 for a field that is not per exchange. */
  readonly ex: number;
  /** 0 long, 1 short, -1 both sides. */
  readonly side: number;
}

/** Exchanges met so far (index ↔ name), shared by the bucket fields and the log entries. */
export class Exchanges {
  readonly names: string[] = [];
  private readonly index = new Map<string, number>();
  of(name: string): number {
    let i = this.index.get(name);
    if (i === undefined) {
      i = this.names.length;
      this.names.push(name);
      this.index.set(name, i);
    }
    return i;
  }
}

const FIELD_RE = /^(?:([a-z0-9]+)_)??(?:(long|short)_)?(count|value_cents|qty_e8)$/;

export class FieldClassifier {
  private readonly cache = new Map<string, FieldInfo | null>();
  constructor(readonly exchanges: Exchanges) {}

  /** The field's meaning, or null for a name outside the schema. */
  classify(name: string): FieldInfo | null {
    let info = this.cache.get(name);
    if (info !== undefined) return info;
    info = null;
    if (name === 'qty_capped') {
      info = { name, metric: CAPPED, ex: -1, side: -1 };
      this.cache.set(name, info);
      return info;
    }
    const m = FIELD_RE.exec(name);
    if (m !== null) {
      const [, ex, side, metric] = m;
      const metricIdx = (METRIC_SUFFIX as readonly string[]).indexOf(metric);
      // qty fields are per side only; an exchange named like a side is not an exchange
      const valid = !(metricIdx === QTY && ex !== undefined) && ex !== 'long' && ex !== 'short' && ex !== 'all';
      if (valid) {
        info = {
          name,
          metric: metricIdx,
          ex: ex === undefined ? -1 : this.exchanges.of(ex),
          side: side === undefined ? -1 : side === 'long' ? 0 : 1,
        };
      }
    }
    this.cache.set(name, info);
    return info;
  }
}

export function fieldName(metric: number, ex: string | undefined, side: number): string {
  return `${ex === undefined ? '' : `${ex}_`}${side < 0 ? '' : `${SIDES[side]}_`}${METRIC_SUFFIX[metric]}`;
}
