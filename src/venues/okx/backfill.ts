// https://www.okx.com/docs-v5/en/#public-data-rest-api-get-liquidation-orders
// Gap backfill for OKX: GET {OKX_REST_URL}/api/v5/public/liquidation-orders?instType=SWAP|FUTURES&instFamily=BTC-USDT
// &state=filled&limit=100[&after=<ts>], newest first, paged back with `after` (records earlier than that ts) until
// the page reaches the gap's start. OKX answers per instrument family (uly/instFamily is required for SWAP and
// FUTURES) and keeps a short history (about a day), so a reconnect asks only for the families whose symbols the
// stream delivered in the last 24 h, and start-up for every family of the listing. The items have the stream's shape
// (`{instId, details: [{posSide, side, bkPx, sz, ts, …}]}`) and go through the stream's parser (parseOkxItems): the
// same strings, so the same identity, and an overlap with the stream counts once. Rate limit: 40 requests per 2 s
// per IP for this endpoint, 20 per 2 s for the instruments (the venue's shared bucket, index.ts, holds the lower);
// a 429, or code 50011 inside a 200, holds the bucket.
import { z } from 'zod';
import type { ParseResult } from '../../core/parse.js';
import { type HttpOptions, InstrumentFetchError, fetchJson, schemaError } from '../http.js';
import type { BackfillRequest } from '../types.js';
import { type OkxInstrument, parseOkxItems } from './parser.js';

const PAGE = 100;
/** Pages per family and run at most (10,000 liquidations of one family in one gap). */
const MAX_PAGES = 100;
/** In-band rate limit answers (code 50011) retried per page before the run gives up. */
const MAX_LIMITED = 5;
const LIMITED_HOLD_MS = 1_000;

const envelope = z.object({ code: z.union([z.string(), z.number()]), msg: z.string().optional(), data: z.array(z.unknown()).optional() });

/** BTC-USDT-SWAP → SWAP BTC-USDT; BTC-USD-261225 → FUTURES BTC-USD. */
export function familyOf(instId: string): { instType: 'SWAP' | 'FUTURES'; family: string } | undefined {
  const p = instId.split('-');
  if (p.length !== 3 || p[0] === '' || p[1] === '') return undefined;
  if (p[2] === 'SWAP') return { instType: 'SWAP', family: `${p[0]}-${p[1]}` };
  if (/^\d{6}$/.test(p[2])) return { instType: 'FUTURES', family: `${p[0]}-${p[1]}` };
  return undefined;
}

/** The (instType, family) pairs to ask for: every one of the listing, or those of the recent symbols. */
export function familiesFor(req: Pick<BackfillRequest<OkxInstrument>, 'meta' | 'recent'>): Array<{ instType: 'SWAP' | 'FUTURES'; family: string }> {
  const out = new Map<string, { instType: 'SWAP' | 'FUTURES'; family: string }>();
  for (const instId of req.meta.names()) {
    const inst = req.meta.get(instId);
    if (inst === undefined || (req.recent !== undefined && !req.recent.has(inst.symbol))) continue;
    const f = familyOf(instId);
    if (f !== undefined) out.set(`${f.instType} ${f.family}`, f);
  }
  return [...out.values()].sort((a, b) => (a.instType + a.family < b.instType + b.family ? -1 : 1));
}

function merge(into: ParseResult, r: ParseResult): void {
  into.events.push(...r.events);
  into.rejections.push(...r.rejections);
  into.missing.push(...r.missing);
}

/** Every page of one family back to `from`. */
async function family(baseUrl: string, instType: string, fam: string, req: BackfillRequest<OkxInstrument>, http: HttpOptions, out: ParseResult): Promise<void> {
  let after: number | undefined;
  let limited = 0;
  for (let page = 0; page < MAX_PAGES; ) {
    const url =
      `${baseUrl}/api/v5/public/liquidation-orders?instType=${instType}&instFamily=${encodeURIComponent(fam)}&state=filled&limit=${PAGE}` +
      (after === undefined ? '' : `&after=${after}`);
    const body = envelope.safeParse(await fetchJson(url, http));
    if (!body.success) throw schemaError('OKX liquidation-orders', body.error);
    const code = String(body.data.code);
    if (code === '50011') {
      // "Too Many Requests" inside a 200: the whole venue waits, then the same page again
      if (++limited > MAX_LIMITED) throw new InstrumentFetchError(`OKX code 50011 (rate limit) ${limited} times for ${instType} ${fam}`, true);
      http.limiter?.hold(LIMITED_HOLD_MS);
      continue;
    }
    if (code !== '0') throw new InstrumentFetchError(`OKX code ${code}: ${body.data.msg ?? ''}`.trim(), false);
    const items = body.data.data ?? [];
    merge(out, parseOkxItems(items, { ...req.opts, instruments: req.meta }));
    page++;
    let n = 0;
    let oldest = Infinity;
    for (const item of items) {
      const details = (item as { details?: unknown }).details;
      if (!Array.isArray(details)) continue;
      for (const d of details) {
        n++;
        const ts = Number((d as { ts?: unknown }).ts);
        if (Number.isFinite(ts)) oldest = Math.min(oldest, ts);
      }
    }
    // a short page is the last; otherwise go on below the oldest (+1: details sharing that ts are asked for again,
    // and count once) until the page reaches the gap's start, as long as the pages move back
    if (n < PAGE || !(oldest >= req.from) || (after !== undefined && oldest + 1 >= after)) return;
    after = oldest + 1;
  }
}

export async function okxBackfill(baseUrl: string, req: BackfillRequest<OkxInstrument>): Promise<ParseResult> {
  const out: ParseResult = { events: [], rejections: [], missing: [] };
  for (const f of familiesFor(req)) await family(baseUrl, f.instType, f.family, req, req.http, out);
  return out;
}
