// Read flow control shared by every stream connection. While the gate is closed the connections stop reading
// their sockets (ws pause()), so TCP pushes back on the sender instead of frames piling up as parsed events in
// the daemon's memory; opening it resumes them. It is closed while any reason holds it: the engine's Backpressure
// (Redis behind: src/engine/backpressure.ts), or MAX_HELD_EVENTS reached while events cannot be written or spooled.
import { EventEmitter } from 'node:events';

export class ReadGate extends EventEmitter<{ change: [paused: boolean] }> {
  readonly #reasons = new Set<string>();
  /** Times the gate was closed since start. */
  pauses = 0;

  get paused(): boolean {
    return this.#reasons.size > 0;
  }

  /** Why it is closed (empty when open). */
  get reasons(): string[] {
    return [...this.#reasons];
  }

  /** Closes (paused) or opens the gate for one reason; it stays closed while another reason holds it. */
  set(paused: boolean, reason = 'backpressure'): void {
    const was = this.paused;
    if (paused) this.#reasons.add(reason);
    else this.#reasons.delete(reason);
    if (this.paused === was) return;
    if (this.paused) this.pauses++;
    this.emit('change', this.paused);
  }
}
