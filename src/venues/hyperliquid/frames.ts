// Lines of `node_fills_by_block/hourly/YYYYMMDD/H` as a node writes them, for tests: one block per line,
// `{"local_time","block_time","block_number","events":[[user, fill], …]}`, the fill in the API's shape (field order
// of hyperliquid-dex/order_book_server `Fill`; times without a zone, as the node's NaiveDateTime prints them).

export interface FillSpec {
  user: string;
  coin: string;
  /** Decimal strings as documented; a number here writes a JSON number (to test that it is refused). */
  px: string | number;
  sz: string | number;
  side: string;
  time: number;
  tid: number | string;
  /** The liquidation object, when the fill belongs to one (on both sides of the trade). */
  liquidation?: { liquidatedUser?: string; markPx?: string; method?: string } | null;
  dir?: string;
  startPosition?: string;
  oid?: number;
}

export type NodeEvent = [string, Record<string, unknown>];

export function nodeFill(f: FillSpec): NodeEvent {
  const fill: Record<string, unknown> = {
    coin: f.coin,
    px: f.px,
    sz: f.sz,
    side: f.side,
    time: f.time,
    startPosition: f.startPosition ?? '0.0',
    dir: f.dir ?? (f.side === 'A' ? 'Close Long' : 'Close Short'),
    closedPnl: '0.0',
    hash: `0x${'0'.repeat(64)}`,
    oid: f.oid ?? 1,
    crossed: true,
    fee: '0.0',
    tid: f.tid,
    feeToken: 'USDC',
  };
  if (f.liquidation !== undefined) fill.liquidation = f.liquidation;
  return [f.user, fill];
}

/** Both fills of a liquidation trade: the liquidated user's (`side`) and the counterparty's (the other side). */
export function liquidationTrade(o: {
  liquidated: string;
  counterparty: string;
  coin: string;
  px: string;
  sz: string;
  /** The liquidated user's side: A (sold: a long), B (bought: a short). */
  side: 'A' | 'B';
  time: number;
  tid: number;
  method?: 'market' | 'backstop';
}): NodeEvent[] {
  const liquidation = { liquidatedUser: o.liquidated, markPx: o.px, method: o.method ?? 'market' };
  const common = { coin: o.coin, px: o.px, sz: o.sz, time: o.time, tid: o.tid, liquidation };
  return [
    nodeFill({ ...common, user: o.liquidated, side: o.side }),
    nodeFill({ ...common, user: o.counterparty, side: o.side === 'A' ? 'B' : 'A', dir: o.side === 'A' ? 'Open Long' : 'Open Short' }),
  ];
}

const naive = (ms: number) => new Date(ms).toISOString().replace('Z', '');

/** One block as one line (no newline). */
export function blockLine(events: readonly NodeEvent[], opts: { block?: number; time?: number } = {}): string {
  const first = events[0]?.[1].time;
  const t = opts.time ?? (typeof first === 'number' && Number.isFinite(first) ? first : 0);
  return JSON.stringify({ local_time: naive(t + 50), block_time: naive(t), block_number: opts.block ?? 1, events });
}
