/**
 * An oracle in its own process for fault tests (the test SIGKILLs it). Config comes as JSON in ORACLE_CHILD_CONFIG;
 * prints "READY" on stdout once it ingests, and one line of JSON stats on SIGUSR2.
 */
import { keypairFromSecret } from '@poc/protocol';
import pino from 'pino';
import { guardAgainstDriverTypeFetchFailures } from '@poc/db';
import { startOracle } from '@poc/oracle';

const config = JSON.parse(process.env.ORACLE_CHILD_CONFIG ?? '{}') as {
  databaseUrl: string;
  mqttUrl: string;
  mqttClientId: string;
  oracleSecretHex: string;
  sharedSubscriptionGroup?: string | null;
  epochSeconds?: number;
  beaconIntervalSeconds?: number;
  entropyIntervalSeconds?: number;
  workerThreads?: number;
};

const logger = pino({ level: process.env.ORACLE_CHILD_LOG ?? 'silent' }, pino.destination(2));
// As a deployed oracle process would: survive the driver's type-fetch rejection when PostgreSQL dies under it.
guardAgainstDriverTypeFetchFailures(logger);
const oracle = await startOracle({
  databaseUrl: config.databaseUrl,
  mqttUrl: config.mqttUrl,
  mqttClientId: config.mqttClientId,
  sharedSubscriptionGroup: config.sharedSubscriptionGroup ?? null,
  oracleKeypair: keypairFromSecret(Buffer.from(config.oracleSecretHex, 'hex')),
  epochSeconds: config.epochSeconds ?? 3600,
  beaconIntervalSeconds: config.beaconIntervalSeconds ?? 60,
  entropyIntervalSeconds: config.entropyIntervalSeconds ?? 60,
  emissionPerEpoch: 1_000_000n,
  witnessGraceSeconds: 1,
  logger,
  workerThreads: config.workerThreads ?? 1,
});
process.on('SIGUSR2', () => process.stdout.write(`${JSON.stringify(oracle.stats())}\n`));
process.on('SIGTERM', () => void oracle.stop().then(() => process.exit(0)));
process.stdout.write('READY\n');
