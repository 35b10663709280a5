import type {} from '@fastify/swagger';
import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

/**
 * Request latency and rejections by route, recorded into `registry`; register before any route (routes are
 * instrumented as they are added). Not served on the public listener: the caller
 * serves the registry on its ops listener. A registry that already holds these metrics (the same caller's server
 * restarted) is reused, so counters carry on.
 */
export function registerMetrics(app: FastifyInstance, registry: Registry = new Registry()): Registry {
  if (!registry.getSingleMetric('mapper_process_cpu_user_seconds_total')) collectDefaultMetrics({ register: registry, prefix: 'mapper_' });
  const existingDuration = registry.getSingleMetric('mapper_http_request_duration_seconds') as Histogram | undefined;
  const existingRejected = registry.getSingleMetric('mapper_http_rejected_total') as Counter | undefined;
  const duration = existingDuration ?? new Histogram({
    name: 'mapper_http_request_duration_seconds',
    help: 'HTTP request latency by route',
    labelNames: ['method', 'route', 'status_code'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  const rejected = existingRejected ?? new Counter({
    name: 'mapper_http_rejected_total',
    help: 'Requests answered with a 4xx, by route and error code',
    labelNames: ['route', 'status_code'],
    registers: [registry],
  });
  // Each route's own onResponse hook knows its URL (no per-request routeOptions object) and keeps its histogram children
  // by method and status, so prom-client does not hash a label object on every request.
  const recorder = (route: string) => {
    const observers = new Map<string, Histogram.Internal<string>>();
    return (req: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) => {
      const status = reply.statusCode;
      const key = status + req.method;
      let observer = observers.get(key);
      if (!observer) {
        observer = duration.labels(req.method, route, String(status));
        observers.set(key, observer);
      }
      observer.observe(reply.elapsedTime / 1000);
      if (status >= 400 && status < 500) rejected.inc({ route, status_code: String(status) });
      done();
    };
  };
  app.addHook('onRoute', (route) => {
    const hook = recorder(route.url);
    route.onResponse = route.onResponse === undefined ? [hook] : [...[route.onResponse].flat(), hook];
  });
  // Requests no route matched (the not-found handler) have no route hooks.
  const unmatched = recorder('unmatched');
  app.addHook('onResponse', (req, reply, done) => (req.is404 ? unmatched(req, reply, done) : done()));
  return registry;
}
