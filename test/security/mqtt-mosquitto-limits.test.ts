import { startMosquitto, type MosquittoBroker } from '@poc/devnet/mosquitto';
import mqtt, { type MqttClient } from 'mqtt';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedHeader, streamUntilRefused } from './mqtt-raw';

/**
 * The mosquitto configuration the tests run (Debian's mosquitto 2.0.11) has the embedded broker's size limits:
 * a packet is refused at its fixed header, an oversized publish is not forwarded.
 */
const MiB = 1024 * 1024;
let broker: MosquittoBroker;
const clients: MqttClient[] = [];

beforeAll(async () => {
  broker = await startMosquitto();
});

afterAll(async () => {
  for (const c of clients) await c.endAsync(true).catch(() => undefined);
  await broker?.stop();
});

describe('mosquitto test configuration limits (real mosquitto)', () => {
  it('refuses a 150 MB CONNECT at its fixed header (max_packet_size)', async () => {
    const socket = connect(broker.port, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    const result = await streamUntilRefused(socket, fixedHeader(0x10, 150 * 1000 * 1000), 150 * 1000 * 1000, 64 * MiB);
    socket.destroy();
    expect(result.closedByPeer).toBe(true);
    expect(result.written).toBeLessThan(16 * MiB);
  });

  it('does not forward a publish above message_size_limit and keeps forwarding small ones', async () => {
    const reader = await mqtt.connectAsync(broker.url, { clientId: 'limits-reader', reconnectPeriod: 0 });
    const writer = await mqtt.connectAsync(broker.url, { clientId: 'limits-writer', reconnectPeriod: 0 });
    clients.push(reader, writer);
    const received: number[] = [];
    const marker = new Promise<void>((resolve) =>
      reader.on('message', (_topic, payload) => {
        received.push(payload.length);
        if (payload.toString() === 'marker') resolve();
      }),
    );
    await reader.subscribeAsync('poc/v1/+/hotspot/+/beacon', { qos: 1 });
    await writer.publishAsync('poc/v1/eu868/hotspot/x/beacon', Buffer.alloc(4096, 0x41), { qos: 1 });
    await writer.publishAsync('poc/v1/eu868/hotspot/x/beacon', Buffer.alloc(4097, 0x41), { qos: 1 });
    await writer.publishAsync('poc/v1/eu868/hotspot/x/beacon', 'marker', { qos: 1 });
    await marker;
    expect(received).toEqual([4096, 6]);
  });
});
