import {
  decodeEntropyPayload,
  decodeReportPayload,
  encodeReportPayload,
  ENTROPY_TOPIC,
  generateBeacon,
  generateHotspotKeypair,
  REGION_PARAMS,
  reportTopic,
  sealDeviceKey,
  signBeaconReport,
  signMapperRegistration,
  signWitnessReport,
  verifyEntropy,
  walletAddressOfKey,
  type BeaconReport,
  type EntropyReport,
  type HotspotKeypair,
  type WitnessReport,
} from '@poc/protocol';
import mqtt, { type MqttClient } from 'mqtt';
import { generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import pino from 'pino';
import type { OracleConfig } from '../src';
import type { AcceptedReport } from '../src/ingest/decode';
import type { Sql } from 'postgres';

// Pre-signed report streams for scripts/load-test.ts.
export { presignedWitnessStream, type PresignedReport } from './presigned-reports';
// Oracle internals the cross-component tests (test/security) drive directly, through `@poc/oracle/testing`.
export { issueEntropy } from '../src/entropy/publisher';
export { storeBatch } from '../src/ingest/store';
export { maintainPartitions, oraclePartitionedTables } from '../src/db/partitions';
export { updateTrustScores } from '../src/plausibility/trust';
export { loadLinkGraph, type LinkGraph, type LinkPair } from '../src/plausibility/link-graph';
export { collusionEvidence, closedGroupEvidence, fitPropagationModel, geometryEvidence, linkAsymmetryEvidence, type Evidence } from '../src/plausibility/collusion';
export { HexDensityCache } from '../src/rewards/density-cache';
export { processPendingPocs } from '../src/verify/processor';
export { processMapperFrames } from '../src/mappers/process';
export { registerMapperDevice } from '../src/mappers/devices';
export { processMapperLogs } from '../src/mappers/logs';
export { storeMapperReceipts } from '../src/mappers/receipts';
export type { AcceptedReport } from '../src/ingest/decode';

export const silentLogger = pino({ level: 'silent' });

/** An in-process oracle's config for tests: quiet, no shared subscription, 60 s beacons and entropy, 1-hour epochs. */
export function testOracleConfig(config: Pick<OracleConfig, 'databaseUrl' | 'mqttUrl' | 'oracleKeypair'> & Partial<OracleConfig>): OracleConfig {
  return {
    sharedSubscriptionGroup: null,
    epochSeconds: 3600,
    beaconIntervalSeconds: 60,
    entropyIntervalSeconds: 60,
    emissionPerEpoch: 1_000_000n,
    witnessGraceSeconds: 0.5,
    logger: silentLogger,
    workerThreads: 1,
    ...config,
  };
}

/** Helium fixture locations (oracle/README.md §Helium reference): LOC0 Malta; LOC4 is 28 res-11 cells (1.3 km) away, LOC3 only 7. */
export const LOC0 = (631615575095659519n).toString(16);
export const LOC3 = (627111975468974079n).toString(16);
export const LOC4 = (627111975465463807n).toString(16);

export interface TestHotspot {
  keys: HotspotKeypair;
  location: string;
}

export const hotspot = (location: string): TestHotspot => ({ keys: generateHotspotKeypair(), location });

/**
 * A mapper device owner (an Ed25519 wallet) and the registrations it signs, each device key sealed to the oracle's
 * key-seal public key (oracle/README.md §Mappers). An attack test overrides the signer, the named owner, the time or
 * the seal.
 */
export function mapperOwner(keySealPublicKey: Uint8Array) {
  const keys = generateKeyPairSync('ed25519');
  const address = walletAddressOfKey(keys.publicKey);
  const registration = (deviceId: number, deviceKey: Uint8Array, o: { signer?: KeyObject; as?: string; issuedAt?: number; sealTo?: Uint8Array } = {}) =>
    signMapperRegistration(
      { deviceId, owner: o.as ?? address, sealedKey: sealDeviceKey(deviceKey, deviceId, o.sealTo ?? keySealPublicKey), issuedAt: o.issuedAt ?? Math.floor(Date.now() / 1000) },
      o.signer ?? keys.privateKey,
    );
  return { keys, address, registration };
}

/** Registry rows with reciprocity already established (as Helium's runner tests seed it). */
export async function seedHotspots(sql: Sql, hotspots: TestHotspot[], { reciprocity = true } = {}): Promise<void> {
  const { upsertHotspots } = await import('../src/registry/registry');
  await upsertHotspots(
    sql,
    hotspots.map((h, i) => ({ address: h.keys.address, name: `test-${i}`, region: 'EU868', locationH3: h.location, gainDdbi: 12 })),
  );
  if (reciprocity) {
    await sql`UPDATE hotspots SET last_witness_at = now() - interval '1 hour', last_beacon_recip_at = now() - interval '1 hour'
              WHERE address IN ${sql(hotspots.map((h) => h.keys.address))}`;
  }
}

export async function connectClient(url: string): Promise<MqttClient> {
  return mqtt.connectAsync(url, { clientId: `test-${randomBytes(4).toString('hex')}`, reconnectPeriod: 200 });
}

/** Waits for the oracle's retained, signed entropy. */
export async function latestEntropy(client: MqttClient, oracleAddress: string): Promise<EntropyReport> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no entropy within 15 s')), 15_000);
    client.on('message', (topic, payload) => {
      if (topic !== ENTROPY_TOPIC) return;
      const entropy = decodeEntropyPayload(payload);
      if (entropy && verifyEntropy(entropy, oracleAddress)) {
        clearTimeout(timer);
        resolve(entropy);
      }
    });
    void client.subscribeAsync(ENTROPY_TOPIC, { qos: 1 });
  });
}

export function makeBeacon(beaconer: TestHotspot, entropy: EntropyReport): BeaconReport {
  const localEntropy = new Uint8Array(randomBytes(4));
  const generated = generateBeacon(
    { remoteEntropy: entropy.data, remoteEntropyTimestamp: entropy.timestamp, localEntropy },
    REGION_PARAMS.EU868,
  );
  return signBeaconReport(
    {
      pub_key: beaconer.keys.address,
      local_entropy: localEntropy,
      remote_entropy: entropy.data,
      data: generated.data,
      frequency: generated.frequency,
      channel: generated.channel,
      datarate: generated.datarate,
      tx_power: 14,
      timestamp: BigInt(Date.now()) * 1_000_000n,
      tmst: 1000,
    },
    beaconer.keys.privateKeyObject,
  );
}

/** `signal` dBm×10 and `snr` dB×10, as the report carries them. */
export function makeWitness(witness: TestHotspot, beacon: BeaconReport, signal = -1000, snr = 55): WitnessReport {
  return signWitnessReport(
    {
      pub_key: witness.keys.address,
      data: beacon.data,
      timestamp: BigInt(Date.now()) * 1_000_000n,
      tmst: 2000,
      signal,
      snr,
      frequency: beacon.frequency,
      datarate: beacon.datarate,
    },
    witness.keys.privateKeyObject,
  );
}

/** A signed report as the ingest pipeline hands it to `storeBatch`, received by the oracle at `receivedAt`. */
export function acceptedReport(kind: 'beacon' | 'witness', report: BeaconReport | WitnessReport, receivedAt: Date): AcceptedReport {
  const decoded = decodeReportPayload(kind, encodeReportPayload(kind, report));
  if (!decoded.ok) throw new Error(decoded.detail);
  return { kind, hash: decoded.hash, report: decoded.report, receivedAt, payload: Buffer.alloc(0), topic: kind } as AcceptedReport;
}

export async function publishBeacon(client: MqttClient, beacon: BeaconReport): Promise<void> {
  await client.publishAsync(reportTopic('EU868', beacon.pub_key, 'beacon'), encodeReportPayload('beacon', beacon), { qos: 1 });
}

export async function publishWitness(client: MqttClient, witness: WitnessReport): Promise<void> {
  await client.publishAsync(reportTopic('EU868', witness.pub_key, 'witness'), encodeReportPayload('witness', witness), { qos: 1 });
}

export async function waitFor<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
