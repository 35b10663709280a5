import type { HotspotKeypair, KeySealKeypair } from '@poc/protocol';
import mqtt, { type MqttClient } from 'mqtt';
import { availableParallelism, hostname } from 'node:os';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { DEFAULT_COVERAGE_HISTORY_DAYS } from './coverage/coverage';
import { refreshHotspotAvailability } from './coverage/availability';
import { CALIBRATION_REFRESH_MS, refreshConfidenceCalibration } from './coverage/confidence-calibration';
import { refreshEstimatedCoverage } from './coverage/estimated';
import { radioPredictor } from './coverage/radio-predictor';
import { connectDatabase } from '@poc/db';
import { databaseReadiness } from '@poc/db';
import { migrate } from '@poc/db';
import { ORACLE_MIGRATIONS_DIR } from './migrations';
import { startEntropyPublisher, type BlockhashSource } from './entropy/publisher';
import type { ChainWriter } from '@poc/sdk';
import { advanceSubmission, computeDueEpochs } from './epochs/runner';
import { IngestWorkerPool } from './ingest/worker-pool';
import { ReportSubscriber } from './ingest/subscriber';
import { MapperReceiptSubscriber } from './mappers/subscriber';
import { AmqpReportConsumer, type AmqpConsumerSettings } from './ingest/amqp-consumer';
import { DEFAULT_REJECTED_MESSAGES_DAYS } from './ingest/store';
import { DEFAULT_PARTITIONS_AHEAD_DAYS, DEFAULT_REPORT_RETENTION_DAYS, maintainPartitions, oraclePartitionedTables } from './db/partitions';
import { createOracleMetrics } from './metrics';
import type { LocationSchedule } from './plausibility/location-schedule';
import { updateTrustScores } from './plausibility/trust';
export { DEFAULT_TRUST_PARAMS } from './plausibility/trust';
import { syncRegistryFromChain, type RegistryChainClient } from './registry/registry';
import { HexDensityCache } from './rewards/density-cache';
import { markStaleReports, processPendingPocs } from './verify/processor';

export type { ChainWriter, RewardsRootSubmission, TransactionState } from '@poc/sdk';
export type { ChainRegistryEntry, HotspotRecord, RegistryChainClient } from './registry/registry';
export { denyEdges, denyHotspots, regionForLocation, syncRegistryFromChain, upsertHotspots } from './registry/registry';
export { registerMapperDevice, type RegistrationOutcome } from './mappers/devices';
export { readKeySealFile } from './mappers/key-seal-file';
export { rewardProof, computeEpoch, computeDueEpochs, advanceSubmission, epochOf } from './epochs/runner';
export { REPORT_BINDING_KEYS, type AmqpConsumerSettings } from './ingest/amqp-consumer';
export { INVALID_REASON_CODES, type InvalidReason, type IngestRejection } from './verify/reasons';
export type { BlockhashSource } from './entropy/publisher';

export interface OracleConfig {
  databaseUrl: string;
  mqttUrl: string;
  /** `$share/<group>/…` subscriptions so several oracles split the report stream (mosquitto/EMQX); null for aedes. */
  sharedSubscriptionGroup: string | null;
  /** Unacknowledged MQTT reports at most before the oracle stops reading the socket (default 4 × the 1,000-report batch). */
  ingestMaxHeld?: number;
  /** Signs entropy; bridges trust this key's address. */
  oracleKeypair: HotspotKeypair;
  epochSeconds: number;
  beaconIntervalSeconds: number;
  entropyIntervalSeconds: number;
  /** Tokens per epoch in base units (decimals 6), or a pure schedule of the epoch number (halving). */
  emissionPerEpoch: bigint | ((epoch: bigint) => bigint);
  /** Wait after the 4 s lateness limit before a PoC is finalised (witnesses still in flight). */
  witnessGraceSeconds: number;
  chainWriter?: ChainWriter | null;
  /** Recent chain blockhash for entropy; random bytes when absent. */
  blockhashSource?: BlockhashSource | null;
  /** Mirrors hotspots from the chain every `registrySyncSeconds` when given. */
  registryClient?: RegistryChainClient | null;
  registrySyncSeconds?: number;
  logger: Logger;
  /** Ed25519 verification threads (default: all cores). 0 verifies on the main thread. */
  workerThreads?: number;
  /** Publish entropy from this instance (default true). */
  publishEntropy?: boolean;
  /** Stable MQTT client id: the broker keeps the session (queued QoS 1 reports) while the oracle restarts. */
  mqttClientId?: string;
  /**
   * Reports from a RabbitMQ cluster's quorum queue over AMQP instead of MQTT subscriptions (docs/operations.md
   * "Clustered broker"); MQTT then carries entropy only.
   */
  amqp?: AmqpConsumerSettings | null;
  /**
   * Opens mapper device keys (oracle/README.md §Mappers). Given: the oracle consumes mapper receipts and turns plausible
   * frames into coverage; absent: receipts stay with the broker.
   */
  mapperKeySeal?: KeySealKeypair | null;
  /** How long the receipts of one mapper frame are collected before it is judged (default 10 s). */
  mapperGroupWindowMs?: number;
  /** Grace for late receipts before a logged, unheard mapper frame is measured no-signal (default 10 min). */
  mapperLogGraceMs?: number;
  /** Run migrations at start (default true). */
  migrate?: boolean;
  densityRefreshSeconds?: number;
  trustRefreshSeconds?: number;
  /** Location checks per trust refresh and recheck interval (plausibility/location-schedule.ts; default 500, 24 h). */
  locationSchedule?: LocationSchedule;
  /** Whole UTC days of daily coverage history kept before today (default 90); older day partitions are dropped. */
  coverageHistoryDays?: number;
  /** Whole UTC days of rejected messages kept before today (default 14); older day partitions are dropped. */
  rejectedMessagesDays?: number;
  /** Whole UTC days of beacon and witness reports (by report timestamp) kept before today (default 30). */
  reportRetentionDays?: number;
  /** Daily partitions created ahead of today (default 7); maintenance runs at start and every 10 min. */
  partitionsAheadDays?: number;
  /** Epochs whose stored reward trees (proof lookups) are kept besides the newest confirmed one (default 48). */
  rewardTreeEpochs?: number;
  /** How often estimated coverage is brought up to date with moved or changed hotspots (default 60 s). */
  estimatedCoverageRefreshSeconds?: number;
}

export interface OracleHealth {
  mqttConnected: boolean;
  lastProcessAt: string | null;
  lastEpoch: string | null;
  lastError: string | null;
}

export interface OracleStats {
  messagesReceived: number;
  beaconsProcessed: number;
  witnessesProcessed: number;
  epochsComputed: number;
  staleMarked: number;
  /** With the AMQP consumer: deliveries received, acknowledged, held now and at most (≤ prefetch). */
  amqp?: ReturnType<AmqpReportConsumer['stats']>;
}

export interface RunningOracle {
  stop(): Promise<void>;
  metrics: Registry;
  health(): OracleHealth;
  /** Readiness: the broker connection and a `SELECT 1` round trip to PostgreSQL (bounded by `timeoutMs`). */
  readiness(timeoutMs?: number): Promise<{ ready: boolean; detail: Record<string, unknown> }>;
  stats(): OracleStats;
  /** Runs the PoC processor and epoch runner once now (tests, shutdown). */
  tick(): Promise<void>;
}

/** Runs `fn` every `ms` without overlapping runs; errors are logged, never thrown. */
function every(ms: number, fn: () => Promise<unknown>, onError: (e: unknown) => void) {
  let running = false;
  let stopped = false;
  const timer = setInterval(async () => {
    if (running || stopped) return;
    running = true;
    try {
      await fn();
    } catch (error) {
      if (!stopped) onError(error);
    } finally {
      running = false;
    }
  }, ms);
  return () => {
    stopped = true;
    clearInterval(timer);
  };
}

export async function startOracle(config: OracleConfig): Promise<RunningOracle> {
  const log = config.logger;
  const historyDays = config.coverageHistoryDays ?? DEFAULT_COVERAGE_HISTORY_DAYS;
  if (!Number.isInteger(historyDays) || historyDays < 1) throw new Error(`coverageHistoryDays must be a whole number ≥ 1, got ${historyDays}`);
  const rejectedDays = config.rejectedMessagesDays ?? DEFAULT_REJECTED_MESSAGES_DAYS;
  if (!Number.isInteger(rejectedDays) || rejectedDays < 1) throw new Error(`rejectedMessagesDays must be a whole number ≥ 1, got ${rejectedDays}`);
  const reportDays = config.reportRetentionDays ?? DEFAULT_REPORT_RETENTION_DAYS;
  if (!Number.isInteger(reportDays) || reportDays < 1) throw new Error(`reportRetentionDays must be a whole number ≥ 1, got ${reportDays}`);
  const partitionedTables = oraclePartitionedTables({ reportDays, rejectedMessagesDays: rejectedDays, coverageHistoryDays: historyDays });
  const aheadDays = config.partitionsAheadDays ?? DEFAULT_PARTITIONS_AHEAD_DAYS;
  const sql = connectDatabase(config.databaseUrl, { max: 10 });
  if (config.migrate ?? true) await migrate(sql, [ORACLE_MIGRATIONS_DIR]);
  const maintainPartitionsOnce = async () => {
    const done = await maintainPartitions(sql, partitionedTables, { aheadDays });
    if (done.created.length || done.dropped.length || done.movedFromDefault || done.deletedFromDefault) log.info(done, 'partitions maintained');
    if (done.skipped.length) log.debug({ skipped: done.skipped }, 'partition maintenance skipped tables (another oracle holds them or a lock wait timed out)');
  };
  await maintainPartitionsOnce();
  const metrics = createOracleMetrics();
  const pool = new IngestWorkerPool(config.workerThreads ?? availableParallelism());
  await pool.started();
  const density = new HexDensityCache();
  const estimatePredictor = radioPredictor();
  await density.refresh(sql);

  const clientId = config.mqttClientId ?? `poc-oracle-${hostname()}-${process.pid}-${Math.random().toString(16).slice(2, 8)}`;
  const client: MqttClient = mqtt.connect(config.mqttUrl, {
    clientId,
    clean: config.mqttClientId === undefined,
    reconnectPeriod: 1000,
    connectTimeout: 10_000,
  });
  const subscriber = new ReportSubscriber({ sql, client, pool, sharedSubscriptionGroup: config.sharedSubscriptionGroup, logger: log, metrics, maxHeld: config.ingestMaxHeld });
  subscriber.listen();
  const mappers = config.mapperKeySeal
    ? new MapperReceiptSubscriber({ sql, client, keySeal: config.mapperKeySeal, logger: log, sharedSubscriptionGroup: config.sharedSubscriptionGroup, groupWindowMs: config.mapperGroupWindowMs, logGraceMs: config.mapperLogGraceMs, metricsRegistry: metrics.registry })
    : null;
  mappers?.listen();
  await new Promise<void>((resolve, reject) => {
    const onError = (error: Error) => reject(error);
    client.once('error', onError);
    client.once('connect', () => {
      client.off('error', onError);
      resolve();
    });
  }).catch(async (error) => {
    client.end(true);
    await pool.close();
    await sql.end({ timeout: 5 });
    throw error;
  });
  if (!config.amqp) await subscriber.subscribe();
  const amqpConsumer = config.amqp ? new AmqpReportConsumer({ ...config.amqp, sql, pool, logger: log, metrics }) : null;
  await amqpConsumer?.start();
  await mappers?.subscribe();
  client.on('connect', (packet) => {
    if (!packet.sessionPresent) mappers?.subscribe().catch(onError('mapper receipt subscription'));
    // Without a kept session the broker forgot our subscriptions.
    if (!packet.sessionPresent && !config.amqp) client.subscribe(subscriber.filters(), { qos: 1 });
  });

  const health: OracleHealth = { mqttConnected: true, lastProcessAt: null, lastEpoch: null, lastError: null };
  const stats: OracleStats = { messagesReceived: 0, beaconsProcessed: 0, witnessesProcessed: 0, epochsComputed: 0, staleMarked: 0 };
  client.on('close', () => (health.mqttConnected = false));
  client.on('connect', () => (health.mqttConnected = true));
  const onError = (what: string) => (error: unknown) => {
    health.lastError = `${what}: ${(error as Error).message}`;
    log.error({ err: error }, `${what} failed`);
  };

  const entropy = (config.publishEntropy ?? true)
    ? startEntropyPublisher({
        sql,
        client,
        keypair: config.oracleKeypair,
        intervalSeconds: config.entropyIntervalSeconds,
        blockhash: config.blockhashSource ?? undefined,
        logger: log,
        onPublished: () => metrics.entropyPublished.inc(),
      })
    : null;

  const processOnce = async () => {
    for (;;) {
      const done = await processPendingPocs(sql, {
        beaconIntervalSeconds: config.beaconIntervalSeconds,
        witnessGraceMs: config.witnessGraceSeconds * 1000,
        density,
        metrics,
      });
      stats.beaconsProcessed += done.beacons;
      stats.witnessesProcessed += done.witnesses;
      health.lastProcessAt = new Date().toISOString();
      if (done.beacons < 500) return;
    }
  };
  const epochsOnce = async () => {
    const observeEpochDuration = metrics.epochComputeSeconds.startTimer();
    const computed = await computeDueEpochs(sql, { epochSeconds: config.epochSeconds, emissionPerEpoch: config.emissionPerEpoch, keepTreeEpochs: config.rewardTreeEpochs });
    if (computed.length > 0) observeEpochDuration();
    for (const epoch of computed) {
      log.info({ epoch: epoch.toString() }, 'epoch rewards computed');
      metrics.epochsComputed.inc();
      metrics.lastEpoch.set(Number(epoch));
      stats.epochsComputed++;
      health.lastEpoch = epoch.toString();
    }
    if (config.chainWriter) {
      for (let i = 0; i < 10; i++) {
        let step: Awaited<ReturnType<typeof advanceSubmission>>;
        try {
          step = await advanceSubmission(sql, config.chainWriter);
        } catch (error) {
          metrics.chainWrites.inc({ status: 'error' });
          throw error;
        }
        if (step) metrics.chainWrites.inc({ status: step.status });
        if (!step || step.status !== 'confirmed') break;
        log.info({ epoch: step.epoch.toString() }, 'epoch rewards root confirmed on chain');
      }
    }
  };

  const stops = [
    every(500, processOnce, onError('PoC processing')),
    every(Math.max(1000, Math.min(10_000, (config.epochSeconds * 1000) / 6)), epochsOnce, onError('epoch rewards')),
    every(60_000, async () => (stats.staleMarked += await markStaleReports(sql)), onError('stale purge')),
    every((config.densityRefreshSeconds ?? 60) * 1000, () => density.refresh(sql), onError('hex density')),
    every((config.trustRefreshSeconds ?? 60) * 1000, () => updateTrustScores(sql, undefined, undefined, config.locationSchedule), onError('trust scores')),
    every(
      (config.estimatedCoverageRefreshSeconds ?? 60) * 1000,
      async () => {
        // Availability first: a hotspot whose availability changed is re-estimated in the same round.
        await refreshHotspotAvailability(sql);
        return refreshEstimatedCoverage(sql, { predictor: estimatePredictor });
      },
      onError('estimated coverage'),
    ),
    every(10 * 60_000, maintainPartitionsOnce, onError('partition maintenance')),
    every(
      CALIBRATION_REFRESH_MS,
      async () => {
        const fitted = await refreshConfidenceCalibration(sql);
        if (fitted) log.info({ environment: fitted.environment, frames: fitted.map.frames, devices: fitted.devices, knots: fitted.map.raw.length, skipped: fitted.skipped }, 'confidence calibration fitted');
      },
      onError('confidence calibration'),
    ),
  ];
  if (config.registryClient) {
    const registryClient = config.registryClient;
    const sync = () => syncRegistryFromChain(sql, registryClient);
    await sync().catch(onError('registry sync'));
    stops.push(every((config.registrySyncSeconds ?? 30) * 1000, sync, onError('registry sync')));
  }
  log.info({ clientId, shared: config.sharedSubscriptionGroup, threads: pool.threads }, 'oracle started');

  return {
    metrics: metrics.registry,
    health: () => ({ ...health }),
    async readiness(timeoutMs = 2_000) {
      const database = await databaseReadiness(sql, timeoutMs);
      const amqpConnected = amqpConsumer?.stats().connected;
      return {
        ready: health.mqttConnected && database === 'up' && amqpConnected !== false,
        detail: { ...health, database, ...(amqpConsumer ? { amqpConnected } : {}) },
      };
    },
    stats: () => ({ ...stats, messagesReceived: subscriber.received + (amqpConsumer?.received ?? 0), ...(amqpConsumer ? { amqp: amqpConsumer.stats() } : {}) }),
    async tick() {
      await subscriber.flush();
      await amqpConsumer?.flush();
      await processOnce();
      await epochsOnce();
    },
    async stop() {
      for (const stop of stops) stop();
      await mappers?.stop();
      entropy?.stop();
      await client.endAsync();
      await subscriber.stop();
      await amqpConsumer?.stop();
      await pool.close();
      await sql.end({ timeout: 5 });
      log.info('oracle stopped');
    },
  };
}
export { recordCoverage, utcDay, type CoverageMeasurement } from './coverage/coverage';
export { refreshEstimatedCoverage, type EstimateRefreshResult } from './coverage/estimated';
export { AVAILABILITY_SLOT_HOURS, refreshHotspotAvailability, type AvailabilityRefreshResult } from './coverage/availability';
export { refreshConfidenceCalibration, type CalibrationRefreshResult } from './coverage/confidence-calibration';
export { estimatePoint, MIN_LINK_PROBABILITY, nearDistanceM, type EstimatedCell } from './coverage/estimate';
export { radioPredictor, uplinkFrequencyHz } from './coverage/radio-predictor';
export {
  INDOOR_PENETRATION_LOSS_DB,
  REFERENCE_DEVICE,
  type DeviceProfile,
  type EstimatingHotspot,
  type UplinkPredictor,
} from './coverage/uplink-predictor';
export { rewardShares } from './rewards/reward-units';
export { ORACLE_MIGRATIONS_DIR } from './migrations';
