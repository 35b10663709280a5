import { ENTROPY_TOPIC, decodeReportPayload, encodeEntropyPayload, keypairFromSecret, parseReportTopic, signEntropy, verifyBeaconReport, verifyWitnessReport } from '@poc/protocol';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, describe, expect, it } from 'vitest';

import { CONCENTRATOR_MAX_TX_POWER_DBM, FORWARDER_DIALECTS, planFleet, startFleet, type Fleet } from '@poc/simulator';
import { startEmbeddedBroker, type EmbeddedBroker } from '@poc/broker';

describe('simulated fleet of real bridges over loopback UDP', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fleet-'));
  let broker: EmbeddedBroker | null = null;
  let fleet: Fleet | null = null;
  let subscriber: mqtt.MqttClient | null = null;
  afterAll(async () => {
    await fleet?.stop();
    await subscriber?.endAsync(true);
    await broker?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const seen = {
    beacons: [] as string[],
    beaconPowers: [] as number[],
    witnesses: [] as { hash: string; data: string; region: string; hotspot: string }[],
    bad: 0,
  };

  it('beacons with the oracle entropy, witnesses neighbours, and a replay cheater republishes', async () => {
    broker = await startEmbeddedBroker();
    const oracle = keypairFromSecret(new Uint8Array(32).fill(77));
    const entropy = signEntropy(
      { data: new Uint8Array(32).fill(3), timestamp: BigInt(Math.floor(Date.now() / 1000)), version: 0, oracle_key: oracle.address },
      oracle.privateKeyObject,
    );
    subscriber = await mqtt.connectAsync(broker.url, { clientId: 'fleet-test-sub' });
    subscriber.on('message', (topic, payload) => {
      const parsed = parseReportTopic(topic);
      if (!parsed) return;
      const decoded = decodeReportPayload(parsed.kind, payload);
      if (!decoded.ok) return void seen.bad++;
      if (decoded.kind === 'beacon') {
        if (!verifyBeaconReport(decoded.report, decoded.canonical)) seen.bad++;
        seen.beacons.push(Buffer.from(decoded.report.data).toString('hex'));
        seen.beaconPowers.push(decoded.report.tx_power);
      } else {
        if (!verifyWitnessReport(decoded.report, decoded.canonical)) seen.bad++;
        seen.witnesses.push({ hash: decoded.hash, data: Buffer.from(decoded.report.data).toString('hex'), region: parsed.region, hotspot: parsed.hotspotAddress });
      }
    });
    await subscriber.subscribeAsync('poc/v1/+/hotspot/+/+', { qos: 1 });
    await subscriber.publishAsync(ENTROPY_TOPIC, encodeEntropyPayload(entropy), { qos: 1, retain: true });

    const hotspots = planFleet({ count: 8, seed: 'fleet-test', cheaters: { replay: 1 } });
    fleet = await startFleet({
      mqttUrl: broker.url, hotspots, oracleAddress: oracle.address, dataDir: dir, beaconIntervalSeconds: 2, link: 'udp', replayDelayMs: 500,
    });
    expect(fleet.bridges).toHaveLength(8);
    expect(fleet.bridges.every((b) => b.udpPort !== null)).toBe(true);

    await expect.poll(() => fleet!.stats().beaconsSent, { timeout: 20_000, interval: 250 }).toBeGreaterThanOrEqual(16);
    await expect.poll(() => fleet!.stats().replaysPublished, { timeout: 10_000, interval: 250 }).toBeGreaterThan(0);
    // Every forwarder dialect (Semtech, sx1302_hal, Kerlink rsig, ChirpStack "stat":null) gets its witnesses through the
    // bridge, in both regions; with calibrated shadowing which hotspot hears which beacon varies, so wait for all of them.
    const dialectOf = new Map(hotspots.map((h) => [h.address, h.dialect]));
    await expect.poll(() => new Set(seen.witnesses.map((w) => dialectOf.get(w.hotspot))), { timeout: 30_000, interval: 250 }).toEqual(new Set(FORWARDER_DIALECTS));
    await expect.poll(() => new Set(seen.witnesses.map((w) => w.region)), { timeout: 10_000, interval: 250 }).toEqual(new Set(['eu868', 'us915']));
    await expect.poll(() => fleet!.stats().queueDepth, { timeout: 10_000 }).toBe(0);
    const stats = fleet.stats();
    expect(stats.online).toBe(8);
    expect(stats.witnessesReported).toBeGreaterThan(0);
    await expect.poll(() => seen.witnesses.length, { timeout: 5_000 }).toBeGreaterThanOrEqual(stats.witnessesReported);

    expect(seen.bad).toBe(0);
    const beaconData = new Set(seen.beacons);
    expect(seen.witnesses.every((w) => beaconData.has(w.data))).toBe(true);
    // US915 beacons ask for more than the concentrator can send: the forwarder clips (warn TX_POWER), the report says so.
    expect(seen.beaconPowers.every((power) => power <= CONCENTRATOR_MAX_TX_POWER_DBM)).toBe(true);
    expect(seen.beaconPowers).toContain(CONCENTRATOR_MAX_TX_POWER_DBM);
    const hashes = seen.witnesses.map((w) => w.hash);
    expect(new Set(hashes).size).toBeLessThan(hashes.length); // the replayed report arrived again, byte for byte
    console.info('fleet stats', JSON.stringify(stats));
  });

  it('runs in-process bridges over one shared MQTT connection with the same reports', async () => {
    await fleet?.stop();
    fleet = null;
    const oracle = keypairFromSecret(new Uint8Array(32).fill(77));
    const seenBefore = seen.witnesses.length;
    const hotspots = planFleet({ count: 6, seed: 'fleet-test-shared', cheaters: { fabricatedRssi: 1 } });
    fleet = await startFleet({
      mqttUrl: broker!.url, hotspots, oracleAddress: oracle.address, dataDir: join(dir, 'shared'), beaconIntervalSeconds: 2, link: 'in-process',
    });
    await expect.poll(() => fleet!.stats().online, { timeout: 10_000 }).toBe(6);
    await expect.poll(() => fleet!.stats().beaconsSent, { timeout: 20_000, interval: 250 }).toBeGreaterThanOrEqual(6);
    // Real-world shadowing: which beacons the cheater hears varies per packet, so wait until it has heard one.
    await expect.poll(() => fleet!.stats().radio.fabricated, { timeout: 30_000, interval: 250 }).toBeGreaterThan(0);
    await expect.poll(() => fleet!.stats().queueDepth, { timeout: 10_000 }).toBe(0);
    const stats = fleet.stats();
    expect(stats.witnessesReported).toBeGreaterThan(0);
    await expect.poll(() => seen.witnesses.length - seenBefore, { timeout: 5_000 }).toBeGreaterThanOrEqual(stats.witnessesReported);
    expect(seen.bad).toBe(0);
  });
});
