// An alert as the write script records it (script.ts): the same fields in the stream entry, the pub/sub message and
// the webhook's body. Every value is a string (as Redis holds it), so cents stay exact.
import { z } from 'zod';

const alertSchema = z.union([
  z.object({
    kind: z.literal('liquidation'),
    /** The event's id (its identity): the alert's identity too. */
    id: z.string(),
    at: z.string(),
    ts: z.string(),
    exchange: z.string(),
    symbol: z.string(),
    side: z.string(),
    price: z.string(),
    quantity: z.string(),
    value_cents: z.string(),
  }),
  z.object({
    kind: z.literal('minute'),
    /** minute|symbol|threshold_cents */
    id: z.string(),
    at: z.string(),
    minute: z.string(),
    /** A symbol, or ALL for the market. */
    symbol: z.string(),
    threshold_cents: z.string(),
    /** The minute's value after the write that crossed the threshold. */
    value_cents: z.string(),
  }),
]);

export type AlertFields = z.infer<typeof alertSchema>;

export interface Alert {
  readonly fields: AlertFields;
  /** The JSON text the script published: sent as it is (webhook body), so every try carries the same bytes. */
  readonly json: string;
}

/** One alert from the script's reply (or a pub/sub message); undefined when it is not one. */
export function parseAlert(json: string): Alert | undefined {
  try {
    const r = alertSchema.safeParse(JSON.parse(json));
    return r.success ? { fields: r.data, json } : undefined;
  } catch {
    return undefined;
  }
}

/** An alert from a stream entry's flat field list. */
export function alertFromEntry(flat: readonly string[]): AlertFields | undefined {
  const o: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) o[flat[i]] = flat[i + 1];
  const r = alertSchema.safeParse(o);
  return r.success ? r.data : undefined;
}
