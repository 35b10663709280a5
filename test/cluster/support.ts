import { fileURLToPath } from 'node:url';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sha256Hex as sha256Text, startBrokerAuthService, type BrokerAuthService } from '@poc/broker';
import { startChildOracle, type ChildOracle } from '@poc/devnet/child-oracle';
import { startRabbitCluster, type RabbitCluster } from '@poc/devnet/rabbitmq-cluster';
import type { TestDatabase } from '@poc/devnet/test-database';
import { DurableQueue, ReportPublisher } from '@poc/hotspot-firmware-bridge';
import { bridgeClientId, decodeReportPayload, generateHotspotKeypair, hotspotMqttCredentials, parseReportTopic, stateTopic, type HotspotKeypair } from '@poc/protocol';
import pino from 'pino';
import type { SignedMessage } from '../faults/support';

export const ORACLE_WORKER_SCRIPT = fileURLToPath(new URL('./oracle-worker.ts', import.meta.url));
export const SERVICE_PASSWORDS = { oracle: 'oracle-cluster-secret', loader: 'loader-cluster-secret' } as const;
const silent = pino({ level: 'silent' });

/** The shared auth service (registry = `known`) and a 3-node RabbitMQ cluster that asks it about every client. */
export async function startAuthenticatedCluster(known: () => ReadonlySet<string>): Promise<{ auth: BrokerAuthService; cluster: RabbitCluster }> {
  const auth = await startBrokerAuthService({
    access: {
      services: [
        { username: 'oracle', passwordSha256: sha256Text(SERVICE_PASSWORDS.oracle), role: 'oracle' },
        { username: 'loader', passwordSha256: sha256Text(SERVICE_PASSWORDS.loader), role: 'relay' },
      ],
      resolveHotspot: async (address) => (known().has(address) ? { region: 'EU868' } : null),
      logger: silent,
    },
  });
  try {
    // Three Erlang VMs booting beside the rest of the suite on 2 cores can take minutes; fail with the nodes' log path
    // before the test's hook times out.
    const cluster = await startRabbitCluster({ authServiceUrl: auth.url, readinessLogin: { username: 'oracle', password: SERVICE_PASSWORDS.oracle }, startTimeoutMs: 300_000 });
    return { auth, cluster };
  } catch (error) {
    await auth.stop();
    throw error;
  }
}

export interface OracleWorker {
  child: ChildOracle;
  /** The worker's stats line (SIGUSR2): oracle stats with `amqp` and `heapUsed`. */
  stats(): Promise<{ messagesReceived: number; amqp: { received: number; acknowledged: number; inflight: number; maxInflight: number; connects: number }; heapUsed: number }>;
}

/** An oracle process consuming `queue` from the cluster's nodes, starting with `firstNode`. */
export async function startOracleWorker(cluster: RabbitCluster, db: TestDatabase, o: { firstNode: number; queue: string; prefetch: number; oracle: HotspotKeypair }): Promise<OracleWorker> {
  const order = cluster.nodes.map((_, i) => (o.firstNode + i) % cluster.nodes.length);
  const child = await startChildOracle(ORACLE_WORKER_SCRIPT, {
    databaseUrl: db.url,
    mqttUrl: `mqtt://oracle:${SERVICE_PASSWORDS.oracle}@127.0.0.1:${cluster.nodes[o.firstNode]!.mqttPort}`,
    amqpUrls: order.map((i) => cluster.amqpUrlFor(i, 'oracle', SERVICE_PASSWORDS.oracle)),
    queue: o.queue,
    prefetch: o.prefetch,
    oracleSecretHex: Buffer.from(o.oracle.secretKey).toString('hex'),
  });
  let out = '';
  const waiting: ((line: string) => void)[] = [];
  child.process.stdout!.on('data', (chunk: Buffer) => {
    out += chunk.toString();
    let nl: number;
    while ((nl = out.indexOf('\n')) >= 0) {
      const line = out.slice(0, nl);
      out = out.slice(nl + 1);
      if (line.startsWith('STATS ')) waiting.shift()?.(line.slice(6));
    }
  });
  return {
    child,
    stats: () =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('oracle worker gave no stats')), 10_000);
        waiting.push((line) => {
          clearTimeout(timer);
          resolve(JSON.parse(line));
        });
        child.process.kill('SIGUSR2');
      }),
  };
}

/** A hotspot as the bridge runs it: durable on-disk queue → ReportPublisher with the cluster's nodes for failover. */
export interface ClusterHotspot {
  keys: HotspotKeypair;
  queue: DurableQueue;
  publisher: ReportPublisher;
  stop(): Promise<void>;
}

export function startClusterHotspot(keys: HotspotKeypair, urls: string[], firstNode: number): ClusterHotspot {
  const dir = mkdtempSync(join(tmpdir(), 'cluster-hotspot-'));
  const queue = DurableQueue.open({ dir, logger: silent, durability: 'os-buffered' });
  const ordered = urls.map((_, i) => urls[(firstNode + i) % urls.length]!);
  const publisher = new ReportPublisher({
    mqttUrl: ordered[0]!,
    failoverUrls: ordered.slice(1),
    clientId: bridgeClientId(keys.address),
    stateTopic: stateTopic('EU868', keys.address),
    queue,
    logger: silent,
    reconnectPeriodMs: 300,
    inflightTimeoutMs: 8000,
    credentials: () => {
      const { username, password } = hotspotMqttCredentials(keys, 'EU868');
      return { username, password };
    },
  });
  publisher.start();
  return {
    keys,
    queue,
    publisher,
    async stop() {
      await publisher.stop();
      queue.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function reportHash(m: SignedMessage): string {
  const decoded = decodeReportPayload(parseReportTopic(m.topic)!.kind, m.payload);
  if (!decoded.ok) throw new Error('fixture does not decode');
  return decoded.hash;
}

export const newOracleKeys = () => generateHotspotKeypair();
