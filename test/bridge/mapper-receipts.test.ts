import { decodeMapperReceiptPayload, encodeMapperFrame, MAPPER_RECEIPT_FILTER, parseMapperFrame, verifyMapperFrameMic, verifyMapperReceipt } from '@poc/protocol';
import { startVirtualUdpForwarder, type Rxpk, type VirtualUdpForwarder } from '@poc/hotspot-firmware-bridge';
import { startMosquitto, type MosquittoBroker } from '@poc/devnet/mosquitto';
import mqtt from 'mqtt';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bridgeChildEnv, killBridge, queueDepth, spawnBridge } from './helpers';

/**
 * A real bridge process picks mapper frames out of the forwarder's rxpk stream and publishes signed receipts through
 * its durable queue: queued while the broker is down, kept across SIGKILL, all delivered after the restart.
 */
const FRAMES = 30;
const DEVICE_KEY = new Uint8Array(16).fill(0x42);

function mapperRxpk(counter: number): Rxpk {
  const payload = encodeMapperFrame({ deviceId: 7, counter, latE7: 525_200_000 + counter * 1000, lngE7: 134_050_000, hdopDeci: 8, satellites: 10 }, DEVICE_KEY);
  return {
    tmst: 5_000_000 + counter, time: '2026-12-02T06:00:00.000000Z', freq: 868.1, chan: 0, rfch: 0, stat: 1, modu: 'LORA', datr: 'SF9BW125', codr: '4/5',
    rssi: -97, lsnr: 6.5, size: payload.length, data: Buffer.from(payload).toString('base64'), payload,
  };
}

describe('bridge mapper receipts', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bridge-mapper-'));
  let broker: MosquittoBroker | null = null;
  let child: ChildProcess | null = null;
  let forwarder: VirtualUdpForwarder | null = null;
  let collector: mqtt.MqttClient | null = null;
  afterAll(async () => {
    if (child) await killBridge(child);
    await forwarder?.close();
    await collector?.endAsync(true);
    await broker?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('publishes a signed receipt per mapper frame heard, none lost across SIGKILL and a broker outage', async () => {
    broker = await startMosquitto();
    const counters = new Map<number, number>();
    let invalid = 0;
    collector = mqtt.connect(broker.url, { clientId: 'mapper-collector', clean: false, protocolVersion: 5, properties: { sessionExpiryInterval: 3600 }, reconnectPeriod: 200 });
    collector.on('message', (_topic, payload) => {
      const decoded = decodeMapperReceiptPayload(payload);
      const frame = decoded.ok ? parseMapperFrame(decoded.receipt.frame) : null;
      // The receipt carries the frame untouched (its MIC still verifies) and the forwarder's radio metadata.
      if (!decoded.ok || !frame || !verifyMapperReceipt(decoded.receipt, decoded.canonical) || !verifyMapperFrameMic(decoded.receipt.frame, DEVICE_KEY, frame.counterLow16)
        || decoded.receipt.signal !== -970 || decoded.receipt.snr !== 65 || decoded.receipt.tmst !== 5_000_000 + frame.counterLow16
        || decoded.receipt.frequency !== 868_100_000 || decoded.receipt.datarate !== 'SF9BW125' || decoded.receipt.gateway_time !== BigInt(Date.parse('2026-12-02T06:00:00Z')) * 1_000_000n) {
        invalid++;
        return;
      }
      counters.set(frame.counterLow16, (counters.get(frame.counterLow16) ?? 0) + 1);
    });
    await new Promise<void>((resolve) => collector!.once('connect', () => resolve()));
    await collector.subscribeAsync(MAPPER_RECEIPT_FILTER, { qos: 1 });
    await broker.stop(); // nothing can be delivered: every receipt stays in the on-disk queue

    const { env, udpPort, apiPort } = await bridgeChildEnv(dir, broker.url);
    child = await spawnBridge(env);
    forwarder = await startVirtualUdpForwarder({ bridgePort: udpPort, gatewayEui: 'AA555A00000000DD', keepaliveMs: 1000 });
    await forwarder.ready;
    for (let n = 1; n <= FRAMES; n++) {
      forwarder.deliver(mapperRxpk(n));
      if (n === 1) forwarder.deliver(mapperRxpk(1)); // heard twice (second antenna): one receipt
      await new Promise((r) => setTimeout(r, 5));
    }
    const depth = () => queueDepth(apiPort);
    await expect.poll(depth, { timeout: 20_000, interval: 100 }).toBe(FRAMES);

    await killBridge(child);
    await broker.restart();
    child = await spawnBridge(env);
    await expect.poll(() => counters.size, { timeout: 40_000, interval: 200 }).toBe(FRAMES);
    await expect.poll(depth, { timeout: 10_000 }).toBe(0);
    expect(invalid).toBe(0);
    expect([...counters.keys()].sort((a, b) => a - b)).toEqual(Array.from({ length: FRAMES }, (_, i) => i + 1));
  });
});
