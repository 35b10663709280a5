/**
 * Measures the bytes per row of the oracle's day-partitioned tables on realistic rows (docs/operations.md §8 sizing):
 * a fresh Debian PostgreSQL, the oracle's migrations, signed beacons with 5 witnesses each stored by the oracle's own
 * storeBatch, every column the verifier sets filled in, rejections with a 300-byte payload, coverage-history rows;
 * then VACUUM FULL and, per table, avg(pg_column_size(row)) and the partitions' pg_relation_size / pg_indexes_size /
 * pg_total_relation_size divided by the rows. Usage: npx tsx scripts/measure-row-sizes.ts [--beacons 10000]
 */
import { parseArgs } from 'node:util';
import { latLngToCell } from 'h3-js';
import { connectDatabase, migrate } from '@poc/db';
import { startDebianPostgres } from '@poc/devnet/debian-postgres';
import { ORACLE_MIGRATIONS_DIR } from '@poc/oracle/migrations';
import { acceptedReport, hotspot, issueEntropy, LOC0, LOC4, makeBeacon, makeWitness, storeBatch, type AcceptedReport } from '@poc/oracle/testing';
import { generateHotspotKeypair } from '@poc/protocol';

const { values } = parseArgs({ options: { beacons: { type: 'string', default: '10000' } } });
const beacons = Math.min(200_000, Math.max(100, Number(values.beacons)));
const WITNESSES_PER_BEACON = 5;

const pg = await startDebianPostgres();
const sql = connectDatabase(pg.url, { max: 4 });
try {
  await migrate(sql, [ORACLE_MIGRATIONS_DIR]);
  const entropy = await issueEntropy(sql, generateHotspotKeypair(), Date.now());
  const beaconers = Array.from({ length: 200 }, () => hotspot(LOC0));
  const witnesses = Array.from({ length: 200 }, () => hotspot(LOC4));
  for (let first = 0; first < beacons; first += 500) {
    const batch: AcceptedReport[] = [];
    for (let i = first; i < Math.min(beacons, first + 500); i++) {
      const beacon = makeBeacon(beaconers[i % 200]!, entropy);
      batch.push(acceptedReport('beacon', beacon, new Date()));
      for (let w = 0; w < WITNESSES_PER_BEACON; w++) batch.push(acceptedReport('witness', makeWitness(witnesses[(i * 7 + w) % 200]!, beacon, -1000 - w * 10), new Date()));
    }
    await storeBatch(sql, batch, []);
  }
  // As the PoC processor leaves them: every column it sets filled in.
  await sql`UPDATE beacon_reports SET status = 'valid', hex_scale = 0.83, reward_unit = 1.25, processed_at = now(), trust = 1,
            reward_shares = 1234567890123, participant_side = 'beaconer'`;
  await sql`UPDATE witness_reports w SET status = 'valid', beacon_hash = b.hash, selected = true, distance_m = 2500, reward_unit = 0.4,
            processed_at = now(), trust = 1, reward_shares = 987654321, participant_side = 'witness', rssi_margin = -220
            FROM beacon_reports b WHERE b.data = w.data`;
  const rejections = Array.from({ length: 5_000 }, (_, i) => ({
    topic: `poc/v1/EU868/hotspot/${witnesses[i % 200]!.keys.address}/witness`, reason: 'invalid_schema' as const,
    detail: 'data: expected base64 of 1-255 bytes', payload: Buffer.alloc(300, i % 251), receivedAt: new Date(),
  }));
  await storeBatch(sql, [], rejections);
  const day = new Date().toISOString().slice(0, 10);
  const history = Array.from({ length: 10_000 }, (_, i) => ({
    h3: latLngToCell(52 + (i % 100) * 0.01, 4 + Math.floor(i / 100) * 0.01, 9), day, hotspot: witnesses[i % 200]!.keys.address,
    best_rssi: -1000, best_snr: 50, witness_count: 4, last_seen_at: new Date(),
  }));
  for (let i = 0; i < history.length; i += 5_000) await sql`INSERT INTO coverage_hex_hotspot_days ${sql(history.slice(i, i + 5_000))}`;
  await sql`VACUUM FULL`;
  await sql`ANALYZE`;
  console.log('table                      rows   tuple B  heap B/row  index B/row  total B/row');
  for (const table of ['beacon_reports', 'witness_reports', 'rejected_messages', 'coverage_hex_hotspot_days']) {
    const [r] = await sql.unsafe<{ n: number; tuple: number; heap: string; indexes: string; total: string }[]>(`
      WITH parts AS (SELECT inhrelid AS oid FROM pg_inherits WHERE inhparent = '${table}'::regclass)
      SELECT (SELECT count(*)::int FROM ${table}) AS n, (SELECT avg(pg_column_size(t.*))::int FROM ${table} t) AS tuple,
             (SELECT sum(pg_relation_size(oid))::text FROM parts) AS heap, (SELECT sum(pg_indexes_size(oid))::text FROM parts) AS indexes,
             (SELECT sum(pg_total_relation_size(oid))::text FROM parts) AS total`);
    const per = (bytes: string) => String(Math.round(Number(bytes) / r!.n)).padStart(11);
    console.log(`${table.padEnd(26)} ${String(r!.n).padStart(6)} ${String(r!.tuple).padStart(8)} ${per(r!.heap)}  ${per(r!.indexes)}  ${per(r!.total)}`);
  }
} finally {
  await sql.end({ timeout: 5 });
  await pg.stop();
}
