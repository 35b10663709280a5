#!/usr/bin/env node
/**
 * `poc-oracle`: the oracle as a deployable process. Settings come from the environment (or a JSON file named by
 * `--config FILE` / POC_ORACLE_CONFIG); `poc-oracle --help` lists them. docs/operations.md#7-deployment shows the
 * systemd unit.
 */
import { hostname } from 'node:os';
import { startOpsServer } from '@poc/broker';
import { guardAgainstDriverTypeFetchFailures } from '@poc/db';
import { loadKeyFile } from '@poc/protocol';
import { PocNetworkClient, readKeypairFile } from '@poc/sdk';
import { isMain, logLevel, port, runServiceMain, SettingsError, type TaskRunner } from '@poc/service';
import { PublicKey } from '@solana/web3.js';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { z } from 'zod';
import { startOracle, type OracleConfig, type RunningOracle } from './index';
import { readKeySealFile } from './mappers/key-seal-file';
import { DEFAULT_LOCATION_SCHEDULE } from './plausibility/location-schedule';

const seconds = (min: number) => z.coerce.number().int().min(min);

export const oracleSettingsSchema = z.object({
  DATABASE_URL: z.url().describe('PostgreSQL the oracle owns (it applies its migrations at start)'),
  MQTT_URL: z.url().describe('Broker with the service account in the URL, e.g. mqtt://oracle:SECRET@broker:1883'),
  POC_ORACLE_KEY_FILE: z.string().min(1).describe('Ed25519 key file that signs entropy (poc-bridge keygen format, mode 0600)'),
  SOLANA_RPC_URL: z.url().optional().describe('Solana JSON-RPC; with POC_ORACLE_SOLANA_KEYPAIR the oracle writes reward roots and mirrors the registry'),
  POC_ORACLE_SOLANA_KEYPAIR: z.string().optional().describe("The program's oracle authority: a Solana keypair file (JSON array of 64 bytes)"),
  POC_PROGRAM_ID: z.string().optional().describe('poc-network program id (default: the id the program is built with)'),
  POC_EPOCH_SECONDS: seconds(10).default(86_400).describe('Reward epoch length'),
  POC_BEACON_INTERVAL_SECONDS: seconds(10).default(21_600).describe("Hotspots' beacon interval (HIP-15: 6 h), used for staleness and reciprocity"),
  POC_ENTROPY_INTERVAL_SECONDS: seconds(5).default(60).describe('How often signed entropy is published'),
  POC_WITNESS_GRACE_SECONDS: seconds(1).default(10).describe('Wait after the witness lateness limit before a PoC is final'),
  POC_EMISSION_PER_EPOCH: z.coerce.bigint().positive().optional().describe("Tokens per epoch in base units; default: the chain's emission schedule (required without a chain)"),
  POC_COVERAGE_HISTORY_DAYS: seconds(1).default(90).describe('Days of daily coverage history kept for time-filtered map queries'),
  POC_REJECTED_MESSAGES_DAYS: seconds(1).default(14).describe('Whole UTC days of rejected messages (one row per day, topic, reason and payload, with a count) kept before today'),
  POC_REPORT_RETENTION_DAYS: seconds(1).default(30).describe("Whole UTC days of beacon and witness reports (by the report's timestamp) kept before today; older daily partitions are dropped"),
  POC_PARTITIONS_AHEAD_DAYS: seconds(1).default(7).describe('Daily partitions of the report, rejection and coverage history tables created ahead of today'),
  POC_REWARD_TREE_EPOCHS: seconds(1).default(48).describe("Epochs whose stored reward trees (proof lookups) are kept besides the newest confirmed epoch's"),
  POC_SHARED_SUBSCRIPTION_GROUP: z.string().regex(/^[\w-]+$/).optional().describe('Several oracles split the report stream with $share/<group>/… (mosquitto, EMQX)'),
  POC_AMQP_URLS: z
    .string()
    .transform((text) => text.split(',').map((u) => u.trim()).filter(Boolean))
    .pipe(z.array(z.url().refine((u) => /^amqps?:/.test(u), 'an amqp:// or amqps:// URL')).min(1))
    .optional()
    .describe('RabbitMQ cluster: comma-separated AMQP URLs of its nodes with the service account; reports then come from a quorum queue (docs/operations.md "Clustered broker")'),
  POC_AMQP_QUEUE: z.string().regex(/^poc\.[\w.-]+$/).default('poc.reports').describe('Quorum queue the oracles share as competing consumers'),
  POC_AMQP_PREFETCH: z.coerce.number().int().min(1).max(65_535).default(1000).describe("Unacknowledged reports per oracle process at most (AMQP prefetch): the broker's flow control"),
  POC_INGEST_MAX_HELD: z.coerce.number().int().min(1).max(1_000_000).default(4_000).describe("Unacknowledged MQTT reports at most; at the bound the oracle stops reading its socket (memory stays bounded even on brokers that ignore their in-flight window)"),
  POC_MQTT_CLIENT_ID: z.string().min(1).default(`poc-oracle-${hostname()}`).describe('Stable client id: the broker keeps queued reports while the oracle restarts'),
  POC_WORKER_THREADS: z.coerce.number().int().min(0).optional().describe('Ed25519 verification threads (default: all cores; 0 = main thread)'),
  POC_MAPPER_KEY_SEAL_FILE: z.string().min(1).optional().describe('Key-seal secret (mapper-device seal-keygen, mode 0600) that opens mapper device keys; without it mapper receipts are not consumed'),
  POC_MAPPER_LOG_GRACE_SECONDS: z.coerce.number().int().min(10).max(86_400).default(600).describe('Wait this long after a logged mapper frame was sent for late receipts before it counts as measured no-signal'),
  POC_LOCATION_CHECKS_PER_REFRESH: z.coerce.number().int().min(1).max(1_000_000).default(DEFAULT_LOCATION_SCHEDULE.maxHotspotsPerRefresh).describe("Hotspots whose location check (~20–90 ms each) a trust refresh re-runs at most, most overdue first; the others keep their verdict (oracle/README.md §Location check)"),
  POC_LOCATION_RECHECK_HOURS: z.coerce.number().positive().max(8_760).default(DEFAULT_LOCATION_SCHEDULE.recheckHours).describe('A hotspot without new receptions or a new location is re-checked after this long (its links age out of the 7-day window)'),
  POC_REGISTRY_SYNC_SECONDS: seconds(5).default(60).describe('How often hotspots are mirrored from the chain'),
  OPS_HOST: z.string().default('127.0.0.1').describe('Address of /metrics, /healthz, /readyz'),
  OPS_PORT: port.default(9464).describe('Port of /metrics, /healthz, /readyz'),
  LOG_LEVEL: logLevel.default('info').describe('pino level; per-report lines are debug'),
});

export type OracleSettings = z.output<typeof oracleSettingsSchema>;


/** What the oracle needs from the chain, when one is configured. */
async function chainParts(
  settings: OracleSettings,
): Promise<Pick<OracleConfig, 'chainWriter' | 'registryClient' | 'blockhashSource'> & { emission?: OracleConfig['emissionPerEpoch']; close?: () => void }> {
  if (!settings.SOLANA_RPC_URL || !settings.POC_ORACLE_SOLANA_KEYPAIR) return {};
  const client = PocNetworkClient.connect(settings.SOLANA_RPC_URL, readKeypairFile(settings.POC_ORACLE_SOLANA_KEYPAIR), {
    programId: settings.POC_PROGRAM_ID ? new PublicKey(settings.POC_PROGRAM_ID) : undefined,
  });
  const network = await client.fetchNetwork();
  return {
    chainWriter: client,
    registryClient: client,
    blockhashSource: () => client.latestBlockhash(),
    emission: network ? (epoch: bigint) => PocNetworkClient.emissionForEpoch(network, epoch) : undefined,
    close: () => client.close(),
  };
}

/** What a host process adds to the oracle's ops endpoints (npm start serves the embedded broker's there too). */
export interface OpsExtras {
  registries: Registry[];
  readiness: () => { ready: boolean; detail: unknown };
}

/** Starts the oracle and its ops endpoints under `tasks`; `npm start` and the `poc-oracle` bin both come here. */
export async function startOracleService(
  settings: OracleSettings,
  log: Logger,
  tasks: TaskRunner,
  extra: Partial<OracleConfig> = {},
  ops: OpsExtras = { registries: [], readiness: () => ({ ready: true, detail: 'none' }) },
): Promise<RunningOracle & { opsUrl: string }> {
  const chain = await chainParts(settings);
  // Added before the oracle, so stopped after it: no write is left to use the client.
  if (chain.close) tasks.add({ name: 'chain client', stop: async () => chain.close?.() });
  const emissionPerEpoch = extra.emissionPerEpoch ?? settings.POC_EMISSION_PER_EPOCH ?? chain.emission;
  if (emissionPerEpoch === undefined) throw new SettingsError('POC_EMISSION_PER_EPOCH is required when no chain (SOLANA_RPC_URL + POC_ORACLE_SOLANA_KEYPAIR) gives the emission schedule');
  const oracle = await tasks.start('oracle', () =>
    startOracle({
      databaseUrl: settings.DATABASE_URL,
      mqttUrl: settings.MQTT_URL,
      sharedSubscriptionGroup: settings.POC_SHARED_SUBSCRIPTION_GROUP ?? null,
      ingestMaxHeld: settings.POC_INGEST_MAX_HELD,
      oracleKeypair: loadKeyFile(settings.POC_ORACLE_KEY_FILE),
      epochSeconds: settings.POC_EPOCH_SECONDS,
      beaconIntervalSeconds: settings.POC_BEACON_INTERVAL_SECONDS,
      entropyIntervalSeconds: settings.POC_ENTROPY_INTERVAL_SECONDS,
      witnessGraceSeconds: settings.POC_WITNESS_GRACE_SECONDS,
      coverageHistoryDays: settings.POC_COVERAGE_HISTORY_DAYS,
      rejectedMessagesDays: settings.POC_REJECTED_MESSAGES_DAYS,
      reportRetentionDays: settings.POC_REPORT_RETENTION_DAYS,
      partitionsAheadDays: settings.POC_PARTITIONS_AHEAD_DAYS,
      rewardTreeEpochs: settings.POC_REWARD_TREE_EPOCHS,
      registrySyncSeconds: settings.POC_REGISTRY_SYNC_SECONDS,
      locationSchedule: { maxHotspotsPerRefresh: settings.POC_LOCATION_CHECKS_PER_REFRESH, recheckHours: settings.POC_LOCATION_RECHECK_HOURS },
      mapperKeySeal: settings.POC_MAPPER_KEY_SEAL_FILE ? readKeySealFile(settings.POC_MAPPER_KEY_SEAL_FILE) : null,
      mapperLogGraceMs: settings.POC_MAPPER_LOG_GRACE_SECONDS * 1000,
      workerThreads: settings.POC_WORKER_THREADS,
      mqttClientId: settings.POC_MQTT_CLIENT_ID,
      amqp: settings.POC_AMQP_URLS ? { urls: settings.POC_AMQP_URLS, queue: settings.POC_AMQP_QUEUE, prefetch: settings.POC_AMQP_PREFETCH } : null,
      logger: log,
      chainWriter: chain.chainWriter,
      registryClient: chain.registryClient,
      blockhashSource: chain.blockhashSource,
      ...extra,
      emissionPerEpoch,
    }),
  );
  const opsServer = await tasks.start('oracle ops endpoints', () =>
    startOpsServer({
      host: settings.OPS_HOST,
      port: settings.OPS_PORT,
      registries: [oracle.metrics, ...ops.registries],
      readiness: async () => {
        const own = await oracle.readiness();
        const host = ops.readiness();
        return { ready: own.ready && host.ready, detail: { ...own.detail, ...(ops.registries.length ? { host: host.detail } : {}) } };
      },
    }),
  );
  return Object.assign(oracle, { opsUrl: opsServer.url });
}

if (isMain(import.meta.url)) {
  void runServiceMain({
    name: 'poc-oracle',
    summary: 'verifies PoC reports, stores coverage, computes epoch rewards and writes their roots on chain.',
    schema: oracleSettingsSchema,
    fileVariable: 'POC_ORACLE_CONFIG',
    prepare: guardAgainstDriverTypeFetchFailures,
    start: async (settings, log, tasks) => {
      await startOracleService(settings, log, tasks);
      return { ops: `http://${settings.OPS_HOST}:${settings.OPS_PORT}` };
    },
  });
}
