import type {} from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

/** Per-server Prometheus registry with request latency by route, served at /metrics. */
export function registerMetrics(app: FastifyInstance): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'mapper_' });
  const duration = new Histogram({
    name: 'mapper_http_request_duration_seconds',
    help: 'HTTP request latency by route',
    labelNames: ['method', 'route', 'status_code'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  const rejected = new Counter({
    name: 'mapper_http_rejected_total',
    help: 'Requests answered with a 4xx, by route and error code',
    labelNames: ['route', 'status_code'],
    registers: [registry],
  });
  // Children cached per label set: prom-client would otherwise hash the label object on every request.
  const observers = new Map<string, Histogram.Internal<string>>();
  app.addHook('onResponse', (req, reply, done) => {
    const route = req.routeOptions.url ?? 'unmatched';
    const status = reply.statusCode;
    const key = `${req.method} ${status} ${route}`;
    let observer = observers.get(key);
    if (!observer) {
      observer = duration.labels(req.method, route, String(status));
      observers.set(key, observer);
    }
    observer.observe(reply.elapsedTime / 1000);
    if (status >= 400 && status < 500) rejected.inc({ route, status_code: String(status) });
    done();
  });
  app.get('/metrics', { schema: { hide: true } }, async (_req, reply) => {
    reply.header('content-type', registry.contentType);
    return registry.metrics();
  });
  return registry;
}
