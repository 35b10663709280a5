import type { Logger } from 'pino';
import { startOpsServer } from '@poc/broker';
import { Registry } from 'prom-client';
import { connectDatabase } from '@poc/db';
import { migrate } from '@poc/db';
import { MAPPER_MIGRATIONS_DIR } from './migrations';
import { OnboardingService, type MapperChainOptions } from './onboarding/service';
import { buildMapperServer } from './server';
import { assertWebBundleBuilt } from './paths';
import { ReadRouter, type ReadRouterOptions } from './read-replica';

export interface StartMapperOptions {
  databaseUrl: string;
  /** A streaming replica for the read-only queries (map, coverage API); reads use `databaseUrl` when absent. */
  readDatabaseUrl?: string;
  /** Lag limit, probe interval and fallback for the replica (read-replica.ts). */
  readReplica?: ReadRouterOptions;
  host?: string;
  port?: number;
  logger?: Logger | boolean;
  /** Chain connection for the onboarding app; null/absent disables the onboarding endpoints with a clear error. */
  chain?: MapperChainOptions | null;
  /** Address of the owner's bridge API the onboarding app suggests; the owner's browser calls it, this server never does. */
  bridgeApiUrl?: string;
  /** Apply pending migrations on start (idempotent; on by default). */
  migrate?: boolean;
  /** A hotspot counts as active when it beaconed or witnessed this recently (3 beacon intervals). */
  activeWindowMs?: number;
  /** Where request metrics go (kept across restarts by the caller); a new registry by default. */
  metricsRegistry?: Registry;
  /** Ops listener for /metrics, /healthz, /readyz (the map's own port has no /metrics); none when absent. */
  ops?: { host?: string; port?: number };
  /** MapLibre style URL of a street basemap (MAP_STYLE_URL); absent: the offline Natural Earth basemap. */
  mapStyleUrl?: string | null;
}

export interface RunningMapper {
  url: string;
  /** The ops listener's address, when one was asked for. */
  opsUrl: string | null;
  stop(): Promise<void>;
}

/** Serves the coverage map, the map's JSON API, the carriers' API and the onboarding app. */
export async function startMapper(options: StartMapperOptions): Promise<RunningMapper> {
  const sql = connectDatabase(options.databaseUrl, { max: 20 });
  const replica = options.readDatabaseUrl ? connectDatabase(options.readDatabaseUrl, { max: 20 }) : null;
  const readRouter = new ReadRouter(sql, replica, options.readReplica);
  await readRouter.start();
  const metricsRegistry = options.metricsRegistry ?? new Registry();
  if (options.migrate !== false) await migrate(sql, [MAPPER_MIGRATIONS_DIR]);
  assertWebBundleBuilt();
  const onboarding = options.chain ? new OnboardingService(options.chain) : null;
  const app = await buildMapperServer({
    sql,
    logger: options.logger ?? false,
    onboarding,
    bridgeApiUrl: options.bridgeApiUrl,
    activeWindowMs: options.activeWindowMs,
    mapStyleUrl: options.mapStyleUrl,
    metricsRegistry,
    readRouter,
  });
  const address = await app.listen({ host: options.host ?? '127.0.0.1', port: options.port ?? 0 });
  const url = address.replace('://[::1]', '://localhost');
  const ops = options.ops
    ? await startOpsServer({
        host: options.ops.host,
        port: options.ops.port,
        registries: [metricsRegistry],
        readiness: async () => {
          await sql`SELECT 1`;
          const reads = await readRouter.readiness();
          return { ready: reads.ready, detail: { database: 'ok', reads: reads.detail } };
        },
      })
    : null;
  return {
    url,
    opsUrl: ops?.url ?? null,
    async stop() {
      await ops?.stop();
      await app.close();
      onboarding?.client.close();
      readRouter.stop();
      await replica?.end({ timeout: 5 });
      await sql.end({ timeout: 5 });
    },
  };
}

export { buildMapperServer, type MapperServerOptions } from './server';
export { apiKeyVerifier, createApiKey, revokeApiKey } from './api-keys';
export { SIGNAL_CLASSES, signalClassOf } from './signal';
export type { MapperChainOptions } from './onboarding/service';
export { MAPPER_MIGRATIONS_DIR } from './migrations';
export { findMakerDevice, listMakerDevices, MakerDeviceError, markMakerDeviceOnboarded, registerMakerDevices, revokeMakerDevices, type MakerDevice } from './onboarding/maker-devices';
