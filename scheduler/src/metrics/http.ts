/** The scheduler's HTTP endpoint: GET /metrics (Prometheus text format) and GET /healthz. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { errorFields, type Logger } from '../../../shared/src/logger.js';

/** MetricsServer is a listening metrics endpoint. */
export interface MetricsServer {
  /** host:port actually bound. */
  address: string;
  close(): Promise<void>;
}

/** startMetricsServer listens on `listen` (host:port; port 0 picks one) and serves `render()` at /metrics. */
export async function startMetricsServer(listen: string, render: () => string, log: Logger): Promise<MetricsServer> {
  const at = listen.lastIndexOf(':');
  const host = listen.slice(0, at).replace(/^\[|\]$/g, '');
  const port = Number(listen.slice(at + 1));
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    try {
      if (path === '/metrics') {
        const body = render();
        res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }).end(req.method === 'HEAD' ? undefined : body);
      } else if (path === '/healthz') {
        res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
      } else {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: try /metrics\n');
      }
    } catch (err) {
      log.error('metrics request failed', errorFields(err));
      if (!res.headersSent) res.writeHead(500).end();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const a = server.address() as AddressInfo;
  return {
    address: `${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
