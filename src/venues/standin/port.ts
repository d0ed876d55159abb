// One loopback HTTP server (port 0) carrying the WebSocket and REST endpoints of one or more venues.
// Bybit linear and inverse share a port, as they share a host on the real exchange.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { rejectSocket, writeJson, type VenueCore } from './core.js';

export interface PortRoutes {
  /** The venue serving WebSocket upgrades at this URL, if any. */
  ws(url: URL): VenueCore | undefined;
  /** The venue answering (and recording) this REST request, if any. */
  rest(url: URL): VenueCore | undefined;
}

export interface Port {
  readonly port: number;
  close(): Promise<void>;
}

function parseUrl(raw: string | undefined): URL | undefined {
  try {
    return new URL(raw ?? '/', 'http://127.0.0.1');
  } catch {
    return undefined;
  }
}

export async function listenPort(routes: PortRoutes): Promise<Port> {
  const server: Server = createServer((req, res) => {
    const url = parseUrl(req.url);
    const venue = url && routes.rest(url);
    if (!url || !venue) {
      writeJson(res, 404, { code: 404, msg: 'Not Found' });
      return;
    }
    venue.handleRest(req, res, url);
  });
  server.on('clientError', (_err, socket) => socket.destroy());
  server.on('upgrade', (req, socket, head) => {
    socket.on('error', () => {});
    const url = parseUrl(req.url);
    const venue = url && routes.ws(url);
    if (!url || !venue) {
      rejectSocket(socket, 404);
      return;
    }
    venue.handleUpgrade(req, socket, head, url);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Keep-alive REST sockets (fetch pools them) would otherwise hold close() open.
        server.closeAllConnections();
      }),
  };
}
