// The Hyperliquid node-fill parser on lines in the node's shape, the hourly file names, the line splitter, and the
// configuration (HYPERLIQUID_NODE_DATA_DIR, HYPERLIQUID_FROM, EXCHANGES=all). Pure: fixed times are fine here.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../src/config.js';
import { idOf, ownIdentityOf } from '../../../src/core/event.js';
import type { RejectReason } from '../../../src/core/parse.js';
import { parseUtcTime } from '../../../src/venues/parsing.js';
import { dayStart, hourName, listHours, newestHour, nextHour, parseHourName } from '../../../src/venues/hyperliquid/files.js';
import { blockLine, liquidationTrade, nodeFill } from '../../../src/venues/hyperliquid/frames.js';
import { historyFiles } from '../../../src/venues/hyperliquid/history.js';
import { LineSplitter } from '../../../src/venues/hyperliquid/lines.js';
import { parseHyperliquidLine } from '../../../src/venues/hyperliquid/parser.js';
import { decodePosition } from '../../../src/venues/hyperliquid/position.js';

const T = 1_760_050_800_000; // 2025-10-09T23:00:00Z
const OPTS = { receivedAt: T + 2_000, retentionMs: 168 * 3_600_000 };
const LIQUIDATED = '0x31ca8395cf837de08b24da3f660e77761dfb974b';
const MAKER = '0x010461c14e146ac35fe42271bdc1134ee31c703a';
const VAULT = '0x2e3d94f0562703b25c83308a05046ddaf9a8dd14';

type Want = { symbol: string; side: string; price: string; quantity: string; valueCents: number; qtyE8: bigint; ts: number; tid: number; user: string };

const counted: Array<[string, string, Want[]]> = [
  [
    'a market liquidation of a long: both fills carry `liquidation`, only the liquidated user’s counts',
    blockLine(liquidationTrade({ liquidated: LIQUIDATED, counterparty: MAKER, coin: 'BTC', px: '60000.5', sz: '0.25', side: 'A', time: T, tid: 1016375172059570 })),
    // 60000.5 × 0.25 = 15000.125 → 1500012.5 cents → 1500013 (half-up)
    [{ symbol: 'BTCUSD', side: 'long', price: '60000.5', quantity: '0.25', valueCents: 1500013, qtyE8: 25_000_000n, ts: T, tid: 1016375172059570, user: LIQUIDATED }],
  ],
  [
    'a backstop liquidation of a short: the vault’s fill is not counted',
    blockLine(liquidationTrade({ liquidated: LIQUIDATED, counterparty: VAULT, coin: 'ETH', px: '2500.1', sz: '3.3333', side: 'B', time: T + 1, tid: 479312521152049, method: 'backstop' })),
    // 2500.1 × 3.3333 = 8333.58333 → 833358 cents
    [{ symbol: 'ETHUSD', side: 'short', price: '2500.1', quantity: '3.3333', valueCents: 833358, qtyE8: 333_330_000n, ts: T + 1, tid: 479312521152049, user: LIQUIDATED }],
  ],
  [
    'kPEPE is KPEPEUSD; sizes in its own unit',
    blockLine(liquidationTrade({ liquidated: LIQUIDATED, counterparty: MAKER, coin: 'kPEPE', px: '0.012345', sz: '1000', side: 'A', time: T + 2, tid: 7 })),
    // 0.012345 × 1000 = 12.345 → 1234.5 cents → 1235
    [{ symbol: 'KPEPEUSD', side: 'long', price: '0.012345', quantity: '1000', valueCents: 1235, qtyE8: 100_000_000_000n, ts: T + 2, tid: 7, user: LIQUIDATED }],
  ],
  [
    'a liquidation filled against two makers: two fills of the liquidated user, two events',
    blockLine([
      ...liquidationTrade({ liquidated: LIQUIDATED, counterparty: MAKER, coin: 'SOL', px: '150.25', sz: '10', side: 'B', time: T + 3, tid: 11 }),
      ...liquidationTrade({ liquidated: LIQUIDATED, counterparty: VAULT, coin: 'SOL', px: '150.3', sz: '2.5', side: 'B', time: T + 3, tid: 12 }),
    ]),
    [
      { symbol: 'SOLUSD', side: 'short', price: '150.25', quantity: '10', valueCents: 150250, qtyE8: 1_000_000_000n, ts: T + 3, tid: 11, user: LIQUIDATED },
      { symbol: 'SOLUSD', side: 'short', price: '150.3', quantity: '2.5', valueCents: 37575, qtyE8: 250_000_000n, ts: T + 3, tid: 12, user: LIQUIDATED },
    ],
  ],
  [
    'liquidatedUser in another case than the fill’s user (hex addresses): still the same user',
    blockLine([nodeFill({ user: LIQUIDATED, coin: 'BTC', px: '1', sz: '1', side: 'A', time: T, tid: 5, liquidation: { liquidatedUser: LIQUIDATED.toUpperCase().replace('0X', '0x'), method: 'market' } })]),
    [{ symbol: 'BTCUSD', side: 'long', price: '1', quantity: '1', valueCents: 100, qtyE8: 100_000_000n, ts: T, tid: 5, user: LIQUIDATED }],
  ],
];

describe('parseHyperliquidLine: what counts', () => {
  it.each(counted)('%s', (_name, line, want) => {
    const r = parseHyperliquidLine(line, OPTS);
    expect(r.rejections).toEqual([]);
    expect(r.missing).toEqual([]);
    expect(r.events).toEqual(
      want.map((w) => ({
        exchange: 'hyperliquid',
        symbol: w.symbol,
        side: w.side,
        ts: w.ts,
        price: w.price,
        quantity: w.quantity,
        valueCents: w.valueCents,
        qtyE8: w.qtyE8,
        id: idOf(ownIdentityOf('hyperliquid', `${w.tid}:${w.user}`)),
        byId: true,
      })),
    );
  });

  it('the identity is (hyperliquid, tid, liquidated user): the same fill read twice is one id, another tid another', () => {
    const line = (tid: number, px: string) => blockLine(liquidationTrade({ liquidated: LIQUIDATED, counterparty: MAKER, coin: 'BTC', px, sz: '1', side: 'A', time: T, tid }));
    const a = parseHyperliquidLine(line(42, '100'), OPTS).events[0];
    const again = parseHyperliquidLine(line(42, '100'), { ...OPTS, receivedAt: OPTS.receivedAt + 60_000 }).events[0];
    expect(again.id).toBe(a.id);
    expect(parseHyperliquidLine(line(43, '100'), OPTS).events[0].id).not.toBe(a.id);
  });
});

const fill = (over: Partial<Parameters<typeof nodeFill>[0]> = {}) =>
  nodeFill({ user: LIQUIDATED, coin: 'BTC', px: '60000', sz: '0.1', side: 'A', time: T, tid: 9, liquidation: { liquidatedUser: LIQUIDATED, markPx: '60010.0', method: 'market' }, ...over });
const full = blockLine([fill()]);

const nothing: Array<[string, string]> = [
  ['fills without `liquidation` (every ordinary trade)', blockLine([nodeFill({ user: MAKER, coin: 'BTC', px: '60000', sz: '1', side: 'B', time: T, tid: 1 }), nodeFill({ user: LIQUIDATED, coin: 'BTC', px: '60000', sz: '1', side: 'A', time: T, tid: 1 })])],
  ['`liquidation: null`', blockLine([fill({ liquidation: null })])],
  ['only the counterparty’s fill of a liquidation', blockLine([fill({ user: MAKER, side: 'B' })])],
  ['a spot fill without liquidation', blockLine([nodeFill({ user: MAKER, coin: '@107', px: '36.8', sz: '1.5', side: 'B', time: T, tid: 2 })])],
  ['a block without fills', blockLine([], { time: T })],
];

describe('parseHyperliquidLine: what is ignored (not a rejection)', () => {
  it.each(nothing)('%s', (_name, line) => {
    expect(parseHyperliquidLine(line, OPTS)).toEqual({ events: [], rejections: [], missing: [] });
  });
});

const rejected: Array<[string, RejectReason, string]> = [
  ['a line cut in half (a crash mid-write, read as a whole line)', 'invalid_json', full.slice(0, Math.floor(full.length / 2))],
  ['not JSON', 'invalid_json', 'hello'],
  ['JSON, not an object', 'bad_shape', '[1,2]'],
  ['a block without events', 'bad_shape', '{"block_number":1}'],
  ['an event that is not [user, fill]', 'bad_shape', JSON.stringify({ events: [[LIQUIDATED]] })],
  ['spot by index (@107)', 'unsupported_instrument', blockLine([fill({ coin: '@107' })])],
  ['spot by pair (PURR/USDC)', 'unsupported_instrument', blockLine([fill({ coin: 'PURR/USDC' })])],
  ['a builder-deployed market (xyz:HOOD)', 'unsupported_instrument', blockLine([fill({ coin: 'xyz:HOOD' })])],
  ['px as a JSON number where a string is documented', 'json_number', blockLine([fill({ px: 60000.5 })])],
  ['sz as a JSON number where a string is documented', 'json_number', blockLine([fill({ sz: 0.1 })])],
  ['px not a decimal', 'non_numeric', blockLine([fill({ px: '1e5' })])],
  ['sz zero', 'non_positive', blockLine([fill({ sz: '0.0' })])],
  ['a side that is neither A nor B', 'bad_side', blockLine([fill({ side: 'S' })])],
  ['no side', 'missing_field', blockLine([fill({ side: '' })])],
  ['liquidation without liquidatedUser', 'missing_field', blockLine([fill({ liquidation: { markPx: '1', method: 'market' } })])],
  ['no coin', 'missing_field', blockLine([fill({ coin: '' })])],
  ['a coin with characters no symbol may hold', 'bad_symbol', blockLine([fill({ coin: 'BT C' })])],
  ['time as a string', 'bad_ts', blockLine([fill({ time: String(T) as unknown as number })])],
  ['time more than 5 minutes ahead', 'ts_future', blockLine([fill({ time: T + 10 * 60_000 })])],
  ['time older than the retention', 'ts_too_old', blockLine([fill({ time: T - 169 * 3_600_000 })])],
  ['tid as a string', 'bad_shape', blockLine([fill({ tid: '9' })])],
  ['tid that is not an integer', 'bad_shape', blockLine([fill({ tid: 1.5 })])],
  ['a value that rounds to 0 cents', 'zero_value', blockLine([fill({ px: '0.001', sz: '1' })])],
];

describe('parseHyperliquidLine: rejections', () => {
  it.each(rejected)('%s → %s', (_name, reason, line) => {
    const r = parseHyperliquidLine(line, OPTS);
    expect(r.events).toEqual([]);
    expect(r.rejections.map((x) => x.reason)).toEqual([reason]);
    expect(r.rejections[0].exchange).toBe('hyperliquid');
  });

  it('a rejected liquidation does not stop the rest of its block', () => {
    const line = blockLine([fill({ coin: 'xyz:HOOD', tid: 1 }), fill({ tid: 2 })]);
    const r = parseHyperliquidLine(line, OPTS);
    expect(r.events.map((e) => e.symbol)).toEqual(['BTCUSD']);
    expect(r.rejections.map((x) => x.reason)).toEqual(['unsupported_instrument']);
  });
});

describe('hourly files', () => {
  it('names hours YYYYMMDD/H in UTC, the hour without a leading zero', () => {
    expect(hourName(Date.UTC(2025, 9, 10, 5, 59))).toBe('20251010/5');
    expect(hourName(Date.UTC(2025, 9, 10, 23))).toBe('20251010/23');
    expect(parseHourName('20251010/5')).toEqual({ name: '20251010/5', start: Date.UTC(2025, 9, 10, 5) });
    expect(parseHourName('20251010/24')).toBeUndefined();
    expect(parseHourName('20250231/1')).toBeUndefined();
    expect(dayStart('20251010')).toBe(Date.UTC(2025, 9, 10));
  });

  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('lists, orders and finds the next and newest hour across days, ignoring what is not an hour file', async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'liqd-hl-files-'));
    dirs.push(root);
    for (const name of ['20251009/23', '20251010/0', '20251010/5', '20251010/10', '20251010/9.lz4', '20251010/05x', 'notes/1']) {
      mkdirSync(path.join(root, path.dirname(name)), { recursive: true });
      writeFileSync(path.join(root, name), '');
    }
    const all = await listHours(root);
    expect(all.map((f) => f.name)).toEqual(['20251009/23', '20251010/0', '20251010/5', '20251010/10']);
    expect((await nextHour(root, Date.UTC(2025, 9, 9, 23)))?.name).toBe('20251010/0');
    expect((await nextHour(root, Date.UTC(2025, 9, 10, 5)))?.name).toBe('20251010/10');
    expect(await nextHour(root, Date.UTC(2025, 9, 10, 10))).toBeUndefined();
    expect((await newestHour(root))?.name).toBe('20251010/10');
    expect((await listHours(root, Date.UTC(2025, 9, 10, 0, 30), Date.UTC(2025, 9, 10, 10))).map((f) => f.name)).toEqual(['20251010/0', '20251010/5']);
  });

  it('the importer finds the hourly directory under a node data directory and says what is wrong in one line', async () => {
    const data = mkdtempSync(path.join(os.tmpdir(), 'liqd-hl-hist-'));
    dirs.push(data);
    await expect(historyFiles(path.join(data, 'nope'), { from: null, to: null })).rejects.toThrow(/nope: no such directory$/);
    await expect(historyFiles(data, { from: null, to: null })).rejects.toThrow(/holds no hourly fill files/);
    const day = path.join(data, 'node_fills_by_block', 'hourly', '20251010');
    mkdirSync(day, { recursive: true });
    writeFileSync(path.join(day, '7.lz4'), 'x');
    await expect(historyFiles(data, { from: null, to: null })).rejects.toThrow(/compressed hourly files \(\.lz4\): decompress them first/);
    writeFileSync(path.join(day, '7'), 'abc\n');
    expect(await historyFiles(data, { from: null, to: null })).toEqual([{ name: '20251010/7', path: path.join(day, '7'), size: 4 }]);
    await expect(historyFiles(data, { from: Date.UTC(2025, 9, 11), to: null })).rejects.toThrow(/no hourly file .* overlaps .* it holds 20251010\/7 to 20251010\/7/);
  });

  it('a saved position reads back only when it is one', () => {
    expect(decodePosition('{"file":"20251010/5","offset":120}')).toEqual({ file: '20251010/5', offset: 120 });
    expect(decodePosition(null)).toBeUndefined();
    expect(decodePosition('{"file":"x","offset":1}')).toBeUndefined();
    expect(decodePosition('{"file":"20251010/5","offset":-1}')).toBeUndefined();
    expect(decodePosition('garbage')).toBeUndefined();
  });
});

describe('LineSplitter', () => {
  it('gives complete lines only, holds a half-written one until its newline, and counts what it holds', () => {
    const s = new LineSplitter();
    expect(s.push(Buffer.from('{"a":1}\n{"b"')).lines).toEqual(['{"a":1}']);
    expect(s.held).toBe(4);
    expect(s.push(Buffer.from(':2')).lines).toEqual([]);
    expect(s.held).toBe(6);
    expect(s.push(Buffer.from('}\r\n\n{"c":3}\n')).lines).toEqual(['{"b":2}', '{"c":3}']);
    expect(s.held).toBe(0);
    s.push(Buffer.from('{"d":4}'));
    expect(s.takeRest()).toBe('{"d":4}');
    expect(s.held).toBe(0);
  });

  it('keeps a multi-byte character split between two reads whole', () => {
    const s = new LineSplitter();
    const bytes = Buffer.from('{"n":"€"}\n');
    expect(s.push(bytes.subarray(0, 7)).lines).toEqual([]);
    expect(s.push(bytes.subarray(7)).lines).toEqual(['{"n":"€"}']);
  });
});

describe('configuration', () => {
  it('Hyperliquid is registered, in EXCHANGES=all, and runs only when HYPERLIQUID_NODE_DATA_DIR is set', () => {
    expect(loadConfig({ EXCHANGES: 'all' }).EXCHANGES).toContain('hyperliquid');
    expect(loadConfig({}).venues.hyperliquid).toEqual({ HYPERLIQUID_NODE_DATA_DIR: '', HYPERLIQUID_FROM: null });
    const cfg = loadConfig({ HYPERLIQUID_NODE_DATA_DIR: '~/hl/data', HYPERLIQUID_FROM: '2025-10-10T06:30+02:00' });
    expect(cfg.venues.hyperliquid).toEqual({ HYPERLIQUID_NODE_DATA_DIR: path.join(os.homedir(), 'hl/data'), HYPERLIQUID_FROM: Date.UTC(2025, 9, 10, 4, 30) });
  });

  it.each(['2025-10-10T06:00', 'yesterday', '2025-02-30', '2025-10-10T25:00Z'])('HYPERLIQUID_FROM=%s stops start-up with one line', (v) => {
    expect(() => loadConfig({ HYPERLIQUID_FROM: v })).toThrow(ConfigError);
    expect(() => loadConfig({ HYPERLIQUID_FROM: v })).toThrow(/^invalid configuration: HYPERLIQUID_FROM must be an ISO time with its zone/);
  });

  it('times people give: a zone or a UTC date, nothing the machine would read in its own zone', () => {
    expect(parseUtcTime('2025-10-10')).toBe(Date.UTC(2025, 9, 10));
    expect(parseUtcTime('2025-10-10T06:00:01.5Z')).toBe(Date.UTC(2025, 9, 10, 6, 0, 1, 500));
    expect(parseUtcTime('2025-10-10T06:00')).toBeUndefined();
  });
});
