/**
 * `npm run cluster:backlog -- [reports] [prefetch]`: the oracle's memory with a large backlog on the clustered broker
 * (docs/operations.md "Clustered broker"). Starts the 3-node RabbitMQ cluster and the auth service, queues `reports`
 * (default 1,000,000) pre-signed reports straight into amq.topic over AMQP while no oracle runs, then starts one oracle
 * process on the quorum queue and samples, every second until the queue is drained: queue depth, reports stored,
 * the oracle's reports in flight (≤ prefetch) and its heap. The test (test/cluster) does the same with 5,000.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sha256Hex, startBrokerAuthService } from '@poc/broker';
import { connectDatabase, migrate } from '@poc/db';
import { startChildOracle } from '@poc/devnet/child-oracle';
import { startEmbeddedPostgres } from '@poc/devnet/postgres';
import { startRabbitCluster } from '@poc/devnet/rabbitmq-cluster';
import { ORACLE_MIGRATIONS_DIR } from '@poc/oracle/migrations';
import { encodeReportPayload, generateHotspotKeypair, reportTopic, signWitnessReport } from '@poc/protocol';
import amqp from 'amqplib';
import { randomBytes } from 'node:crypto';

const reports = Number(process.argv[2] ?? 1_000_000);
const prefetch = Number(process.argv[3] ?? 1000);
if (!(Number.isInteger(reports) && reports > 0 && reports <= 5_000_000)) throw new Error('reports: 1 … 5,000,000');
const HOTSPOTS = 1000;
const QUEUE = 'poc.reports';
const LOADER_PASSWORD = randomBytes(12).toString('hex');
const ORACLE_PASSWORD = randomBytes(12).toString('hex');
const WORKER = fileURLToPath(new URL('../test/cluster/oracle-worker.ts', import.meta.url));
const mb = (bytes: number) => (bytes / 1048576).toFixed(1);

const dataDir = mkdtempSync(join(tmpdir(), 'cluster-backlog-'));
const pg = await startEmbeddedPostgres({ dataDir, database: 'backlog', persistent: false });
const sql = connectDatabase(pg.url);
await migrate(sql, [ORACLE_MIGRATIONS_DIR]);
const auth = await startBrokerAuthService({
  access: {
    services: [
      { username: 'oracle', passwordSha256: sha256Hex(ORACLE_PASSWORD), role: 'oracle' },
      { username: 'loader', passwordSha256: sha256Hex(LOADER_PASSWORD), role: 'relay' },
    ],
  },
});
const cluster = await startRabbitCluster({ authServiceUrl: auth.url, readinessLogin: { username: 'oracle', password: ORACLE_PASSWORD } });
const oracleKeys = generateHotspotKeypair();
const workerConfig = {
  databaseUrl: pg.url,
  mqttUrl: `mqtt://oracle:${ORACLE_PASSWORD}@127.0.0.1:${cluster.nodes[0]!.mqttPort}`,
  amqpUrls: cluster.nodes.map((_, i) => cluster.amqpUrlFor(i, 'oracle', ORACLE_PASSWORD)),
  queue: QUEUE,
  prefetch,
  oracleSecretHex: Buffer.from(oracleKeys.secretKey).toString('hex'),
};

try {
  // The oracle declares and binds the queue; stop it so the whole backlog waits in the cluster.
  const first = await startChildOracle(WORKER, workerConfig);
  await first.stop();

  const started = Date.now();
  const hotspots = Array.from({ length: HOTSPOTS }, () => generateHotspotKeypair());
  const connection = await amqp.connect(cluster.amqpUrlFor(1, 'loader', LOADER_PASSWORD));
  const channel = await connection.createConfirmChannel();
  const now = BigInt(Date.now()) * 1_000_000n;
  // Built per hotspot, so consecutive publishes share a routing key (RabbitMQ caches a few topic-permission answers per channel).
  const perHotspot = Math.ceil(reports / HOTSPOTS);
  let queued = 0;
  for (const keys of hotspots) {
    const topic = reportTopic('EU868', keys.address, 'witness').replaceAll('/', '.');
    for (let i = 0; i < perHotspot && queued < reports; i++, queued++) {
      const report = signWitnessReport(
        { pub_key: keys.address, data: new Uint8Array(randomBytes(52)), timestamp: now + BigInt(queued), tmst: queued, signal: -1000, snr: 50, frequency: 868_100_000, datarate: 'SF7BW125' },
        keys.privateKeyObject,
      );
      channel.publish('amq.topic', topic, encodeReportPayload('witness', report), { persistent: true });
    }
    await channel.waitForConfirms();
    if (queued % 100_000 < perHotspot) console.log(`queued ${queued} (${((Date.now() - started) / 1000).toFixed(0)} s)`);
  }
  const depth = async () => (await channel.checkQueue(QUEUE)).messageCount;
  console.log(`BACKLOG queued ${await depth()} reports in ${((Date.now() - started) / 1000).toFixed(0)} s; starting one oracle with prefetch ${prefetch}`);

  const worker = await startChildOracle(WORKER, workerConfig);
  const stats = () =>
    new Promise<{ amqp: { maxInflight: number; inflight: number }; heapUsed: number }>((resolve) => {
      const onData = (chunk: Buffer) => {
        const line = chunk.toString().split('\n').find((l) => l.startsWith('STATS '));
        if (!line) return;
        worker.process.stdout!.off('data', onData);
        resolve(JSON.parse(line.slice(6)));
      };
      worker.process.stdout!.on('data', onData);
      worker.process.kill('SIGUSR2');
    });
  const drainStart = Date.now();
  const deadline = drainStart + Number(process.env.CLUSTER_BACKLOG_MAX_SECONDS ?? 3600) * 1000;
  console.log('seconds | queue depth | stored | oracle in flight (max) | oracle heap MB');
  let maxHeap = 0;
  let maxInflight = 0;
  for (;;) {
    const s = await stats();
    const [row] = await sql<{ n: bigint }[]>`SELECT count(*) AS n FROM witness_reports`;
    const left = await depth();
    maxHeap = Math.max(maxHeap, s.heapUsed);
    maxInflight = Math.max(maxInflight, s.amqp.maxInflight);
    console.log(`${((Date.now() - drainStart) / 1000).toFixed(0)} | ${left} | ${row!.n} | ${s.amqp.inflight} (${s.amqp.maxInflight}) | ${mb(s.heapUsed)}`);
    if (Number(row!.n) >= reports || Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 5000));
  }
  const [final] = await sql<{ n: bigint }[]>`SELECT count(*) AS n FROM witness_reports`;
  console.log(
    `BACKLOG ${reports} reports: stored ${final!.n} in ${((Date.now() - drainStart) / 1000).toFixed(0)} s, ` +
      `max in flight ${maxInflight} (prefetch ${prefetch}), max heap ${mb(maxHeap)} MB`,
  );
  await worker.stop();
  await connection.close();
} finally {
  await cluster.stop();
  await auth.stop();
  await sql.end({ timeout: 5 });
  await pg.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
