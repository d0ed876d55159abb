// What a venue's parser returns, and why an item is rejected. Parsers live in src/venues/<exchange>/; the scripts
// (replay checks, benchmarks) and the daemon read their results through these types.
import type { LiquidationEvent } from './event.js';

/** A feed's name: 'binance-usdm', 'bybit-linear', 'okx', … (src/venues/registry.ts lists them). */
export type Venue = string;

export type RejectReason =
  | 'invalid_json' // the frame is not JSON
  | 'bad_shape' // JSON, but not the shape the exchange documents for a liquidation
  | 'missing_field' // a required field is absent or empty
  | 'json_number' // a decimal documented as a string arrived as a JSON number
  | 'imprecise_number' // a decimal sent as a JSON number whose shortest text has over 15 significant digits or an exponent
  | 'unsupported_quote' // an instrument quoted in a currency whose USD value is not known (BitMEX XBT-quoted, quanto)
  | 'unsupported_instrument' // an instrument of a kind not counted (spot, builder-deployed markets)
  | 'non_numeric' // a decimal field that is not a plain decimal number
  | 'non_positive' // price or quantity ≤ 0
  | 'bad_side' // a side that maps to neither long nor short
  | 'bad_symbol' // symbol/instrument with characters outside letters/digits/_ or longer than 40
  | 'ts_future' // more than 5 minutes in the future
  | 'ts_too_old' // older than the bucket retention
  | 'bad_ts' // a timestamp that is not an integer number of ms
  | 'unfilled' // Binance z = 0: nothing was liquidated
  | 'unknown_instrument' // not in the metadata even after a refetch
  | 'zero_value' // the USD value rounds to 0 cents
  | 'zero_quantity' // the base quantity rounds to 0 at 1e-8
  | 'out_of_range'; // absurdly large (beyond what a 64-bit bucket can sum)

export interface Rejection {
  readonly exchange: string;
  readonly reason: RejectReason;
  /** A short sample of what was rejected, for the rate-limited log line. */
  readonly sample: string;
}

export interface ParseResult {
  events: LiquidationEvent[];
  rejections: Rejection[];
  /** Instrument names of valid form that the metadata does not know: refetch, then parse these again. */
  missing: string[];
}

export interface ParseOptions {
  /** When the frame was received, ms. Parsers never read the clock. */
  receivedAt: number;
  /** Events older than receivedAt - retentionMs are rejected (ts_too_old). */
  retentionMs: number;
  /** When set, only items of these instrument names are parsed (the re-parse after a metadata refetch). */
  only?: ReadonlySet<string>;
  /** When set, names still missing become `unknown_instrument` rejections instead of `missing` (after a refetch). */
  final?: boolean;
}

export const MAX_FUTURE_MS = 5 * 60_000;
