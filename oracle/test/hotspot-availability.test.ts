import { cellToLatLng, latLngToCell } from 'h3-js';
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { estimateAvailability } from '@poc/radio';
import { createTestDatabase, type TestDatabase } from '@poc/devnet/test-database';
import { AVAILABILITY_SLOT_HOURS, AVAILABILITY_STEPS, AVAILABILITY_WINDOW_SLOTS, refreshHotspotAvailability } from '../src/coverage/availability';
import { estimatePoint } from '../src/coverage/estimate';
import { refreshEstimatedCoverage } from '../src/coverage/estimated';
import { radioPredictor } from '../src/coverage/radio-predictor';
import { REFERENCE_DEVICE, type EstimatingHotspot } from '../src/coverage/uplink-predictor';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
});

const SLOT_MS = AVAILABILITY_SLOT_HOURS * 3_600_000;
/** Mid-slot, so "k slots ago" is unambiguous. */
const NOW = new Date((Math.floor(Date.now() / SLOT_MS) + 0.5) * SLOT_MS);
const slotsAgo = (k: number) => new Date(NOW.getTime() - k * SLOT_MS);
const predictor = radioPredictor();
const rounded = (a: number) => Math.round(a * AVAILABILITY_STEPS) / AVAILABILITY_STEPS;
/** The stored real, as the estimate reads it. */
const asReal = (a: number) => Math.fround(a);

async function placeHotspot(address: string, lat: number, lng: number, onboardedAt: Date) {
  await db.sql`
    INSERT INTO hotspots (address, pubkey, name, lat, lng, location_h3, gain_ddbi, region, onboarded_at)
    VALUES (${address}, ${randomBytes(32)}, ${address}, ${lat}, ${lng}, ${latLngToCell(lat, lng, 12)}, 12, 'EU868', ${onboardedAt})`;
}

async function report(kind: 'beacon' | 'witness', hotspot: string, receivedAt: Date, status: 'valid' | 'invalid' = 'valid', processedAt: Date = receivedAt) {
  const hash = createHash('sha256').update(randomBytes(16)).digest('hex');
  const ns = BigInt(receivedAt.getTime()) * 1_000_000n;
  if (kind === 'beacon') {
    await db.sql`
      INSERT INTO beacon_reports (hash, hotspot, received_at, report_ts_ns, local_entropy, remote_entropy, data, frequency, channel, datarate, tx_power, tmst, signature, status, processed_at)
      VALUES (${hash}, ${hotspot}, ${receivedAt}, ${ns.toString()}, ${randomBytes(4)}, ${randomBytes(4)}, ${randomBytes(8)}, 868100000, 0, 'SF12BW125', 140, 0, ${randomBytes(64)}, ${status}, ${processedAt})`;
  } else {
    await db.sql`
      INSERT INTO witness_reports (hash, hotspot, received_at, report_ts_ns, data, tmst, signal, snr, frequency, datarate, signature, status, processed_at)
      VALUES (${hash}, ${hotspot}, ${receivedAt}, ${ns.toString()}, ${randomBytes(8)}, 0, -1100, 50, 868100000, 'SF12BW125', ${randomBytes(64)}, ${status}, ${processedAt})`;
  }
}

const stored = async () => new Map((await db.sql<{ address: string; availability: number | null }[]>`SELECT address, availability FROM hotspots`).map((r) => [r.address, r.availability]));

describe('hotspot availability from its own liveness', () => {
  it('is the share of the last 7 days’ slots with a valid beacon or witness report, a new hotspot gets the prior, and the estimate weighs each link by it', async () => {
    const longAgo = slotsAgo(4 * AVAILABILITY_WINDOW_SLOTS);
    await placeHotspot('always-up', 52.37, 4.89, longAgo);
    await placeHotspot('half-up', 52.37, 4.95, longAgo);
    await placeHotspot('silent', 51.9, 4.5, longAgo);
    await placeHotspot('brand-new', 51.5, 4.2, NOW);
    // always-up: a beacon in every slot of the window, the current one included; older reports do not count.
    for (let k = 0; k < AVAILABILITY_WINDOW_SLOTS; k++) await report('beacon', 'always-up', slotsAgo(k));
    for (let k = AVAILABILITY_WINDOW_SLOTS; k < AVAILABILITY_WINDOW_SLOTS + 10; k++) await report('beacon', 'silent', slotsAgo(k));
    // half-up: witness reports in every other complete slot; invalid and still-pending reports are no evidence.
    for (let k = 2; k < AVAILABILITY_WINDOW_SLOTS; k += 2) await report('witness', 'half-up', slotsAgo(k));
    for (let k = 1; k < AVAILABILITY_WINDOW_SLOTS; k += 2) await report('witness', 'half-up', slotsAgo(k), 'invalid');
    await report('beacon', 'silent', slotsAgo(3), 'invalid');

    const first = await refreshHotspotAvailability(db.sql, NOW);
    expect(first.liveSlots).toBe(AVAILABILITY_WINDOW_SLOTS + 13);
    const complete = AVAILABILITY_WINDOW_SLOTS - 1;
    const priorSlots = 1;
    const a = await stored();
    expect(a.get('always-up')).toBeCloseTo(rounded(estimateAvailability(complete + 1, complete + 1, priorSlots)), 6);
    expect(a.get('always-up')).toBe(1);
    expect(a.get('half-up')).toBeCloseTo(rounded(estimateAvailability(13, complete, priorSlots)), 6);
    expect(a.get('half-up')).toBe(0.5);
    expect(a.get('silent')).toBeCloseTo(rounded(estimateAvailability(0, complete, priorSlots)), 6);
    expect(a.get('silent')).toBe(0);
    expect(a.get('brand-new')).toBe(0.5);

    // The estimate: each hotspot's link weighted by its availability; a silent hotspot's cells are not covered.
    await refreshEstimatedCoverage(db.sql, { predictor });
    const cellOf = async (lat: number, lng: number) => (await db.sql<{ probability: number; expected_hotspots: number }[]>`
      SELECT probability, expected_hotspots FROM estimated_coverage_hexes WHERE resolution = 9 AND h3 = ${latLngToCell(lat, lng, 9)}`)[0];
    const silentHome = await cellOf(51.9, 4.5);
    expect(silentHome?.probability ?? 0).toBe(0);
    const hs = (address: string, lat: number, lng: number, availability: number): EstimatingHotspot => ({ address, lat, lng, gainDdbi: 12, region: 'EU868', paramsKey: '', availability });
    const between = await cellOf(52.37, 4.92);
    const radioOnly = estimatePoint(52.37, 4.92, [hs('always-up', 52.37, 4.89, 1), hs('half-up', 52.37, 4.95, 1)], predictor, REFERENCE_DEVICE);
    const weighted = estimatePoint(52.37, 4.92, [hs('always-up', 52.37, 4.89, 1), hs('half-up', 52.37, 4.95, 0.5)], predictor, REFERENCE_DEVICE);
    expect(weighted.probability).toBeLessThan(radioOnly.probability);
    expect(between!.probability).toBeCloseTo(estimatePoint(...cellCentre(52.37, 4.92), [hs('always-up', 52.37, 4.89, 1), hs('half-up', 52.37, 4.95, 0.5)], predictor, REFERENCE_DEVICE).probability, 5);
    const newHome = await cellOf(51.5, 4.2);
    expect(newHome!.probability).toBeLessThanOrEqual(0.5 + 1e-6);
    expect(newHome!.probability).toBeGreaterThan(0.45);

    // Nothing new: no availability changes, nothing re-estimated.
    expect((await refreshHotspotAvailability(db.sql, new Date(NOW.getTime() + 60_000))).updated).toBe(0);
    expect((await refreshEstimatedCoverage(db.sql, { predictor })).changedHotspots).toBe(0);

    // The silent hotspot comes back in the current slot: only it is recomputed, and only it re-estimated, like a move.
    const later = new Date(NOW.getTime() + 120_000);
    await report('witness', 'silent', later);
    const back = await refreshHotspotAvailability(db.sql, new Date(later.getTime() + 1000));
    expect(back).toEqual({ liveSlots: 1, updated: 1 });
    expect((await stored()).get('silent')).toBeCloseTo(asReal(rounded(estimateAvailability(1, complete + 1, priorSlots))), 6);
    expect((await refreshEstimatedCoverage(db.sql, { predictor })).changedHotspots).toBe(1);
    expect((await cellOf(51.9, 4.5))!.probability).toBeGreaterThan(0);
  });

  it('reads a report processed late (after the last scan, received earlier) and forgets slots older than 7 days', async () => {
    await placeHotspot('late', 50.9, 4.4, slotsAgo(4 * AVAILABILITY_WINDOW_SLOTS));
    const scan = new Date(NOW.getTime() + 180_000);
    await refreshHotspotAvailability(db.sql, scan);
    expect((await stored()).get('late')).toBe(0);
    // Received two slots ago, verified only now: it still counts for the slot it was received in.
    await report('beacon', 'late', slotsAgo(2), 'valid', new Date(scan.getTime() + 1000));
    await refreshHotspotAvailability(db.sql, new Date(scan.getTime() + 2000));
    expect((await stored()).get('late')).toBeCloseTo(asReal(rounded(estimateAvailability(1, AVAILABILITY_WINDOW_SLOTS - 1, 1))), 6);
    // A week on, in a new slot, every old slot has left the window.
    const weekOn = new Date(NOW.getTime() + AVAILABILITY_WINDOW_SLOTS * SLOT_MS);
    await refreshHotspotAvailability(db.sql, weekOn);
    const [row] = await db.sql<{ oldest: number | null }[]>`SELECT min(slot) AS oldest FROM hotspot_live_slots`;
    expect(row!.oldest === null || row!.oldest > Math.floor(weekOn.getTime() / SLOT_MS) - AVAILABILITY_WINDOW_SLOTS).toBe(true);
    expect((await stored()).get('always-up')).toBe(0);
  });
});

const cellCentre = (lat: number, lng: number) => cellToLatLng(latLngToCell(lat, lng, 9)) as [number, number];
