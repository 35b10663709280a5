import { createServer, type Server } from 'node:http';
import type { Registry } from 'prom-client';
import { listenOn } from './listen';

export interface Readiness {
  ready: boolean;
  /** Why not ready (or what was checked), shown to the prober. */
  detail: Record<string, unknown>;
}

export interface OpsServer {
  url: string;
  port: number;
  stop(): Promise<void>;
}

/**
 * The three endpoints every long-running part needs behind a load balancer or in Kubernetes:
 * `/healthz` (the process answers: liveness), `/readyz` (its dependencies answer: 503 with the reason when not)
 * and `/metrics` (Prometheus text from one or more registries). Plain node:http, so any part can host it.
 */
export async function startOpsServer(options: {
  port?: number;
  host?: string;
  registries: Registry[];
  readiness: () => Promise<Readiness> | Readiness;
}): Promise<OpsServer> {
  const server: Server = createServer((req, res) => {
    const send = (status: number, type: string, body: string) => {
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
      res.end(body);
    };
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET') return send(405, 'application/json', JSON.stringify({ error: 'method_not_allowed' }));
    if (path === '/healthz') return send(200, 'application/json', JSON.stringify({ status: 'ok' }));
    if (path === '/readyz') {
      Promise.resolve()
        .then(() => options.readiness())
        .then(
          (r) => send(r.ready ? 200 : 503, 'application/json', JSON.stringify({ status: r.ready ? 'ready' : 'not_ready', ...r.detail })),
          (error: unknown) => send(503, 'application/json', JSON.stringify({ status: 'not_ready', reason: (error as Error).message })),
        );
      return;
    }
    if (path === '/metrics') {
      Promise.all(options.registries.map((r) => r.metrics())).then(
        (texts) => send(200, options.registries[0]?.contentType ?? 'text/plain', texts.join('\n')),
        (error: unknown) => send(500, 'application/json', JSON.stringify({ error: 'metrics_failed', message: (error as Error).message })),
      );
      return;
    }
    send(404, 'application/json', JSON.stringify({ error: 'not_found', message: `no route ${path}` }));
  });
  const host = options.host ?? '127.0.0.1';
  const port = await listenOn(server, host, options.port);
  return {
    url: `http://${host}:${port}`,
    port,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
