import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMosquitto, type MosquittoBroker } from '@poc/devnet/mosquitto';
import { encodeQos1Publish, Qos1Publisher } from './mqtt-qos1-publisher';

describe('Qos1Publisher against mosquitto', () => {
  let broker: MosquittoBroker;
  beforeAll(async () => {
    broker = await startMosquitto();
  });
  afterAll(async () => {
    await broker.stop();
  });

  async function subscriber(topic: string) {
    const client = await mqtt.connectAsync(broker.url, { clientId: `sub-${Math.random()}`, protocolVersion: 4 });
    const received: Buffer[] = [];
    client.on('message', (_t, payload) => received.push(payload));
    await client.subscribeAsync(topic, { qos: 1 });
    return { client, received };
  }

  it('delivers every publish once, intact, and counts one PUBACK per publish with its tag', async () => {
    const { client, received } = await subscriber('qos1-test/intact/#');
    const acknowledgedTags: number[] = [];
    const publisher = await Qos1Publisher.connect({ url: broker.url, clientId: 'qos1-intact', onAcknowledged: (tag) => acknowledgedTags.push(tag) });
    // Payloads around the 127/128 and 16,383/16,384 remaining-length boundaries, and a multi-byte topic.
    const sizes = [0, 1, 100, 120, 121, 122, 200, 3000];
    const encoded = sizes.map((size, i) => encodeQos1Publish(`qos1-test/intact/ü${i}`, Buffer.alloc(size, i + 1)));
    publisher.batch(() => encoded.forEach((e, i) => publisher.publish(e, 1000 + i)));
    await expect.poll(() => received.length).toBe(sizes.length);
    await expect.poll(() => publisher.acknowledged).toBe(sizes.length);
    expect(received.map((p) => p.length).sort((a, b) => a - b)).toEqual([...sizes].sort((a, b) => a - b));
    for (const p of received) expect(p.every((b) => b === p[0])).toBe(true);
    expect(acknowledgedTags.sort()).toEqual(sizes.map((_, i) => 1000 + i).sort());
    expect(publisher.inFlight).toBe(0);
    expect(publisher.unexpectedAcknowledgements).toBe(0);
    await publisher.disconnect();
    await client.endAsync();
  });

  it('reuses packet ids past 65,535 without losing or double-counting an acknowledgement', async () => {
    const { client, received } = await subscriber('qos1-test/wrap');
    const total = 70_000;
    const timesAcknowledged = new Uint8Array(total);
    const publisher = await Qos1Publisher.connect({ url: broker.url, clientId: 'qos1-wrap', maxInFlight: 1000, onAcknowledged: (tag) => timesAcknowledged[tag]!++ });
    let next = 0;
    while (next < total) {
      if (!publisher.canSend) {
        await new Promise((r) => setTimeout(r, 1));
        continue;
      }
      publisher.batch(() => {
        while (next < total && publisher.canSend) publisher.publish(encodeQos1Publish('qos1-test/wrap', Buffer.from(String(next))), next++);
      });
      expect(publisher.inFlight).toBeLessThanOrEqual(1000);
    }
    await expect.poll(() => publisher.acknowledged, { timeout: 30_000 }).toBe(total);
    await expect.poll(() => received.length, { timeout: 30_000 }).toBe(total);
    expect(new Set(received.map((p) => p.toString())).size).toBe(total);
    expect(publisher.unexpectedAcknowledgements).toBe(0);
    expect(timesAcknowledged.every((n) => n === 1)).toBe(true);
    await publisher.disconnect();
    await client.endAsync();
  });

  it('refuses to exceed its window', async () => {
    const publisher = await Qos1Publisher.connect({ url: broker.url, clientId: 'qos1-window', maxInFlight: 2 });
    const e = () => encodeQos1Publish('qos1-test/window', Buffer.from('x'));
    publisher.batch(() => {
      publisher.publish(e(), 1);
      publisher.publish(e(), 2);
      expect(publisher.canSend).toBe(false);
      expect(() => publisher.publish(e(), 3)).toThrow(/window/);
    });
    await expect.poll(() => publisher.canSend).toBe(true);
    expect(publisher.acknowledged).toBe(2);
    await publisher.disconnect();
  });

  it('reports the publishes a lost connection leaves unacknowledged, and stays closed', async () => {
    const own = await startMosquitto();
    const closes: number[] = [];
    const publisher = await Qos1Publisher.connect({ url: own.url, clientId: 'qos1-close', onClosed: (unacknowledged) => closes.push(unacknowledged) });
    publisher.publish(encodeQos1Publish('qos1-test/close', Buffer.from('acked')), 1);
    await expect.poll(() => publisher.acknowledged).toBe(1);
    await own.stop();
    await expect.poll(() => publisher.closed).toBe(true);
    expect(closes).toEqual([0]);
    expect(publisher.canSend).toBe(false);
    expect(() => publisher.publish(encodeQos1Publish('qos1-test/close', Buffer.from('late')), 2)).toThrow(/closed/);
    await own.restart();
    await own.stop();
  });

  it('rejects with the broker reason when the connection is refused', async () => {
    const guarded = await startMosquitto({ auth: { users: [{ username: 'someone', password: 'secret' }], acl: [] } });
    await expect(Qos1Publisher.connect({ url: guarded.url, clientId: 'qos1-anonymous' })).rejects.toThrow(/not authorized|bad user name/);
    await guarded.stop();
    await expect(Qos1Publisher.connect({ url: guarded.url, clientId: 'qos1-nobody' })).rejects.toThrow();
  });
});
