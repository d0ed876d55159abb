// What the Redis fault tests share: Binance frames sent through the stand-ins, the events counted in the recent ALL
// buckets, and daemons started against a given Redis (each with its own spool directory), stopped after each test.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Redis } from 'ioredis';
import { startDaemon, waitUntil, type RunningDaemon } from './daemon.js';
import { freePort } from './redis.js';
import { binanceFrame, type Standins } from './venues.js';

export class FaultRig {
  private readonly daemons: RunningDaemon[] = [];
  private readonly dirs: string[] = [];
  private k = 0;

  /** `standins` is read when used (tests start them in beforeAll); `spoolPrefix` names the spool directories. */
  constructor(
    private readonly standins: () => Standins,
    private readonly spoolPrefix: string,
  ) {}

  /** Sends n distinct BTCUSDT liquidations on binance-usdm, timed 30 s ago; returns n. */
  send(n: number): number {
    const base = Date.now() - 30_000;
    for (let i = 0; i < n; i++, this.k++) {
      const k = this.k;
      this.standins().send('binance-usdm', binanceFrame({ symbol: 'BTCUSDT', side: k % 2 ? 'SELL' : 'BUY', price: `${50_000 + k}.5`, qty: '0.01', ts: base + k }));
    }
    return n;
  }

  /** A daemon on Binance only, writing into `url`, once its /health answers. */
  async launch(url: string, extra: Record<string, string> = {}): Promise<RunningDaemon> {
    const spool = mkdtempSync(path.join(os.tmpdir(), this.spoolPrefix));
    this.dirs.push(spool);
    const d = startDaemon({ ...this.standins().env, EXCHANGES: 'binance', REDIS_URL: url, SPOOL_DIR: spool, SUMMARY_INTERVAL_MS: '300', ...extra }, await freePort());
    this.daemons.push(d);
    await waitUntil(async () => {
      try {
        await d.health();
        return true;
      } catch {
        return false;
      }
    }, 15_000, '/health');
    return d;
  }

  /** Kills the daemons started since the last call and removes their spool directories. */
  async cleanup(): Promise<void> {
    for (const d of this.daemons.splice(0)) await d.stop('SIGKILL');
    for (const d of this.dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  }
}

/** Events in the ALL buckets of the last two minutes or so (where FaultRig.send puts them). */
export async function countRecent(c: Redis): Promise<number> {
  let total = 0;
  const now = Date.now();
  for (let m = Math.floor((now - 40_000 - 60_000) / 60_000) * 60_000; m <= now; m += 60_000) total += Number((await c.hget(`liq:agg:ALL:60s:${m}`, 'count')) ?? 0);
  return total;
}
