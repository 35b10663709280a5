import { ENTROPY_TOPIC, generateHotspotKeypair, hotspotMqttCredentials, MAX_REPORT_PAYLOAD_BYTES, reportTopic, stateTopic, type HotspotKeypair } from '@poc/protocol';
import { sha256Hex, startEmbeddedBroker, type EmbeddedBroker } from '@poc/broker';
import mqtt, { type MqttClient } from 'mqtt';
import { connect } from 'node:net';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closed, fixedHeader, publishOutcome, publishTopic, streamUntilRefused } from './mqtt-raw';

/**
 * Memory exhaustion through the embedded aedes broker: oversized packets before and after login, retained
 * reports, oversized payloads per topic kind, publish floods. Real broker, real sockets, real mqtt.js clients.
 */
const MiB = 1024 * 1024;
let clockMs = Date.now();
const logs: { reason?: string; clientId?: string; msg?: string }[] = [];
let broker: EmbeddedBroker;
let oracle: MqttClient;
const routed: { topic: string; bytes: number }[] = [];
const clients: MqttClient[] = [];

const connectAs = async (keys: HotspotKeypair): Promise<MqttClient> => {
  const creds = hotspotMqttCredentials(keys, 'EU868', { nowSeconds: Math.floor(clockMs / 1000) });
  const client = await mqtt.connectAsync(broker.url, { clientId: creds.clientId, username: creds.username, password: creds.password, reconnectPeriod: 0, protocolVersion: 4 });
  clients.push(client);
  return client;
};
const rejections = async () => (await broker.metrics.getSingleMetric('mqtt_broker_rejections_total')?.get())?.values ?? [];
const rejected = async (reason: string) => (await rejections()).find((v) => v.labels.reason === reason)?.value ?? 0;
async function retainedTopics(): Promise<string[]> {
  const topics: string[] = [];
  const { persistence } = broker.broker as unknown as { persistence: { createRetainedStream(pattern: string): AsyncIterable<{ topic: string }> } };
  for await (const packet of persistence.createRetainedStream('poc/v1/#')) topics.push(packet.topic);
  return topics;
}
/** A marker through the broker from a fresh hotspot: everything published before it has been routed. */
async function barrier(): Promise<void> {
  const keys = generateHotspotKeypair();
  const client = await connectAs(keys);
  const topic = reportTopic('EU868', keys.address, 'witness');
  const arrived = new Promise<void>((resolve) => oracle.on('message', (t) => t === topic && resolve()));
  await client.publishAsync(topic, 'marker', { qos: 1 });
  await arrived;
  await client.endAsync();
}

beforeAll(async () => {
  broker = await startEmbeddedBroker({
    auth: {
      services: [{ username: 'oracle', passwordSha256: sha256Hex('oracle-secret'), role: 'oracle' }],
      publishRates: { hotspot: { burst: 5, perSecond: 1 } },
      nowMs: () => clockMs,
      logger: pino({ level: 'warn' }, { write: (line: string) => logs.push(JSON.parse(line)) }),
    },
  });
  oracle = await mqtt.connectAsync(broker.url, { clientId: 'oracle-1', username: 'oracle', password: 'oracle-secret', reconnectPeriod: 0, protocolVersion: 4 });
  clients.push(oracle);
  await oracle.subscribeAsync(['poc/v1/+/hotspot/+/+'], { qos: 1 });
  oracle.on('message', (topic, payload) => routed.push({ topic, bytes: payload.length }));
});

afterAll(async () => {
  for (const c of clients) await c.endAsync(true).catch(() => undefined);
  await broker?.stop();
});

describe('embedded broker memory bounds (real aedes)', () => {
  it('refuses a 150 MB CONNECT at its fixed header instead of buffering it', async () => {
    const socket = connect(broker.port, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    const result = await streamUntilRefused(socket, fixedHeader(0x10, 150 * 1000 * 1000), 150 * 1000 * 1000, 64 * MiB);
    socket.destroy();
    expect(result.closedByPeer).toBe(true);
    expect(result.written).toBeLessThan(16 * MiB); // what loopback socket buffers absorb, not what the broker kept
    expect(await rejected('packet_too_large')).toBe(1);
  });

  it("refuses a hotspot's 40 MB retained message on its own state topic at its fixed header", async () => {
    const keys = generateHotspotKeypair();
    const client = await connectAs(keys);
    const topic = publishTopic(stateTopic('EU868', keys.address));
    const body = topic.length + 40 * 1000 * 1000;
    const head = Buffer.concat([fixedHeader(0x31, body), topic]);
    const result = await streamUntilRefused(client.stream as never, head, body - topic.length, 64 * MiB);
    expect(result.closedByPeer).toBe(true);
    expect(result.written).toBeLessThan(16 * MiB);
    await closed(client);
    expect(await rejected('packet_too_large')).toBe(2);
    expect(await retainedTopics()).not.toContain(stateTopic('EU868', keys.address));
  });

  it('refuses retained reports; only the small state message stays retained', async () => {
    const keys = generateHotspotKeypair();
    const beacon = reportTopic('EU868', keys.address, 'beacon');
    const client = await connectAs(keys);
    expect(await publishOutcome(client, beacon, 'b', { qos: 1, retain: true })).not.toBe('acked');
    await closed(client);
    const again = await connectAs(keys);
    expect(await publishOutcome(again, stateTopic('EU868', keys.address), 'online', { qos: 1, retain: true })).toBe('acked');
    await barrier();
    const retained = await retainedTopics();
    expect(retained).toContain(stateTopic('EU868', keys.address));
    expect(retained).not.toContain(beacon);
    expect(routed.map((r) => r.topic)).not.toContain(beacon);
    expect(await rejected('retain_refused')).toBe(1);
  });

  it('caps payload sizes per topic kind: reports 4 KiB, state 32 bytes, entropy 1 KiB', async () => {
    const keys = generateHotspotKeypair();
    const beacon = reportTopic('EU868', keys.address, 'beacon');
    const state = stateTopic('EU868', keys.address);
    const tries: [string, number, boolean][] = [
      [beacon, MAX_REPORT_PAYLOAD_BYTES + 1, false],
      [beacon, MAX_REPORT_PAYLOAD_BYTES, true],
      [state, 1024, false],
    ];
    for (const [topic, bytes, allowed] of tries) {
      const client = await connectAs(keys);
      const outcome = await publishOutcome(client, topic, Buffer.alloc(bytes, 0x41), { qos: 1 });
      if (allowed) {
        expect(outcome).toBe('acked');
        await client.endAsync();
      } else {
        expect(outcome).not.toBe('acked');
        await closed(client);
      }
    }
    const entropyOutcome = await publishOutcome(oracle, ENTROPY_TOPIC, Buffer.alloc(2048, 0x41), { qos: 1, retain: true });
    expect(entropyOutcome).not.toBe('acked');
    await closed(oracle);
    oracle = await mqtt.connectAsync(broker.url, { clientId: 'oracle-1', username: 'oracle', password: 'oracle-secret', reconnectPeriod: 0, protocolVersion: 4 });
    clients.push(oracle);
    await oracle.subscribeAsync(['poc/v1/+/hotspot/+/+'], { qos: 1 });
    oracle.on('message', (topic, payload) => routed.push({ topic, bytes: payload.length }));
    await barrier();
    expect(routed.filter((r) => r.topic === beacon).map((r) => r.bytes)).toEqual([MAX_REPORT_PAYLOAD_BYTES]);
    expect(routed.filter((r) => r.topic === state)).toEqual([]);
    expect(await retainedTopics()).not.toContain(ENTROPY_TOPIC);
    expect(await rejected('payload_too_large')).toBe(3);
  });

  it('rate-limits publishes per client id across reconnects, counts every refusal and logs each client once', async () => {
    const keys = generateHotspotKeypair();
    const topic = reportTopic('EU868', keys.address, 'witness');
    const client = await connectAs(keys);
    for (let n = 0; n < 5; n++) expect(await publishOutcome(client, topic, `w${n}`, { qos: 1 })).toBe('acked');
    expect(await publishOutcome(client, topic, 'over', { qos: 1 })).not.toBe('acked');
    await closed(client);
    // A new connection under the same client id starts with the same, still empty, bucket.
    const reconnected = await connectAs(keys);
    expect(await publishOutcome(reconnected, topic, 'over-again', { qos: 1 })).not.toBe('acked');
    await closed(reconnected);
    expect(await rejected('rate_limited')).toBe(2);
    const lines = logs.filter((l) => l.reason === 'rate_limited' && l.clientId === `poc-bridge-${keys.address}`);
    expect(lines).toHaveLength(1);

    clockMs += 1000; // one token refilled
    const later = await connectAs(keys);
    expect(await publishOutcome(later, topic, 'paced', { qos: 1 })).toBe('acked');
    await later.endAsync();
    await barrier();
    const payloads = routed.filter((r) => r.topic === topic).length;
    expect(payloads).toBe(6); // w0..w4 and "paced"
  });
});
