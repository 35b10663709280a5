/**
 * One oracle ingest process for the ingest benchmark and scripts/load-test.ts: the oracle's own MQTT subscriber,
 * verification worker pool and PostgreSQL writer, nothing else (no PoC processor, epochs or entropy), so what it
 * measures is ingest. Forked with one JSON argument; IPC: sends {type:'ready'} once subscribed, answers
 * {type:'stats'} with its counters and memory, and on {type:'stop'} writes what it holds and exits.
 */
import { connectDatabase } from '@poc/db';
import mqtt from 'mqtt';
import pino from 'pino';
import { createOracleMetrics } from '../../src/metrics';
import { ReportSubscriber } from '../../src/ingest/subscriber';
import { IngestWorkerPool } from '../../src/ingest/worker-pool';
import { mainThreadCpuMs } from './process-cpu';

export interface IngestOracleOptions {
  databaseUrl: string;
  mqttUrl: string;
  clientId: string;
  workerThreads: number;
  sharedSubscriptionGroup: string | null;
  maxBatch?: number;
  maxHeld?: number;
}

export interface IngestOracleStats {
  type: 'stats';
  received: number;
  stored: number;
  unacknowledged: number;
  stalls: number;
  rssBytes: number;
  heapUsedBytes: number;
  cpuMs: number;
  /** The main thread's share of cpuMs (MQTT, batching, PostgreSQL writes); null without /proc. */
  mainThreadCpuMs: number | null;
}

const o = JSON.parse(process.argv[2]!) as IngestOracleOptions;
const send = (m: object) => process.send?.(m);
const sql = connectDatabase(o.databaseUrl, { max: 4 });
const metrics = createOracleMetrics();
const pool = new IngestWorkerPool(o.workerThreads);
await pool.started();
const client = mqtt.connect(o.mqttUrl, { clientId: o.clientId, clean: false, protocolVersion: 4, reconnectPeriod: 1000, manualConnect: true });
const subscriber = new ReportSubscriber({
  sql,
  client,
  pool,
  sharedSubscriptionGroup: o.sharedSubscriptionGroup,
  logger: pino({ level: 'warn' }),
  metrics,
  maxBatch: o.maxBatch,
  maxHeld: o.maxHeld,
});
subscriber.listen();
client.connect();
await new Promise<void>((resolve, reject) => {
  client.once('connect', () => resolve());
  client.once('error', reject);
});
await subscriber.subscribe();

const stored = async () => (await metrics.reportsStored.get()).values[0]?.value ?? 0;
process.on('message', async (m: { type?: string }) => {
  if (m.type === 'stats') {
    const cpu = process.cpuUsage();
    const stats: IngestOracleStats = {
      type: 'stats',
      received: subscriber.received,
      stored: await stored(),
      unacknowledged: subscriber.unacknowledged,
      stalls: subscriber.stalls,
      rssBytes: process.memoryUsage().rss,
      heapUsedBytes: process.memoryUsage().heapUsed,
      cpuMs: (cpu.user + cpu.system) / 1000,
      mainThreadCpuMs: mainThreadCpuMs(),
    };
    send(stats);
  }
  if (m.type === 'stop') {
    await subscriber.stop();
    await client.endAsync();
    await pool.close();
    await sql.end({ timeout: 5 });
    process.exit(0);
  }
});
send({ type: 'ready' });
