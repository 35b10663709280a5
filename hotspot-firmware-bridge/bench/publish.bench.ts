/**
 * Reports/s one bridge process can sign, durably queue (fsync-batched journal) and publish at QoS 1 until PUBACK,
 * against a real in-process MQTT broker (aedes), compared with raw Ed25519 signs/s of the same messages in the same run.
 * Run: npx tsx hotspot-firmware-bridge/bench/publish.bench.ts
 */
import { beaconFrame, canonicalWitnessBytes, keypairFromSecret, signBytes } from '@poc/protocol';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { existsSync } from 'node:fs';
import { startEmbeddedBroker } from '@poc/broker';
import { startMosquitto } from '@poc/devnet/mosquitto';
import { createInProcessLink, startBridgeNode, type Rxpk } from '../src';

let brokerName = '';
const REPORTS = Number(process.env.BENCH_REPORTS ?? 20_000);
const keypair = keypairFromSecret(new Uint8Array(32).fill(99));

function rxpkFor(n: number): Rxpk {
  const data = new Uint8Array(51);
  new DataView(data.buffer).setUint32(0, n);
  const frame = beaconFrame(data);
  return {
    tmst: n, freq: 867.9, chan: 4, rfch: 0, stat: 1, modu: 'LORA', datr: 'SF12BW125', codr: '4/5', rssi: -100, lsnr: -5,
    size: 52, data: Buffer.from(frame).toString('base64'), payload: frame,
  };
}

function rawSignsPerSecond(): number {
  const message = canonicalWitnessBytes({
    pub_key: keypair.address, data: new Uint8Array(51).fill(1), timestamp: 1_700_000_000_000_000_000n, tmst: 1, signal: -1000,
    snr: -50, frequency: 867_900_000, datarate: 'SF12BW125',
  });
  for (let i = 0; i < 2000; i++) signBytes(keypair.privateKeyObject, message);
  const start = performance.now();
  let count = 0;
  while (performance.now() - start < 2000) {
    for (let i = 0; i < 500; i++) signBytes(keypair.privateKeyObject, message);
    count += 500;
  }
  return count / ((performance.now() - start) / 1000);
}

async function bridgeReportsPerSecond(): Promise<{ rate: number; published: number; republished: number }> {
  // A broker in its own process when mosquitto is installed (as in production); else aedes in this process.
  const broker = existsSync(process.env.MOSQUITTO_BIN ?? '/usr/sbin/mosquitto') ? await startMosquitto() : await startEmbeddedBroker();
  brokerName = 'broker' in broker ? 'aedes (in-process)' : 'mosquitto';
  const dir = mkdtempSync(join(tmpdir(), 'bench-bridge-'));
  const { link, forwarder } = createInProcessLink();
  const node = await startBridgeNode({
    keypair, region: 'EU868', antennaGainDdbi: 12, mqttUrl: broker.url, oracleAddress: keypair.address, queueDir: dir,
    beaconIntervalSeconds: 3600, link, beaconing: false, logger: pino({ level: 'silent' }),
    publishPace: null, // the pipeline's capacity, not the per-hotspot pace a network broker asks for
  });
  try {
    while (node.publisher.mqttState() !== 'online') await new Promise((r) => setTimeout(r, 10));
    const start = performance.now();
    for (let n = 0; n < REPORTS; n++) forwarder.deliver(rxpkFor(n));
    let appendedAt = 0;
    while (node.publisher.stats().acknowledged < REPORTS) {
      if (!appendedAt && node.queue.stats().appended >= REPORTS) appendedAt = performance.now();
      await new Promise((r) => setTimeout(r, 2));
    }
    if (process.env.BENCH_DEBUG) console.log(`all signed+journaled after ${((appendedAt - start) / 1000).toFixed(2)} s`);
    const seconds = (performance.now() - start) / 1000;
    const stats = node.publisher.stats();
    return { rate: REPORTS / seconds, published: stats.published, republished: stats.republished };
  } finally {
    await node.stop();
    await broker.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

const baseline = rawSignsPerSecond();
const bridge = await bridgeReportsPerSecond();
console.log(`raw Ed25519 signs/s: ${baseline.toFixed(0)}; bridge: ${REPORTS} witness reports signed, journaled (fsync-batched), published QoS 1 to ${brokerName} and PUBACKed; published ${bridge.published}, republished ${bridge.republished}`);
console.log(`BENCH bridge-sign-queue-publish: ${bridge.rate.toFixed(0)} reports/s | baseline ${baseline.toFixed(0)} ed25519-signs/s | ratio ${(bridge.rate / baseline).toFixed(3)}`);
process.exit(0);
