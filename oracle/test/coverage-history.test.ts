import { decodeReportPayload, encodeReportPayload, generateHotspotKeypair, type BeaconReport, type WitnessReport } from '@poc/protocol';
import { cellToParent, latLngToCell } from 'h3-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordCoverage, utcDay, type CoverageMeasurement } from '../src/coverage/coverage';
import { maintainPartitions, oraclePartitionedTables } from '../src/db/partitions';
import { issueEntropy } from '../src/entropy/publisher';
import type { AcceptedReport } from '../src/ingest/decode';
import { storeBatch } from '../src/ingest/store';
import { HexDensityCache } from '../src/rewards/density-cache';
import { processPendingPocs } from '../src/verify/processor';
import { createTestDatabase, type TestDatabase } from '@poc/devnet/test-database';
import { hotspot, LOC0, LOC4, makeBeacon, makeWitness, seedHotspots } from './helpers';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
});

const DAY = 86_400_000;
const RESOLUTIONS = [9, 8, 7, 6, 5, 4];

interface HistoryAggregate {
  h3: string;
  best_rssi: number;
  best_snr: number;
  witness_count: string;
  hotspot_count: number;
  last_seen_at: Date;
}

/** What the mapper computes for a range of days: every retained day of every cell aggregated. */
async function historyAggregates(h3s: string[], from = '0001-01-01', to = '9999-12-31'): Promise<Map<string, HistoryAggregate>> {
  const rows = await db.sql<HistoryAggregate[]>`
    SELECT h3, max(best_rssi) AS best_rssi, max(best_snr) AS best_snr, sum(witness_count)::text AS witness_count,
           count(DISTINCT hotspot)::int AS hotspot_count, max(last_seen_at) AS last_seen_at
    FROM coverage_hex_hotspot_days WHERE h3 = ANY(${h3s}::text[]) AND day BETWEEN ${from}::date AND ${to}::date GROUP BY h3`;
  return new Map(rows.map((r) => [r.h3, r]));
}

describe('daily coverage history (coverage_hex_hotspot_days)', () => {
  it('is written with coverage_hexes and, over all days, aggregates to exactly the same values at every resolution', async () => {
    const cellA = latLngToCell(52.37, 4.89, 9);
    const cellB = latLngToCell(52.371, 4.9, 9);
    const [w1, w2, w3] = ['hotspot-1', 'hotspot-2', 'hotspot-3'];
    const now = Date.now();
    const m = (h3Res9: string, witness: string, signal: number, daysAgo: number, snr = 50): CoverageMeasurement => ({ h3Res9, witness, signal, snr, at: new Date(now - daysAgo * DAY) });
    // Two batches, the second repeating (cell, day, hotspot) keys of the first: the upserts merge like coverage_hexes.
    await db.sql.begin((tx) => recordCoverage(tx, [m(cellA, w1, -700, 40), m(cellA, w2, -1100, 3), m(cellA, w1, -1050, 0), m(cellB, w3, -900, 1)]));
    await db.sql.begin((tx) => recordCoverage(tx, [m(cellA, w1, -1000, 0, 80), m(cellA, w1, -990, 40), m(cellB, w1, -1200, 1)]));

    const resA = await db.sql<{ day: Date; hotspot: string; best_rssi: number; best_snr: number; witness_count: number }[]>`
      SELECT day, hotspot, best_rssi, best_snr, witness_count FROM coverage_hex_hotspot_days WHERE h3 = ${cellA} ORDER BY day, hotspot`;
    expect(resA.map((r) => [utcDay(r.day), r.hotspot, r.best_rssi, r.best_snr, r.witness_count])).toEqual([
      [utcDay(new Date(now - 40 * DAY)), w1, -700, 50, 2],
      [utcDay(new Date(now - 3 * DAY)), w2, -1100, 50, 1],
      [utcDay(new Date(now)), w1, -1000, 80, 2],
    ]);

    const cells = [...new Set([cellA, cellB].flatMap((c) => RESOLUTIONS.map((r) => (r === 9 ? c : cellToParent(c, r)))))];
    const hexes = await db.sql<{ h3: string; best_rssi: number; best_snr: number; witness_count: string; hotspot_count: number; last_seen_at: Date }[]>`
      SELECT h3, best_rssi, best_snr, witness_count::text, hotspot_count, last_seen_at FROM coverage_hexes ORDER BY h3`;
    expect(hexes.map((h) => h.h3).sort()).toEqual([...cells].sort());
    const history = await historyAggregates(cells);
    for (const hex of hexes) expect(history.get(hex.h3)).toEqual(hex);

    // The last 7 days alone: best RSSI and hotspot count differ from all time (the −70 dBm link is 40 days old).
    const week = await historyAggregates([cellA, cellToParent(cellA, 4)], utcDay(new Date(now - 7 * DAY)), utcDay(new Date(now)));
    expect(week.get(cellA)).toMatchObject({ best_rssi: -1000, witness_count: '3', hotspot_count: 2 });
    expect(hexes.find((h) => h.h3 === cellA)).toMatchObject({ best_rssi: -700, witness_count: '5', hotspot_count: 2 });
    // Res 4 holds both res-9 cells: w1, w2 and w3 all heard something there this week.
    expect(week.get(cellToParent(cellA, 4))).toMatchObject({ best_rssi: -900, witness_count: '5', hotspot_count: 3 });
  });

  it('rolls back with the transaction it was recorded in', async () => {
    const cell = latLngToCell(-33.86, 151.2, 9);
    await expect(
      db.sql.begin(async (tx) => {
        await recordCoverage(tx, [{ h3Res9: cell, witness: 'hotspot-x', signal: -800, snr: 10, at: new Date() }]);
        throw new Error('verification failed later in the batch');
      }),
    ).rejects.toThrow(/failed later/);
    const [n] = await db.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM coverage_hex_hotspot_days WHERE h3 = ${cell}`;
    expect(n!.n).toBe(0);
  });

  it('lets concurrent workers record overlapping cells without deadlocks or lost counts', async () => {
    const base = latLngToCell(40.71, -74.0, 9);
    const cells = [base, latLngToCell(40.72, -74.0, 9), latLngToCell(40.73, -74.01, 9), latLngToCell(40.75, -73.98, 9)];
    const witnesses = ['w-a', 'w-b', 'w-c', 'w-d', 'w-e'];
    const now = Date.now();
    const batches = Array.from({ length: 12 }, (_, k) => {
      const batch: CoverageMeasurement[] = [];
      for (const cell of cells) for (const witness of witnesses) for (const d of [0, 1]) batch.push({ h3Res9: cell, witness, signal: -1000 - k, snr: 0, at: new Date(now - d * DAY) });
      return k % 2 === 0 ? batch : batch.reverse(); // input order must not matter
    });
    await Promise.all(batches.map((batch) => db.sql.begin((tx) => recordCoverage(tx, batch))));
    const [total] = await db.sql<{ n: string; rows: number }[]>`
      SELECT sum(witness_count)::text AS n, count(*)::int AS rows FROM coverage_hex_hotspot_days WHERE h3 = ANY(${cells}::text[])`;
    expect(total).toEqual({ n: String(12 * cells.length * witnesses.length * 2), rows: cells.length * witnesses.length * 2 });
    const history = await historyAggregates([cellToParent(base, 6)]);
    const [hex] = await db.sql<{ witness_count: string; hotspot_count: number }[]>`
      SELECT witness_count::text, hotspot_count FROM coverage_hexes WHERE resolution = 6 AND h3 = ${cellToParent(base, 6)}`;
    expect(history.get(cellToParent(base, 6))).toMatchObject({ witness_count: hex!.witness_count, hotspot_count: hex!.hotspot_count });
  });

  it('is pruned by whole UTC days older than the retention', async () => {
    const cell = latLngToCell(35.68, 139.76, 9);
    const now = new Date('2026-11-25T10:00:00Z');
    const at = (days: number) => new Date(now.getTime() - days * DAY);
    await db.sql.begin((tx) => recordCoverage(tx, [0, 1, 2, 3, 4, 5].map((d) => ({ h3Res9: cell, witness: 'hotspot-p', signal: -900, snr: 0, at: at(d) }))));
    // The rows went to the default partition (the migration created partitions from the real today on). Retention 3:
    // today (25 Nov) and the 3 days before it stay, moved into their new day partitions; 21 and 20 Nov go, at all six
    // resolutions.
    const history = oraclePartitionedTables({ reportDays: 30, rejectedMessagesDays: 14, coverageHistoryDays: 3 }).filter((t) => t.table === 'coverage_hex_hotspot_days');
    const done = await maintainPartitions(db.sql, history, { now, aheadDays: 1 });
    expect(done.deletedFromDefault).toBeGreaterThanOrEqual(2 * 6);
    expect(done.movedFromDefault).toBeGreaterThanOrEqual(4 * 6);
    expect(done.created).toEqual(expect.arrayContaining(['coverage_hex_hotspot_days_p20261122', 'coverage_hex_hotspot_days_p20261125']));
    const days = await db.sql<{ day: Date }[]>`SELECT DISTINCT day FROM coverage_hex_hotspot_days WHERE h3 = ${cell} ORDER BY day`;
    expect(days.map((d) => utcDay(d.day))).toEqual(['2026-11-22', '2026-11-23', '2026-11-24', '2026-11-25']);
    const [old] = await db.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM coverage_hex_hotspot_days WHERE day < '2026-11-22'`;
    expect(old!.n).toBe(0);
    // coverage_hexes (all time) is never pruned.
    const [hex] = await db.sql<{ witness_count: string }[]>`SELECT witness_count::text FROM coverage_hexes WHERE resolution = 9 AND h3 = ${cell}`;
    expect(hex!.witness_count).toBe('6');
    await expect(maintainPartitions(db.sql, [{ ...history[0]!, retentionDays: 0 }])).rejects.toThrow(/retentionDays/);
  });

  it('is filled by the PoC processor from verified witnesses', async () => {
    const accepted = (kind: 'beacon' | 'witness', report: BeaconReport | WitnessReport, receivedAt: Date): AcceptedReport => {
      const decoded = decodeReportPayload(kind, encodeReportPayload(kind, report));
      if (!decoded.ok) throw new Error(decoded.detail);
      return { kind, hash: decoded.hash, report: decoded.report, receivedAt, payload: Buffer.alloc(0), topic: kind } as AcceptedReport;
    };
    const beaconer = hotspot(LOC0);
    const witness = hotspot(LOC4);
    await seedHotspots(db.sql, [beaconer, witness]);
    const now = Date.now();
    const entropy = await issueEntropy(db.sql, generateHotspotKeypair(), now - 30_000);
    const beacon = makeBeacon(beaconer, entropy);
    const rx = new Date(now - 10_000);
    await storeBatch(db.sql, [accepted('beacon', beacon, rx), accepted('witness', makeWitness(witness, beacon, -1013), new Date(rx.getTime() + 100))], []);
    expect(await processPendingPocs(db.sql, { beaconIntervalSeconds: 60, witnessGraceMs: 1000, density: new HexDensityCache() }, now)).toEqual({ beacons: 1, witnesses: 1 });

    const res9 = cellToParent(LOC0, 9);
    const rows = await db.sql<{ h3: string; day: Date; best_rssi: number; witness_count: number; last_seen_at: Date }[]>`
      SELECT h3, day, best_rssi, witness_count, last_seen_at FROM coverage_hex_hotspot_days WHERE hotspot = ${witness.keys.address} ORDER BY h3`;
    expect(rows.map((r) => r.h3).sort()).toEqual(RESOLUTIONS.map((r) => cellToParent(res9, r)).sort());
    for (const r of rows) expect(r).toMatchObject({ best_rssi: -1013, witness_count: 1, last_seen_at: new Date(rx.getTime() + 100) });
    expect(new Set(rows.map((r) => utcDay(r.day)))).toEqual(new Set([utcDay(new Date(rx.getTime() + 100))]));
  });
});
