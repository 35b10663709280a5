import rateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyInstance } from 'fastify';
import { validatorCompiler } from 'fastify-type-provider-zod';
import type { Logger } from 'pino';
import type { Sql } from 'postgres';
import type { Registry } from 'prom-client';
import { CoverageIndex } from './coverage-index';
import { coverageLookups } from './coverage-lookups';
import { HotspotEstimates } from './estimates';
import { MapperMeasurements } from './mapper-measurements';
import { freshnessSource } from './freshness';
import { errorHandler } from './http-errors';
import { registerMetrics } from './metrics';
import { registerOpenApi } from './openapi';
import { refuseAmbiguousPaths } from './path-hygiene';
import { perAddressRateLimit } from './rate-limits';
import { coverageV1Routes } from './routes/coverage-v1';
import { mapApiRoutes } from './routes/map-api';
import { mapperLogRoutes } from './routes/mapper-log';
import { mapperMapRoutes } from './routes/mapper-map';
import { mapperRegisterRoutes } from './routes/mapper-register';
import { onboardingRoutes } from './routes/onboarding';
import type { OnboardingService } from './onboarding/service';
import { PUBLIC_DIR } from './paths';
import type { ReadRouter } from './read-replica';

export interface MapperServerOptions {
  sql: Sql;
  logger?: Logger | boolean;
  /** How often hotspots beacon (the network's POC_BEACON_INTERVAL_SECONDS); active = heard within 3 intervals. */
  beaconIntervalSeconds?: number;
  /** A hotspot counts as active when it beaconed or witnessed this recently (overrides beaconIntervalSeconds). */
  activeWindowMs?: number;
  /** Carriers' /v1 endpoints need an API key (default true). */
  requireApiKey?: boolean;
  /** Limit for requests without a key (the map's /api/v1 endpoints), per IP per minute. */
  publicRateLimitPerMinute?: number;
  /** Refused API keys allowed per client address per minute on /v1 before 429 without a lookup (default 20). */
  invalidApiKeysPerMinute?: number;
  /** Keep res-9 coverage in memory for point/area/route queries (default true); 'await' waits for the first load. */
  coverageIndex?: boolean | 'await';
  /** Chain access for the onboarding app; null answers its endpoints with chain_not_configured. */
  onboarding?: OnboardingService | null;
  /** The hotspot bridge's local HTTP API that signs the possession proof. */
  bridgeApiUrl?: string;
  /** Where request metrics are recorded; serve it on an ops listener (the public listener has no /metrics). */
  metricsRegistry?: Registry;
  /** Read-only queries (map, coverage, freshness) go through it to a replica; `sql` keeps the writes. */
  readRouter?: ReadRouter;
  /** Answer with the model's estimate for the device asked about (default true); 'await' waits for the hotspots' first load. */
  estimates?: boolean | 'await';
  /** MapLibre style URL of a street basemap for the map page (MAP_STYLE_URL); absent: the offline Natural Earth basemap. */
  mapStyleUrl?: string | null;
  /** Answer with mapper measurements (heard by source, measured no-signal), reloaded every 10 s (default true). */
  mapperMeasurements?: boolean | 'await';
  /** Mapper log uploads allowed per client address per minute (default 30). */
  mapperLogRateLimitPerMinute?: number;
  /** Mapper device registrations allowed per client address per minute (default 10). */
  mapperRegistrationRateLimitPerMinute?: number;
  /** Wait for late receipts before an unheard logged frame counts as no signal (the oracle's setting; default 600 s). */
  mapperLogGraceSeconds?: number;
}

const DEFAULT_BEACON_INTERVAL_S = 6 * 3600;

export function activeWindowMsFor(beaconIntervalSeconds = DEFAULT_BEACON_INTERVAL_S): number {
  return 3 * beaconIntervalSeconds * 1000;
}

/**
 * The map server: health and static files at the root, and two encapsulated APIs that each own their checks —
 * the carriers' API under /v1 (API key, per-key limit) and the map's API under /api/v1 (per-address limit). Hooks and
 * limits are attached to routes, so they apply to whatever route the router runs, however the URL was spelled.
 */
export async function buildMapperServer(options: MapperServerOptions): Promise<FastifyInstance> {
  const logger = options.logger ?? false;
  const app: FastifyInstance = (
    typeof logger === 'boolean' ? Fastify({ logger }) : Fastify({ loggerInstance: logger })
  ) as unknown as FastifyInstance;
  app.setValidatorCompiler(validatorCompiler);
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler((req, reply) => reply.status(404).send({ error: 'not_found', message: `no route ${req.method} ${req.url.split('?')[0]}` }));
  app.addHook('onRequest', refuseAmbiguousPaths);
  // Declared up front so every request object keeps one shape (V8 keeps the hot path monomorphic).
  app.decorateRequest('apiKey', null);

  registerMetrics(app, options.metricsRegistry);
  await registerOpenApi(app);

  const readSql = options.readRouter?.sql ?? options.sql;
  const freshness = freshnessSource(readSql);
  const activeWindowMs = options.activeWindowMs ?? activeWindowMsFor(options.beaconIntervalSeconds);
  const publicLimit = options.publicRateLimitPerMinute ?? 1_200;

  app.get('/healthz', { schema: { hide: true } }, async () => ({ status: 'ok' }));
  app.get('/readyz', { schema: { hide: true } }, async (_req, reply) => {
    try {
      await options.sql`SELECT 1`;
    } catch (error) {
      return reply.status(503).send({ status: 'not_ready', reason: `database unreachable: ${(error as Error).message}` });
    }
    if (!options.readRouter) return { status: 'ready' };
    const reads = await options.readRouter.readiness();
    if (!reads.ready) return reply.status(503).send({ status: 'not_ready', reason: `reads: ${reads.detail.reason}`, reads: reads.detail });
    return { status: 'ready', reads: reads.detail };
  });
  // Where an answer was read and how old the replica was (docs/operations.md §8 "Read replica").
  const readRouter = options.readRouter;
  if (readRouter) {
    app.addHook('onSend', async (_req, reply) => {
      const state = readRouter.state();
      reply.header('x-poc-read-source', state.source);
      if (state.source === 'replica' && state.lagSeconds !== null) reply.header('x-poc-replica-lag-seconds', state.lagSeconds.toFixed(1));
    });
  }

  const index = options.coverageIndex === false ? null : new CoverageIndex(readSql, { onError: (error) => app.log.warn({ err: error }, 'coverage index sync failed') });
  if (index) {
    const loaded = index.start();
    if (options.coverageIndex === 'await') await loaded;
    app.addHook('onClose', async () => index.stop());
  }
  const lookups = coverageLookups(readSql, index);
  const estimates = options.estimates === false ? null : new HotspotEstimates(options.sql, undefined, { onError: (error) => app.log.warn({ err: error }, 'hotspot estimates reload failed') });
  if (estimates) {
    const loaded = estimates.start();
    if (options.estimates === 'await' || options.coverageIndex === 'await') await loaded;
    app.addHook('onClose', async () => estimates.stop());
  }

  const mapperMeasurements = options.mapperMeasurements === false ? null : new MapperMeasurements(readSql, { onError: (error) => app.log.warn({ err: error }, 'mapper measurements reload failed') });
  if (mapperMeasurements) {
    const loaded = mapperMeasurements.start();
    if (options.mapperMeasurements === 'await' || options.coverageIndex === 'await') await loaded;
    app.addHook('onClose', async () => mapperMeasurements.stop());
  }

  await app.register(
    async (carriers) =>
      coverageV1Routes(carriers, {
        sql: options.sql,
        readSql,
        freshness,
        requireApiKey: options.requireApiKey ?? true,
        lookups,
        estimates,
        mapperMeasurements,
        keylessRateLimitPerMinute: publicLimit,
        invalidApiKeysPerMinute: options.invalidApiKeysPerMinute ?? 20,
      }),
    { prefix: '/v1' },
  );
  await app.register(
    async (map) => {
      await map.register(rateLimit, perAddressRateLimit(publicLimit));
      await mapApiRoutes(map, { sql: readSql, freshness, activeWindowMs, mapStyleUrl: options.mapStyleUrl ?? null, lookups });
      await mapperMapRoutes(map, { sql: readSql });
    },
    { prefix: '/api/v1' },
  );
  await app.register(async (mappers) => {
    await mappers.register(rateLimit, perAddressRateLimit(options.mapperLogRateLimitPerMinute ?? 30));
    await mapperLogRoutes(mappers, { sql: options.sql, graceSeconds: options.mapperLogGraceSeconds ?? 600 });
  });
  await app.register(async (registrations) => {
    await registrations.register(rateLimit, perAddressRateLimit(options.mapperRegistrationRateLimitPerMinute ?? 10));
    await mapperRegisterRoutes(registrations, { sql: options.sql });
  });
  await app.register(async (onboarding) => {
    // The onboarding handlers parse their own input (their schemas are JSON Schema for the document only).
    onboarding.setValidatorCompiler(() => () => true);
    await onboarding.register(rateLimit, perAddressRateLimit(publicLimit));
    await onboardingRoutes(onboarding, { sql: options.sql, service: options.onboarding ?? null, bridgeApiUrl: options.bridgeApiUrl });
  });

  await app.register(fastifyStatic, { root: PUBLIC_DIR, index: ['index.html'], cacheControl: true, maxAge: 0 });
  app.get('/onboard', { schema: { hide: true } }, (_req, reply) => reply.sendFile('onboard.html'));
  return app;
}
