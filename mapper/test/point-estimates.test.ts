import type { FastifyInstance } from 'fastify';
import { cellToLatLng, gridDisk, latLngToCell } from 'h3-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { estimatePoint, radioPredictor, REFERENCE_DEVICE, type DeviceProfile, type EstimatingHotspot } from '@poc/oracle';
import { createTestDatabase, type TestDatabase } from '@poc/devnet/test-database';
import { createApiKey } from '../src/api-keys';
import { cellAnswer } from '../src/cell-answer';
import { HotspotEstimates } from '../src/estimates';
import { candidatesOf, LinkTables } from '../src/link-tables';
import { buildMapperServer } from '../src/server';
import { insertCoverage, insertHotspot } from './fixtures';
import { seededUniform } from './seeded-random';

const CENTRE = { lat: 52.37, lng: 4.89 };
const GAINS = [12, 23, 30, 58];
const DEVICES: DeviceProfile[] = [
  REFERENCE_DEVICE,
  { ...REFERENCE_DEVICE, indoor: true },
  { ...REFERENCE_DEVICE, spreadingFactor: 7, txPowerDdbm: 200 },
  { txPowerDdbm: 0, gainDdbi: -30, spreadingFactor: 9, indoor: false },
  { txPowerDdbm: 270, gainDdbi: 30, spreadingFactor: 'any', indoor: true },
];

describe('link tables', () => {
  const predictor = radioPredictor();
  const random = seededUniform(3);
  // Several classes (gains, a US915 hotspot whose 'any' spreading factor is SF10), spread over ~40 km around
  // Amsterdam and around Tromsø (69.6° N, where a degree of longitude is much shorter).
  const centres = [CENTRE, { lat: 69.65, lng: 18.96 }];
  const hotspots: EstimatingHotspot[] = Array.from({ length: 120 }, (_, i) => ({
    address: `h${i}`,
    lat: centres[i % 2]!.lat + (random() - 0.5) * 0.35,
    lng: centres[i % 2]!.lng + (random() - 0.5) * 0.55,
    gainDdbi: GAINS[i % GAINS.length]!,
    region: i % 7 === 0 ? 'US915' : 'EU868',
    paramsKey: '',
  }));

  it('give exactly the estimate the model gives at any point for any device, unmapped far away', () => {
    const tables = new LinkTables(predictor);
    const classed = candidatesOf(hotspots.map((h) => tables.classed(h)));
    let reached = 0;
    for (let i = 0; i < 800; i++) {
      const lat = centres[i % 2]!.lat + (random() - 0.5) * 0.8;
      const lng = centres[i % 2]!.lng + (random() - 0.5) * 1.2;
      const device = DEVICES[i % DEVICES.length]!;
      const expected = estimatePoint(lat, lng, hotspots, predictor, device);
      expect(tables.estimate(lat, lng, classed, device)).toEqual(expected);
      // Asked again (the steps are now filled) the answer is the same.
      expect(tables.estimate(lat, lng, classed, device)).toEqual(expected);
      if (expected.hotspotCount > 0) reached++;
    }
    expect(reached).toBeGreaterThan(200);
    expect(tables.estimate(48.1, 11.5, classed, REFERENCE_DEVICE)).toEqual({ probability: 0, expectedHotspots: 0, bestRssiDbm: -Infinity, bestSnrDb: -Infinity, hotspotCount: 0 });
  });

  it('stay exact when more devices are asked for than tables are kept', () => {
    const tables = new LinkTables(predictor);
    const classed = candidatesOf(hotspots.map((h) => tables.classed(h)));
    // 80 devices × 5 classes: more than the 256 tables kept, so tables are dropped and refilled on the way.
    for (let tx = -100; tx < 300; tx += 5) {
      const device: DeviceProfile = { txPowerDdbm: tx, gainDdbi: 0, spreadingFactor: 'any', indoor: false };
      const lat = CENTRE.lat + (random() - 0.5) * 0.3;
      const lng = CENTRE.lng + (random() - 0.5) * 0.4;
      expect(tables.estimate(lat, lng, classed, device)).toEqual(estimatePoint(lat, lng, hotspots, predictor, device));
    }
  });
});

describe('point answers from the cell estimates', () => {
  let db: TestDatabase;
  let app: FastifyInstance;
  let key: string;
  let located: EstimatingHotspot[];

  beforeAll(async () => {
    db = await createTestDatabase();
    const random = seededUniform(17);
    located = [];
    for (let i = 0; i < 24; i++) {
      const h = await insertHotspot(db.sql, `Point hotspot ${i}`, CENTRE.lat + (random() - 0.5) * 0.2, CENTRE.lng + (random() - 0.5) * 0.3);
      const gain = GAINS[i % GAINS.length]!;
      await db.sql`UPDATE hotspots SET gain_ddbi = ${gain} WHERE address = ${h.address}`;
      located.push({ address: h.address, lat: h.lat, lng: h.lng, gainDdbi: gain, region: 'EU868', paramsKey: '' });
    }
    const now = new Date();
    await insertCoverage(db.sql, gridDisk(latLngToCell(CENTRE.lat, CENTRE.lng, 9), 1).map((h3) => ({ h3, rssi: -1000, snr: 20, witnesses: 2, firstSeen: now, lastSeen: now, heardBy: [located[0]!.address] })));
    key = (await createApiKey(db.sql, 'Point estimate carrier', 100_000)).key;
    app = await buildMapperServer({ sql: db.sql, coverageIndex: 'await', estimates: 'await' });
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  const get = async (url: string) => {
    const r = await app.inject({ method: 'GET', url, headers: { 'x-api-key': key } });
    return { status: r.statusCode, body: r.json() };
  };
  const deviceQuery = (d: DeviceProfile) =>
    `tx_power_dbm=${d.txPowerDdbm / 10}&antenna_gain_dbi=${d.gainDdbi / 10}&spreading_factor=${d.spreadingFactor}&environment=${d.indoor ? 'indoor' : 'outdoor'}`;

  it('answer what the model gives at the hex centre for the device, again from the cache, and like a batch', async () => {
    const random = seededUniform(5);
    const sources = new Set<string>();
    for (let i = 0; i < 40; i++) {
      const lat = i === 0 ? CENTRE.lat : CENTRE.lat + (random() - 0.5) * 0.5;
      const lng = i === 0 ? CENTRE.lng : CENTRE.lng + (random() - 0.5) * 0.8;
      const device = DEVICES[i % DEVICES.length]!;
      const h3 = latLngToCell(lat, lng, 9);
      const [cLat, cLng] = cellToLatLng(h3);
      const model = estimatePoint(cLat, cLng, located, radioPredictor(), device);
      const url = `/v1/coverage/point?lat=${lat}&lng=${lng}&${deviceQuery(device)}`;
      const first = await get(url);
      expect(first.status).toBe(200);
      const { source, confidence, expected_hotspots, predicted } = cellAnswer(first.body.coverage, model);
      expect(first.body).toMatchObject({ h3, lat, lng, source, confidence, expected_hotspots, predicted });
      sources.add(source);
      const again = await get(url);
      const { freshness: _a, ...firstAnswer } = first.body;
      const { freshness: _b, ...againAnswer } = again.body;
      expect(againAnswer).toEqual(firstAnswer);
      const batch = await app.inject({ method: 'POST', url: '/v1/coverage/points', headers: { 'x-api-key': key }, payload: { points: [{ lat, lng }], ...Object.fromEntries(new URLSearchParams(deviceQuery(device))) } });
      const { device: _d, ...pointOnly } = firstAnswer;
      expect(batch.json().results[0]).toEqual(pointOnly);
    }
    expect(sources).toEqual(new Set(['witness', 'estimated', 'unmapped']));
  });

  it('still refuses invalid input with a clear error', async () => {
    const r = await get(`/v1/coverage/point?lat=${CENTRE.lat}&lng=${CENTRE.lng}&tx_power_dbm=99`);
    expect(r.status).toBe(400);
    expect(r.body.error).toBe('invalid_request');
    expect(r.body.message).toContain('tx_power_dbm');
    const missing = await app.inject({ method: 'GET', url: `/v1/coverage/point?lat=${CENTRE.lat}&lng=${CENTRE.lng}` });
    expect(missing.statusCode).toBe(401);
  });

  it('keep cell estimates while the hotspots are unchanged and drop them when a hotspot moves in', async () => {
    const estimates = new HotspotEstimates(db.sql);
    await estimates.reload();
    const h3 = latLngToCell(CENTRE.lat + 0.3, CENTRE.lng + 0.3, 9);
    const before = estimates.atCell(h3, REFERENCE_DEVICE)!;
    await estimates.reload();
    expect(estimates.atCell(h3, REFERENCE_DEVICE)).toBe(before);
    const [lat, lng] = cellToLatLng(h3);
    const added = await insertHotspot(db.sql, 'Next door', lat + 0.001, lng);
    await estimates.reload();
    const after = estimates.atCell(h3, REFERENCE_DEVICE)!;
    expect(after.hotspotCount).toBe(before.hotspotCount + 1);
    // The model over the same hotspots (summed in another order, hence close rather than equal).
    const model = estimatePoint(lat, lng, [...located, { address: added.address, lat: added.lat, lng: added.lng, gainDdbi: 12, region: 'EU868', paramsKey: '' }], radioPredictor(), REFERENCE_DEVICE);
    expect(after).toMatchObject({ hotspotCount: model.hotspotCount, bestRssiDbm: model.bestRssiDbm, bestSnrDb: model.bestSnrDb });
    expect(after.probability).toBeCloseTo(model.probability, 12);
    expect(after.expectedHotspots).toBeCloseTo(model.expectedHotspots, 12);
  });
});

describe('candidates filtered by the device’s reach', () => {
  let db: TestDatabase;
  const located: EstimatingHotspot[] = [];
  // Amsterdam and Tromsø (69.6° N, short degrees of longitude), hotspots spread over ~110 km so that a short-reach
  // device's bucket leaves many of them out while a point near a bucket's edge still has them in reach.
  const centres = [CENTRE, { lat: 69.65, lng: 18.96 }];
  const SHORT_REACH: DeviceProfile[] = [
    { ...REFERENCE_DEVICE, indoor: true },
    { txPowerDdbm: 140, gainDdbi: 0, spreadingFactor: 7, indoor: true },
    { txPowerDdbm: -100, gainDdbi: -100, spreadingFactor: 7, indoor: false },
    { txPowerDdbm: 20, gainDdbi: -50, spreadingFactor: 8, indoor: true },
  ];

  beforeAll(async () => {
    db = await createTestDatabase();
    const random = seededUniform(23);
    for (let i = 0; i < 160; i++) {
      const centre = centres[i % 2]!;
      const h = await insertHotspot(db.sql, `Reach hotspot ${i}`, centre.lat + (random() - 0.5) * 1.0, centre.lng + (random() - 0.5) * (i % 2 ? 2.6 : 1.6));
      const gain = GAINS[i % GAINS.length]!;
      const region = i % 9 === 0 ? 'US915' : 'EU868';
      await db.sql`UPDATE hotspots SET gain_ddbi = ${gain}, region = ${region} WHERE address = ${h.address}`;
      located.push({ address: h.address, lat: h.lat, lng: h.lng, gainDdbi: gain, region, paramsKey: '' });
    }
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('answer what the model gives over every located hotspot, for short- and long-reach devices', async () => {
    const estimates = new HotspotEstimates(db.sql);
    await estimates.reload();
    const predictor = radioPredictor();
    const random = seededUniform(29);
    const devices = [...DEVICES, ...SHORT_REACH];
    let reached = 0;
    for (let i = 0; i < 600; i++) {
      const centre = centres[i % 2]!;
      const lat = centre.lat + (random() - 0.5) * 1.2;
      const lng = centre.lng + (random() - 0.5) * (i % 2 ? 3.2 : 2.0);
      const device = devices[i % devices.length]!;
      const h3 = latLngToCell(lat, lng, 9);
      const [cLat, cLng] = cellToLatLng(h3);
      for (const [got, model] of [
        [estimates.at(lat, lng, device)!, estimatePoint(lat, lng, located, predictor, device)],
        [estimates.atCell(h3, device)!, estimatePoint(cLat, cLng, located, predictor, device)],
      ] as const) {
        // The same hotspots, summed in another order (by bucket), hence close rather than equal.
        expect(got).toMatchObject({ hotspotCount: model.hotspotCount, bestRssiDbm: model.bestRssiDbm, bestSnrDb: model.bestSnrDb });
        expect(got.probability).toBeCloseTo(model.probability, 12);
        expect(got.expectedHotspots).toBeCloseTo(model.expectedHotspots, 12);
      }
      if (estimates.at(lat, lng, device)!.hotspotCount > 0) reached++;
    }
    expect(reached).toBeGreaterThan(150);
  });

  it('pass a short-reach device fewer hotspots than the reference device', async () => {
    // The filter itself; the test above shows that what it leaves out changes no answer.
    const estimates = new HotspotEstimates(db.sql);
    await estimates.reload();
    for (const centre of centres) {
      const all = estimates.near(centre.lat, centre.lng, REFERENCE_DEVICE).hotspots.length;
      expect(all).toBeGreaterThan(15);
      for (const device of SHORT_REACH) expect(estimates.near(centre.lat, centre.lng, device).hotspots.length).toBeLessThan(all);
    }
  });
});
