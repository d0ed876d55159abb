// A plain `ws` client for talking to a stand-in as an exchange client would: keeps every text message, to await in
// order or by predicate, and records pings, pongs and the close code.
import { setTimeout as sleep } from 'node:timers/promises';
import { WebSocket, type ClientOptions } from 'ws';

export class Probe {
  readonly messages: string[] = [];
  pings = 0;
  pongs = 0;
  closeCode: number | undefined;
  closeReason = '';
  readonly closed: Promise<number>;
  private cursor = 0;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (d) => this.messages.push(d.toString()));
    ws.on('ping', () => this.pings++);
    ws.on('pong', () => this.pongs++);
    ws.on('error', () => {});
    this.closed = new Promise((resolve) =>
      ws.on('close', (code, reason) => {
        this.closeCode = code;
        this.closeReason = reason.toString();
        resolve(code);
      }),
    );
  }

  static open(url: string, options?: ClientOptions): Promise<Probe> {
    const ws = new WebSocket(url, options);
    const probe = new Probe(ws);
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(probe));
      ws.once('error', reject);
    });
  }

  send(msg: string | object): void {
    this.ws.send(typeof msg === 'string' ? msg : JSON.stringify(msg));
  }

  /** The next message not yet consumed, waiting up to timeoutMs. */
  async next(timeoutMs = 2000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    while (this.cursor >= this.messages.length) {
      if (Date.now() > deadline) throw new Error(`no message within ${timeoutMs} ms`);
      await sleep(5);
    }
    return this.messages[this.cursor++];
  }

  async nextJson(timeoutMs?: number): Promise<unknown> {
    return JSON.parse(await this.next(timeoutMs)) as unknown;
  }

  /** The next message, a JSON object, to read its fields. */
  async nextObject(timeoutMs?: number): Promise<Record<string, unknown>> {
    return (await this.nextJson(timeoutMs)) as Record<string, unknown>;
  }

  /** Nothing more arrives within ms. */
  async quiet(ms = 150): Promise<boolean> {
    const before = this.messages.length;
    await sleep(ms);
    return this.messages.length === before && this.cursor >= before;
  }

  close(): void {
    this.ws.terminate();
  }
}
