import cors from '@fastify/cors';
import rateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Sql } from 'postgres';
import { CoverageIndex } from './coverage-index';
import { coverageLookups } from './coverage-lookups';
import { freshnessSource } from './freshness';
import { HttpError } from './http-errors';
import { registerMetrics } from './metrics';
import { registerOpenApi } from './openapi';
import { coverageV1Routes } from './routes/coverage-v1';
import { mapApiRoutes } from './routes/map-api';
import { onboardingRoutes } from './routes/onboarding';
import type { OnboardingService } from './onboarding/service';
import { PUBLIC_DIR } from './web/build';

export interface MapperServerOptions {
  sql: Sql;
  logger?: Logger | boolean;
  /** A hotspot counts as active when it beaconed or witnessed this recently. */
  activeWindowMs?: number;
  /** Carriers' /v1/coverage endpoints need an API key (default true). */
  requireApiKey?: boolean;
  /** Limit for requests without a key (the map's /api/v1 endpoints), per IP per minute. */
  publicRateLimitPerMinute?: number;
  /** Keep res-9 coverage in memory for point/area/route queries (default true); 'await' waits for the first load. */
  coverageIndex?: boolean | 'await';
  /** Chain access for the onboarding app; null answers its endpoints with chain_not_configured. */
  onboarding?: OnboardingService | null;
  /** The hotspot bridge's local HTTP API that signs the possession proof. */
  bridgeApiUrl?: string;
}

const DEFAULT_BEACON_INTERVAL_S = 6 * 3600;

export function defaultActiveWindowMs(): number {
  const beaconInterval = Number(process.env.POC_BEACON_INTERVAL_SECONDS) || DEFAULT_BEACON_INTERVAL_S;
  return 3 * beaconInterval * 1000;
}

export async function buildMapperServer(options: MapperServerOptions): Promise<FastifyInstance> {
  const logger = options.logger ?? false;
  const app: FastifyInstance = (
    typeof logger === 'boolean' ? Fastify({ logger }) : Fastify({ loggerInstance: logger })
  ) as unknown as FastifyInstance;
  // Input is parsed with zod in the handlers; route JSON schemas exist for the OpenAPI document only.
  app.setValidatorCompiler(() => () => true);
  app.setErrorHandler((error, req, reply) => {
    if (error instanceof HttpError) {
      return reply.status(error.statusCode).send({ error: error.code, message: error.message, details: error.details });
    }
    const status = (error as { statusCode?: number }).statusCode;
    if (status && status >= 400 && status < 500) {
      return reply.status(status).send({ error: (error as { code?: string }).code ?? 'bad_request', message: (error as Error).message });
    }
    req.log.error({ err: error }, 'request failed');
    return reply.status(500).send({ error: 'internal_error', message: `internal error while serving ${req.method} ${req.routeOptions.url ?? req.url}; see server log` });
  });
  app.setNotFoundHandler((req, reply) => reply.status(404).send({ error: 'not_found', message: `no route ${req.method} ${req.url.split('?')[0]}` }));
  // PostgreSQL text cannot hold NUL: refuse it in the URL up front instead of failing a query with a 500.
  app.addHook('onRequest', (req, _reply, done) => {
    if (req.url.includes('%00') || req.url.includes('\u0000')) return done(new HttpError(400, 'invalid_characters', 'NUL characters are not allowed in the URL'));
    done();
  });

  await registerOpenApi(app);
  registerMetrics(app);
  await app.register(cors, { origin: '*', methods: ['GET', 'POST', 'OPTIONS'], allowedHeaders: ['content-type', 'x-api-key', 'authorization'], maxAge: 86_400 });

  const freshness = freshnessSource(options.sql);
  const activeWindowMs = options.activeWindowMs ?? defaultActiveWindowMs();

  app.get('/healthz', { schema: { hide: true } }, async () => ({ status: 'ok' }));
  app.get('/readyz', { schema: { hide: true } }, async (_req, reply) => {
    try {
      await options.sql`SELECT 1`;
      return { status: 'ready' };
    } catch (error) {
      return reply.status(503).send({ status: 'not_ready', reason: `database unreachable: ${(error as Error).message}` });
    }
  });

  await app.register(rateLimit, {
    global: true,
    hook: 'preHandler',
    timeWindow: 60_000,
    max: (req) => req.apiKey?.rateLimitPerMinute ?? options.publicRateLimitPerMinute ?? 1_200,
    keyGenerator: (req) => (req.apiKey ? `key:${req.apiKey.id}` : `ip:${req.ip}`),
    allowList: (req) => !(req.url.startsWith('/v1/') || req.url.startsWith('/api/')),
    errorResponseBuilder: (req, limit) =>
      new HttpError(429, 'rate_limited', `rate limit of ${limit.max} requests per minute exceeded for ${req.apiKey ? `API key ${req.apiKey.id}` : 'this address'}; retry in ${limit.after}`),
  });

  const index = options.coverageIndex === false ? null : new CoverageIndex(options.sql, { onError: (error) => app.log.warn({ err: error }, 'coverage index sync failed') });
  if (index) {
    const loaded = index.start();
    if (options.coverageIndex === 'await') await loaded;
    app.addHook('onClose', async () => index.stop());
  }
  const lookups = coverageLookups(options.sql, index);

  await mapApiRoutes(app, { sql: options.sql, freshness, activeWindowMs, lookups });
  await coverageV1Routes(app, { sql: options.sql, freshness, requireApiKey: options.requireApiKey ?? true, lookups });
  await onboardingRoutes(app, { sql: options.sql, service: options.onboarding ?? null, bridgeApiUrl: options.bridgeApiUrl });

  await app.register(fastifyStatic, { root: PUBLIC_DIR, index: ['index.html'], cacheControl: true, maxAge: 0 });
  app.get('/onboard', { schema: { hide: true } }, (_req, reply) => reply.sendFile('onboard.html'));
  return app;
}
