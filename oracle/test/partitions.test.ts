import { connectDatabase, migrate, type Database } from '@poc/db';
import { signWitnessReport, type WitnessReport } from '@poc/protocol';
import { randomBytes } from 'node:crypto';
import { copyFile, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { maintainPartitions, oraclePartitionedTables, type DayPartitionedTable } from '../src/db/partitions';
import { storeBatch } from '../src/ingest/store';
import { ORACLE_MIGRATIONS_DIR } from '../src/migrations';
import { acceptedReport, hotspot, LOC0 } from './helpers';

const DAY = 86_400_000;
const witness = hotspot(LOC0);

/** A signed witness report whose own timestamp is `at` (the partition key of witness_reports). */
function witnessAt(at: Date | bigint, tmst = 1): WitnessReport {
  return signWitnessReport(
    {
      pub_key: witness.keys.address,
      data: new Uint8Array(randomBytes(4)),
      timestamp: typeof at === 'bigint' ? at : BigInt(at.getTime()) * 1_000_000n,
      tmst,
      signal: -1000,
      snr: 55,
      frequency: 868_100_000,
      datarate: 'SF7BW125',
    },
    witness.keys.privateKeyObject,
  );
}

/** Which partition holds each row of `table`, by hash (reports) or topic (rejections). */
async function placement(sql: Database, table: string, keyColumn: string): Promise<Map<string, string>> {
  const rows = await sql.unsafe<{ key: string; part: string }[]>(`SELECT ${keyColumn}::text AS key, tableoid::regclass::text AS part FROM ${table}`);
  return new Map(rows.map((r) => [r.key, r.part]));
}

async function partitionsOf(sql: Database, table: string): Promise<string[]> {
  const rows = await sql<{ name: string }[]>`
    SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = ${table}::regclass ORDER BY 1`;
  return rows.map((r) => r.name);
}

const ymd = (at: Date) => at.toISOString().slice(0, 10).replaceAll('-', '');

let admin: Database;
let sql: Database;
let name: string;
let before010: string;
beforeAll(async () => {
  admin = connectDatabase(inject('postgresAdminUrl'), { max: 1 });
  name = `test_partitions_${randomBytes(4).toString('hex')}`;
  await admin.unsafe(`CREATE DATABASE ${name}`);
  const url = new URL(inject('postgresAdminUrl'));
  url.pathname = `/${name}`;
  sql = connectDatabase(url.toString());
  // The schema as it was before partitioning: migrations 001–009 only.
  before010 = await mkdtemp(join(tmpdir(), 'oracle-migrations-'));
  for (const file of await readdir(ORACLE_MIGRATIONS_DIR)) if (file < '010') await copyFile(join(ORACLE_MIGRATIONS_DIR, file), join(before010, file));
  await migrate(sql, [before010]);
});
afterAll(async () => {
  await sql?.end({ timeout: 5 });
  await admin?.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin?.end({ timeout: 5 });
  if (before010) await rm(before010, { recursive: true, force: true });
});

describe('daily partitions of reports, rejections and coverage history', () => {
  const now = new Date();
  const existing = { today: witnessAt(now, 1), yesterday: witnessAt(new Date(now.getTime() - DAY), 2), epoch1970: witnessAt(1n, 3) };

  it('migrations 010–012 move existing rows into day partitions (or the default) and keep every row and count', async () => {
    for (const w of Object.values(existing)) {
      const { hash } = acceptedReport('witness', w, now);
      await sql`INSERT INTO witness_reports (hash, hotspot, received_at, report_ts_ns, data, tmst, signal, snr, frequency, datarate, signature)
                VALUES (${hash}, ${w.pub_key}, ${now}, ${w.timestamp.toString()}, ${Buffer.from(w.data)}, ${w.tmst}, ${w.signal}, ${w.snr}, ${w.frequency}, ${w.datarate}, ${Buffer.from(w.signature)})`;
    }
    await sql`INSERT INTO rejected_messages (topic, reason, payload, payload_hash, count, received_at, last_seen_at)
              VALUES ('t/old', 'invalid_json', '\\x00', '\\x01', 7, ${now}, ${now})`;
    await sql`INSERT INTO coverage_hex_hotspot_days (h3, day, hotspot, best_rssi, best_snr, witness_count, last_seen_at)
              VALUES ('89283082803ffff', ${now.toISOString().slice(0, 10)}::date, 'h', -900, 10, 4, ${now})`;

    await migrate(sql, [ORACLE_MIGRATIONS_DIR]);

    const reports = await placement(sql, 'witness_reports', 'tmst');
    expect(reports.get('1')).toBe(`witness_reports_p${ymd(now)}`);
    expect(reports.get('2')).toBe(`witness_reports_p${ymd(new Date(now.getTime() - DAY))}`);
    expect(reports.get('3')).toBe('witness_reports_default');
    const [rejected] = await sql<{ count: string; part: string; received_on: Date }[]>`
      SELECT count::text, tableoid::regclass::text AS part, received_on FROM rejected_messages`;
    expect(rejected).toMatchObject({ count: '7', part: `rejected_messages_p${ymd(now)}` });
    const [history] = await sql<{ witness_count: number; part: string }[]>`SELECT witness_count, tableoid::regclass::text AS part FROM coverage_hex_hotspot_days`;
    expect(history).toEqual({ witness_count: 4, part: `coverage_hex_hotspot_days_p${ymd(now)}` });
    // Today and 7 days ahead exist for every table.
    for (const table of ['beacon_reports', 'witness_reports', 'rejected_messages', 'coverage_hex_hotspot_days']) {
      expect(await partitionsOf(sql, table)).toEqual(expect.arrayContaining([`${table}_default`, `${table}_p${ymd(now)}`, `${table}_p${ymd(new Date(now.getTime() + 7 * DAY))}`]));
    }
  });

  it('stores a report once even when it is redelivered days later, in its partition or in the default one', async () => {
    const late = new Date(now.getTime() + 3 * DAY);
    const again = Object.values(existing).map((w) => acceptedReport('witness', w, late));
    expect(await storeBatch(sql, again, [])).toEqual({ stored: 0, duplicates: 3 });
    const [n] = await sql<{ n: number }[]>`SELECT count(*)::int AS n FROM witness_reports`;
    expect(n!.n).toBe(3);
    // The duplicates are counted as rejections of the day they arrived.
    const [dup] = await sql<{ count: string; received_on: Date }[]>`SELECT sum(count)::text AS count, max(received_on) AS received_on FROM rejected_messages WHERE reason = 'duplicate'`;
    expect(dup!.count).toBe('3');
    expect(ymd(dup!.received_on)).toBe(ymd(late));
  });

  it('keeps a report from a far-future or far-past clock in the default partition: stored, never lost', async () => {
    const future = witnessAt(new Date(Date.UTC(2090, 0, 1)), 4);
    const past = witnessAt(new Date(Date.UTC(2001, 0, 1)), 5);
    const huge = witnessAt(2n ** 64n - 1n, 6); // the largest timestamp the protocol's u64 admits
    expect(await storeBatch(sql, [future, past, huge].map((w) => acceptedReport('witness', w, now)), [])).toEqual({ stored: 3, duplicates: 0 });
    const reports = await placement(sql, 'witness_reports', 'tmst');
    for (const tmst of ['4', '5', '6']) expect(reports.get(tmst)).toBe('witness_reports_default');
  });

  it('creates the days ahead, moves waiting rows out of the default partition, and drops days past the retention', async () => {
    const tables: DayPartitionedTable[] = oraclePartitionedTables({ reportDays: 30, rejectedMessagesDays: 14, coverageHistoryDays: 90 });
    const witnessTable = tables.filter((t) => t.table === 'witness_reports');
    // Thirty-one days later: today's partition is past a 30-day retention, the 2090 report still waits in the default.
    const later = new Date(now.getTime() + 31 * DAY);
    const first = await maintainPartitions(sql, witnessTable, { now: later, aheadDays: 3 });
    expect(first.created).toEqual([0, 1, 2, 3].map((d) => `witness_reports_p${ymd(new Date(later.getTime() + d * DAY))}`));
    expect(first.dropped).toEqual(expect.arrayContaining([`witness_reports_p${ymd(new Date(now.getTime() - DAY))}`, `witness_reports_p${ymd(now)}`]));
    expect(first.dropped).not.toContain(`witness_reports_p${ymd(new Date(later.getTime() - 30 * DAY))}`);
    // Default rows older than the retention by the oracle's receive time go too (the 1970, 2001 and u64 reports,
    // received `now`); the 2090 report was received `now` as well, so it goes with them.
    expect(first.deletedFromDefault).toBe(4);
    const left = await placement(sql, 'witness_reports', 'tmst');
    expect([...left.keys()]).toEqual([]);
    // A second pass has nothing to do.
    expect(await maintainPartitions(sql, witnessTable, { now: later, aheadDays: 3 })).toEqual({ created: [], dropped: [], movedFromDefault: 0, deletedFromDefault: 0, skipped: [] });
  });

  it('moves a report that arrived before its day had a partition into that partition when maintenance creates it', async () => {
    const tables = oraclePartitionedTables({ reportDays: 30, rejectedMessagesDays: 14, coverageHistoryDays: 90 }).filter((t) => t.table === 'witness_reports');
    const in20Days = new Date(now.getTime() + 20 * DAY);
    const early = witnessAt(in20Days, 7);
    expect(await storeBatch(sql, [acceptedReport('witness', early, now)], [])).toEqual({ stored: 1, duplicates: 0 });
    expect((await placement(sql, 'witness_reports', 'tmst')).get('7')).toBe('witness_reports_default');
    const done = await maintainPartitions(sql, tables, { now: new Date(in20Days.getTime() - 2 * DAY), aheadDays: 3 });
    expect(done.movedFromDefault).toBe(1);
    expect(done.created).toContain(`witness_reports_p${ymd(in20Days)}`);
    expect((await placement(sql, 'witness_reports', 'tmst')).get('7')).toBe(`witness_reports_p${ymd(in20Days)}`);
    // The moved row still deduplicates.
    expect(await storeBatch(sql, [acceptedReport('witness', early, now)], [])).toEqual({ stored: 0, duplicates: 1 });
  });

  it('lets one oracle process maintain a table at a time and refuses nonsense settings', async () => {
    const tables = oraclePartitionedTables({ reportDays: 30, rejectedMessagesDays: 14, coverageHistoryDays: 90 });
    const [a, b] = await Promise.all([maintainPartitions(sql, tables), maintainPartitions(sql, tables)]);
    // Both passes finish; whatever one skipped, the other did, and nothing was created twice.
    expect(new Set([...a!.created, ...b!.created]).size).toBe(a!.created.length + b!.created.length);
    await expect(maintainPartitions(sql, tables, { aheadDays: 0 })).rejects.toThrow(/aheadDays/);
    await expect(maintainPartitions(sql, tables, { lockTimeout: "1s'; DROP TABLE hotspots; --" })).rejects.toThrow(/lockTimeout/);
  });
});
