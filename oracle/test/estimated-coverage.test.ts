import { cellToLatLng, cellToParent, gridDisk, latLngToCell } from 'h3-js';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@poc/devnet/test-database';
import { estimatePoint, MIN_LINK_PROBABILITY, nearDistanceM, ReachIndex, tilesInReach } from '../src/coverage/estimate';
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

const predictor = radioPredictor();

async function placeHotspot(address: string, lat: number, lng: number, gainDdbi = 12) {
  await db.sql`
    INSERT INTO hotspots (address, pubkey, name, lat, lng, location_h3, gain_ddbi, region)
    VALUES (${address}, ${randomBytes(32)}, ${address}, ${lat}, ${lng}, ${latLngToCell(lat, lng, 12)}, ${gainDdbi}, 'EU868')
    ON CONFLICT (address) DO UPDATE SET lat = EXCLUDED.lat, lng = EXCLUDED.lng, location_h3 = EXCLUDED.location_h3, gain_ddbi = EXCLUDED.gain_ddbi`;
}

interface Row {
  h3: string;
  resolution: number;
  probability: number;
  covered_cells: number;
  expected_hotspots: number;
  best_rssi: number;
  hotspot_count: number;
  updated_at: Date;
}
const rows = (res: number) => db.sql<Row[]>`SELECT * FROM estimated_coverage_hexes WHERE resolution = ${res} ORDER BY h3`;

describe('estimated coverage', () => {
  it('combines hotspots with their common device-end shadowing (1 − Π(1 − p_i) without it), Σ p_i expected hotspots, and falls with distance', () => {
    const a: EstimatingHotspot = { address: 'a', lat: 52.37, lng: 4.89, gainDdbi: 12, region: 'EU868', paramsKey: '' };
    const b: EstimatingHotspot = { ...a, address: 'b', lng: 4.93 };
    const here = { lat: 52.37, lng: 4.91 };
    const pa = estimatePoint(here.lat, here.lng, [a], predictor, REFERENCE_DEVICE);
    const pb = estimatePoint(here.lat, here.lng, [b], predictor, REFERENCE_DEVICE);
    const both = estimatePoint(here.lat, here.lng, [a, b], predictor, REFERENCE_DEVICE);
    const independent = 1 - (1 - pa.probability) * (1 - pb.probability);
    expect(estimatePoint(here.lat, here.lng, [a, b], predictor, REFERENCE_DEVICE, 0).probability).toBeCloseTo(independent, 6);
    // The shared term makes the second hotspot add less than independence says, never less than the better one alone.
    expect(both.probability).toBeLessThan(independent - 0.005);
    expect(both.probability).toBeGreaterThan(Math.max(pa.probability, pb.probability));
    expect(pa.probability).toBeCloseTo(estimatePoint(here.lat, here.lng, [a], predictor, REFERENCE_DEVICE, 0).probability, 5);
    // Σ p_i with each p_i = Φ(m_i/σ) (a lone hotspot's quadrature value is within 1e-6 of it).
    const alone = (h: EstimatingHotspot) => estimatePoint(here.lat, here.lng, [h], predictor, REFERENCE_DEVICE, 0).probability;
    expect(both.expectedHotspots).toBeCloseTo(alone(a) + alone(b), 9);
    expect(both.hotspotCount).toBe(2);
    const near = estimatePoint(52.371, 4.89, [a], predictor, REFERENCE_DEVICE);
    const far = estimatePoint(52.37, 4.99, [a], predictor, REFERENCE_DEVICE);
    expect(near.probability).toBeGreaterThan(pa.probability);
    expect(pa.probability).toBeGreaterThan(far.probability);
    // Indoors and a weaker transmitter lose margin; a stronger one gains it.
    expect(estimatePoint(here.lat, here.lng, [a], predictor, { ...REFERENCE_DEVICE, indoor: true }).probability).toBeLessThan(pa.probability);
    expect(estimatePoint(here.lat, here.lng, [a], predictor, { ...REFERENCE_DEVICE, txPowerDdbm: 200 }).probability).toBeGreaterThan(pa.probability);
    // SF7 needs 12.5 dB more SNR than SF12.
    expect(estimatePoint(here.lat, here.lng, [a], predictor, { ...REFERENCE_DEVICE, spreadingFactor: 7 }).probability).toBeLessThan(pa.probability);
  });

  it('finds for each tile exactly the hotspots whose tilesInReach hold it, in the order given, for any gain and device', () => {
    let seed = 11;
    const rand = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32);
    // Two clusters 150 km apart, gains from 0 to 9 dBi (ranges, hence gridDisk radii, differ), listed in random order.
    const hotspots: EstimatingHotspot[] = Array.from({ length: 600 }, (_, i) => ({
      address: `h${i}`,
      lat: (i % 2 ? 52.3 : 51.2) + rand() * 0.3,
      lng: (i % 2 ? 4.8 : 5.9) + rand() * 0.4,
      gainDdbi: [0, 30, 60, 90][i % 4]!,
      region: 'EU868',
      paramsKey: '',
    }));
    for (const device of [REFERENCE_DEVICE, { ...REFERENCE_DEVICE, indoor: true }, { ...REFERENCE_DEVICE, txPowerDdbm: 200 }]) {
      const expected = new Map<string, string[]>();
      for (const h of hotspots) for (const tile of tilesInReach(h, predictor, device)) expected.set(tile, [...(expected.get(tile) ?? []), h.address]);
      // Also the ring of tiles just beyond everyone's reach: nobody reaches them.
      const asked = new Set([...expected.keys()].flatMap((t) => gridDisk(t, 1)));
      expect(asked.size).toBeGreaterThan(expected.size);
      const index = new ReachIndex(hotspots, predictor, device);
      for (const tile of asked) expect(index.reaching(tile).map((h) => h.address), tile).toEqual(expected.get(tile) ?? []);
    }
  });

  it('stores res-9 cells around located hotspots with rollups that add up, and refreshes only what changed', async () => {
    await placeHotspot('hs-amsterdam-1', 52.37, 4.89);
    await placeHotspot('hs-amsterdam-2', 52.36, 4.92);
    await placeHotspot('hs-utrecht', 52.09, 5.12);
    const first = await refreshEstimatedCoverage(db.sql, { predictor });
    expect(first.changedHotspots).toBe(3);
    expect(first.cells).toBeGreaterThan(1000);

    const res9 = await rows(9);
    expect(res9.length).toBe(first.cells);
    const byCell = new Map(res9.map((r) => [r.h3, r]));
    // The hotspot's own cell is covered with a high probability by both Amsterdam hotspots.
    const home = byCell.get(latLngToCell(52.37, 4.89, 9))!;
    expect(home.probability).toBeGreaterThan(0.8);
    expect(home.hotspot_count).toBe(2);
    const expectedHome = estimatePoint(...centre(home.h3), [hs('hs-amsterdam-1', 52.37, 4.89), hs('hs-amsterdam-2', 52.36, 4.92)], predictor, REFERENCE_DEVICE);
    expect(home.probability).toBeCloseTo(expectedHome.probability, 5);
    expect(home.expected_hotspots).toBeCloseTo(expectedHome.expectedHotspots, 4);
    // Every stored cell is within reach of a hotspot, and no cell is covered beyond the model's range.
    const range = predictor.rangeM(hs('x', 0, 0), REFERENCE_DEVICE, MIN_LINK_PROBABILITY);
    for (const r of res9) {
      const [lat, lng] = centre(r.h3);
      const nearest = Math.min(...[[52.37, 4.89], [52.36, 4.92], [52.09, 5.12]].map(([a, b]) => nearDistanceM(lat, lng, a!, b!)));
      expect(nearest).toBeLessThanOrEqual(range * 1.001 + 1); // distances are equirectangular, < 0.1 % off
    }
    // Rollups: covered_cells is Σ probability of the res-9 cells below, probability their maximum.
    for (const res of [8, 5, 4]) {
      const sums = new Map<string, { sum: number; max: number }>();
      for (const r of res9) {
        const p = cellToParent(r.h3, res);
        const s = sums.get(p) ?? { sum: 0, max: 0 };
        s.sum += r.probability;
        s.max = Math.max(s.max, r.probability);
        sums.set(p, s);
      }
      const stored = await rows(res);
      expect(stored.length).toBe(sums.size);
      for (const r of stored) {
        expect(r.covered_cells).toBeCloseTo(sums.get(r.h3)!.sum, 0);
        expect(r.probability).toBeCloseTo(sums.get(r.h3)!.max, 5);
      }
    }

    // Nothing changed: nothing recomputed.
    expect(await refreshEstimatedCoverage(db.sql, { predictor })).toEqual({ changedHotspots: 0, tiles: 0, cells: 0 });

    // Utrecht moves 40 km east: its old cells go, new ones appear, Amsterdam's rows are not rewritten.
    const amsterdamBefore = res9.filter((r) => nearDistanceM(...centre(r.h3), 52.37, 4.89) < 5_000)[0]!;
    await placeHotspot('hs-utrecht', 52.09, 5.7);
    const moved = await refreshEstimatedCoverage(db.sql, { predictor });
    expect(moved.changedHotspots).toBe(1);
    const after = new Map((await rows(9)).map((r) => [r.h3, r]));
    expect(after.has(latLngToCell(52.09, 5.12, 9))).toBe(false);
    expect(after.get(latLngToCell(52.09, 5.7, 9))!.probability).toBeGreaterThan(0.8);
    expect(after.get(amsterdamBefore.h3)!.updated_at).toEqual(amsterdamBefore.updated_at);

    // A hotspot that loses its location takes its estimate with it, rollups included.
    await db.sql`UPDATE hotspots SET lat = NULL, lng = NULL WHERE address = 'hs-utrecht'`;
    expect((await refreshEstimatedCoverage(db.sql, { predictor })).changedHotspots).toBe(1);
    expect((await rows(9)).every((r) => nearDistanceM(...centre(r.h3), 52.37, 4.9) < range + 5_000)).toBe(true);
    const res4 = await rows(4);
    const res9Now = await rows(9);
    expect(res4.reduce((a, r) => a + r.covered_cells, 0)).toBeCloseTo(res9Now.reduce((a, r) => a + r.probability, 0), -1);
  });
});

function hs(address: string, lat: number, lng: number): EstimatingHotspot {
  return { address, lat, lng, gainDdbi: 12, region: 'EU868', paramsKey: '' };
}

const centre = (h3: string) => cellToLatLng(h3) as [number, number];
