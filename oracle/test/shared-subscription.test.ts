import { generateHotspotKeypair } from '@poc/protocol';
import { latLngToCell } from 'h3-js';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOracle, type OracleConfig, type RunningOracle } from '../src';
import { createTestDatabase, type TestDatabase } from '@poc/devnet/test-database';
import { startMosquitto, type MosquittoBroker } from '@poc/devnet/mosquitto';
import { connectClient, latestEntropy, makeBeacon, makeWitness, publishBeacon, publishWitness, seedHotspots, silentLogger, waitFor, type TestHotspot } from './helpers';

let db: TestDatabase;
let broker: MosquittoBroker;
const oracles: RunningOracle[] = [];
let client: MqttClient;
const oracleKeys = generateHotspotKeypair();
// 40 hotspots ~3 km apart on a grid in Malta: every pair used below is 8+ cells and < 100 km apart.
const hotspots: TestHotspot[] = Array.from({ length: 40 }, (_, i) => ({
  keys: generateHotspotKeypair(),
  location: latLngToCell(35.8 + Math.floor(i / 8) * 0.03, 14.3 + (i % 8) * 0.03, 12),
}));

beforeAll(async () => {
  db = await createTestDatabase();
  broker = await startMosquitto();
  await seedHotspots(db.sql, hotspots);
  const config: OracleConfig = {
    databaseUrl: db.url,
    mqttUrl: broker.url,
    sharedSubscriptionGroup: 'oracles',
    oracleKeypair: oracleKeys,
    epochSeconds: 3600,
    beaconIntervalSeconds: 60,
    entropyIntervalSeconds: 60,
    emissionPerEpoch: 1_000_000n,
    witnessGraceSeconds: 1,
    logger: silentLogger,
    workerThreads: 1,
  };
  oracles.push(await startOracle(config), await startOracle({ ...config, publishEntropy: false }));
  client = await connectClient(broker.url);
});

afterAll(async () => {
  await client?.endAsync();
  for (const o of oracles) await o.stop();
  await broker?.stop();
  await db?.drop();
});

describe('two oracle workers behind a mosquitto shared subscription', () => {
  it('split the reports and the PoC processing with nothing stored or verified twice', async () => {
    const entropy = await latestEntropy(client, oracleKeys.address);
    let witnessCount = 0;
    for (let i = 0; i < hotspots.length; i++) {
      const beacon = makeBeacon(hotspots[i]!, entropy);
      await publishBeacon(client, beacon);
      for (const offset of [1, 8]) {
        await publishWitness(client, makeWitness(hotspots[(i + offset) % hotspots.length]!, beacon, -1100));
        witnessCount++;
      }
    }
    await waitFor('every beacon to be verified', async () => {
      const [row] = await db.sql<{ n: bigint }[]>`SELECT count(*) AS n FROM beacon_reports WHERE status <> 'pending'`;
      return row!.n === BigInt(hotspots.length);
    });

    const received = oracles.map((o) => o.stats().messagesReceived);
    expect(received[0]! + received[1]!).toBe(hotspots.length + witnessCount);
    expect(received.every((n) => n > 0)).toBe(true);
    expect(oracles.reduce((n, o) => n + o.stats().beaconsProcessed, 0)).toBe(hotspots.length);
    expect(await db.sql`SELECT * FROM rejected_messages`).toHaveLength(0);

    const beacons = await db.sql<{ status: string; reason: string | null }[]>`SELECT status, reason FROM beacon_reports`;
    expect(beacons.every((b) => b.status === 'valid')).toBe(true);
    const witnesses = await db.sql<{ status: string; reason: string | null; beacon_hash: string | null }[]>`SELECT status, reason, beacon_hash FROM witness_reports`;
    expect(witnesses).toHaveLength(witnessCount);
    expect(witnesses.filter((w) => w.status === 'valid' && w.beacon_hash)).toHaveLength(witnessCount);
    const [coverage] = await db.sql<{ n: string }[]>`SELECT sum(witness_count)::text AS n FROM coverage_hexes WHERE resolution = 9`;
    expect(Number(coverage!.n)).toBe(witnessCount);
  });
});
