// Which position may be saved: the tail hands lines over to the engine, which may hold their events for a while
// (Redis down: memory, then the spool). A position is saved only once the events before it are kept (written or
// spooled), so a crash re-reads (and counts once) rather than skips. Each hand-over leaves a mark: the position after
// it and the engine's push count then; a mark is safe once the engine has settled that many pushes.
import type { Position } from './position.js';

/** The engine holds far fewer hand-overs than this; keeping the newest is enough (saves just wait longer). */
const MAX_MARKS = 100_000;

interface Mark extends Position {
  readonly pushed: number;
}

export class Marks {
  private marks: Mark[] = [];
  private head = 0;

  /** A hand-over ended at `pos`, after the engine's `pushed`-th push. */
  add(pos: Position, pushed: number): void {
    this.marks.push({ file: pos.file, offset: pos.offset, pushed });
    if (this.marks.length - this.head > MAX_MARKS) this.head = this.marks.length - MAX_MARKS;
    if (this.head > 4096 && this.head * 2 > this.marks.length) {
      this.marks = this.marks.slice(this.head);
      this.head = 0;
    }
  }

  /**
   * The position to save: `current` when everything pushed is settled (or nothing is followed), else the newest mark
   * whose pushes are settled; undefined when none is (keep the position saved before).
   */
  safe(current: Position, progress: { pushed: number; settled: number } | undefined): Position | undefined {
    if (progress === undefined || progress.settled >= progress.pushed) {
      this.marks = [];
      this.head = 0;
      return current;
    }
    let last: Mark | undefined;
    while (this.head < this.marks.length && this.marks[this.head].pushed <= progress.settled) last = this.marks[this.head++];
    return last === undefined ? undefined : { file: last.file, offset: last.offset };
  }
}
