// Read flow control shared by every stream connection. While the gate is closed the connections stop reading
// their sockets (ws pause()), so TCP pushes back on the sender instead of frames piling up as parsed events in
// the daemon's memory; opening it resumes them. The engine's Backpressure decides when (src/engine/backpressure.ts).
import { EventEmitter } from 'node:events';

export class ReadGate extends EventEmitter<{ change: [paused: boolean] }> {
  #paused = false;
  /** Times the gate was closed since start. */
  pauses = 0;

  get paused(): boolean {
    return this.#paused;
  }

  set(paused: boolean): void {
    if (paused === this.#paused) return;
    this.#paused = paused;
    if (paused) this.pauses++;
    this.emit('change', paused);
  }
}
