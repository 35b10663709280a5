import { sha256Hex, startEmbeddedBroker, type EmbeddedBroker } from '@poc/broker';
import { generateHotspotKeypair, hotspotMqttCredentials, MAPPER_RECEIPT_FILTER, mapperReceiptTopic, type HotspotKeypair } from '@poc/protocol';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** Attack: a hotspot publishing receipts in another hotspot's name, through a real (aedes) broker with authentication. */
const alice = generateHotspotKeypair();
const bob = generateHotspotKeypair();
let broker: EmbeddedBroker;
let oracle: MqttClient;
const seen: { topic: string; payload: string }[] = [];

const asHotspot = (keys: HotspotKeypair) => {
  const creds = hotspotMqttCredentials(keys, 'EU868');
  return mqtt.connectAsync(broker.url, { reconnectPeriod: 0, connectTimeout: 5000, protocolVersion: 4, clientId: creds.clientId, username: creds.username, password: creds.password });
};
const closed = (client: MqttClient) => new Promise<void>((resolve) => (client.disconnected || !client.connected ? resolve() : client.once('close', () => resolve())));

beforeAll(async () => {
  broker = await startEmbeddedBroker({
    auth: { services: [{ username: 'oracle', passwordSha256: sha256Hex('oracle-secret'), role: 'oracle' }], resolveHotspot: async () => ({ region: 'EU868' }) },
  });
  oracle = await mqtt.connectAsync(broker.url, { reconnectPeriod: 0, clientId: 'oracle-1', username: 'oracle', password: 'oracle-secret', protocolVersion: 4 });
  await oracle.subscribeAsync(MAPPER_RECEIPT_FILTER, { qos: 1 });
  oracle.on('message', (topic, payload) => seen.push({ topic, payload: payload.toString() }));
});
afterAll(async () => {
  await oracle?.endAsync(true);
  await broker?.stop();
});

describe('mapper receipt topics on a broker with authentication', () => {
  it("delivers a hotspot's own receipts to the oracle and disconnects one publishing in another hotspot's name", async () => {
    const forger = await asHotspot(alice);
    const gone = closed(forger);
    forger.publish(mapperReceiptTopic('EU868', bob.address), 'forged', { qos: 1 });
    await gone;

    const retained = await asHotspot(alice);
    const goneToo = closed(retained);
    retained.publish(mapperReceiptTopic('EU868', alice.address), 'retained', { qos: 1, retain: true });
    await goneToo;

    const honest = await asHotspot(bob);
    await honest.publishAsync(mapperReceiptTopic('EU868', bob.address), 'receipt', { qos: 1 });
    await expect.poll(() => seen.length).toBe(1);
    expect(seen).toEqual([{ topic: mapperReceiptTopic('EU868', bob.address), payload: 'receipt' }]);
    await honest.endAsync();
    expect(broker.access!.recent().map((r) => [r.reason, r.topic])).toEqual([
      ['publish_denied', mapperReceiptTopic('EU868', bob.address)],
      ['retain_refused', mapperReceiptTopic('EU868', alice.address)],
    ]);
  });
});
