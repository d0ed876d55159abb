// GET /health (JSON: 200 when ok or degraded, 503 when down; see health-state.ts), GET /livez (200 while the
// process runs) and GET /metrics (Prometheus text).
import http from 'node:http';
import type { Logger } from './log.js';
import type { Metrics } from './metrics.js';

export interface HealthSource {
  health(): { ok: boolean; body: Record<string, unknown> };
}

export async function startHealthServer(
  host: string,
  port: number,
  source: HealthSource,
  metrics: Metrics,
  log: Logger,
): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    const url = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (url === '/livez') {
      // For supervisors: the process runs and answers. An exchange or Redis outage is no reason to restart it.
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"alive"}');
    } else if (url === '/health') {
      const { ok, body } = source.health();
      res.writeHead(ok ? 200 : 503, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    } else if (url === '/metrics') {
      metrics.registry.metrics().then(
        (text) => res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text),
        (err: unknown) => {
          log.error({ err }, 'metrics collection failed');
          res.writeHead(500).end();
        },
      );
    } else {
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'not found', paths: ['/health', '/livez', '/metrics'] }));
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address();
  log.info({ host, port: typeof addr === 'object' && addr ? addr.port : port }, 'health server listening');
  return server;
}
