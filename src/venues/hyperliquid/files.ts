// Where a Hyperliquid node writes its fills, and the order of its hourly files.
//
// Layout: hyperliquid-dex/node README, "Flags": `--write-fills` streams fills to `~/hl/data/node_fills/hourly/{date}/{hour}`
// and `--batch-by-block` writes one block per line as `{local_time, block_time, block_number, events}`; with both, the
// node writes `~/hl/data/node_fills_by_block/hourly/{date}/{hour}` (hyperliquid-dex/order_book_server
// `server/src/types/node_data.rs`: `EventSource::Fills => dir.join("hl/data/node_fills_by_block")`; bufrr/hyperstream
// `hl-agent/DATA_FLOW.md` tails the same directory). `{date}` is YYYYMMDD and `{hour}` the UTC hour without a leading
// zero: the node README greps `node_logs/consensus/hourly/20241210/9`, and peers that fetch the public archive build
// keys as `node_fills_by_block/hourly/{%Y%m%d}/{hour}.lz4` with the bare hour (`node_fills_by_block/hourly/20250728/14.lz4`).
// The archive's files carry `.lz4`; the node's own files have no extension.
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';

/** Below the node's data directory (HYPERLIQUID_NODE_DATA_DIR, usually ~/hl/data). */
export const FILLS_DIR = path.join('node_fills_by_block', 'hourly');

const DATE_RE = /^(\d{4})(\d{2})(\d{2})$/;
const HOUR_RE = /^(?:\d|1\d|2[0-3])$/;
export const HOUR_MS = 3_600_000;

/** One hourly file: `YYYYMMDD/H` and the start of its hour (ms, UTC). */
export interface HourFile {
  readonly name: string;
  readonly start: number;
}

/** Start of the UTC day named YYYYMMDD; undefined for a name that is not a real date. */
export function dayStart(date: string): number | undefined {
  const m = DATE_RE.exec(date);
  if (m === null) return undefined;
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  // Date.UTC rolls 20250231 over into March: such a directory is not the node's
  return hourName(ms).startsWith(date) ? ms : undefined;
}

/** `YYYYMMDD/H` of the hour holding ms. */
export function hourName(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}/${d.getUTCHours()}`;
}

export function hourFloor(ms: number): number {
  return Math.floor(ms / HOUR_MS) * HOUR_MS;
}

/** Whether the directory exists (a node that has not written yet has none). */
export async function isDir(dir: string): Promise<boolean> {
  try {
    return (await stat(dir)).isDirectory();
  } catch {
    return false;
  }
}

async function names(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

/** The date directories under root, oldest first (throws ENOENT when root does not exist). */
async function days(root: string): Promise<Array<{ date: string; start: number }>> {
  const out: Array<{ date: string; start: number }> = [];
  for (const date of await readdir(root)) {
    const start = dayStart(date);
    if (start !== undefined) out.push({ date, start });
  }
  return out.sort((a, b) => a.start - b.start);
}

/** The hourly files of one date directory, oldest first. */
async function hoursOf(root: string, day: { date: string; start: number }): Promise<HourFile[]> {
  const out: HourFile[] = [];
  for (const h of await names(path.join(root, day.date))) {
    if (HOUR_RE.test(h)) out.push({ name: `${day.date}/${h}`, start: day.start + Number(h) * HOUR_MS });
  }
  return out.sort((a, b) => a.start - b.start);
}

/** Every hourly file under root whose hour overlaps [from, to), oldest first. */
export async function listHours(root: string, from: number | null = null, to: number | null = null): Promise<HourFile[]> {
  const out: HourFile[] = [];
  for (const day of await days(root)) {
    if (from !== null && day.start + 24 * HOUR_MS <= from) continue;
    if (to !== null && day.start >= to) break;
    for (const f of await hoursOf(root, day)) {
      if ((from === null || f.start + HOUR_MS > from) && (to === null || f.start < to)) out.push(f);
    }
  }
  return out;
}

/** The first hourly file whose hour starts after `after` (ms), or undefined. */
export async function nextHour(root: string, after: number): Promise<HourFile | undefined> {
  for (const day of await days(root)) {
    if (day.start + 24 * HOUR_MS <= after) continue;
    const next = (await hoursOf(root, day)).find((f) => f.start > after);
    if (next !== undefined) return next;
  }
  return undefined;
}

/** The newest hourly file, or undefined when there is none yet. */
export async function newestHour(root: string): Promise<HourFile | undefined> {
  const list = await days(root);
  for (let i = list.length - 1; i >= 0; i--) {
    const hours = await hoursOf(root, list[i]);
    if (hours.length > 0) return hours[hours.length - 1];
  }
  return undefined;
}

/** Parses `YYYYMMDD/H` back (a saved position); undefined when it is not one. */
export function parseHourName(name: string): HourFile | undefined {
  const [date, h, extra] = name.split('/');
  if (extra !== undefined || h === undefined || !HOUR_RE.test(h)) return undefined;
  const start = dayStart(date);
  return start === undefined ? undefined : { name, start: start + Number(h) * HOUR_MS };
}
