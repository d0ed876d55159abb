// Past hourly files for `liqd-import hyperliquid DIR`: a node's data directory, its `node_fills_by_block/hourly`, or a
// copy of the public node-data archive's `node_fills_by_block/hourly/` (one .lz4 file per hour, decompressed first).
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { HistoryFile } from '../types.js';
import { FILLS_DIR, dayStart, isDir, listHours } from './files.js';

/** The directory of date directories under `dir`: `dir/node_fills_by_block/hourly`, `dir/hourly`, or `dir` itself. */
async function rootOf(dir: string): Promise<string | undefined> {
  for (const c of [path.join(dir, FILLS_DIR), path.join(dir, 'hourly'), dir]) {
    if ((await isDir(c)) && (await readdir(c)).some((n) => dayStart(n) !== undefined)) return c;
  }
  return undefined;
}

async function compressed(root: string): Promise<number> {
  let n = 0;
  for (const d of await readdir(root)) {
    if (dayStart(d) === undefined || !(await isDir(path.join(root, d)))) continue;
    n += (await readdir(path.join(root, d))).filter((f) => /^\d{1,2}\.lz4$/.test(f)).length;
  }
  return n;
}

const iso = (ms: number | null) => (ms === null ? '…' : new Date(ms).toISOString());

export async function historyFiles(dir: string, range: { from: number | null; to: number | null }): Promise<HistoryFile[]> {
  if (!(await isDir(dir))) throw new Error(`${dir}: no such directory`);
  const root = await rootOf(dir);
  if (root === undefined) {
    throw new Error(`${dir} holds no hourly fill files: expected ${path.join(dir, FILLS_DIR, 'YYYYMMDD', 'H')} (a node's data directory, e.g. ~/hl/data)`);
  }
  const all = await listHours(root);
  if (all.length === 0) {
    const lz4 = await compressed(root);
    if (lz4 > 0) throw new Error(`${root} holds ${lz4} compressed hourly files (.lz4): decompress them first, e.g. lz4 -dm --rm ${path.join(root, '*', '*.lz4')}`);
    throw new Error(`${root} holds no hourly fill files (YYYYMMDD/H)`);
  }
  const chosen = await listHours(root, range.from, range.to);
  if (chosen.length === 0) {
    throw new Error(`no hourly file of ${root} overlaps ${iso(range.from)} to ${iso(range.to)}: it holds ${all[0].name} to ${all[all.length - 1].name}`);
  }
  const out: HistoryFile[] = [];
  for (const f of chosen) {
    const file = path.join(root, f.name);
    out.push({ name: f.name, path: file, size: (await stat(file)).size });
  }
  return out;
}

export const HISTORY_HELP = `DIR is a Hyperliquid node's data directory (e.g. ~/hl/data, which holds node_fills_by_block/hourly/YYYYMMDD/H,
one file per UTC hour, written by a node run with --write-fills --batch-by-block), that hourly directory itself, or a
copy of the public node-data archive's node_fills_by_block/hourly/ with its .lz4 files decompressed
(lz4 -dm --rm DIR/*/*.lz4). Every hour that overlaps [--from, --to) is read whole: --from 2025-10-10 --to 2025-10-11
reads 20251010/0 to 20251010/23.`;
