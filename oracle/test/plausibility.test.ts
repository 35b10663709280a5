import { decodeReportPayload, encodeReportPayload, generateHotspotKeypair, type BeaconReport, type WitnessReport } from '@poc/protocol';
import { latLngToCell } from 'h3-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueEntropy } from '../src/entropy/publisher';
import type { AcceptedReport } from '../src/ingest/decode';
import { storeBatch } from '../src/ingest/store';
import { updateTrustScores } from '../src/plausibility/trust';
import { HexDensityCache } from '../src/rewards/density-cache';
import { processPendingPocs } from '../src/verify/processor';
import { createTestDatabase, type TestDatabase } from '@poc/devnet/test-database';
import { makeBeacon, makeWitness, seedHotspots, type TestHotspot } from './helpers';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
});

const centre = { lat: 35.9, lng: 14.45 };
// Eight honest hotspots on a 2 km ring; every real link is 1.5–4 km long and received at −95 dBm.
const honest: TestHotspot[] = Array.from({ length: 8 }, (_, i) => ({
  keys: generateHotspotKeypair(),
  location: latLngToCell(centre.lat + 0.018 * Math.cos((i * Math.PI) / 4), centre.lng + 0.022 * Math.sin((i * Math.PI) / 4), 12),
}));
// The spoofer sits in the middle of the ring but asserts a location 60 km north.
const spoofer: TestHotspot = { keys: generateHotspotKeypair(), location: latLngToCell(centre.lat + 0.54, centre.lng, 12) };
// A subtler one claims 8.5 km east: many of its links stay just under Helium's free-space bound and pass.
const subtle: TestHotspot = { keys: generateHotspotKeypair(), location: latLngToCell(centre.lat, centre.lng + 0.094, 12) };

const accepted = (kind: 'beacon' | 'witness', report: BeaconReport | WitnessReport, receivedAt: Date): AcceptedReport => {
  const decoded = decodeReportPayload(kind, encodeReportPayload(kind, report));
  if (!decoded.ok) throw new Error(decoded.detail);
  return { kind, hash: decoded.hash, report: decoded.report, receivedAt, payload: Buffer.alloc(0), topic: kind } as AcceptedReport;
};

describe('geospatial plausibility', () => {
  it('scores spoofed locations low — also one whose links pass every Helium check — and honest neighbours at 1', async () => {
    const everyone = [...honest, spoofer, subtle];
    await seedHotspots(db.sql, everyone);
    const start = Date.now() - 120_000;
    const entropy = await issueEntropy(db.sql, generateHotspotKeypair(), start);
    const density = new HexDensityCache();
    const rounds = 3;
    for (let round = 0; round < rounds; round++) {
      const batch: AcceptedReport[] = [];
      everyone.forEach((beaconer, i) => {
        const at = start + round * 20_000 + i * 2000;
        const beacon = makeBeacon(beaconer, entropy);
        batch.push(accepted('beacon', beacon, new Date(at)));
        for (const w of everyone) if (w !== beaconer) batch.push(accepted('witness', makeWitness(w, beacon, -950), new Date(at + 300)));
      });
      await storeBatch(db.sql, batch, []);
      await processPendingPocs(db.sql, { beaconIntervalSeconds: 1, witnessGraceMs: 0, density }, start + 200_000);
    }
    const reasons = await db.sql<{ reason: string | null; n: number }[]>`SELECT reason, count(*)::int AS n FROM witness_reports GROUP BY reason ORDER BY reason`;
    // links touching the spoofer fail the free-space bound (or distance); honest links are valid
    const counts = Object.fromEntries(reasons.map((r) => [r.reason ?? 'valid', r.n]));
    expect(counts.bad_rssi).toBeGreaterThan(0);
    const [passing] = await db.sql<{ n: number }[]>`
      SELECT count(*)::int AS n FROM witness_reports w JOIN beacon_reports b ON b.hash = w.beacon_hash
      WHERE w.status = 'valid' AND (w.hotspot = ${subtle.keys.address} OR b.hotspot = ${subtle.keys.address})`;
    expect(passing!.n).toBeGreaterThan(0);

    await updateTrustScores(db.sql);
    const trust = new Map(
      (await db.sql<{ hotspot: string; trust_score: number; samples: number }[]>`SELECT hotspot, trust_score, samples FROM hotspot_trust`).map((r) => [r.hotspot, r]),
    );
    expect(trust.get(spoofer.keys.address)!.trust_score).toBe(0);
    expect(trust.get(subtle.keys.address)!.trust_score).toBeLessThan(0.5);
    for (const h of honest) expect(trust.get(h.keys.address)!.trust_score).toBe(1);
    const [row] = await db.sql<{ trust_score: number }[]>`SELECT trust_score FROM hotspots WHERE address = ${spoofer.keys.address}`;
    expect(row!.trust_score).toBe(0);
  });

  it("scores a spoofer from credible witnesses' reports of its beacons even when its own reports are all plausible", async () => {
    const centre2 = { lat: 36.3, lng: 14.2 };
    const ring: TestHotspot[] = Array.from({ length: 8 }, (_, i) => ({
      keys: generateHotspotKeypair(),
      location: latLngToCell(centre2.lat + 0.018 * Math.cos((i * Math.PI) / 4), centre2.lng + 0.022 * Math.sin((i * Math.PI) / 4), 12),
    }));
    // Physically in the ring, asserted 60 km south; it reports the ring's beacons at −130 dBm, plausible at 60 km.
    const quiet: TestHotspot = { keys: generateHotspotKeypair(), location: latLngToCell(centre2.lat - 0.54, centre2.lng, 12) };
    const everyone = [...ring, quiet];
    await seedHotspots(db.sql, everyone);
    const start = Date.now() - 120_000;
    const entropy = await issueEntropy(db.sql, generateHotspotKeypair(), start);
    const density = new HexDensityCache();
    for (let round = 0; round < 3; round++) {
      const batch: AcceptedReport[] = [];
      everyone.forEach((beaconer, i) => {
        const at = start + round * 20_000 + i * 2000;
        const beacon = makeBeacon(beaconer, entropy);
        batch.push(accepted('beacon', beacon, new Date(at)));
        for (const w of everyone) if (w !== beaconer) batch.push(accepted('witness', makeWitness(w, beacon, w === quiet ? -1300 : -950), new Date(at + 300)));
      });
      await storeBatch(db.sql, batch, []);
      await processPendingPocs(db.sql, { beaconIntervalSeconds: 1, witnessGraceMs: 0, density }, start + 200_000);
    }
    await updateTrustScores(db.sql);
    const rows = await db.sql<{ hotspot: string; trust_score: number; witness_implausible: number; beaconer_samples: number; beaconer_implausible: number }[]>`
      SELECT hotspot, trust_score, witness_implausible, beaconer_samples, beaconer_implausible FROM hotspot_trust WHERE hotspot IN ${db.sql(everyone.map((h) => h.keys.address))}`;
    const trust = new Map(rows.map((r) => [r.hotspot, r]));
    expect(trust.get(quiet.keys.address)).toMatchObject({ trust_score: 0, witness_implausible: 0, beaconer_samples: 24, beaconer_implausible: 24 });
    for (const h of ring) expect(trust.get(h.keys.address)!.trust_score).toBe(1);
  });
});
