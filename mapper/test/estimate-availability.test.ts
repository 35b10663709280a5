import { cellToLatLng, latLngToCell } from 'h3-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { estimatePoint, radioPredictor, REFERENCE_DEVICE, type EstimatingHotspot } from '@poc/oracle';
import { createTestDatabase, type TestDatabase } from '@poc/devnet/test-database';
import { HotspotEstimates } from '../src/estimates';
import { candidatesOf, LinkTables } from '../src/link-tables';
import { insertHotspot } from './fixtures';

const CENTRE = { lat: 52.37, lng: 4.89 };
const predictor = radioPredictor();

describe('device-aware estimates count how often the hotspots in reach are up', () => {
  it('weigh each hotspot by its availability exactly as the oracle’s estimate does (absent: always up)', () => {
    const availabilities = [undefined, 1, 0.35, 0.8, 0];
    const hotspots: EstimatingHotspot[] = Array.from({ length: 30 }, (_, i) => ({
      address: `h${i}`,
      lat: CENTRE.lat + ((i % 6) - 2.5) * 0.02,
      lng: CENTRE.lng + (Math.floor(i / 6) - 2) * 0.03,
      gainDdbi: 12,
      region: 'EU868',
      paramsKey: '',
      availability: availabilities[i % availabilities.length],
    }));
    const tables = new LinkTables(predictor);
    const candidates = candidatesOf(hotspots.map((h) => tables.classed(h)));
    const alwaysUp = new LinkTables(predictor);
    const radioOnly = candidatesOf(hotspots.map((h) => alwaysUp.classed({ ...h, availability: undefined })));
    for (let i = 0; i < 60; i++) {
      const lat = CENTRE.lat + ((i % 10) - 4.5) * 0.012;
      const lng = CENTRE.lng + (Math.floor(i / 10) - 2.5) * 0.03;
      const expected = estimatePoint(lat, lng, hotspots, predictor, REFERENCE_DEVICE);
      const answered = tables.estimate(lat, lng, candidates, REFERENCE_DEVICE);
      expect(answered).toEqual(expected);
      const radio = alwaysUp.estimate(lat, lng, radioOnly, REFERENCE_DEVICE);
      // Down hotspots lower the probability and the expected hearers, never the hotspots in radio reach.
      expect(answered.probability).toBeLessThan(radio.probability);
      expect(answered.expectedHotspots).toBeLessThan(radio.expectedHotspots);
      expect(answered.hotspotCount).toBe(radio.hotspotCount);
    }
  });

  describe('loaded with the hotspots', () => {
    let db: TestDatabase;
    beforeAll(async () => {
      db = await createTestDatabase();
    });
    afterAll(async () => {
      await db?.drop();
    });

    it('read each hotspot’s stored availability, and drop kept cells when it changes', async () => {
      const a = await insertHotspot(db.sql, 'Up often', CENTRE.lat, CENTRE.lng);
      const b = await insertHotspot(db.sql, 'Up rarely', CENTRE.lat + 0.01, CENTRE.lng + 0.02);
      const estimates = new HotspotEstimates(db.sql);
      await estimates.reload();
      const h3 = latLngToCell(CENTRE.lat + 0.005, CENTRE.lng + 0.01, 9);
      const [lat, lng] = cellToLatLng(h3);
      const model = (availability: [number | undefined, number | undefined]) =>
        estimatePoint(lat, lng, [a, b].map((h, i) => ({ address: h.address, lat: h.lat, lng: h.lng, gainDdbi: 12, region: 'EU868', paramsKey: '', availability: availability[i] })), predictor, REFERENCE_DEVICE);
      // Never computed (NULL): always up, the radio-only answer.
      const before = estimates.atCell(h3, REFERENCE_DEVICE)!;
      expect(before.probability).toBeCloseTo(model([undefined, undefined]).probability, 12);

      await db.sql`UPDATE hotspots SET availability = CASE address WHEN ${a.address} THEN 0.9 ELSE 0.2 END WHERE address IN (${a.address}, ${b.address})`;
      await estimates.reload();
      const after = estimates.atCell(h3, REFERENCE_DEVICE)!;
      const expected = model([Math.fround(0.9), Math.fround(0.2)]);
      expect(after.probability).toBeCloseTo(expected.probability, 12);
      expect(after.expectedHotspots).toBeCloseTo(expected.expectedHotspots, 12);
      expect(after.probability).toBeLessThan(before.probability - 0.05);
      expect(after.hotspotCount).toBe(2);
      // A hotspot that is never up adds nothing; both down: not heard, however close.
      await db.sql`UPDATE hotspots SET availability = 0 WHERE address IN (${a.address}, ${b.address})`;
      await estimates.reload();
      expect(estimates.at(lat, lng, REFERENCE_DEVICE)).toMatchObject({ probability: 0, expectedHotspots: 0, hotspotCount: 2 });
    });
  });
});
