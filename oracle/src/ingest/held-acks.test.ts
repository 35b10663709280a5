import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMosquitto, type MosquittoBroker } from '@poc/devnet/mosquitto';
import { HeldAcks, type AckToken } from './held-acks';

/** Real mosquitto (persistent sessions, redelivery) and real mqtt.js clients. */
let broker: MosquittoBroker;
let publisher: MqttClient;
const open: MqttClient[] = [];

beforeAll(async () => {
  broker = await startMosquitto();
  publisher = await mqtt.connectAsync(broker.url, { clientId: 'held-acks-pub', protocolVersion: 4 });
});
afterAll(async () => {
  for (const c of open) await c.endAsync(true).catch(() => undefined);
  await publisher?.endAsync();
  await broker?.stop();
});

/** A persistent-session consumer whose 'message' listener is attached before CONNECT. */
async function consumer(
  protocolVersion: 4 | 5,
  onMessage: (payload: string, token: AckToken | null, acks: HeldAcks) => void,
): Promise<{ client: MqttClient; acks: HeldAcks }> {
  // MQTT 5 keeps the session only with a session expiry interval.
  const session = protocolVersion === 5 ? { properties: { sessionExpiryInterval: 300 } } : {};
  const client = mqtt.connect(broker.url, { clientId: `held-acks-sub-${protocolVersion}`, clean: false, protocolVersion, reconnectPeriod: 0, manualConnect: true, ...session });
  const acks = new HeldAcks(client);
  client.on('message', (_topic, payload, packet) => onMessage(payload.toString(), acks.track(packet), acks));
  client.connect();
  await new Promise<void>((resolve, reject) => {
    client.once('connect', () => resolve());
    client.once('error', reject);
  });
  open.push(client);
  await client.subscribeAsync('held/#', { qos: 1 });
  return { client, acks };
}

describe('HeldAcks: PUBACK only once the consumer says the message is durable', () => {
  it.each([4, 5] as const)('MQTT protocol level %i: the broker redelivers every unreleased message after a crash, and nothing released', async (protocolVersion) => {
    const topic = `held/v${protocolVersion}`;
    const first: string[] = [];
    const tokens = new Map<string, AckToken | null>();
    const a = await consumer(protocolVersion, (payload, token) => {
      first.push(payload);
      tokens.set(payload, token);
    });
    for (let i = 0; i < 10; i++) await publisher.publishAsync(topic, `m${i}`, { qos: 1 });
    const deadline = Date.now() + 10_000;
    while (first.length < 10 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(first).toHaveLength(10);
    expect(a.acks.pending).toBe(10);
    a.acks.release(['m0', 'm1', 'm2'].map((m) => tokens.get(m)));
    expect(a.acks.pending).toBe(7);
    // Make sure the three PUBACKs reached the broker before the crash: a publish round trip follows them on the same socket.
    await a.client.publishAsync('held/ignored-by-nobody', 'flush', { qos: 1 });
    // Crash: the socket dies without DISCONNECT and without the seven PUBACKs.
    a.client.stream.destroy();
    await a.client.endAsync(true);

    const second: string[] = [];
    const b = await consumer(protocolVersion, (payload, token, acks) => {
      second.push(payload);
      acks.release([token]);
    });
    const until = Date.now() + 10_000;
    while (second.filter((m) => m.startsWith('m')).length < 7 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    expect(second.filter((m) => m.startsWith('m')).sort()).toEqual(['m3', 'm4', 'm5', 'm6', 'm7', 'm8', 'm9']);
    expect(b.acks.pending).toBe(0);
    await b.client.endAsync();
  });
});
