import { bridgeClientId, hotspotMqttCredentials, reportTopic, generateHotspotKeypair } from '@poc/protocol';
import { routingKeyToMqttTopic, type BrokerAuthService } from '@poc/broker';
import type { RabbitCluster } from '@poc/devnet/rabbitmq-cluster';
import { createTestDatabase, type TestDatabase } from '@poc/devnet/test-database';
import amqp from 'amqplib';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { missingHashes, signedReports, storageCounts, waitUntil, type SignedMessage } from '../faults/support';
import { newOracleKeys, reportHash, SERVICE_PASSWORDS, startAuthenticatedCluster, startClusterHotspot, startOracleWorker, type ClusterHotspot, type OracleWorker } from './support';

/**
 * The clustered broker (docs/operations.md "Clustered broker"): a real 3-node RabbitMQ cluster started by the test
 * support, hotspots publishing over MQTT to different nodes with hotspot tokens checked by the shared auth service,
 * two oracle processes consuming one quorum queue over AMQP and acknowledging after the PostgreSQL commit. Then
 * faults — a broker node SIGKILLed, an oracle SIGKILLed, the node restarted — with 0 reports lost, and a backlog
 * the oracle drains with at most `prefetch` reports in flight.
 */
const QUEUE = 'poc.reports';
const PREFETCH = 200;
const ingest = signedReports(240, 6);
const faults = signedReports(1500, 12);
const known = new Set([...ingest.hotspots, ...faults.hotspots].map((h) => h.address));
const oracleKeys = newOracleKeys();

let db: TestDatabase;
let auth: BrokerAuthService;
let cluster: RabbitCluster;
const workers: (OracleWorker | null)[] = [null, null];
const hotspots: ClusterHotspot[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  ({ auth, cluster } = await startAuthenticatedCluster(() => known));
  workers[0] = await startOracleWorker(cluster, db, { firstNode: 0, queue: QUEUE, prefetch: PREFETCH, oracle: oracleKeys });
  workers[1] = await startOracleWorker(cluster, db, { firstNode: 1, queue: QUEUE, prefetch: PREFETCH, oracle: oracleKeys });
}, 420_000);

afterAll(async () => {
  for (const h of hotspots) await h.stop().catch(() => {});
  for (const w of workers) await w?.child.kill();
  await cluster?.stop();
  await auth?.stop();
  await db?.drop();
}, 60_000);

/** Submits each hotspot's reports to its own bridge queue (the durable on-disk queue), in order. */
async function submitAll(fleet: ClusterHotspot[], messages: readonly SignedMessage[]): Promise<void> {
  const byAddress = new Map(fleet.map((h) => [h.keys.address, h]));
  for (const m of messages) {
    const hotspot = byAddress.get(m.topic.split('/')[4]!)!;
    await hotspot.publisher.submit(m.topic.endsWith('/beacon') ? 'beacon' : 'witness', m.topic, m.payload);
  }
}

const stored = async () => (await storageCounts(db.sql)).stored;

async function storedAtLeast(target: number, timeoutMs = 60_000): Promise<number> {
  return waitUntil(async () => {
    const n = await stored();
    return { done: n >= target, progress: n, value: n };
  }, { timeoutMs, stallMs: 30_000 });
}

describe('3-node RabbitMQ cluster', () => {
  it('stores reports that hotspots publish over MQTT to different nodes exactly once', async () => {
    const fleet = ingest.hotspots.map((keys, i) => startClusterHotspot(keys, cluster.mqttUrls(), i % 3));
    hotspots.push(...fleet);
    await submitAll(fleet, ingest.messages);
    const total = await storedAtLeast(ingest.messages.length);
    const missing = await missingHashes(db.sql, new Set(ingest.messages.map(reportHash)));
    const counts = await storageCounts(db.sql);
    console.log(`CLUSTER ingest: ${ingest.messages.length} reports from ${fleet.length} hotspots over 3 nodes, stored ${total}, distinct ${counts.distinct}, lost ${missing.length}`);
    expect(missing).toEqual([]);
    expect(counts.stored).toBe(ingest.messages.length);
    expect(counts.distinct).toBe(ingest.messages.length);
    // Every node served hotspots (i % 3), and the queue is replicated on all three.
    expect(fleet.every((h) => h.publisher.stats().acknowledged > 0)).toBe(true);
    const members = (await cluster.ctl(0, ['list_queues', 'name', 'members', '--no-table-headers', '--quiet'])).split('\n').find((line) => line.startsWith(`${QUEUE}\t`));
    for (const node of cluster.nodes) expect(members).toContain(node.name);
  }, 90_000);

  it('enforces hotspot tokens and topic ACLs on every node through the shared auth service', async () => {
    const [alice, bob] = ingest.hotspots;
    const node = (i: number) => cluster.nodes[i]!.mqttUrl;
    const refused = async (url: string, options: mqtt.IClientOptions) => {
      try {
        const client = await mqtt.connectAsync(url, { protocolVersion: 4, reconnectPeriod: 0, connectTimeout: 10_000, ...options });
        await client.endAsync(true);
        return false;
      } catch {
        return true;
      }
    };
    const before = auth.decisions.counts();
    const delta = (reason: string) => (auth.decisions.counts()[reason] ?? 0) - (before[reason] ?? 0);

    // A forged token, and a well-signed token from a hotspot the registry does not know.
    expect(await refused(node(1), { clientId: bridgeClientId(alice!.address), username: alice!.address, password: 'not-a-token' })).toBe(true);
    const stranger = generateHotspotKeypair();
    expect(await refused(node(2), { ...hotspotMqttCredentials(stranger, 'EU868') })).toBe(true);
    // A token replayed on another node.
    const once = hotspotMqttCredentials(alice!, 'EU868', { clientId: 'alice-replay' });
    const first = await mqtt.connectAsync(node(0), { protocolVersion: 4, reconnectPeriod: 0, ...once });
    await first.endAsync(true);
    expect(await refused(node(1), { ...once })).toBe(true);

    // Alice publishes on Bob's topic: no PUBACK, the node drops her, nothing reaches the queue.
    const forgedTopic = reportTopic('EU868', bob!.address, 'beacon');
    const client = await mqtt.connectAsync(node(2), { protocolVersion: 4, reconnectPeriod: 0, ...hotspotMqttCredentials(alice!, 'EU868', { clientId: 'alice-acl' }) });
    const outcome = await Promise.race([
      client.publishAsync(forgedTopic, Buffer.from('{}'), { qos: 1 }).then(() => 'acknowledged', () => 'refused'),
      new Promise((resolve) => setTimeout(() => resolve('no answer'), 10_000)),
    ]);
    await client.endAsync(true);
    expect(outcome).not.toBe('acknowledged');

    // Over AMQP a hotspot token does not log in (it is bound to an MQTT client id), and a relay cannot read the oracle's queue.
    const amqpLogin = hotspotMqttCredentials(bob!, 'EU868', { clientId: 'bob-amqp' });
    expect(await amqp.connect(cluster.amqpUrlFor(1, amqpLogin.username, amqpLogin.password)).then((c) => c.close().then(() => 'connected'), () => 'refused')).toBe('refused');
    const relay = await amqp.connect(cluster.amqpUrlFor(1, 'loader', SERVICE_PASSWORDS.loader));
    const channel = await relay.createChannel();
    channel.on('error', () => {});
    const consumed = await channel.consume(QUEUE, () => {}).then(() => 'consumed', () => 'refused');
    await relay.close().catch(() => {});
    expect(consumed).toBe('refused');

    const counts = { bad_signature: delta('bad_signature') + delta('malformed_token'), unknown_hotspot: delta('unknown_hotspot'), token_replayed: delta('token_replayed'), publish_denied: delta('publish_denied'), resource_denied: delta('resource_denied') };
    console.log(`CLUSTER auth refusals: ${JSON.stringify(counts)}`);
    expect(delta('unknown_hotspot')).toBeGreaterThanOrEqual(1);
    expect(delta('token_replayed')).toBeGreaterThanOrEqual(1);
    expect(delta('publish_denied')).toBeGreaterThanOrEqual(1);
    expect(delta('resource_denied')).toBeGreaterThanOrEqual(1);
    expect(Object.values(auth.decisions.counts()).reduce((a, b) => a + b, 0) - Object.values(before).reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(5);
    expect(routingKeyToMqttTopic('poc.v1.eu868.hotspot.x.beacon')).toBe('poc/v1/eu868/hotspot/x/beacon');
  }, 60_000);

  it('loses nothing when a broker node and an oracle are SIGKILLed mid-stream and the node restarts', async () => {
    const base = await stored();
    const total = faults.messages.length;
    const fleet = faults.hotspots.map((keys, i) => startClusterHotspot(keys, cluster.mqttUrls(), i % 3));
    hotspots.push(...fleet);
    // Reports keep arriving through the faults, as hotspots keep beaconing: one slice every 200 ms.
    const submitting = (async () => {
      for (let i = 0; i < total; i += 50) {
        await submitAll(fleet, faults.messages.slice(i, i + 50));
        await new Promise((r) => setTimeout(r, 200));
      }
    })();

    const at = { nodeKilled: 0, oracleKilled: 0, nodeRestarted: 0 };
    const t0 = Date.now();
    const times: string[] = [];
    const mark = (what: string) => times.push(`${what} ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    at.nodeKilled = (await storedAtLeast(base + total / 5)) - base;
    // Node 1 holds the first oracle's AMQP connection, a third of the hotspots and (declared there) the queue's first leader.
    await cluster.kill(0);
    mark('node killed');
    at.oracleKilled = (await storedAtLeast(base + (total * 2) / 5)) - base;
    await workers[1]!.child.kill();
    mark('oracle killed');
    workers[1] = null;
    at.nodeRestarted = (await storedAtLeast(base + (total * 3) / 5)) - base;
    await cluster.start(0);
    mark('node restarted');
    workers[1] = await startOracleWorker(cluster, db, { firstNode: 0, queue: QUEUE, prefetch: PREFETCH, oracle: oracleKeys });
    await submitting;
    mark('all submitted');

    await waitUntil(async () => {
      const depth = fleet.reduce((sum, h) => sum + h.queue.depth, 0);
      const n = await stored();
      return { done: depth === 0 && n >= base + total, progress: n * 10_000 - depth, value: n };
    }, { timeoutMs: 120_000, stallMs: 45_000 });
    const acknowledged = fleet.reduce((sum, h) => sum + h.publisher.stats().acknowledged, 0);
    const republished = fleet.reduce((sum, h) => sum + h.publisher.stats().republished, 0);
    const missing = await missingHashes(db.sql, new Set(faults.messages.map(reportHash)));
    const counts = await storageCounts(db.sql);
    console.log(
      `CLUSTER FAULTS: published ${total}, acknowledged ${acknowledged} (republished after a lost PUBACK ${republished}), ` +
        `stored ${counts.stored - base} (distinct ${counts.distinct - base}), lost ${missing.length}, duplicates absorbed ${counts.duplicatesAbsorbed}; ` +
        `node SIGKILL at ${at.nodeKilled} stored, oracle SIGKILL at ${at.oracleKilled}, node restart at ${at.nodeRestarted}; ${times.join(', ')}, done ${((Date.now() - t0) / 1000).toFixed(1)} s`,
    );
    expect(missing).toEqual([]);
    expect(acknowledged).toBe(total);
    expect(counts.stored - base).toBe(total);
    expect(counts.distinct).toBe(counts.stored);
  }, 240_000);

  it("drains a backlog with at most `prefetch` reports in the oracle's memory", async () => {
    for (const [i, w] of workers.entries()) {
      await w?.child.stop();
      workers[i] = null;
    }
    const backlog = signedReports(6000, 40);
    const started = Date.now();
    const base = await stored();
    const connection = await amqp.connect(cluster.amqpUrlFor(1, 'loader', SERVICE_PASSWORDS.loader));
    const channel = await connection.createConfirmChannel();
    // Straight into amq.topic as the MQTT plugin would route them (relay service account, publisher confirms).
    // Sorted by topic: RabbitMQ caches only a few topic-permission answers per channel, so runs of one routing key
    // ask the auth service once per run instead of once per report.
    const ordered = [...backlog.messages].sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : 0));
    for (let i = 0; i < ordered.length; i += 1000) {
      for (const m of ordered.slice(i, i + 1000)) channel.publish('amq.topic', m.topic.replaceAll('/', '.'), m.payload, { persistent: true });
      await channel.waitForConfirms();
    }
    const queued = (await channel.checkQueue(QUEUE)).messageCount;
    await connection.close();
    const queuedAfterMs = Date.now() - started;

    const prefetch = 400;
    const worker = await startOracleWorker(cluster, db, { firstNode: 2, queue: QUEUE, prefetch, oracle: oracleKeys });
    workers[0] = worker;
    const heap: number[] = [];
    let maxInflight = 0;
    await waitUntil(async () => {
      const s = await worker.stats();
      heap.push(s.heapUsed);
      maxInflight = Math.max(maxInflight, s.amqp.maxInflight);
      const n = await stored();
      return { done: n >= base + backlog.messages.length, progress: n, value: n };
    }, { timeoutMs: 120_000, stallMs: 30_000 });
    const final = await worker.stats();
    const missing = await missingHashes(db.sql, new Set(backlog.messages.map(reportHash)));
    const mb = (b: number) => (b / 1048576).toFixed(1);
    console.log(
      `CLUSTER BACKLOG: queued ${queued}, stored ${(await stored()) - base}, lost ${missing.length}, prefetch ${prefetch}, ` +
        `max in flight ${Math.max(maxInflight, final.amqp.maxInflight)}, heap first/max/last ${mb(heap[0]!)}/${mb(Math.max(...heap))}/${mb(heap.at(-1)!)} MB over ${heap.length} samples; ` +
        `queued in ${queuedAfterMs} ms, drained in ${Date.now() - started - queuedAfterMs} ms`,
    );
    expect(queued).toBeGreaterThanOrEqual(backlog.messages.length);
    expect(missing).toEqual([]);
    expect(final.amqp.maxInflight).toBeLessThanOrEqual(prefetch);
    expect(final.amqp.maxInflight).toBeGreaterThan(0);
  }, 240_000);
});
