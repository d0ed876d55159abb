// Shared per-value validation for the venue parsers (src/venues/<venue>/parser.ts; the per-item steps: parsing-rows.ts).
// Hot path: no regex compiled per call, no closures per event, no zod. Every helper returns either the value or a
// RejectReason string, so callers test `typeof r === 'string'` and reject that one event.
import { type Decimal, isZero, parseDecimal } from '../core/decimal.js';
import { MAX_SYMBOL_LENGTH } from '../core/event.js';
import { MAX_FUTURE_MS, type ParseOptions, type ParseResult, type RejectReason } from '../core/parse.js';

/** A metadata lookup: a Map, or an InstrumentCache (src/streams/instruments.ts). */
export interface Lookup<T> {
  get(name: string): T | undefined;
}

export const SAMPLE_MAX = 200;

// Instrument names as the exchanges spell them (BTCUSDT, BTCUSD_PERP, BTCUSDT-25DEC26, BTC-USDT-SWAP):
// letters and digits of any script, '_' and '-'. Nothing else ('.', '/', spaces, control characters) passes.
const INSTRUMENT_NAME_RE = /^[\p{L}\p{N}_-]+$/u;
const CONTROL_RE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;
const NEGATIVE_DECIMAL_RE = /^-\d+(?:\.\d+)?$/;
const DIGITS_RE = /^\d{1,16}$/;

export function newResult(): ParseResult {
  return { events: [], rejections: [], missing: [] };
}

/** A short, printable sample for the rate-limited log line: control characters replaced, ~200 chars. */
export function sampleOf(text: string): string {
  const cut = text.length > SAMPLE_MAX ? `${text.slice(0, SAMPLE_MAX)}…` : text;
  return cut.replace(CONTROL_RE, '?');
}

/** JSON sample of one item (only on the rejection path, so the stringify cost is paid rarely). */
export function sampleOfValue(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return sampleOf(text);
}

export function reject(result: ParseResult, exchange: string, reason: RejectReason, sample: string): void {
  result.rejections.push({ exchange, reason, sample: sampleOf(sample) });
}

/** JSON.parse that never throws: undefined for invalid JSON (JSON never parses to undefined). */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Valid form for an instrument name that may go into ParseResult.missing (anything else is bad_symbol). */
export function isValidInstrumentName(name: string): boolean {
  return name.length > 0 && name.length <= MAX_SYMBOL_LENGTH && INSTRUMENT_NAME_RE.test(name);
}

/**
 * A decimal documented as a JSON string. Rejects: absent/null/"" → missing_field; a JSON number → json_number
 * (binary floating point has already lost digits); anything but a plain decimal → non_numeric ("NaN", "1e5",
 * "Infinity", " 1"); a negative decimal or zero → non_positive (zero allowed with allowZero, for Binance z).
 */
export function readDecimal(v: unknown, allowZero = false): Decimal | RejectReason {
  if (typeof v === 'string') {
    if (v.length === 0) return 'missing_field';
    const d = parseDecimal(v);
    if (d === undefined) return NEGATIVE_DECIMAL_RE.test(v) ? 'non_positive' : 'non_numeric';
    if (!allowZero && isZero(d)) return 'non_positive';
    return d;
  }
  if (v === undefined || v === null) return 'missing_field';
  if (typeof v === 'number') return 'json_number';
  return 'non_numeric';
}

/**
 * A decimal that the venue documents as a JSON number (BitMEX, Deribit, Kraken, Bitfinex, HTX, …), or a string. A number
 * is read exactly through the shortest text that round-trips its double (String(n): what the venue most likely wrote),
 * and rejected as `imprecise_number` when that text has an exponent or more than 15 significant digits: then the double
 * may not be the decimal the venue meant. A string is read as readDecimal does. Returns the decimal and its text (the
 * identity uses the text).
 */
export function readNumeric(v: unknown, allowZero = false): { d: Decimal; text: string } | RejectReason {
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) return 'non_numeric';
    if (v < 0) return 'non_positive';
    const text = String(v);
    if (text.includes('e')) return 'imprecise_number';
    if (significantDigits(text) > 15) return 'imprecise_number';
    const d = parseDecimal(text);
    if (d === undefined) return 'non_numeric';
    if (!allowZero && isZero(d)) return 'non_positive';
    return { d, text };
  }
  const d = readDecimal(v, allowZero);
  return typeof d === 'string' ? d : { d, text: v as string };
}

/** Significant digits of a plain decimal text: from the first non-zero digit to the last non-zero one. */
function significantDigits(text: string): number {
  let first = -1;
  let last = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 49 && c <= 57) {
      if (first < 0) first = i;
      last = i;
    }
  }
  if (first < 0) return 0;
  const dot = text.indexOf('.');
  return last - first + 1 - (dot > first && dot < last ? 1 : 0);
}

/** A millisecond timestamp documented as a JSON number (Binance E/T, Bybit T/ts). */
export function readTsNumber(v: unknown): number | RejectReason {
  if (typeof v === 'number') return Number.isSafeInteger(v) && v >= 0 ? v : 'bad_ts';
  if (v === undefined || v === null || v === '') return 'missing_field';
  return 'bad_ts';
}

/** A millisecond timestamp documented as a string of digits (OKX ts). */
export function readTsString(v: unknown): number | RejectReason {
  if (typeof v === 'string') {
    if (v.length === 0) return 'missing_field';
    if (!DIGITS_RE.test(v)) return 'bad_ts';
    const n = Number(v);
    return Number.isSafeInteger(n) ? n : 'bad_ts';
  }
  if (v === undefined || v === null) return 'missing_field';
  return 'bad_ts';
}

/** ts_future: more than MAX_FUTURE_MS after receivedAt; ts_too_old: before receivedAt − retentionMs. */
export function checkTs(ts: number, opts: ParseOptions): RejectReason | undefined {
  if (ts > opts.receivedAt + MAX_FUTURE_MS) return 'ts_future';
  if (ts < opts.receivedAt - opts.retentionMs) return 'ts_too_old';
  return undefined;
}

/**
 * The instrument name of one liquidation item (`name` is item[field]): undefined when the item is rejected
 * (absent, not a string, or not of valid form) or skipped because a re-parse (`only`) is not about it.
 */
export function itemName(name: unknown, item: unknown, exchange: string, opts: ParseOptions, result: ParseResult): string | undefined {
  if (typeof name !== 'string' || name.length === 0) {
    if (opts.only === undefined) reject(result, exchange, name === undefined || name === null || name === '' ? 'missing_field' : 'bad_symbol', sampleOfValue(item));
    return undefined;
  }
  if (opts.only !== undefined && !opts.only.has(name)) return undefined;
  if (!isValidInstrumentName(name)) {
    reject(result, exchange, 'bad_symbol', sampleOfValue(item));
    return undefined;
  }
  return name;
}

/**
 * A name of valid form missing from the metadata: into `missing` for a refetch and re-parse, or, on the final
 * re-parse (opts.final), an unknown_instrument rejection. Returns nothing; the caller skips the event.
 */
export function noteMissing(
  result: ParseResult,
  exchange: string,
  name: string,
  opts: ParseOptions,
  sample: string,
): void {
  if (opts.final === true) {
    reject(result, exchange, 'unknown_instrument', sample);
    return;
  }
  if (!result.missing.includes(name)) result.missing.push(name);
}

/** YYMMDD of a UTC time in ms: 1798185600000 (2026-12-25T08:00Z) → "261225". */
export function yymmddUtc(ms: number): string {
  const d = new Date(ms);
  const yy = d.getUTCFullYear() % 100;
  const mm = d.getUTCMonth() + 1;
  const dd = d.getUTCDate();
  return `${yy < 10 ? '0' : ''}${yy}${mm < 10 ? '0' : ''}${mm}${dd < 10 ? '0' : ''}${dd}`;
}

const ISO_RE = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?$/;

/**
 * A time a person gives (a variable, a command-line option), in ms: an ISO time with its zone (2025-10-10T05:00Z,
 * 2025-10-10T07:00+02:00) or a UTC date (2025-10-10). A time without a zone is refused: it would be the machine's.
 */
export function parseUtcTime(text: string): number | undefined {
  const m = ISO_RE.exec(text);
  if (m === null) return undefined;
  const [y, mo, d, h = '0', mi = '0', s = '0'] = m.slice(1);
  const day = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d)));
  if (day.getUTCMonth() !== Number(mo) - 1 || day.getUTCDate() !== Number(d) || Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) return undefined;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : ms;
}
