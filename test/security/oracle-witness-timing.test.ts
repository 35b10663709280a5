import { generateHotspotKeypair } from '@poc/protocol';
import { createTestDatabase, type TestDatabase } from '@poc/devnet/test-database';
import {
  acceptedReport,
  hotspot,
  HexDensityCache,
  issueEntropy,
  LOC0,
  LOC4,
  makeBeacon,
  makeWitness,
  processPendingPocs,
  seedHotspots,
  storeBatch,
} from '@poc/oracle/testing';
import { latLngToCell } from 'h3-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
});

/**
 * Attack: a witness that reaches the oracle long before the beacon it claims to have heard. Only someone who knew the
 * payload in advance (the beaconer leaking its local entropy, or holding its beacon report back) can send it; before
 * the fix it was valid, and as the earliest witness it even pushed every honest witness past the 1.5 s spread.
 */
describe('attack: witness received before its beacon', () => {
  it('rejects a witness 145 s ahead of its beacon as too_early and keeps honest witnesses, including one slightly early', async () => {
    const beaconer = hotspot(LOC0);
    const precog = hotspot(LOC4);
    const honest = hotspot(latLngToCell(35.915, 14.435, 12));
    const slightlyEarly = hotspot(latLngToCell(35.925, 14.44, 12));
    await seedHotspots(db.sql, [beaconer, precog, honest, slightlyEarly]);
    const start = Date.now() - 300_000;
    const entropy = await issueEntropy(db.sql, generateHotspotKeypair(), start);
    const beacon = makeBeacon(beaconer, entropy);
    const beaconAt = start + 150_000; // inside the 180 s entropy lifespan, so only the timing can reject the early witness
    await storeBatch(db.sql, [
      acceptedReport('witness', makeWitness(precog, beacon), new Date(beaconAt - 145_000)),
      acceptedReport('witness', makeWitness(slightlyEarly, beacon), new Date(beaconAt - 800)),
      acceptedReport('beacon', beacon, new Date(beaconAt)),
      acceptedReport('witness', makeWitness(honest, beacon), new Date(beaconAt + 400)),
    ], []);
    await processPendingPocs(db.sql, { beaconIntervalSeconds: 60, witnessGraceMs: 0, density: new HexDensityCache() }, Date.now());

    const rows = await db.sql<{ hotspot: string; status: string; reason: string | null; participant_side: string | null }[]>`
      SELECT hotspot, status, reason, participant_side FROM witness_reports`;
    const by = Object.fromEntries(rows.map((r) => [r.hotspot, [r.status, r.reason, r.participant_side]]));
    expect(by[precog.keys.address]).toEqual(['invalid', 'too_early', 'witness']);
    expect(by[slightlyEarly.keys.address]).toEqual(['valid', null, null]);
    expect(by[honest.keys.address]).toEqual(['valid', null, null]);
  });
});
