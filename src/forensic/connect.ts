// The validator's connection to the Redis the daemon writes to: a URL as it is, or, with Sentinel, the master the
// Sentinels name. Each Sentinel is asked in turn (`SENTINEL get-master-addr-by-name`), and the server it names must
// say it is a master (ROLE): right after a failover a Sentinel may still name the old one. A Cluster: its slot map,
// read from the first listed node that answers, and a connection per master (cluster.ts).
import type { RedisTarget } from '../core/redis-target.js';
import { RespError } from './resp-codec.js';
import { ClusterClient } from './cluster.js';
import { RespClient, type RespConnection } from './resp.js';

const address = (host: string, port: number) => (host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`);

/** Connects to the target's master (or masters) within about timeoutMs per server tried; rejects with what went wrong. */
export async function connectTarget(target: RedisTarget, timeoutMs = 3000): Promise<RespConnection> {
  if (target.mode === 'single') return RespClient.connect(target.url, timeoutMs);
  if (target.mode === 'cluster') return ClusterClient.connect(target.nodes, { connectTimeoutMs: timeoutMs });
  const tried: string[] = [];
  for (const s of target.sentinels) {
    const at = address(s.host, s.port);
    let master: string;
    const sentinel = await RespClient.connect(`redis://${at}`, timeoutMs).catch((err: Error) => err);
    if (sentinel instanceof Error) {
      tried.push(`Sentinel ${at}: ${sentinel.message}`);
      continue;
    }
    try {
      const r = await sentinel.command('SENTINEL', 'get-master-addr-by-name', target.name);
      if (!Array.isArray(r) || r.length !== 2) {
        tried.push(`Sentinel ${at}: ${r instanceof RespError ? r.message : `no master named ${target.name}`}`);
        continue;
      }
      master = address(String(r[0]), Number(r[1]));
    } catch (err) {
      tried.push(`Sentinel ${at}: ${(err as Error).message}`);
      continue;
    } finally {
      sentinel.close();
    }
    let client: RespClient | undefined;
    try {
      client = await RespClient.connect(`redis://${master}`, timeoutMs);
      const role = await client.command('ROLE');
      if (Array.isArray(role) && role[0] === 'master') return client;
      tried.push(`Sentinel ${at} names ${master}, which is not a master (yet)`);
    } catch (err) {
      tried.push(`Sentinel ${at} names ${master}: ${(err as Error).message}`);
    }
    client?.close();
  }
  throw new Error(`no master found (${tried.join('; ')})`);
}
