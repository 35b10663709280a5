import { encodeReportPayload, generateHotspotKeypair, reportTopic, verifyRewardsProof } from '@poc/protocol';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedBroker, type EmbeddedBroker } from '@poc/broker';
import { rewardProof, startOracle, type RunningOracle } from '../src';
import { decodeHotspotAddress } from '@poc/protocol';
import { createTestDatabase, type TestDatabase } from '@poc/devnet/test-database';
import {
  connectClient,
  hotspot,
  latestEntropy,
  LOC0,
  LOC3,
  LOC4,
  makeBeacon,
  makeWitness,
  publishBeacon,
  publishWitness,
  seedHotspots,
  testOracleConfig,
  waitFor,
} from './helpers';

const EMISSION = 1_000_000n * 1_000_000n;
let db: TestDatabase;
let broker: EmbeddedBroker;
let oracle: RunningOracle;
let client: MqttClient;
const oracleKeys = generateHotspotKeypair();
const beaconer = hotspot(LOC0);
const farWitness = hotspot(LOC4);
const nearWitness = hotspot(LOC3);

beforeAll(async () => {
  db = await createTestDatabase();
  broker = await startEmbeddedBroker();
  await seedHotspots(db.sql, [beaconer, farWitness, nearWitness]);
  oracle = await startOracle(
    testOracleConfig({ databaseUrl: db.url, mqttUrl: broker.url, oracleKeypair: oracleKeys, epochSeconds: 3, emissionPerEpoch: EMISSION, workerThreads: 2 }),
  );
  client = await connectClient(broker.url);
});

afterAll(async () => {
  await client?.endAsync();
  await oracle?.stop();
  await broker?.stop();
  await db?.drop();
});

describe('MQTT → oracle → PostgreSQL', () => {
  it('verifies a valid and a too-close witness, records rejections, maps coverage and pays the epoch exactly', async () => {
    const entropy = await latestEntropy(client, oracleKeys.address);
    const beacon = makeBeacon(beaconer, entropy);
    const good = makeWitness(farWitness, beacon);
    const tooClose = makeWitness(nearWitness, beacon);
    await publishBeacon(client, beacon);
    await publishWitness(client, good);
    await publishWitness(client, good); // replayed: stored once, recorded as a duplicate
    await publishWitness(client, tooClose);
    await client.publishAsync(reportTopic('EU868', farWitness.keys.address, 'witness'), Buffer.from('{not json'), { qos: 1 });
    await publishWitness(client, { ...makeWitness(farWitness, beacon), signal: -990 }); // signature no longer matches
    await publishWitness(client, makeWitness(nearWitness, beacon)); // published under the wrong hotspot's topic below
    await client.publishAsync(reportTopic('EU868', farWitness.keys.address, 'witness'), encodeReportPayload('witness', makeWitness(nearWitness, beacon)), { qos: 1 });

    const processed = await waitFor('the PoC to be verified', async () => {
      const [b] = await db.sql<{ status: string; reason: string | null; reward_unit: number }[]>`SELECT status, reason, reward_unit FROM beacon_reports`;
      return b && b.status !== 'pending' ? b : null;
    });
    expect(processed).toMatchObject({ status: 'valid', reason: null, reward_unit: 0.25 });

    const witnesses = await db.sql<{ hotspot: string; status: string; reason: string | null; selected: boolean; distance_m: number }[]>`
      SELECT hotspot, status, reason, selected, distance_m FROM witness_reports ORDER BY received_at`;
    const byHotspot = (address: string) => witnesses.filter((w) => w.hotspot === address);
    expect(byHotspot(farWitness.keys.address)).toEqual([
      { hotspot: farWitness.keys.address, status: 'valid', reason: null, selected: true, distance_m: 1314 },
    ]);
    // the near witness sent twice with different timestamps: the second is a duplicate of the same hotspot in this PoC
    expect(byHotspot(nearWitness.keys.address).map((w) => w.reason)).toEqual(['below_min_distance', 'duplicate']);

    const rejected = await waitFor('rejections', async () => {
      const rows = await db.sql<{ reason: string }[]>`SELECT reason FROM rejected_messages ORDER BY id`;
      return rows.length >= 4 ? rows : null;
    });
    expect(rejected.map((r) => r.reason).sort()).toEqual(['bad_signature', 'duplicate', 'malformed_json', 'topic_mismatch']);

    const [hex] = await db.sql<{ h3: string; hotspot_count: number; best_rssi: number }[]>`
      SELECT h3, hotspot_count, best_rssi FROM coverage_hexes WHERE resolution = 9`;
    expect(hex).toMatchObject({ hotspot_count: 1, best_rssi: -1000 });
    const rollups = await db.sql<{ resolution: number }[]>`SELECT resolution FROM coverage_hexes ORDER BY resolution`;
    expect(rollups.map((r) => r.resolution)).toEqual([4, 5, 6, 7, 8, 9]);
    // The same measurement in the daily history, at all six resolutions, on the witness's UTC receive day.
    const history = await db.sql<{ h3: string; day: Date; hotspot: string; best_rssi: number; witness_count: number }[]>`
      SELECT h3, day, hotspot, best_rssi, witness_count FROM coverage_hex_hotspot_days ORDER BY h3`;
    expect(history).toHaveLength(6);
    expect(history.map((r) => r.h3)).toContain(hex!.h3);
    for (const r of history) expect(r).toMatchObject({ hotspot: farWitness.keys.address, best_rssi: -1000, witness_count: 1 });

    const [hotspotRow] = await db.sql<{ last_witness_at: Date | null }[]>`SELECT last_witness_at FROM hotspots WHERE address = ${farWitness.keys.address}`;
    expect(hotspotRow!.last_witness_at!.getTime()).toBeGreaterThan(Date.now() - 60_000);

    const epoch = await waitFor('the epoch with the PoC to be computed', async () => {
      const [row] = await db.sql<{ epoch: bigint; total_paid: string; unallocated: string; non_poc: string; emission: string }[]>`
        SELECT e.epoch, e.total_paid::text, e.unallocated::text, e.non_poc::text, e.emission::text FROM epochs e
        JOIN epoch_rewards r ON r.epoch = e.epoch LIMIT 1`;
      if (!row && oracle.health().lastError) throw new Error(oracle.health().lastError!);
      return row;
    }, 20_000);
    expect(BigInt(epoch.total_paid) + BigInt(epoch.unallocated) + BigInt(epoch.non_poc)).toBe(EMISSION);
    expect(BigInt(epoch.total_paid)).toBe((EMISSION * 80n) / 100n);
    // The epoch's rows commit before the run that wrote them returns and records its duration.
    const epochDuration = await waitFor('the epoch duration metric', async () => {
      const text = await oracle.metrics.getSingleMetricAsString('oracle_epoch_compute_seconds');
      return /oracle_epoch_compute_seconds_count [1-9]/.test(text) && text;
    }, 5_000);
    expect(epochDuration).toMatch(/oracle_epoch_compute_seconds_count [1-9]/);
    const rewards = await db.sql<{ hotspot: string; amount: string; beacon_amount: string; witness_amount: string }[]>`
      SELECT hotspot, amount::text, beacon_amount::text, witness_amount::text FROM epoch_rewards WHERE epoch = ${String(epoch.epoch)}::bigint ORDER BY hotspot`;
    const amounts = Object.fromEntries(rewards.map((r) => [r.hotspot, [BigInt(r.beacon_amount), BigInt(r.witness_amount)]]));
    expect(amounts).toEqual({
      [beaconer.keys.address]: [(EMISSION * 16n) / 100n, 0n],
      [farWitness.keys.address]: [0n, (EMISSION * 64n) / 100n],
    });

    const proof = await rewardProof(db.sql, farWitness.keys.address, epoch.epoch);
    expect(proof!.cumulative).toBe((EMISSION * 64n) / 100n);
    expect(verifyRewardsProof(proof!.root, { hotspotKey: decodeHotspotAddress(farWitness.keys.address), cumulative: proof!.cumulative }, proof!.proof)).toBe(true);
    expect(oracle.health().mqttConnected).toBe(true);
    expect(oracle.stats().messagesReceived).toBeGreaterThanOrEqual(8);
  });
});
