import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@poc/devnet/test-database';
import { acceptedReport, hotspot, LOC0, LOC3, makeBeacon, makeWitness } from '../../test/helpers';
import { storeBatch } from './store';

/** What storeBatch writes, read back column by column from a real PostgreSQL. */
let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
});

const entropy = { data: new Uint8Array(randomBytes(32)), timestamp: BigInt(Math.floor(Date.now() / 1000)), version: 1, oracle_key: 'o', signature: new Uint8Array(64) };

describe('storeBatch', () => {
  it('stores every field of beacons and witnesses once, counts the copies and records rejections with their reasons', async () => {
    const receivedAt = new Date('2026-12-02T10:11:12.345Z');
    const beacon = makeBeacon(hotspot(LOC0), entropy);
    const witness = makeWitness(hotspot(LOC3), beacon, -1234, -75);
    const b = acceptedReport('beacon', beacon, receivedAt);
    const w = acceptedReport('witness', witness, receivedAt);
    const garbage = { topic: 'poc/v1/EU868/"x\\y,{NULL}"/witness', reason: 'malformed_json' as const, detail: 'bad "json" \\ here', payload: Buffer.from('{"a":'), receivedAt };

    expect(await storeBatch(db.sql, [b, w, { ...w }], [garbage])).toEqual({ stored: 2, duplicates: 1 });
    expect(await storeBatch(db.sql, [b], [garbage])).toEqual({ stored: 0, duplicates: 1 });

    const [beaconRow] = await db.sql`SELECT * FROM beacon_reports`;
    expect(beaconRow).toMatchObject({
      hash: b.hash,
      hotspot: beacon.pub_key,
      received_at: receivedAt,
      report_ts_ns: beacon.timestamp.toString(),
      local_entropy: Buffer.from(beacon.local_entropy),
      remote_entropy: Buffer.from(beacon.remote_entropy),
      data: Buffer.from(beacon.data),
      frequency: BigInt(beacon.frequency),
      channel: beacon.channel,
      datarate: beacon.datarate,
      tx_power: beacon.tx_power,
      tmst: BigInt(beacon.tmst),
      signature: Buffer.from(beacon.signature),
      status: 'pending',
    });
    const witnessRows = await db.sql`SELECT * FROM witness_reports`;
    expect(witnessRows).toHaveLength(1);
    expect(witnessRows[0]).toMatchObject({
      hash: w.hash,
      hotspot: witness.pub_key,
      received_at: receivedAt,
      report_ts_ns: witness.timestamp.toString(),
      data: Buffer.from(witness.data),
      tmst: BigInt(witness.tmst),
      signal: -1234,
      snr: -75,
      frequency: BigInt(witness.frequency),
      datarate: witness.datarate,
      signature: Buffer.from(witness.signature),
    });

    const rejections = await db.sql<{ topic: string; hotspot: string | null; reason: string; detail: string; payload: Buffer; count: bigint; received_on: Date }[]>`
      SELECT topic, hotspot, reason, detail, payload, count, received_on FROM rejected_messages ORDER BY reason, detail`;
    expect(rejections).toEqual([
      { topic: 'witness', hotspot: null, reason: 'duplicate', detail: w.hash, payload: Buffer.alloc(0), count: 1n, received_on: new Date('2026-12-02') },
      { topic: 'beacon', hotspot: null, reason: 'duplicate', detail: b.hash, payload: Buffer.alloc(0), count: 1n, received_on: new Date('2026-12-02') },
      { topic: garbage.topic, hotspot: null, reason: 'malformed_json', detail: garbage.detail, payload: garbage.payload, count: 2n, received_on: new Date('2026-12-02') },
    ].sort((x, y) => (x.reason + x.detail < y.reason + y.detail ? -1 : 1)));
  });
});
