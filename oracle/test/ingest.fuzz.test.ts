import fc from 'fast-check';
import {
  encodeReportPayload,
  generateHotspotKeypair,
  reportTopic,
  signBeaconReport,
  type BeaconReport,
} from '@poc/protocol';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOracle, type RunningOracle } from '../src/index';
import { startEmbeddedBroker, type EmbeddedBroker } from '@poc/broker';
import { connectClient, hotspot, latestEntropy, LOC0, LOC4, makeBeacon, seedHotspots, testOracleConfig, waitFor } from './helpers';
import { createTestDatabase, type TestDatabase } from '@poc/devnet/test-database';

/**
 * Hostile MQTT traffic through the real broker into a running oracle and a real PostgreSQL: every message must
 * end as exactly one stored report or be counted in a rejected_messages row with a reason (identical copies share
 * one row and its count), and the oracle must stay healthy.
 */
let db: TestDatabase;
let broker: EmbeddedBroker;
let oracle: RunningOracle;
let client: MqttClient;
const oracleKeys = generateHotspotKeypair();
const beaconer = hotspot(LOC0);
const impostor = hotspot(LOC4);

beforeAll(async () => {
  db = await createTestDatabase();
  broker = await startEmbeddedBroker();
  await seedHotspots(db.sql, [beaconer, impostor]);
  oracle = await startOracle(testOracleConfig({ databaseUrl: db.url, mqttUrl: broker.url, oracleKeypair: oracleKeys }));
  client = await connectClient(broker.url);
});

afterAll(async () => {
  await client?.endAsync();
  await oracle?.stop();
  await broker?.stop();
  await db?.drop();
});

const counts = async () => {
  const [row] = await db.sql<{ beacons: bigint; rejected: bigint }[]>`
    SELECT (SELECT count(*) FROM beacon_reports) AS beacons, (SELECT coalesce(sum(count), 0) FROM rejected_messages) AS rejected`;
  return { beacons: Number(row!.beacons), rejected: Number(row!.rejected) };
};

describe('oracle ingest under hostile MQTT input (real aedes, real PostgreSQL)', () => {
  it('rejects garbage, SQL-shaped topics, replays, re-signed and impersonating reports with a reason each, and stays healthy', async () => {
    const entropy = await latestEntropy(client, oracleKeys.address);
    const topic = reportTopic('EU868', beaconer.keys.address, 'beacon');
    const sent: { topic: string; payload: Buffer; expect: string }[] = [];

    // 1. Arbitrary payloads on a real hotspot's topic.
    const garbage = fc.sample(fc.oneof(fc.uint8Array({ maxLength: 600 }).map((b) => Buffer.from(b)), fc.jsonValue({ maxDepth: 3 }).map((v) => Buffer.from(JSON.stringify(v) ?? 'null'))), { numRuns: 400, seed: 7 });
    for (const payload of garbage) sent.push({ topic, payload, expect: 'malformed_json|invalid_schema' });
    // 2. A huge body.
    sent.push({ topic, payload: Buffer.alloc(256 * 1024, 0x41), expect: 'payload_too_large' });

    const good = makeBeacon(beaconer, entropy);
    const goodPayload = encodeReportPayload('beacon', good);
    // 3. A valid report published on SQL-shaped / foreign hotspot topic segments.
    for (const segment of ["' OR '1'='1", "x'); DROP TABLE beacon_reports; --", impostor.keys.address, '%00']) {
      sent.push({ topic: `poc/v1/eu868/hotspot/${segment}/beacon`, payload: goodPayload, expect: 'topic_mismatch' });
    }
    // 4. The original, then two replays of the same bytes.
    sent.push({ topic, payload: goodPayload, expect: 'stored' });
    sent.push({ topic, payload: goodPayload, expect: 'duplicate' }, { topic, payload: goodPayload, expect: 'duplicate' });
    // 5. The same report re-signed by another key, pub_key unchanged.
    const resigned: BeaconReport = signBeaconReport({ ...good, tmst: good.tmst + 1 }, impostor.keys.privateKeyObject);
    sent.push({ topic, payload: encodeReportPayload('beacon', resigned), expect: 'bad_signature' });
    // 6. The impostor's own validly signed copy pushed onto the beaconer's topic.
    const stolen = signBeaconReport({ ...good, pub_key: impostor.keys.address }, impostor.keys.privateKeyObject);
    sent.push({ topic, payload: encodeReportPayload('beacon', stolen), expect: 'topic_mismatch' });
    // 7. Clock-skewed timestamps (a year ahead, at the epoch): accepted as reports but timed by the oracle's clock.
    const skewed = [BigInt(Date.now() + 365 * 86_400_000) * 1_000_000n, 0n].map((timestamp) =>
      signBeaconReport({ ...makeBeacon(beaconer, entropy), timestamp }, beaconer.keys.privateKeyObject),
    );
    for (const report of skewed) sent.push({ topic, payload: encodeReportPayload('beacon', report), expect: 'stored' });

    const startedAt = new Date();
    for (const m of sent) await client.publishAsync(m.topic, m.payload, { qos: 1 });
    const storedExpected = sent.filter((m) => m.expect === 'stored').length;
    const rejectedExpected = sent.length - storedExpected;
    await waitFor('every message stored or rejected', async () => {
      const c = await counts();
      if (process.env.FUZZ_DEBUG) console.log(c, sent.length, oracle.stats(), oracle.health());
      return c.beacons + c.rejected >= sent.length ? c : null;
    }, 20_000);
    await oracle.tick();
    const final = await counts();
    console.log(`FUZZ ingest: ${sent.length} MQTT messages tried, ${final.beacons} stored, ${final.rejected} rejected with a reason`);
    expect(final).toEqual({ beacons: storedExpected, rejected: rejectedExpected });

    const reasons = await db.sql<{ reason: string; n: bigint }[]>`SELECT reason, sum(count) AS n FROM rejected_messages GROUP BY reason`;
    const byReason = Object.fromEntries(reasons.map((r) => [r.reason, Number(r.n)]));
    expect(byReason.duplicate).toBe(2);
    expect(byReason.bad_signature).toBe(1);
    expect(byReason.topic_mismatch).toBe(5);
    expect(byReason.payload_too_large).toBe(1);
    expect((byReason.malformed_json ?? 0) + (byReason.invalid_schema ?? 0)).toBe(garbage.length);
    const unexplained = await db.sql`SELECT id FROM rejected_messages WHERE reason IS NULL OR reason = ''`;
    expect(unexplained).toHaveLength(0);

    const timed = await db.sql<{ received_at: Date; report_ts_ns: string }[]>`SELECT received_at, report_ts_ns::text FROM beacon_reports`;
    for (const row of timed) expect(row.received_at.getTime()).toBeGreaterThanOrEqual(startedAt.getTime() - 1000);
    expect(await db.sql`SELECT 1 FROM beacon_reports LIMIT 1`).toHaveLength(1); // the tables survived the SQL-shaped input

    const health = oracle.health();
    expect(health.mqttConnected).toBe(true);
    expect(health.lastError).toBeNull();
    expect(await oracle.metrics.metrics()).toMatch(/oracle_messages_rejected_total\{reason="duplicate"\} 2/);
  });
});
