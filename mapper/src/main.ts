#!/usr/bin/env node
/**
 * `poc-mapper`: the coverage map, the carriers' API and the onboarding app as a deployable process. Settings come
 * from the environment (or a JSON file named by `--config FILE` / POC_MAPPER_CONFIG); `poc-mapper --help` lists
 * them. docs/operations.md#7-deployment shows the systemd unit.
 */
import { guardAgainstDriverTypeFetchFailures } from '@poc/db';
import { readKeypairFile } from '@poc/sdk';
import { isMain, logLevel, port, runServiceMain, type TaskRunner } from '@poc/service';
import type { Logger } from 'pino';
import { z } from 'zod';
import { startMapper, type RunningMapper, type StartMapperOptions } from './index';

export const mapperSettingsSchema = z.object({
  DATABASE_URL: z.url().describe("PostgreSQL with the oracle's schema (apply the oracle's migrations first); the mapper applies its own"),
  READ_DATABASE_URL: z.url().optional().describe('A streaming replica of DATABASE_URL for the read-only queries (map, coverage API); unset: reads go to DATABASE_URL'),
  READ_DATABASE_MAX_LAG_SECONDS: z.coerce.number().min(0).default(30).describe('Replica lag above which reads go to the primary (or fail, with READ_DATABASE_FALLBACK=none)'),
  READ_DATABASE_FALLBACK: z.enum(['primary', 'none']).default('primary').describe('When the replica is down or lagging: read from DATABASE_URL, or report not ready (/readyz 503) and answer reads 503'),
  HOST: z.string().default('127.0.0.1').describe('Listen address'),
  PORT: port.default(8080).describe('Listen port'),
  MAPPER_OPS_PORT: port.optional().describe('Ops listener (on HOST) for /metrics, /healthz, /readyz; the map port serves no metrics. Unset: no ops listener'),
  POC_BEACON_INTERVAL_SECONDS: z.coerce.number().int().min(10).default(21_600).describe('Hotspots\' beacon interval; a hotspot is active when heard within 3 intervals'),
  SOLANA_RPC_URL: z.url().optional().describe('Solana JSON-RPC for the onboarding app; without it the onboarding endpoints answer chain_not_configured'),
  POC_MAKER_KEYPAIR: z.string().optional().describe("The maker's authority, a Solana keypair file (JSON array of 64 bytes), that co-signs onboarding"),
  POC_MAKER_NAME: z.string().default('Maker').describe('Maker name shown in the onboarding app'),
  POC_PROGRAM_ID: z.string().optional().describe('poc-network program id (default: the id the program is built with)'),
  POC_CLUSTER_NAME: z.string().optional().describe('Cluster name shown to owners, e.g. "mainnet-beta"'),
  POC_AIRDROP_SOL: z.coerce.number().min(0).default(0).describe('SOL the onboarding app may airdrop to a new wallet (local chain or devnet only)'),
  MAP_STYLE_URL: z.url().optional().describe('MapLibre style JSON of a street basemap (e.g. OpenStreetMap-based vector tiles) for browsers with network access; unset: the bundled offline Natural Earth basemap'),
  LOG_LEVEL: logLevel.default('info').describe('pino level'),
});

export type MapperSettings = z.output<typeof mapperSettingsSchema>;


/** The options `startMapper` takes, from settings; `npm start` adds its local chain and hotspot. */
export function mapperOptions(settings: MapperSettings, log: Logger): StartMapperOptions {
  const chain =
    settings.SOLANA_RPC_URL && settings.POC_MAKER_KEYPAIR
      ? {
          rpcUrl: settings.SOLANA_RPC_URL,
          programId: settings.POC_PROGRAM_ID,
          maker: readKeypairFile(settings.POC_MAKER_KEYPAIR),
          makerName: settings.POC_MAKER_NAME,
          airdropSol: settings.POC_AIRDROP_SOL,
          clusterName: settings.POC_CLUSTER_NAME,
        }
      : null;
  return {
    databaseUrl: settings.DATABASE_URL,
    readDatabaseUrl: settings.READ_DATABASE_URL,
    readReplica: { maxLagSeconds: settings.READ_DATABASE_MAX_LAG_SECONDS, fallback: settings.READ_DATABASE_FALLBACK },
    host: settings.HOST,
    port: settings.PORT,
    logger: log,
    activeWindowMs: 3 * settings.POC_BEACON_INTERVAL_SECONDS * 1000,
    mapStyleUrl: settings.MAP_STYLE_URL ?? null,
    ops: settings.MAPPER_OPS_PORT === undefined ? undefined : { host: settings.HOST, port: settings.MAPPER_OPS_PORT },
    chain,
  };
}

export async function startMapperService(options: StartMapperOptions, tasks: TaskRunner): Promise<RunningMapper> {
  return tasks.start('map server', () => startMapper(options));
}

if (isMain(import.meta.url)) {
  void runServiceMain({
    name: 'poc-mapper',
    summary: "coverage map, carriers' API and onboarding app.",
    schema: mapperSettingsSchema,
    fileVariable: 'POC_MAPPER_CONFIG',
    prepare: guardAgainstDriverTypeFetchFailures,
    start: async (settings, log, tasks) => {
      const mapper = await startMapperService(mapperOptions(settings, log), tasks);
      return { url: mapper.url, ops: mapper.opsUrl };
    },
  });
}
