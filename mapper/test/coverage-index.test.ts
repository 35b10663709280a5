import { latLngToCell } from 'h3-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CoverageIndex } from '../src/coverage-index';
import { coverageLookups } from '../src/coverage-lookups';
import { parseTimeFilter } from '../src/time-filter';
import { createTestDatabase, type TestDatabase } from '@poc/devnet/test-database';
import { insertCoverage, seedAmsterdam } from './fixtures';

let db: TestDatabase;
let index: CoverageIndex;
let seed: Awaited<ReturnType<typeof seedAmsterdam>>;

beforeAll(async () => {
  db = await createTestDatabase();
  seed = await seedAmsterdam(db.sql);
  index = new CoverageIndex(db.sql, { pollMs: 60_000 });
  await index.start();
});
afterAll(async () => {
  await index?.stop();
  await db?.drop();
});

describe('CoverageIndex', () => {
  it('holds every res-9 hex with the values PostgreSQL has', async () => {
    expect(index.ready).toBe(true);
    expect(index.size).toBe(seed.hexes.length);
    expect(index.lookup(seed.centre)).toMatchObject({ h3: seed.centre, best_rssi_dbm: -80, best_snr_db: 10, witness_count: 10, hotspot_count: 2, signal_class: 'strong' });
    expect(index.lookup(latLngToCell(48.85, 2.35, 9))).toBeNull();
  });

  it('serves all-time lookups only; time-filtered lookups go to PostgreSQL', async () => {
    const lookups = coverageLookups(db.sql, index);
    const old = seed.hexes.find((h) => h.lastSeen.getTime() < Date.now() - 5 * 86_400_000)!;
    const week = parseTimeFilter('7d', undefined);
    if (typeof week === 'string') throw new Error(week);
    expect(await lookups.cell(old.h3, {})).toMatchObject({ h3: old.h3 });
    expect(await lookups.cell(old.h3, week)).toBeNull();
    expect((await lookups.cells(9, [old.h3, seed.centre], week)).has(seed.centre)).toBe(true);
    // A hex written after the index loaded: the index (all time) does not know it yet, PostgreSQL (filtered) does.
    const late = latLngToCell(48.2, 16.37, 9);
    await insertCoverage(db.sql, [{ h3: late, rssi: -950, snr: 40, witnesses: 1, firstSeen: new Date(), lastSeen: new Date(), heardBy: [seed.beta.address] }]);
    expect(await lookups.cell(late, {})).toBeNull();
    expect(await lookups.cell(late, week)).toMatchObject({ h3: late, best_rssi_dbm: -95 });
  });

  it('picks up hexes the oracle writes later', async () => {
    const fresh = latLngToCell(51.5, -0.12, 9);
    await insertCoverage(db.sql, [{ h3: fresh, rssi: -1100, snr: 20, witnesses: 3, firstSeen: new Date(), lastSeen: new Date(), heardBy: [seed.alpha.address] }]);
    expect(index.lookup(fresh)).toBeNull();
    await index.sync();
    expect(index.lookup(fresh)).toMatchObject({ signal_class: 'fair', best_rssi_dbm: -110 });
    // An improved signal on an existing hex is seen too.
    await db.sql`UPDATE coverage_hexes SET best_rssi = -700, last_seen_at = now() WHERE resolution = 9 AND h3 = ${fresh}`;
    await index.sync();
    expect(index.lookup(fresh)?.best_rssi_dbm).toBe(-70);
  });
});
