import { startEmbeddedBroker, type EmbeddedBroker } from '@poc/broker';
import { createTestDatabase, type TestDatabase } from '@poc/devnet/test-database';
import { startOracle, type RunningOracle } from '@poc/oracle';
import { connectClient, hotspot, LOC0, LOC4, maintainPartitions, oraclePartitionedTables, testOracleConfig, waitFor } from '@poc/oracle/testing';
import { generateHotspotKeypair, reportTopic } from '@poc/protocol';
import type { MqttClient } from 'mqtt';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let db: TestDatabase;
let broker: EmbeddedBroker;
let oracle: RunningOracle;
let client: MqttClient;
const flooder = hotspot(LOC0);
const other = hotspot(LOC4);

beforeAll(async () => {
  db = await createTestDatabase();
  broker = await startEmbeddedBroker();
  oracle = await startOracle(testOracleConfig({ databaseUrl: db.url, mqttUrl: broker.url, oracleKeypair: generateHotspotKeypair() }));
  client = await connectClient(broker.url);
});
afterAll(async () => {
  await client?.endAsync();
  await oracle?.stop();
  await broker?.stop();
  await db?.drop();
});

async function publishCopies(topic: string, payload: Buffer, copies: number): Promise<void> {
  for (let sent = 0; sent < copies; sent += 500) {
    const n = Math.min(500, copies - sent);
    await Promise.all(Array.from({ length: n }, () => client.publishAsync(topic, payload, { qos: 1 })));
  }
}

/**
 * Attack: a client floods the same bad message. Before the fix every copy was one more `rejected_messages` row for
 * ever; now identical rejections (same topic, so same hotspot, reason and payload hash) are one row with a count.
 */
describe('attack: flooding rejected_messages', () => {
  it('stores 10,000 identical bad messages as one row counting 10,000, and every rejection is accounted for', async () => {
    const floodTopic = reportTopic('EU868', flooder.keys.address, 'beacon');
    const flood = Buffer.from(JSON.stringify({ not: 'a report' }));
    const variants = ['{"a":1}', '{"a":2}', 'not json', '[]'].map((s) => Buffer.from(s));
    const otherTopic = reportTopic('EU868', other.keys.address, 'witness');

    await publishCopies(floodTopic, flood, 10_000);
    for (const v of variants) await publishCopies(otherTopic, v, 5);
    const expected = 10_000 + variants.length * 5;

    await waitFor('every rejection counted', async () => {
      const [row] = await db.sql<{ n: string | null }[]>`SELECT sum(count)::text AS n FROM rejected_messages`;
      return Number(row?.n ?? 0) >= expected;
    }, 120_000);

    const rows = await db.sql<{ topic: string; hotspot: string | null; reason: string; payload_hash: Buffer; count: string; received_at: Date; last_seen_at: Date }[]>`
      SELECT topic, hotspot, reason, payload_hash, count::text, received_at, last_seen_at FROM rejected_messages ORDER BY rejected_messages.count DESC, payload_hash`;
    expect(rows).toHaveLength(1 + variants.length);
    const flooded = rows[0]!;
    expect(flooded).toMatchObject({ topic: floodTopic, hotspot: flooder.keys.address, reason: 'invalid_schema', count: '10000' });
    expect(flooded.payload_hash).toEqual(createHash('sha256').update(flood).digest());
    expect(flooded.last_seen_at.getTime()).toBeGreaterThanOrEqual(flooded.received_at.getTime());
    for (const row of rows.slice(1)) expect(row).toMatchObject({ topic: otherTopic, hotspot: other.keys.address, count: '5' });
    expect(rows.reduce((sum, r) => sum + Number(r.count), 0)).toBe(expected);
    // The operator's counter and the table agree: nothing was dropped on the way.
    const metrics = await oracle.metrics.metrics();
    const rejected = [...metrics.matchAll(/oracle_messages_rejected_total\{reason="[a-z_]+"\} (\d+)/g)].reduce((s, m) => s + Number(m[1]), 0);
    expect(rejected).toBe(expected);
    expect(oracle.stats().messagesReceived).toBe(expected);
  });

  it('drops rejections of days older than the retention, and only those', async () => {
    // Move four rows to 15 days ago: no partition exists for that day, so they land in the default partition.
    await db.sql`UPDATE rejected_messages SET last_seen_at = now() - interval '15 days', received_on = (now() - interval '15 days')::date
      WHERE topic <> ${reportTopic('EU868', flooder.keys.address, 'beacon')}`;
    const [rejected] = oraclePartitionedTables({ reportDays: 30, rejectedMessagesDays: 14, coverageHistoryDays: 90 }).filter((t) => t.table === 'rejected_messages');
    expect((await maintainPartitions(db.sql, [rejected!])).deletedFromDefault).toBe(4);
    const left = await db.sql<{ count: string }[]>`SELECT count::text FROM rejected_messages`;
    expect(left).toEqual([{ count: '10000' }]);
  });
});
