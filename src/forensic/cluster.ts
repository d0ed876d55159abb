// The validator's client for a Redis Cluster: one RespClient per master, each command sent to the master of its
// key's slot (CLUSTER SLOTS maps slots to masters), a pipeline split per master (one write each) and its replies
// put back in the order of the commands. Redirections are followed: MOVED (a slot served elsewhere, after a
// failover or a resharding) refreshes the map and resends, ASK (a slot being migrated) resends to the node named
// with ASKING first. A master that stops answering fails its commands' pipeline: the map is read again from any
// node that answers and the commands resent, until its replica has taken over or failoverWaitMs has passed. The
// validator only reads, so resending a command never counts anything twice.
//
// MULTI … EXEC goes to one master as a whole (the validator's transactions read the keys of one slot).
import { setTimeout as sleep } from 'node:timers/promises';
import type { HostPort } from '../core/redis-target.js';
import { Encoder, type Reply, RespError, decodeCommands, replyEnd } from './resp-codec.js';
import { type RawReply, RespClient, type RespConnection } from './resp.js';
import { SLOTS, keySlot } from './slot.js';

export interface ClusterClientOptions {
  connectTimeoutMs?: number;
  /** How long commands are resent while their master does not answer (a failover takes cluster-node-timeout and an election). */
  failoverWaitMs?: number;
}

const address = (host: string, port: number) => (host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`);

/** The key a command routes by: the validator's commands name it first, XINFO after its subcommand. */
function keyOf(cmd: readonly string[]): string | undefined {
  const name = cmd[0];
  if (name === 'XINFO' || name === 'OBJECT' || name === 'MEMORY') return cmd[2];
  if (name === 'MULTI' || name === 'EXEC' || name === 'PING' || name === 'ROLE' || cmd.length < 2) return undefined;
  return cmd[1];
}

/** One command, or a MULTI … EXEC: the commands [from, to) of the pipeline, sent to one node together. */
interface Unit {
  readonly from: number;
  readonly to: number;
  /** -1: no key (any master answers). */
  readonly slot: number;
  /** The node an ASK redirection named (sent with ASKING first), until the unit is answered. */
  ask?: string;
}

/** Why a reply sends its unit elsewhere or again; undefined for a reply to keep. */
type Redirect = { kind: 'moved' | 'ask'; slot: number; to: string } | { kind: 'retry'; why: string };

function redirectOf(message: string): Redirect | undefined {
  const m = /^(MOVED|ASK) (\d+) (\S+)$/.exec(message);
  if (m) return { kind: m[1] === 'MOVED' ? 'moved' : 'ask', slot: Number(m[2]), to: m[3] };
  // a slot without a master for now (failover under way), or a node still loading: asked again shortly
  if (/^(TRYAGAIN|CLUSTERDOWN|LOADING|MASTERDOWN)\b/.test(message)) return { kind: 'retry', why: message };
  return undefined;
}

/** How one kind of pipeline is sent to one node and its replies read (decoded, raw, or parts of a joined reply). */
interface Transport<T> {
  send(client: RespClient, cmds: string[][]): Promise<T[]>;
  /** The error message a reply holds, or undefined. */
  error(reply: T): string | undefined;
}

const DECODED: Transport<Reply> = {
  send: (client, cmds) => client.pipeline(cmds),
  error: (r) => (r instanceof RespError ? r.message : undefined),
};

function errorText(buf: Buffer, start: number): string | undefined {
  if (buf[start] !== 45 /* - */) return undefined;
  return buf.toString('utf8', start + 1, buf.indexOf(13, start));
}

export class ClusterClient implements RespConnection {
  /** The master address serving each slot ('' until known). */
  private readonly slots = new Array<string>(SLOTS).fill('');
  private readonly clients = new Map<string, Promise<RespClient>>();
  /** Addresses to ask for the map: the configured nodes, then every master met. */
  private readonly known: string[];
  private closed = false;
  private refreshing: Promise<void> | undefined;
  private readonly connectTimeoutMs: number;
  private readonly failoverWaitMs: number;

  private constructor(nodes: readonly HostPort[], opts: ClusterClientOptions) {
    this.known = nodes.map((n) => address(n.host, n.port));
    this.connectTimeoutMs = opts.connectTimeoutMs ?? 3000;
    this.failoverWaitMs = opts.failoverWaitMs ?? 20_000;
  }

  /** Reads the slot map from the first configured node that answers; rejects with what each said otherwise. */
  static async connect(nodes: readonly HostPort[], opts: ClusterClientOptions = {}): Promise<ClusterClient> {
    const c = new ClusterClient(nodes, opts);
    try {
      await c.refresh();
    } catch (err) {
      c.close();
      throw err;
    }
    return c;
  }

  /** Reads CLUSTER SLOTS again (one refresh at a time: concurrent callers share it). */
  refresh(): Promise<void> {
    this.refreshing ??= this.readSlots().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  private async readSlots(): Promise<void> {
    const tried: string[] = [];
    for (const at of [...new Set(this.known)]) {
      let reply: Reply;
      try {
        reply = await (await this.client(at)).command('CLUSTER', 'SLOTS');
      } catch (err) {
        this.drop(at);
        tried.push(`${at}: ${(err as Error).message}`);
        continue;
      }
      if (!Array.isArray(reply)) {
        tried.push(`${at}: ${reply instanceof RespError ? reply.message : 'no slot map'}`);
        continue;
      }
      const host = at.slice(0, at.lastIndexOf(':')).replace(/^\[|\]$/g, '');
      let covered = 0;
      for (const range of reply) {
        if (!Array.isArray(range) || range.length < 3 || !Array.isArray(range[2])) continue;
        const [from, to, master] = range as [number, number, Reply[]];
        // an empty or unknown endpoint means the node that was asked
        const h = master[0] === '' || master[0] === '?' || master[0] === null ? host : String(master[0]);
        const addr = address(h, Number(master[1]));
        for (let s = Number(from); s <= Number(to); s++) this.slots[s] = addr;
        covered += Number(to) - Number(from) + 1;
        if (!this.known.includes(addr)) this.known.push(addr);
      }
      if (covered > 0) return;
      tried.push(`${at}: no slot is served`);
    }
    throw new Error(`no cluster node gave its slot map (${tried.join('; ')})`);
  }

  /** The client of one node, connected once (a failed connection is forgotten, so it is tried again later). */
  private client(at: string): Promise<RespClient> {
    if (this.closed) return Promise.reject(new Error('client closed'));
    let c = this.clients.get(at);
    if (c === undefined) {
      c = RespClient.connect(`redis://${at}`, this.connectTimeoutMs);
      c.catch(() => this.clients.get(at) === c && this.clients.delete(at));
      this.clients.set(at, c);
    }
    return c;
  }

  /** Forgets a node's client (after its connection failed): the next command to it connects anew. */
  private drop(at: string): void {
    const c = this.clients.get(at);
    this.clients.delete(at);
    c?.then((x) => x.close(), () => {});
  }

  private nodeOf(slot: number): string {
    return slot < 0 ? this.known.find((a) => this.slots.includes(a)) ?? this.known[0] : this.slots[slot];
  }

  /**
   * Sends the commands, each unit to its node (one pipeline per node), following redirections and failovers
   * until every unit has its replies; resolves with one reply per command, in order.
   */
  private async route<T>(cmds: readonly (readonly string[])[], t: Transport<T>, discard: (r: T) => void): Promise<T[]> {
    const out = new Array<T>(cmds.length);
    let todo: Unit[] = [];
    for (let i = 0; i < cmds.length; i++) {
      if (cmds[i][0] === 'MULTI') {
        let j = i + 1;
        while (j < cmds.length && cmds[j][0] !== 'EXEC') j++;
        let slot = -1;
        for (let k = i + 1; k < j && slot < 0; k++) {
          const key = keyOf(cmds[k]);
          if (key !== undefined) slot = keySlot(key);
        }
        todo.push({ from: i, to: Math.min(j + 1, cmds.length), slot });
        i = j;
      } else {
        const key = keyOf(cmds[i]);
        todo.push({ from: i, to: i + 1, slot: key === undefined ? -1 : keySlot(key) });
      }
    }
    const deadline = Date.now() + this.failoverWaitMs;
    let lastProblem = '';
    for (let attempt = 0; todo.length > 0; attempt++) {
      if (this.closed) throw new Error('client closed');
      if (attempt > 0) {
        if (Date.now() > deadline) throw new Error(`no answer from the cluster within ${this.failoverWaitMs} ms (${lastProblem})`);
        await this.refresh().catch((err: Error) => (lastProblem = err.message));
      }
      const byNode = new Map<string, Unit[]>();
      for (const u of todo) {
        const at = u.ask ?? this.nodeOf(u.slot);
        let list = byNode.get(at);
        if (list === undefined) byNode.set(at, (list = []));
        list.push(u);
      }
      const again: Unit[] = [];
      let wait = false;
      await Promise.all(
        [...byNode].map(async ([at, units]) => {
          if (at === '') {
            // a slot no master serves (yet)
            lastProblem = `slot ${units[0].slot} has no master`;
            wait = true;
            again.push(...units);
            return;
          }
          const batch: string[][] = [];
          for (const u of units) {
            if (u.ask !== undefined) batch.push(['ASKING']);
            for (let i = u.from; i < u.to; i++) batch.push(cmds[i] as string[]);
          }
          let replies: T[];
          try {
            replies = await t.send(await this.client(at), batch);
          } catch (err) {
            // the node went away: its replica takes over; asked again once the map says so
            this.drop(at);
            lastProblem = `${at}: ${(err as Error).message}`;
            wait = true;
            again.push(...units.map((u) => ({ from: u.from, to: u.to, slot: u.slot })));
            return;
          }
          let r = 0;
          for (const u of units) {
            if (u.ask !== undefined) discard(replies[r++]);
            let redirect: Redirect | undefined;
            for (let i = u.from; i < u.to && redirect === undefined; i++) {
              const e = t.error(replies[r + i - u.from]);
              if (e !== undefined) redirect = redirectOf(e);
            }
            if (redirect === undefined) {
              for (let i = u.from; i < u.to; i++) out[i] = replies[r++];
              continue;
            }
            for (let i = u.from; i < u.to; i++) discard(replies[r++]);
            if (redirect.kind === 'retry') {
              lastProblem = redirect.why;
              wait = true;
              again.push({ from: u.from, to: u.to, slot: u.slot });
            } else if (redirect.kind === 'ask') again.push({ from: u.from, to: u.to, slot: u.slot, ask: redirect.to });
            else {
              this.slots[redirect.slot] = redirect.to;
              again.push({ from: u.from, to: u.to, slot: u.slot });
            }
          }
        }),
      );
      todo = again;
      if (wait && todo.length > 0) await sleep(Math.min(1000, 50 * 2 ** Math.min(attempt, 5)));
    }
    return out;
  }

  pipeline(cmds: readonly (readonly string[])[]): Promise<Reply[]> {
    if (cmds.length === 0) return Promise.resolve([]);
    return this.route(cmds, DECODED, () => {});
  }

  pipelineRaw(cmds: readonly (readonly string[])[]): Promise<RawReply[]> {
    if (cmds.length === 0) return Promise.resolve([]);
    return this.route(cmds, RAW, (r) => r.release());
  }

  /**
   * The replies' bytes in command order, as RespClient.sendJoined gives them: each node's joined reply is cut at its
   * replies' ends and the parts copied into one buffer in the order of the commands.
   */
  async sendJoined(enc: Encoder): Promise<RawReply> {
    if (enc.count === 0) return { bytes: Buffer.alloc(0), release() {} };
    const cmds = decodeCommands(enc.take());
    const held: RawReply[] = [];
    const joined: Transport<Part> = {
      async send(client, batch) {
        const enc2 = new Encoder();
        for (const c of batch) enc2.command(c);
        const raw = await client.sendJoined(enc2);
        held.push(raw);
        const parts: Part[] = [];
        let pos = 0;
        for (let i = 0; i < batch.length; i++) {
          const end = replyEnd(raw.bytes, pos);
          parts.push({ buf: raw.bytes, start: pos, end });
          pos = end;
        }
        return parts;
      },
      error: (p) => errorText(p.buf, p.start),
    };
    try {
      const parts = await this.route(cmds, joined, () => {});
      let total = 0;
      for (const p of parts) total += p.end - p.start;
      const bytes = Buffer.allocUnsafe(total);
      let at = 0;
      for (const p of parts) at += p.buf.copy(bytes, at, p.start, p.end);
      return { bytes, release() {} };
    } finally {
      for (const r of held) r.release();
    }
  }

  async command(...args: string[]): Promise<Reply> {
    return (await this.pipeline([args]))[0];
  }

  close(): void {
    this.closed = true;
    for (const at of [...this.clients.keys()]) this.drop(at);
  }
}

interface Part {
  readonly buf: Buffer;
  readonly start: number;
  readonly end: number;
}

const RAW: Transport<RawReply> = {
  send: (client, cmds) => client.pipelineRaw(cmds),
  error: (r) => errorText(r.bytes, 0),
};
