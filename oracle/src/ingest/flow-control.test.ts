import mqtt, { type MqttClient } from 'mqtt';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMosquitto, type MosquittoBroker } from '@poc/devnet/mosquitto';
import { createTestDatabase, type TestDatabase } from '@poc/devnet/test-database';
import { presignedWitnessStream, type PresignedReport } from '../../test/presigned-reports';
import { createOracleMetrics } from '../metrics';
import { ReportSubscriber } from './subscriber';
import { IngestWorkerPool } from './worker-pool';

/**
 * The oracle's ingest flow control against Debian's mosquitto 2.0.11 (which does not enforce its
 * max_inflight_messages 100) and a real PostgreSQL: a backlog queued for the oracle's session is taken in at most
 * `maxHeld` reports at a time, and batches go out when the window is used, not on a timer.
 */
let broker: MosquittoBroker;
let db: TestDatabase;
let pool: IngestWorkerPool;
const open: MqttClient[] = [];
const REPORTS = 2000;
let reports: PresignedReport[];

beforeAll(async () => {
  [broker, db] = await Promise.all([startMosquitto(), createTestDatabase()]);
  pool = new IngestWorkerPool(1);
  await pool.started();
  reports = presignedWitnessStream({ count: REPORTS, hotspots: 20, firstTimestampNs: BigInt(Date.now()) * 1_000_000n, spacingNs: 1_000_000n });
});
afterAll(async () => {
  for (const c of open) await c.endAsync(true).catch(() => undefined);
  await pool?.close();
  await broker?.stop();
  await db?.drop();
});

const connect = (clientId: string, manual = false) => {
  const client = mqtt.connect(broker.url, { clientId, clean: false, protocolVersion: 4, reconnectPeriod: 0, manualConnect: manual });
  open.push(client);
  return client;
};
const connected = (client: MqttClient) =>
  new Promise<void>((resolve, reject) => {
    client.once('connect', () => resolve());
    client.once('error', reject);
  });

/** Leaves REPORTS reports queued at the broker for a persistent session `clientId` that is offline. */
async function queueBacklog(clientId: string, subscriber: ReportSubscriber): Promise<void> {
  const session = connect(clientId);
  await connected(session);
  await session.subscribeAsync(subscriber.filters(), { qos: 1 });
  await session.endAsync();
  const publishers = await Promise.all([0, 1, 2, 3].map((i) => mqtt.connectAsync(broker.url, { clientId: `${clientId}-pub-${i}`, protocolVersion: 4 })));
  open.push(...publishers);
  await Promise.all(reports.map((r, j) => publishers[j % publishers.length]!.publishAsync(r.topic, r.payload, { qos: 1 })));
}

async function storedCount(): Promise<number> {
  const [row] = await db.sql<{ n: bigint }[]>`SELECT count(*) AS n FROM witness_reports`;
  return Number(row!.n);
}

async function until(condition: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 45_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('ingest flow control on Debian mosquitto 2.0.11', () => {
  it('takes in a queued backlog at most maxHeld reports at a time, flushing as the window fills (no batch waits for a timer), and stores every report once', async () => {
    const maxHeld = 40;
    const logger = pino({ level: 'silent' });
    const client = connect('flow-oracle', true);
    // maxBatch far above maxHeld: batches can only leave through the window rule, never by filling up.
    const subscriber = new ReportSubscriber({ sql: db.sql, client, pool, sharedSubscriptionGroup: null, logger, metrics: createOracleMetrics(), maxBatch: 100_000, maxHeld });
    await db.sql`TRUNCATE witness_reports`;
    await queueBacklog('flow-oracle', subscriber);
    let mostUnacknowledged = 0;
    subscriber.listen();
    client.on('message', () => (mostUnacknowledged = Math.max(mostUnacknowledged, subscriber.unacknowledged)));
    client.connect();
    await connected(client);
    await until(async () => (await storedCount()) === REPORTS, `${REPORTS} stored reports`);
    await subscriber.stop();
    expect(mostUnacknowledged).toBeLessThanOrEqual(maxHeld);
    // The broker offered more than maxHeld at once (2.0.11 ignores its window of 100), so reading really stopped.
    expect(subscriber.stalls).toBeGreaterThan(0);
    expect(subscriber.unacknowledged).toBe(0);
    const [rejected] = await db.sql<{ n: bigint }[]>`SELECT count(*) AS n FROM rejected_messages`;
    expect(Number(rejected!.n)).toBe(0);
    await client.endAsync();
  });

  it('an oracle killed while reading is stopped loses nothing: the broker redelivers what it held, the next oracle stores the rest', async () => {
    const maxHeld = 30;
    const logger = pino({ level: 'silent' });
    const metrics = createOracleMetrics();
    await db.sql`TRUNCATE witness_reports`;
    const first = connect('flow-crash', true);
    const a = new ReportSubscriber({ sql: db.sql, client: first, pool, sharedSubscriptionGroup: null, logger, metrics, maxBatch: 100_000, maxHeld });
    await queueBacklog('flow-crash', a);
    // PostgreSQL refuses writes to witness_reports for a while: batches retry and reading stops at maxHeld.
    const blocker = await db.sql.reserve();
    await blocker`BEGIN`;
    await blocker`LOCK TABLE witness_reports IN ACCESS EXCLUSIVE MODE`;
    a.listen();
    first.connect();
    await connected(first);
    await until(async () => a.unacknowledged === maxHeld && a.stalls > 0, 'the first oracle to stop reading at maxHeld');
    // Crash: the socket dies without DISCONNECT and without any held PUBACK.
    first.stream.destroy();
    await first.endAsync(true);
    await blocker`ROLLBACK`;
    blocker.release();

    const second = connect('flow-crash', true);
    const b = new ReportSubscriber({ sql: db.sql, client: second, pool, sharedSubscriptionGroup: null, logger, metrics, maxBatch: 100_000, maxHeld });
    b.listen();
    second.connect();
    await connected(second);
    await until(async () => (await storedCount()) === REPORTS, `${REPORTS} stored reports after the crash`);
    await a.stop();
    await b.stop();
    const [distinct] = await db.sql<{ n: bigint }[]>`SELECT count(DISTINCT tmst) AS n FROM witness_reports`;
    expect(Number(distinct!.n)).toBe(REPORTS);
    await second.endAsync();
  });
});
