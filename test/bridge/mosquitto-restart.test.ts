import { keypairFromSecret } from '@poc/protocol';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { createInProcessLink, startBridgeNode, type BridgeNode } from '@poc/hotspot-firmware-bridge';
import { startMosquitto, type MosquittoBroker } from '@poc/devnet/mosquitto';
import { beaconRxpkNumber, startReportCollector } from './helpers';

const logger = pino({ level: 'silent' });
const TOTAL = 300;

describe('bridge delivery through a real mosquitto that restarts mid-stream', () => {
  let broker: MosquittoBroker | null = null;
  let node: BridgeNode | null = null;
  let collector: Awaited<ReturnType<typeof startReportCollector>> | null = null;
  const dir = mkdtempSync(join(tmpdir(), 'bridge-mosq-'));
  afterAll(async () => {
    await collector?.stop();
    await node?.stop();
    await broker?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('loses no report across a broker stop/restart (duplicates allowed, counted)', async () => {
    broker = await startMosquitto();
    collector = await startReportCollector(broker.url, 'test-collector');
    const hotspot = keypairFromSecret(new Uint8Array(32).fill(11));
    const oracle = keypairFromSecret(new Uint8Array(32).fill(12));
    const { link, forwarder } = createInProcessLink();
    node = await startBridgeNode({
      keypair: hotspot, region: 'EU868', antennaGainDdbi: 12, mqttUrl: broker.url, oracleAddress: oracle.address,
      queueDir: dir, beaconIntervalSeconds: 60, link, beaconing: false, logger,
    });
    await expect.poll(() => node!.publisher.mqttState(), { timeout: 10_000 }).toBe('online');
    await expect.poll(() => collector!.states.includes('online'), { timeout: 10_000 }).toBe(true);

    const feed = async (from: number, to: number) => {
      for (let n = from; n < to; n++) {
        forwarder.deliver(beaconRxpkNumber(n));
        if (n % 10 === 0) await new Promise((r) => setTimeout(r, 5));
      }
    };
    await feed(0, 100);
    await broker.stop();
    await feed(100, 200);
    await expect.poll(() => node!.bridge.status().counters.witnessesReported, { timeout: 10_000 }).toBe(200);
    expect(node.publisher.mqttState()).not.toBe('online');
    expect(node.queue.depth).toBeGreaterThan(0);
    await broker.restart();
    await feed(200, TOTAL);

    await expect.poll(() => collector!.missing(TOTAL).length, { timeout: 40_000, interval: 200 }).toBe(0);
    await expect.poll(() => node!.queue.depth, { timeout: 10_000 }).toBe(0);
    expect(collector.invalid).toBe(0);
    const duplicates = collector.duplicates();
    console.info(`mosquitto restart: ${TOTAL} reports delivered, ${duplicates} duplicates, republished ${node.publisher.stats().republished}`);
    expect(duplicates).toBeLessThan(TOTAL);
  });
});
