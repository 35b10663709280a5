/**
 * An oracle process consuming the cluster's report queue over AMQP (the test SIGKILLs it). Config comes as JSON in
 * ORACLE_CHILD_CONFIG; prints "READY" once it consumes, and one line of JSON stats (with its heap) on SIGUSR2.
 */
import { keypairFromSecret } from '@poc/protocol';
import pino from 'pino';
import { guardAgainstDriverTypeFetchFailures } from '@poc/db';
import { startOracle } from '@poc/oracle';

const config = JSON.parse(process.env.ORACLE_CHILD_CONFIG ?? '{}') as {
  databaseUrl: string;
  mqttUrl: string;
  amqpUrls: string[];
  queue: string;
  prefetch: number;
  oracleSecretHex: string;
};

const logger = pino({ level: process.env.ORACLE_CHILD_LOG ?? 'silent' }, pino.destination(2));
guardAgainstDriverTypeFetchFailures(logger);
const oracle = await startOracle({
  databaseUrl: config.databaseUrl,
  mqttUrl: config.mqttUrl,
  sharedSubscriptionGroup: null,
  amqp: { urls: config.amqpUrls, queue: config.queue, prefetch: config.prefetch },
  oracleKeypair: keypairFromSecret(Buffer.from(config.oracleSecretHex, 'hex')),
  epochSeconds: 3600,
  beaconIntervalSeconds: 60,
  entropyIntervalSeconds: 60,
  publishEntropy: false,
  emissionPerEpoch: 1_000_000n,
  witnessGraceSeconds: 1,
  logger,
  workerThreads: 1,
});
process.on('SIGUSR2', () => process.stdout.write(`STATS ${JSON.stringify({ ...oracle.stats(), heapUsed: process.memoryUsage().heapUsed })}\n`));
process.on('SIGTERM', () => void oracle.stop().then(() => process.exit(0)));
process.stdout.write('READY\n');
