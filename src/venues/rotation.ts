// Rotation: a venue whose connections live at most so long (Binance: 24 h) gets its socket replaced before the limit
// without a gap. A replacement is opened min(5 min, maxLifetime / 10) before it; the old socket is closed only once
// the replacement has received its first message (or after the handover timeout, if it is open but quiet). During
// the overlap both deliver (duplicates are harmless downstream: identities decide). A replacement that fails is tried
// again with backoff; an old socket that dies during the overlap is taken over by the replacement at once.
import type { Logger } from '../log.js';
import type { VenueSocket } from './socket.js';

/** What the rotation needs of its connection. */
export interface RotationHost {
  readonly name: string;
  readonly log: Logger;
  stopped(): boolean;
  primary(): VenueSocket | null;
  /** Opens a socket in the role of a replacement (null when it cannot be opened). */
  openReplacement(): VenueSocket | null;
  /** The replacement becomes the connection's socket (an open one counts a rotation). */
  promote(repl: VenueSocket): void;
  /** Backoff before try n of a failed replacement. */
  backoff(n: number): number;
}

export class Rotation {
  private replacement: VenueSocket | null = null;

  constructor(
    private readonly host: RotationHost,
    private readonly maxLifetimeMs: number,
    private readonly handoverTimeoutMs: number,
  ) {}

  /** The connection's socket opened (or took over): its replacement is scheduled before its lifetime ends. */
  arm(sock: VenueSocket): void {
    if (this.maxLifetimeMs <= 0 || sock.openedAt === null) return;
    const lead = Math.min(5 * 60_000, Math.floor(this.maxLifetimeMs / 10));
    const at = sock.openedAt + this.maxLifetimeMs - lead;
    sock.timer('lifetime', Math.max(0, at - Date.now()), () => this.rotate(sock));
  }

  /** A replacement opened: it takes over at its first message, or after the handover timeout. */
  opened(repl: VenueSocket): void {
    this.host.log.info({ conn: this.host.name, sock: repl.id }, 'rotation: replacement open, waiting for its first message');
    repl.timer('handover', this.handoverTimeoutMs, () => this.handOver(repl, 'handover timeout'));
  }

  /** A replacement received its first message. */
  firstMessage(repl: VenueSocket): void {
    this.handOver(repl, 'first message');
  }

  /** A replacement closed before handing over: try again later, with backoff. */
  replacementFailed(repl: VenueSocket, fields: Record<string, unknown>): void {
    if (this.replacement === repl) this.replacement = null;
    this.host.log.warn({ ...fields, conn: this.host.name }, 'rotation: replacement failed');
    const p = this.host.primary();
    if (p && p.opened && !p.closed) p.timer('lifetime', this.host.backoff(p.rotationFailures++), () => this.rotate(p));
  }

  /** The connection's socket died: a replacement under way takes over without a backoff (and is returned). */
  takeOver(why: string, code: number): VenueSocket | null {
    const repl = this.replacement;
    if (repl === null || repl.closed) return null;
    this.replacement = null;
    repl.clear('handover');
    this.host.log.warn({ conn: this.host.name, code, reason: why }, 'rotation: old socket closed early, replacement takes over');
    this.host.promote(repl);
    return repl;
  }

  /** The replacement under way, if any (it is sent what the connection sends). */
  current(): VenueSocket | null {
    return this.replacement;
  }

  stop(): void {
    this.replacement = null;
  }

  /**
   * The venue announced that the connection's socket will go (a restart notice): a replacement now, handed over as
   * before a lifetime limit. False when there is no open socket to replace or a replacement is already under way.
   */
  now(reason: string): boolean {
    const old = this.host.primary();
    if (this.host.stopped() || !old || !old.opened || old.closed || this.replacement) return false;
    this.host.log.info({ conn: this.host.name, sock: old.id, reason }, 'restart: opening a replacement now');
    this.replacement = this.host.openReplacement();
    return this.replacement !== null;
  }

  private rotate(old: VenueSocket): void {
    if (this.host.stopped() || old !== this.host.primary() || old.closed || this.replacement) return;
    this.host.log.info({ conn: this.host.name, sock: old.id, maxLifetimeMs: this.maxLifetimeMs }, 'rotation: opening replacement before the lifetime limit');
    this.replacement = this.host.openReplacement();
  }

  private handOver(repl: VenueSocket, why: string): void {
    if (this.host.stopped() || repl !== this.replacement || repl.closed) return;
    const old = this.host.primary();
    this.replacement = null;
    repl.clear('handover');
    this.host.promote(repl);
    if (old) {
      old.role = 'retired';
      // It still delivers whatever is in flight until it is closed (duplicates are harmless).
      void old.close(1000, 'rotated');
    }
    this.host.log.info({ conn: this.host.name, sock: repl.id, old: old?.id, why }, 'rotation: handed over to replacement');
  }
}
