// Instrument metadata over REST, validated with zod at the edge, and a cache per exchange.
//   Binance COIN-M  GET {BINANCE_COINM_REST_URL}/dapi/v1/exchangeInfo   symbol → contractSize (USD per contract)
//     https://developers.binance.com/docs/derivatives/coin-margined-futures/market-data/Exchange-Information
//   Bybit v5        GET {BYBIT_REST_URL}/v5/market/instruments-info?category=linear|inverse&limit=1000 (+cursor)
//     https://bybit-exchange.github.io/docs/v5/market/instrument
//   OKX v5          GET {OKX_REST_URL}/api/v5/public/instruments?instType=SWAP|FUTURES
//     https://www.okx.com/docs-v5/en/#public-data-rest-api-get-instruments
// A REST failure never throws out of the cache: it is reported through `state` (and onStateChange) and the last
// good metadata stays in use.
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { type Decimal, isZero, mul, normalize, parseDecimal } from '../core/decimal.js';
import type { BybitInstrument } from './parsers/bybit.js';
import { type Lookup, yymmddUtc } from './parsers/common.js';
import type { OkxInstrument } from './parsers/okx.js';

// ---------------------------------------------------------------------------------------------------------------
// HTTP: global fetch, a timeout per attempt, a few attempts with exponential backoff.

export interface HttpOptions {
  /** Per attempt, ms (default 10 000). */
  timeoutMs?: number;
  /** Attempts in all (default 3). */
  attempts?: number;
  /** First backoff, ms, doubled after each failed attempt (default 500). */
  backoffMs?: number;
  /** Aborts everything (the cache's stop()). */
  signal?: AbortSignal;
}

export class InstrumentFetchError extends Error {
  override name = 'InstrumentFetchError';
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
  }
}

const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_ATTEMPTS = 3;
const DEFAULT_BACKOFF_MS = 500;

function errorText(e: unknown): string {
  if (e instanceof Error) {
    const cause = (e as { cause?: unknown }).cause;
    return cause instanceof Error ? `${e.message}: ${cause.message}` : e.message;
  }
  return String(e);
}

async function fetchOnce(url: string, timeoutMs: number, outer: AbortSignal | undefined): Promise<unknown> {
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = outer === undefined ? timeout : AbortSignal.any([outer, timeout]);
  const failed = (what: string, e: unknown): InstrumentFetchError => {
    if (outer?.aborted) return new InstrumentFetchError('aborted', false);
    if (timeout.aborted) return new InstrumentFetchError(`timeout after ${timeoutMs} ms`, true);
    return new InstrumentFetchError(`${what}: ${errorText(e)}`, true);
  };
  let res: Response;
  try {
    res = await fetch(url, { signal, headers: { accept: 'application/json' } });
  } catch (e) {
    throw failed('request failed', e);
  }
  if (!res.ok) {
    try {
      await res.body?.cancel();
    } catch {
      // ignore
    }
    const retryable = res.status >= 500 || res.status === 429 || res.status === 408;
    throw new InstrumentFetchError(`HTTP ${res.status}`, retryable);
  }
  let text: string;
  try {
    text = await res.text();
  } catch (e) {
    throw failed('reading the body failed', e);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new InstrumentFetchError('response is not JSON', true);
  }
}

/** GET a JSON document with a timeout per attempt and retries with backoff. Throws InstrumentFetchError. */
export async function fetchJson(url: string, opts: HttpOptions = {}): Promise<unknown> {
  const attempts = Math.max(1, opts.attempts ?? DEFAULT_ATTEMPTS);
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  let backoff = opts.backoffMs ?? DEFAULT_BACKOFF_MS;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fetchOnce(url, timeoutMs, opts.signal);
    } catch (e) {
      const err = e instanceof InstrumentFetchError ? e : new InstrumentFetchError(errorText(e), true);
      if (!err.retryable || attempt >= attempts || opts.signal?.aborted) {
        throw attempt > 1 ? new InstrumentFetchError(`${err.message} (after ${attempt} attempts)`, err.retryable) : err;
      }
      try {
        await sleep(backoff, undefined, opts.signal === undefined ? undefined : { signal: opts.signal });
      } catch {
        throw new InstrumentFetchError('aborted', false);
      }
      backoff *= 2;
    }
  }
}

function schemaError(what: string, error: z.ZodError): InstrumentFetchError {
  const issue = error.issues[0];
  const where = issue === undefined ? '' : ` at ${issue.path.join('.') || '(root)'}: ${issue.message}`;
  return new InstrumentFetchError(`unexpected ${what} response${where}`, false);
}

// ---------------------------------------------------------------------------------------------------------------
// Binance COIN-M: symbol → contractSize. contractSize is a JSON number there (100, 10): integers only, converted
// through their integer string so no binary fraction can sneak in.

const binanceInfoSchema = z.object({ symbols: z.array(z.unknown()) });
const binanceSymbolSchema = z.object({
  symbol: z.string().min(1),
  contractSize: z.union([z.number(), z.string()]),
});

/** contractSize → exact Decimal: a positive safe integer (JSON number) or a positive decimal string. */
export function contractSizeOf(v: number | string): Decimal | undefined {
  if (typeof v === 'number') {
    if (!Number.isSafeInteger(v) || v <= 0) return undefined;
    return parseDecimal(String(v));
  }
  const d = parseDecimal(v);
  return d === undefined || isZero(d) ? undefined : d;
}

export async function fetchBinanceCoinmContractSizes(baseUrl: string, http: HttpOptions = {}): Promise<Map<string, Decimal>> {
  const body = await fetchJson(`${baseUrl}/dapi/v1/exchangeInfo`, http);
  const parsed = binanceInfoSchema.safeParse(body);
  if (!parsed.success) throw schemaError('Binance exchangeInfo', parsed.error);
  const out = new Map<string, Decimal>();
  for (const raw of parsed.data.symbols) {
    const item = binanceSymbolSchema.safeParse(raw);
    if (!item.success) continue;
    const size = contractSizeOf(item.data.contractSize);
    if (size !== undefined) out.set(item.data.symbol, size);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Bybit v5: symbol → { symbol: baseCoin+quoteCoin[_YYMMDD], inverse }, all pages.

export type BybitCategory = 'linear' | 'inverse';

const bybitEnvelopeSchema = z.object({ retCode: z.number(), retMsg: z.string().optional(), result: z.unknown() });
const bybitResultSchema = z.object({
  list: z.array(z.unknown()),
  nextPageCursor: z.string().nullish(),
});
const bybitInstrumentSchema = z.object({
  symbol: z.string().min(1),
  contractType: z.string(),
  baseCoin: z.string().min(1),
  quoteCoin: z.string().min(1),
  deliveryTime: z.string().regex(/^\d*$/).optional(),
});
export type BybitInstrumentInfo = z.infer<typeof bybitInstrumentSchema>;

const MAX_BYBIT_PAGES = 100;

/**
 * Bybit instrument → what the parser needs. Dated futures (contractType LinearFutures / InverseFutures) get
 * _YYMMDD from deliveryTime (UTC): BTCUSDT-25DEC26 → BTCUSDT_261225, BTCUSDZ26 → BTCUSD_261225; USDC perpetuals
 * are named from the coins: BTCPERP → BTCUSDC. A perpetual keeps its name even when deliveryTime ≠ "0" (Bybit puts
 * a perpetual's delisting time there); deliveryTime decides only for an unrecognized contractType.
 */
export function bybitInstrumentOf(info: BybitInstrumentInfo, category: BybitCategory): BybitInstrument | undefined {
  const ct = info.contractType;
  const delivery = info.deliveryTime ?? '';
  let dated: boolean;
  if (ct === 'LinearFutures' || ct === 'InverseFutures') dated = true;
  else if (ct === 'LinearPerpetual' || ct === 'InversePerpetual') dated = false;
  else dated = delivery !== '' && delivery !== '0';
  const base = `${info.baseCoin}${info.quoteCoin}`.toUpperCase();
  let symbol = base;
  if (dated) {
    const ms = Number(delivery);
    if (!Number.isSafeInteger(ms) || ms <= 0) return undefined;
    symbol = `${base}_${yymmddUtc(ms)}`;
  }
  const inverse = category === 'inverse' || ct.startsWith('Inverse');
  return { symbol, inverse };
}

export async function fetchBybitInstruments(
  baseUrl: string,
  category: BybitCategory,
  http: HttpOptions = {},
): Promise<Map<string, BybitInstrument>> {
  const out = new Map<string, BybitInstrument>();
  const seen = new Set<string>();
  let cursor = '';
  for (let page = 0; page < MAX_BYBIT_PAGES; page++) {
    const url =
      `${baseUrl}/v5/market/instruments-info?category=${category}&limit=1000` +
      (cursor === '' ? '' : `&cursor=${encodeURIComponent(cursor)}`);
    const body = await fetchJson(url, http);
    const env = bybitEnvelopeSchema.safeParse(body);
    if (!env.success) throw schemaError('Bybit instruments-info', env.error);
    if (env.data.retCode !== 0) {
      throw new InstrumentFetchError(`Bybit retCode ${env.data.retCode}: ${env.data.retMsg ?? ''}`.trim(), false);
    }
    const result = bybitResultSchema.safeParse(env.data.result);
    if (!result.success) throw schemaError('Bybit instruments-info', result.error);
    for (const raw of result.data.list) {
      const item = bybitInstrumentSchema.safeParse(raw);
      if (!item.success) continue;
      const inst = bybitInstrumentOf(item.data, category);
      if (inst !== undefined) out.set(item.data.symbol, inst);
    }
    const next = result.data.nextPageCursor ?? '';
    if (next === '') return out;
    if (seen.has(next)) throw new InstrumentFetchError('Bybit pagination cursor repeated', false);
    seen.add(next);
    cursor = next;
  }
  throw new InstrumentFetchError(`Bybit pagination exceeded ${MAX_BYBIT_PAGES} pages`, false);
}

// ---------------------------------------------------------------------------------------------------------------
// OKX v5: instId → { symbol, inverse, contractValue = ctVal × ctMult }.

export type OkxInstType = 'SWAP' | 'FUTURES';

const okxEnvelopeSchema = z.object({
  code: z.union([z.string(), z.number()]),
  msg: z.string().optional(),
  data: z.unknown(),
});
const okxInstrumentSchema = z.object({
  instId: z.string().min(1),
  ctType: z.string(),
  ctVal: z.string(),
  ctMult: z.string().optional(),
  uly: z.string().optional(),
  instFamily: z.string().optional(),
  expTime: z.string().optional(),
});
export type OkxInstrumentInfo = z.infer<typeof okxInstrumentSchema>;

const OKX_DATE_RE = /^\d{6}$/;
const ONE: Decimal = { m: 1n, scale: 0 };

/** BTC-USDT-SWAP → BTCUSDT, BTC-USD-261225 → BTCUSD_261225; else from uly/instFamily + expTime (UTC). */
export function okxSymbolOf(instId: string, family?: string, expTime?: string): string | undefined {
  const parts = instId.split('-');
  if (parts.length === 3 && parts[0] !== '' && parts[1] !== '') {
    const base = `${parts[0]}${parts[1]}`.toUpperCase();
    if (parts[2] === 'SWAP') return base;
    if (OKX_DATE_RE.test(parts[2])) return `${base}_${parts[2]}`;
  }
  if (family === undefined) return undefined;
  const fam = family.split('-');
  if (fam.length !== 2 || fam[0] === '' || fam[1] === '') return undefined;
  const base = `${fam[0]}${fam[1]}`.toUpperCase();
  if (expTime === undefined || expTime === '') return base;
  const ms = Number(expTime);
  return Number.isSafeInteger(ms) && ms > 0 ? `${base}_${yymmddUtc(ms)}` : undefined;
}

/** OKX instrument → what the parser needs; undefined when ctType/ctVal/ctMult make no sense. ctMult defaults to 1. */
export function okxInstrumentOf(info: OkxInstrumentInfo): OkxInstrument | undefined {
  if (info.ctType !== 'linear' && info.ctType !== 'inverse') return undefined;
  const ctVal = parseDecimal(info.ctVal);
  if (ctVal === undefined || isZero(ctVal)) return undefined;
  let ctMult: Decimal | undefined = ONE;
  if (info.ctMult !== undefined && info.ctMult !== '') ctMult = parseDecimal(info.ctMult);
  if (ctMult === undefined || isZero(ctMult)) return undefined;
  const symbol = okxSymbolOf(info.instId, info.uly || info.instFamily, info.expTime);
  if (symbol === undefined) return undefined;
  return { symbol, inverse: info.ctType === 'inverse', contractValue: normalize(mul(ctVal, ctMult)) };
}

export async function fetchOkxInstruments(
  baseUrl: string,
  instType: OkxInstType,
  http: HttpOptions = {},
): Promise<Map<string, OkxInstrument>> {
  const body = await fetchJson(`${baseUrl}/api/v5/public/instruments?instType=${instType}`, http);
  const env = okxEnvelopeSchema.safeParse(body);
  if (!env.success) throw schemaError('OKX instruments', env.error);
  if (String(env.data.code) !== '0') {
    throw new InstrumentFetchError(`OKX code ${env.data.code}: ${env.data.msg ?? ''}`.trim(), false);
  }
  const data = z.array(z.unknown()).safeParse(env.data.data);
  if (!data.success) throw schemaError('OKX instruments', data.error);
  const out = new Map<string, OkxInstrument>();
  for (const raw of data.data) {
    const item = okxInstrumentSchema.safeParse(raw);
    if (!item.success) continue;
    const inst = okxInstrumentOf(item.data);
    if (inst !== undefined) out.set(item.data.instId, inst);
  }
  return out;
}

/** SWAP and FUTURES together (the OKX stream subscribes both instTypes). */
export async function fetchOkxAllInstruments(baseUrl: string, http: HttpOptions = {}): Promise<Map<string, OkxInstrument>> {
  const swap = await fetchOkxInstruments(baseUrl, 'SWAP', http);
  const futures = await fetchOkxInstruments(baseUrl, 'FUTURES', http);
  for (const [k, v] of futures) swap.set(k, v);
  return swap;
}

// ---------------------------------------------------------------------------------------------------------------
// The cache.

export type InstrumentState = 'unknown' | 'ok' | 'failing';

export interface InstrumentStateChange {
  readonly cache: string;
  readonly state: InstrumentState;
  readonly previous: InstrumentState;
  /** Why the last refresh failed (state 'failing'). */
  readonly error?: string;
  /** Instruments known. */
  readonly count: number;
}

export interface InstrumentCacheOptions<T> {
  /** For logs: 'binance-coinm', 'bybit-linear', 'okx', … */
  name: string;
  /** Loads the full metadata; throws on failure. The signal aborts on stop(). */
  load: (signal: AbortSignal) => Promise<Map<string, T>>;
  /** A name asked for by requestMissing is refetched at most once per this many ms (default 30 000). */
  missingIntervalMs?: number;
  /** Minimum gap between the start of one fetch and a missing-triggered one, ms (default 1 000); waits, coalesced. */
  missingMinGapMs?: number;
  /** While failing, the periodic refresh retries after min(interval, this) ms (default 30 000). */
  failingRetryMs?: number;
  /** Clock, for tests. */
  now?: () => number;
  /** Called once per state change ('unknown' → 'ok', 'ok' → 'failing', 'failing' → 'ok', …). */
  onStateChange?: (change: InstrumentStateChange) => void;
  /** Called after each successful refresh with the names new to the cache (e.g. to subscribe new Bybit symbols). */
  onRefresh?: (info: { count: number; added: string[] }) => void;
}

const PRUNE_ASKED_OVER = 10_000;

export class InstrumentCache<T> implements Lookup<T> {
  private readonly map = new Map<string, T>();
  private listed: ReadonlySet<string> = new Set();
  private inflight: Promise<boolean> | undefined;
  private scheduled: Promise<boolean> | undefined;
  private lastFetchStart = Number.NEGATIVE_INFINITY;
  private readonly askedAt = new Map<string, number>();
  private stateValue: InstrumentState = 'unknown';
  private errorValue: string | undefined;
  private fetches = 0;
  private timer: NodeJS.Timeout | undefined;
  private intervalMs = 0;
  private running = false;
  private abort = new AbortController();
  private readonly now: () => number;
  private readonly missingIntervalMs: number;
  private readonly missingMinGapMs: number;
  private readonly failingRetryMs: number;

  constructor(private readonly opts: InstrumentCacheOptions<T>) {
    this.now = opts.now ?? Date.now;
    this.missingIntervalMs = opts.missingIntervalMs ?? 30_000;
    this.missingMinGapMs = opts.missingMinGapMs ?? 1_000;
    this.failingRetryMs = opts.failingRetryMs ?? 30_000;
  }

  get name(): string {
    return this.opts.name;
  }

  get(name: string): T | undefined {
    return this.map.get(name);
  }

  has(name: string): boolean {
    return this.map.has(name);
  }

  /** Instruments known (including ones that have since left the listing: late liquidations still parse). */
  get size(): number {
    return this.map.size;
  }

  /** Names in the last successful listing (what to subscribe). */
  names(): string[] {
    return [...this.listed];
  }

  get state(): InstrumentState {
    return this.stateValue;
  }

  get lastError(): string | undefined {
    return this.errorValue;
  }

  /** Fetches started so far (for status and tests). */
  get fetchCount(): number {
    return this.fetches;
  }

  /** Refetches everything. Coalesced: while one is in flight, callers share it. Never throws; true on success. */
  refresh(): Promise<boolean> {
    if (this.inflight !== undefined) return this.inflight;
    const p = this.doRefresh().finally(() => {
      if (this.inflight === p) this.inflight = undefined;
    });
    this.inflight = p;
    return p;
  }

  /**
   * A name of valid form was missing from the metadata: refetch, at most once per name per missingIntervalMs, one
   * request in flight. Resolves whether the name is known now. Never throws.
   */
  async requestMissing(name: string): Promise<boolean> {
    if (this.map.has(name)) return true;
    const now = this.now();
    const last = this.askedAt.get(name);
    if (last !== undefined && now - last < this.missingIntervalMs) {
      const pending = this.inflight ?? this.scheduled;
      if (pending !== undefined) await pending;
      return this.map.has(name);
    }
    this.askedAt.set(name, now);
    if (this.askedAt.size > PRUNE_ASKED_OVER) {
      for (const [k, t] of this.askedAt) if (now - t >= this.missingIntervalMs) this.askedAt.delete(k);
    }
    // A fetch already in flight may have left before this name was listed: if it does not bring the name, one
    // more (rate-limited) fetch decides.
    const joined = this.inflight !== undefined || this.scheduled !== undefined;
    await this.refreshSoon();
    if (joined && !this.map.has(name) && this.running) await this.refreshSoon();
    return this.map.has(name);
  }

  /** Starts the periodic refresh (the first one after intervalMs; the owner awaits refresh() at start-up). */
  start(intervalMs: number): void {
    if (this.running) return;
    this.running = true;
    this.intervalMs = intervalMs;
    this.scheduleNext();
  }

  /** Stops the periodic refresh and aborts a fetch in flight (it then reports failure and returns). */
  stop(): void {
    this.running = false;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.abort.abort();
    this.abort = new AbortController();
  }

  private refreshSoon(): Promise<boolean> {
    if (this.inflight !== undefined) return this.inflight;
    if (this.scheduled !== undefined) return this.scheduled;
    const wait = this.lastFetchStart + this.missingMinGapMs - this.now();
    if (!(wait > 0)) return this.refresh();
    const p = sleep(wait).then(() => {
      this.scheduled = undefined;
      return this.refresh();
    });
    this.scheduled = p;
    return p;
  }

  private scheduleNext(): void {
    if (!this.running) return;
    const delay = this.stateValue === 'failing' ? Math.min(this.intervalMs, this.failingRetryMs) : this.intervalMs;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.refresh().then(() => this.scheduleNext());
    }, delay);
    this.timer.unref();
  }

  private async doRefresh(): Promise<boolean> {
    this.lastFetchStart = this.now();
    this.fetches++;
    let fresh: Map<string, T>;
    try {
      fresh = await this.opts.load(this.abort.signal);
      if (fresh.size === 0) throw new Error('empty instrument list');
    } catch (e) {
      this.errorValue = errorText(e);
      this.setState('failing');
      // A refresh outside the timer (start-up, a missing name) failed: retry on the failing schedule, not in an hour.
      if (this.running && this.timer !== undefined) {
        clearTimeout(this.timer);
        this.timer = undefined;
        this.scheduleNext();
      }
      return false;
    }
    const added: string[] = [];
    for (const [k, v] of fresh) {
      if (!this.map.has(k)) added.push(k);
      this.map.set(k, v);
    }
    this.listed = new Set(fresh.keys());
    this.errorValue = undefined;
    this.setState('ok');
    if (this.opts.onRefresh !== undefined) {
      try {
        this.opts.onRefresh({ count: fresh.size, added });
      } catch {
        // the owner's callback must not turn a good refresh into a failure
      }
    }
    return true;
  }

  private setState(state: InstrumentState): void {
    const previous = this.stateValue;
    if (previous === state) return;
    this.stateValue = state;
    if (this.opts.onStateChange === undefined) return;
    try {
      this.opts.onStateChange({
        cache: this.opts.name,
        state,
        previous,
        count: this.map.size,
        ...(this.errorValue === undefined ? {} : { error: this.errorValue }),
      });
    } catch {
      // ignore: logging must not break the cache
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Ready-made caches.

type CacheExtras<T> = Omit<InstrumentCacheOptions<T>, 'name' | 'load'> & { http?: HttpOptions };

function withSignal(http: HttpOptions | undefined, signal: AbortSignal): HttpOptions {
  return { ...http, signal: http?.signal === undefined ? signal : AbortSignal.any([http.signal, signal]) };
}

export function binanceCoinmCache(baseUrl: string, extras: CacheExtras<Decimal> = {}): InstrumentCache<Decimal> {
  const { http, ...rest } = extras;
  return new InstrumentCache<Decimal>({
    ...rest,
    name: 'binance-coinm',
    load: (signal) => fetchBinanceCoinmContractSizes(baseUrl, withSignal(http, signal)),
  });
}

export function bybitCache(
  baseUrl: string,
  category: BybitCategory,
  extras: CacheExtras<BybitInstrument> = {},
): InstrumentCache<BybitInstrument> {
  const { http, ...rest } = extras;
  return new InstrumentCache<BybitInstrument>({
    ...rest,
    name: `bybit-${category}`,
    load: (signal) => fetchBybitInstruments(baseUrl, category, withSignal(http, signal)),
  });
}

export function okxCache(baseUrl: string, extras: CacheExtras<OkxInstrument> = {}): InstrumentCache<OkxInstrument> {
  const { http, ...rest } = extras;
  return new InstrumentCache<OkxInstrument>({
    ...rest,
    name: 'okx',
    load: (signal) => fetchOkxAllInstruments(baseUrl, withSignal(http, signal)),
  });
}
