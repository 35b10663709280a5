import { createTestDatabase, type TestDatabase } from '@poc/devnet/test-database';
import {
  acceptedReport,
  HexDensityCache,
  issueEntropy,
  makeBeacon,
  makeWitness,
  processPendingPocs,
  seedHotspots,
  storeBatch,
  updateTrustScores,
  type AcceptedReport,
  type TestHotspot,
} from '@poc/oracle/testing';
import { generateHotspotKeypair } from '@poc/protocol';
import { haversineM, meanPathLossDb } from '@poc/simulator';
import { cellToLatLng, latLngToCell } from 'h3-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
});

const centre = { lat: 35.9, lng: 14.45 };
const at = (lat: number, lng: number): TestHotspot => ({ keys: generateHotspotKeypair(), location: latLngToCell(lat, lng, 12) });
// Eight honest hotspots on a 2 km ring (1.5–4 km links) hearing each other as the calibrated simulator's mean path
// loss says (packages/simulator/src/radio-model.ts).
const honest = Array.from({ length: 8 }, (_, i) => at(centre.lat + 0.018 * Math.cos((i * Math.PI) / 4), centre.lng + 0.022 * Math.sin((i * Math.PI) / 4)));
const heardDdbm = (a: TestHotspot, b: TestHotspot) => {
  const [la, ga] = cellToLatLng(a.location);
  const [lb, gb] = cellToLatLng(b.location);
  return Math.round(10 * (14 + 1.2 + 1.2 - meanPathLossDb(haversineM(la, ga, lb, gb), 868_000_000)));
};
const target = honest[0]!;
// Twelve attackers 3–6 km around the target, each "witnessing" every one of its beacons at +30 dBm.
const attackers = Array.from({ length: 12 }, (_, i) =>
  at(centre.lat + 0.018 + (0.03 + 0.002 * i) * Math.cos((i * Math.PI) / 6), centre.lng + (0.035 + 0.002 * i) * Math.sin((i * Math.PI) / 6)),
);

const density = new HexDensityCache();
const ROUND_MS = 10_000;

async function round(start: number, n: number, entropy: Awaited<ReturnType<typeof issueEntropy>>): Promise<void> {
  const batch: AcceptedReport[] = [];
  honest.forEach((beaconer, i) => {
    const t = start + n * ROUND_MS + i * 1000;
    const beacon = makeBeacon(beaconer, entropy);
    batch.push(acceptedReport('beacon', beacon, new Date(t)));
    for (const w of honest) if (w !== beaconer) batch.push(acceptedReport('witness', makeWitness(w, beacon, heardDdbm(beaconer, w)), new Date(t + 300)));
    if (beaconer === target) for (const a of attackers) batch.push(acceptedReport('witness', makeWitness(a, beacon, 300), new Date(t + 400)));
  });
  await storeBatch(db.sql, batch, []);
  await processPendingPocs(db.sql, { beaconIntervalSeconds: 1, witnessGraceMs: 0, density }, Date.now());
}

/**
 * Attack: sybil hotspots send impossible witness reports of an honest hotspot's beacons. Before the fix every such
 * link counted against the beaconer too, and twelve of them cut its trust — and so its rewards — to 0.58.
 */
describe('attack: trust griefing with invalid witnesses of an honest beacon', () => {
  it("counts the attackers' impossible witnesses against them, never against the honest beaconer", async () => {
    await seedHotspots(db.sql, [...honest, ...attackers]);
    const start = Date.now() - 150_000;
    const entropy = await issueEntropy(db.sql, generateHotspotKeypair(), start);
    for (let n = 0; n < 10; n++) await round(start, n, entropy);
    const [bad] = await db.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM witness_reports WHERE reason = 'bad_rssi'`;
    expect(bad!.n).toBe(10 * attackers.length);

    await updateTrustScores(db.sql);
    const trust = new Map((await db.sql<{ address: string; trust_score: number }[]>`SELECT address, trust_score FROM hotspots`).map((r) => [r.address, r.trust_score]));
    expect(trust.get(target.keys.address)).toBe(1);
    for (const h of honest) expect(trust.get(h.keys.address)).toBe(1);
    for (const a of attackers) expect(trust.get(a.keys.address)).toBe(0);

    // The target's next beacon is rewarded at full trust.
    const entropy2 = await issueEntropy(db.sql, generateHotspotKeypair(), Date.now() - 40_000);
    const beacon = makeBeacon(target, entropy2);
    await storeBatch(db.sql, [
      acceptedReport('beacon', beacon, new Date(Date.now() - 30_000)),
      acceptedReport('witness', makeWitness(honest[1]!, beacon, heardDdbm(target, honest[1]!)), new Date(Date.now() - 29_700)),
      ...attackers.map((a) => acceptedReport('witness', makeWitness(a, beacon, 300), new Date(Date.now() - 29_600))),
    ], []);
    await processPendingPocs(db.sql, { beaconIntervalSeconds: 1, witnessGraceMs: 0, density }, Date.now());
    const [latest] = await db.sql<{ status: string; trust: number }[]>`SELECT status, trust FROM beacon_reports WHERE hash IN (
      SELECT hash FROM beacon_reports WHERE hotspot = ${target.keys.address} ORDER BY received_at DESC LIMIT 1)`;
    expect(latest).toEqual({ status: 'valid', trust: 1 });
  });
});
