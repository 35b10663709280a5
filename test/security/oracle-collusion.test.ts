import { createTestDatabase, type TestDatabase } from '@poc/devnet/test-database';
import {
  acceptedReport,
  collusionEvidence,
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
import { meanPathLossDb } from '@poc/simulator';
import { cellToLatLng, latLngToCell } from 'h3-js';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fleetLinkGraph } from './fleet-links';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
});

interface Site extends TestHotspot {
  index: number;
}
const site = (index: number, lat: number, lng: number): Site => ({ index, keys: generateHotspotKeypair(), location: latLngToCell(lat, lng, 12) });

// Twelve honest hotspots on a 4 × 3 grid, 1.5 km apart, hearing each other as radio does.
const honest = Array.from({ length: 12 }, (_, i) => site(i, 35.88 + Math.floor(i / 4) * 0.0135, 14.4 + (i % 4) * 0.0166));
// Five colluders asserting spots in the gaps of that grid. They stand somewhere else together, so they hear only each
// other — and they report signals that fit their asserted positions exactly, so every link of theirs is plausible.
const ring = [
  [0.5, 0.5],
  [0.5, 2.5],
  [1.5, 1.5],
  [1.5, 0.5],
  [1.5, 2.5],
].map(([row, col], i) => site(100 + i, 35.88 + row! * 0.0135, 14.4 + col! * 0.0166));

const metres = (a: Site, b: Site) => {
  const [la, ga] = cellToLatLng(a.location);
  const [lb, gb] = cellToLatLng(b.location);
  const r = Math.PI / 180;
  const h = Math.sin(((lb - la) * r) / 2) ** 2 + Math.cos(la * r) * Math.cos(lb * r) * Math.sin(((gb - ga) * r) / 2) ** 2;
  return 2 * 6_371_007 * Math.asin(Math.sqrt(h));
};
/**
 * The calibrated simulator's mean path loss at 868 MHz (packages/simulator/src/radio-model.ts, fitted on real
 * receptions) with ±4 dB shadowing fixed per pair. A louder model makes every hotspot's links too strong for its
 * asserted location, which the oracle's location check flags (oracle/src/plausibility/location-evidence.ts).
 */
function signalDdbm(a: Site, b: Site): number {
  const shadow = ((createHash('sha256').update(`${Math.min(a.index, b.index)}:${Math.max(a.index, b.index)}`).digest().readUInt16LE(0) / 65535) * 2 - 1) * 4;
  const loss = meanPathLossDb(metres(a, b), 868_000_000) + shadow;
  return Math.round((14 + 1.2 + 1.2 - loss) * 10);
}

const density = new HexDensityCache();

/** One round: everybody beacons; honest hotspots hear honest beacons, ring members hear ring beacons. */
async function round(start: number, entropy: Awaited<ReturnType<typeof issueEntropy>>): Promise<void> {
  const batch: AcceptedReport[] = [];
  [...honest, ...ring].forEach((beaconer, i) => {
    const beacon = makeBeacon(beaconer, entropy);
    batch.push(acceptedReport('beacon', beacon, new Date(start + i * 1000)));
    const hearers = honest.includes(beaconer) ? honest : ring;
    for (const w of hearers) if (w !== beaconer) batch.push(acceptedReport('witness', makeWitness(w, beacon, signalDdbm(beaconer, w)), new Date(start + i * 1000 + 300)));
  });
  await storeBatch(db.sql, batch, []);
  await processPendingPocs(db.sql, { beaconIntervalSeconds: 1, witnessGraceMs: 0, density }, Date.now());
}

/**
 * Attack: a ring of hotspots asserting positions inside a real network, witnessing only each other with signals
 * consistent with those positions. Every report passes Helium's checks and the free-space plausibility, so before
 * the fix they kept trust 1 and full rewards.
 */
describe('attack: a colluding ring that only hears itself', () => {
  it('flags every ring member with a stored reason, zeroes their rewards, and flags no honest hotspot', async () => {
    await seedHotspots(db.sql, [...honest, ...ring]);
    const start = Date.now() - 150_000;
    const entropy = await issueEntropy(db.sql, generateHotspotKeypair(), start - 5_000);
    for (let n = 0; n < 3; n++) await round(start + n * 20_000, entropy);
    const [valid] = await db.sql<{ n: number }[]>`
      SELECT count(*)::int AS n FROM witness_reports WHERE status = 'valid' AND hotspot IN ${db.sql(ring.map((r) => r.keys.address))}`;
    expect(valid!.n).toBe(3 * 5 * 4); // the ring's reports all pass the verifier

    await updateTrustScores(db.sql);
    const flags = await db.sql<{ hotspot: string; evidence: string; reason: string; scale: number; detail: { group_size: number } }[]>`
      SELECT hotspot, evidence, reason, scale, detail FROM hotspot_flags ORDER BY hotspot`;
    expect(flags.map((f) => f.hotspot).sort()).toEqual(ring.map((r) => r.keys.address).sort());
    for (const f of flags) {
      expect(f).toMatchObject({ evidence: 'closed_group', scale: 0, detail: { group_size: 5 } });
      expect(f.reason).toMatch(/^links only within a closed group of 5 hotspots: \d+ active hotspots outside the group are closer than its median link/);
    }
    const trust = new Map(
      (await db.sql<{ hotspot: string; trust_score: number; collusion_scale: number; effective: number }[]>`
        SELECT t.hotspot, t.trust_score, t.collusion_scale, h.trust_score AS effective FROM hotspot_trust t JOIN hotspots h ON h.address = t.hotspot`).map((r) => [r.hotspot, r]),
    );
    for (const r of ring) expect(trust.get(r.keys.address)).toEqual({ hotspot: r.keys.address, trust_score: 1, collusion_scale: 0, effective: 0 });
    for (const h of honest) expect(trust.get(h.keys.address)).toMatchObject({ trust_score: 1, collusion_scale: 1, effective: 1 });

    // The ring's next PoC is verified as before, but pays nothing.
    const entropy2 = await issueEntropy(db.sql, generateHotspotKeypair(), Date.now() - 40_000);
    const beacon = makeBeacon(ring[0]!, entropy2);
    await storeBatch(db.sql, [
      acceptedReport('beacon', beacon, new Date(Date.now() - 30_000)),
      ...ring.slice(1).map((w) => acceptedReport('witness', makeWitness(w, beacon, signalDdbm(ring[0]!, w)), new Date(Date.now() - 29_700))),
    ], []);
    await processPendingPocs(db.sql, { beaconIntervalSeconds: 1, witnessGraceMs: 0, density }, Date.now());
    const beaconRow = await db.sql<{ status: string; trust: number; reward_shares: string }[]>`SELECT status, trust, reward_shares::text FROM beacon_reports WHERE data = ${Buffer.from(beacon.data)}`;
    expect(beaconRow).toEqual([{ status: 'valid', trust: 0, reward_shares: '0' }]);
    const witnessRows = await db.sql<{ status: string; reward_shares: string }[]>`SELECT status, reward_shares::text FROM witness_reports WHERE data = ${Buffer.from(beacon.data)}`;
    expect(witnessRows).toHaveLength(4);
    for (const w of witnessRows) expect(w).toEqual({ status: 'valid', reward_shares: '0' });
  });

  it('clears a flag once the evidence is gone', async () => {
    await db.sql`DELETE FROM witness_reports WHERE hotspot IN ${db.sql(ring.map((r) => r.keys.address))}`;
    await updateTrustScores(db.sql);
    expect(await db.sql`SELECT * FROM hotspot_flags`).toHaveLength(0);
    const [row] = await db.sql<{ trust_score: number }[]>`SELECT trust_score FROM hotspots WHERE address = ${ring[0]!.keys.address}`;
    expect(row!.trust_score).toBe(1);
  });
});

describe('false positives on the demo fleet (npm start: 200 hotspots in real towns, 6 cheaters, the simulator radio model)', () => {
  it('flags no honest hotspot, and catches the RSSI fabricators by link asymmetry', () => {
    for (const seed of [42, 7]) {
      const { graph, fleet } = fleetLinkGraph({ count: 200, seed, cheaters: 6, rounds: 5 });
      const cheat = new Map(fleet.map((h) => [h.address, h.cheat]));
      const evidence = collusionEvidence(graph);
      expect(evidence.filter((e) => cheat.get(e.hotspot) === null)).toEqual([]);
      const fabricators = fleet.filter((h) => h.cheat === 'fabricated_rssi').map((h) => h.address).sort();
      expect(evidence.filter((e) => e.kind === 'link_asymmetry').map((e) => e.hotspot).sort()).toEqual(fabricators);
    }
  });
});
