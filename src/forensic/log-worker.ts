// Worker thread entry of the log half of the validator (see logcheck.ts): its own Redis connection, progress
// after every page, then the result or the error as a message. The aggregates' Float64Arrays are transferred,
// not copied.
import { parentPort, workerData } from 'node:worker_threads';
import { adoptKeyLayout } from '../core/redis-target.js';
import { type LogParams, type WorkerMessage, checkLog } from './logcheck.js';
import { connectTarget } from './connect.js';
import type { RespConnection } from './resp.js';

const port = parentPort;
if (port === null) throw new Error('log-worker.js runs as a worker thread of the validator');
const p = workerData as LogParams;
const post = (m: WorkerMessage, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer);

async function main(): Promise<void> {
  // a worker has its own copy of keys.ts: the layout the validator's thread adopted is adopted here too
  adoptKeyLayout(p.redis);
  let client: RespConnection;
  try {
    client = await connectTarget(p.redis, p.connectTimeoutMs);
  } catch (err) {
    return post({ type: 'error', message: err instanceof Error ? err.message : String(err), connecting: true });
  }
  try {
    const result = await checkLog(client, p, (done, total) => post({ type: 'progress', done, total }));
    post({ type: 'result', result }, result.minutes.flatMap(([, d]) => [d.data.buffer as ArrayBuffer, d.medians.buffer as ArrayBuffer]));
  } catch (err) {
    post({ type: 'error', message: err instanceof Error ? err.message : String(err), connecting: false });
  } finally {
    client.close();
  }
}

void main();
