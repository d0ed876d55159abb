// Where the tail begins: the saved position (file and byte offset after the last line whose liquidations are written
// to Redis or spooled), else the hour of HYPERLIQUID_FROM, else the end of the newest file; when no file existed at
// all, whatever appears first is read from its first byte.
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../../log.js';
import { type HourFile, hourFloor, newestHour, nextHour, parseHourName } from './files.js';

/** What is saved: the file (`YYYYMMDD/H`) and the byte offset just after the last line whose events are kept (written or spooled). */
export interface Position {
  file: string;
  offset: number;
}

export type Began = 'position' | 'from' | 'end' | 'start';

export function encodePosition(p: Position): string {
  return JSON.stringify(p);
}

export function decodePosition(text: string | null): Position | undefined {
  if (text === null) return undefined;
  try {
    const v = JSON.parse(text) as Partial<Position>;
    if (typeof v.file === 'string' && parseHourName(v.file) !== undefined && Number.isSafeInteger(v.offset) && (v.offset as number) >= 0) {
      return { file: v.file, offset: v.offset as number };
    }
  } catch {
    // fall through: an unreadable position is reported by the caller
  }
  return undefined;
}

export async function sizeOf(file: string): Promise<number | undefined> {
  try {
    return (await stat(file)).size;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/**
 * The file and offset to begin at, and how (`began`, kept by the caller across calls); no `at` while there is nothing
 * to read yet (the caller asks again at its next poll).
 */
export async function beginning(
  root: string,
  log: Logger,
  saved: Position | undefined,
  from: number | null,
  began: Began | undefined,
): Promise<{ began: Began | undefined; at?: { file: HourFile; offset: number } }> {
  const fileOf = (f: HourFile | string) => path.join(root, typeof f === 'string' ? f : f.name);
  if (began === undefined && saved !== undefined) {
    const at = parseHourName(saved.file)!;
    const size = await sizeOf(fileOf(saved.file));
    if (size !== undefined) {
      if (size < saved.offset) log.error({ file: fileOf(at), saved: saved.offset, size }, 'file shorter than the saved position: reading its end again');
      const offset = Math.min(saved.offset, size);
      log.info({ file: fileOf(at), offset }, 'node fill files: going on from the saved position');
      return { began: 'position', at: { file: at, offset } };
    }
    const next = await nextHour(root, at.start);
    if (next === undefined) return { began }; // the saved file is gone and nothing newer is there yet: wait
    log.error({ saved: saved.file, next: next.name }, 'the file of the saved position is gone (pruned?): going on with the next one; what it held after the position was not read');
    return { began: 'position', at: { file: next, offset: 0 } };
  }
  if (began === undefined && from !== null) {
    const first = await nextHour(root, hourFloor(from) - 1);
    if (first === undefined) return { began };
    log.info({ file: fileOf(first), from: new Date(from).toISOString() }, 'node fill files: reading from HYPERLIQUID_FROM');
    return { began: 'from', at: { file: first, offset: 0 } };
  }
  if (began === undefined) {
    const newest = await newestHour(root);
    // Nothing written yet: whatever appears is new and read from its first byte.
    if (newest === undefined) return { began: 'start' };
    const size = (await sizeOf(fileOf(newest))) ?? 0;
    log.info({ file: fileOf(newest), offset: size }, 'node fill files: no saved position, starting at the end of the newest file');
    return { began: 'end', at: { file: newest, offset: size } };
  }
  const first = await nextHour(root, -Infinity);
  if (first === undefined) return { began };
  log.info({ file: fileOf(first) }, 'node fill files: the first file appeared, reading it from the start');
  return { began, at: { file: first, offset: 0 } };
}
