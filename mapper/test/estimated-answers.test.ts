import type { FastifyInstance } from 'fastify';
import { cellToLatLng, gridDisk, latLngToCell } from 'h3-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { estimatePoint, MIN_LINK_PROBABILITY, radioPredictor, REFERENCE_DEVICE, type EstimatingHotspot } from '@poc/oracle';
import { DEVICE_SITE_SD_DB } from '@poc/radio';
import { createTestDatabase, type TestDatabase } from '@poc/devnet/test-database';
import { createApiKey } from '../src/api-keys';
import { buildMapperServer } from '../src/server';
import { insertCoverage, insertHotspot, type FixtureHotspot } from './fixtures';
import { seededUniform } from './seeded-random';

let db: TestDatabase;
let app: FastifyInstance;
let key: string;
let city: FixtureHotspot[];
let sparse: FixtureHotspot[];
const CENTRE = { lat: 52.37, lng: 4.89 };
const SPARSE_CENTRE = { lat: 45.19, lng: 5.72 };

/** Standard-normal draws from a uniform source (Box–Muller). */
const normal = (random: () => number) => () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());

beforeAll(async () => {
  db = await createTestDatabase();
  const random = seededUniform(13);
  // A city: 40 hotspots within about 8 km of the centre.
  city = [];
  for (let i = 0; i < 40; i++) {
    city.push(await insertHotspot(db.sql, `City hotspot ${i}`, CENTRE.lat + (random() - 0.5) * 0.14, CENTRE.lng + (random() - 0.5) * 0.23));
  }
  // Measured: the centre's res-9 disk of radius 2.
  const now = new Date();
  await insertCoverage(
    db.sql,
    gridDisk(latLngToCell(CENTRE.lat, CENTRE.lng, 9), 2).map((h3) => ({ h3, rssi: -950, snr: 40, witnesses: 3, firstSeen: now, lastSeen: now, heardBy: [city[0]!.address] })),
  );
  sparse = [];
  for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) sparse.push(await insertHotspot(db.sql, `Sparse ${i}/${j}`, SPARSE_CENTRE.lat + (i - 1.5) * 0.25, SPARSE_CENTRE.lng + (j - 1.5) * 0.35));
  key = (await createApiKey(db.sql, 'Estimate carrier', 100_000)).key;
  app = await buildMapperServer({ sql: db.sql, coverageIndex: 'await' });
});
afterAll(async () => {
  await app?.close();
  await db?.drop();
});

const get = async (url: string) => {
  const r = await app.inject({ method: 'GET', url, headers: { 'x-api-key': key } });
  return { status: r.statusCode, body: r.json() };
};
const post = async (url: string, payload: object) => {
  const r = await app.inject({ method: 'POST', url, payload, headers: { 'x-api-key': key } });
  return { status: r.statusCode, body: r.json() };
};

describe('estimated coverage in the carriers’ answers', () => {
  it('says where each answer comes from: measured wins, estimated between hotspots, unmapped far away', async () => {
    const measured = await get(`/v1/coverage/point?lat=${CENTRE.lat}&lng=${CENTRE.lng}`);
    expect(measured.status).toBe(200);
    expect(measured.body).toMatchObject({ covered: true, source: 'witness' });
    expect(measured.body.confidence).toBeGreaterThanOrEqual(0.95);
    expect(measured.body.device).toEqual({ tx_power_dbm: 14, antenna_gain_dbi: 0, spreading_factor: 'any', environment: 'outdoor' });

    const between = await get(`/v1/coverage/point?lat=${CENTRE.lat + 0.03}&lng=${CENTRE.lng - 0.05}`);
    expect(between.body).toMatchObject({ covered: false, source: 'estimated' });
    expect(between.body.confidence).toBeGreaterThan(0.5);
    expect(between.body.confidence).toBeLessThanOrEqual(1);
    expect(between.body.expected_hotspots).toBeGreaterThan(1);
    expect(between.body.predicted.hotspot_count).toBeGreaterThan(1);
    expect(between.body.predicted.rssi_dbm).toBeLessThan(-60);

    const far = await get('/v1/coverage/point?lat=48.1&lng=11.5');
    expect(far.body).toMatchObject({ covered: false, source: 'unmapped', confidence: 0, expected_hotspots: 0, predicted: null });
  });

  it('answers for the device described: indoors, a fast spreading factor or less power lower the confidence', async () => {
    // East of the city, where the model is unsure.
    let at = '';
    let base = { source: '', confidence: 1 };
    for (let lng = CENTRE.lng + 0.2; lng < CENTRE.lng + 0.6 && !(base.confidence < 0.9 && base.confidence > 0.2); lng += 0.01) {
      at = `lat=${CENTRE.lat}&lng=${lng.toFixed(4)}`;
      base = (await get(`/v1/coverage/point?${at}`)).body;
    }
    expect(base.source).toBe('estimated');
    expect(base.confidence).toBeLessThan(0.9);
    const indoor = (await get(`/v1/coverage/point?${at}&environment=indoor`)).body;
    const sf7 = (await get(`/v1/coverage/point?${at}&spreading_factor=7`)).body;
    const weak = (await get(`/v1/coverage/point?${at}&tx_power_dbm=0`)).body;
    const strong = (await get(`/v1/coverage/point?${at}&tx_power_dbm=27&antenna_gain_dbi=3`)).body;
    expect(indoor.confidence).toBeLessThan(base.confidence);
    expect(sf7.confidence).toBeLessThan(base.confidence);
    expect(weak.confidence).toBeLessThan(base.confidence);
    expect(strong.confidence).toBeGreaterThan(base.confidence);
    expect(indoor.device.environment).toBe('indoor');
    expect(sf7.device.spreading_factor).toBe(7);
  });

  it('gives an area over the city a covered fraction the model supports, each cell with source and confidence', async () => {
    const half = 0.05;
    const area = {
      type: 'Polygon',
      coordinates: [[[CENTRE.lng - half, CENTRE.lat - half], [CENTRE.lng + half, CENTRE.lat - half], [CENTRE.lng + half, CENTRE.lat + half], [CENTRE.lng - half, CENTRE.lat + half], [CENTRE.lng - half, CENTRE.lat - half]]],
    };
    const { status, body } = await post('/v1/coverage/area', { area });
    expect(status).toBe(200);
    expect(body.covered_count).toBe(19); // measured
    expect(body.expected_covered_fraction).toBeGreaterThan(0.6);
    expect(body.expected_covered_fraction).toBeLessThanOrEqual(1);
    expect(body.likely_covered_fraction).toBeGreaterThan(body.covered_fraction);
    expect(body.by_source.witness).toBe(19);
    expect(body.by_source.estimated + body.by_source.witness + body.by_source.unmapped).toBe(body.hex_count);
    expect(body.cells.length).toBe(body.hex_count - body.by_source.unmapped);
    for (const c of body.cells.slice(0, 50)) {
      expect(['witness', 'estimated']).toContain(c.source);
      expect(c.confidence).toBeGreaterThanOrEqual(0);
      expect(c.confidence).toBeLessThanOrEqual(1);
    }
    // Indoors the same area is less covered.
    const indoor = await post('/v1/coverage/area', { area, include_hexes: false, environment: 'indoor' });
    expect(indoor.body.expected_covered_fraction).toBeLessThan(body.expected_covered_fraction);
    expect(indoor.body.cells).toBeUndefined();
  });

  it('gives a route its expected covered fraction for the device', async () => {
    const route = { type: 'LineString', coordinates: [[CENTRE.lng - 0.1, CENTRE.lat], [CENTRE.lng + 0.6, CENTRE.lat]] };
    const { status, body } = await post('/v1/coverage/route', { route });
    expect(status).toBe(200);
    expect(body.expected_covered_fraction).toBeGreaterThan(body.covered_fraction);
    expect(body.expected_covered_fraction).toBeLessThan(1); // the route leaves the city for 30 km
    expect(body.by_source.estimated).toBeGreaterThan(0);
    expect(body.by_source.unmapped).toBeGreaterThan(0);
  });

  it('refuses absurd device parameters with invalid_request', async () => {
    for (const bad of ['tx_power_dbm=1e9', 'tx_power_dbm=-50', 'tx_power_dbm=NaN', 'antenna_gain_dbi=99', 'spreading_factor=13', 'spreading_factor=6', 'spreading_factor=fast', 'spreading_factor=7.5', 'environment=underwater']) {
      const r = await get(`/v1/coverage/point?lat=${CENTRE.lat}&lng=${CENTRE.lng}&${bad}`);
      expect(r.status, bad).toBe(400);
      expect(r.body.error, bad).toBe('invalid_request');
    }
    const body = await post('/v1/coverage/points', { points: [{ lat: 52, lng: 4 }], tx_power_dbm: 'loud' });
    expect(body.status).toBe(400);
    const proto = await post('/v1/coverage/points', { points: [{ lat: 52, lng: 4 }], spreading_factor: { __proto__: { x: 1 } } });
    expect(proto.status).toBe(400);
  });

  it('keeps a huge area bounded whatever the device', async () => {
    const world = { type: 'Polygon', coordinates: [[[-170, -80], [170, -80], [170, 80], [-170, 80], [-170, -80]]] };
    const r = await post('/v1/coverage/area', { area: world, tx_power_dbm: 30, antenna_gain_dbi: 15 });
    expect(r.status).toBe(400);
    expect(r.body.error).toBe('area_too_large');
  });
});

/** Whether one uplink from the cell's centre is heard, drawn with one common device-end term for all the hotspots. */
function heldOut(h3: string, hotspots: readonly EstimatingHotspot[], predictor: ReturnType<typeof radioPredictor>, draw: () => number) {
  const [lat, lng] = cellToLatLng(h3);
  const out = { rssiDbm: 0, snrDb: 0, probability: 0, marginDb: 0, shadowingSdDb: 1 };
  const common = DEVICE_SITE_SD_DB * draw();
  let heard = false;
  for (const h of hotspots) {
    const d = Math.hypot((lat - h.lat) * 111_195, (lng - h.lng) * 111_195 * Math.cos((lat * Math.PI) / 180));
    const { probability, marginDb, shadowingSdDb } = predictor.predict(h, d, REFERENCE_DEVICE, out);
    const own = Math.sqrt(shadowingSdDb ** 2 - DEVICE_SITE_SD_DB ** 2) * draw();
    if (probability >= MIN_LINK_PROBABILITY && marginDb + common + own >= 0) heard = true;
  }
  return { lat, lng, heard };
}

describe('calibration of confidence on held-out cells', () => {
  it('of the cells answered with confidence ≈ 0.8, about 80 % are measured covered', async () => {
    // Held-out measurements drawn the way the simulator's calibrated radio hears an uplink: one device-end shadowing
    // draw per cell (σ_common, common to every hotspot hearing that position) and one own draw per link (the rest of
    // the fitted σ), within the model's reach (links under MIN_LINK_PROBABILITY are not drawn: the fitted tail is not
    // physics, see mapper/README.md). They stay out of the database, so every answer is the estimate. A sparse network
    // (hotspots ~27 km apart, around Grenoble) gives every confidence from 0 to 1.
    const predictor = radioPredictor();
    const draw = normal(seededUniform(7));
    const hotspots: EstimatingHotspot[] = sparse.map((h) => ({ address: h.address, lat: h.lat, lng: h.lng, gainDdbi: 12, region: 'EU868', paramsKey: '' }));
    const cells = gridDisk(latLngToCell(SPARSE_CENTRE.lat, SPARSE_CENTRE.lng, 9), 220).filter((_, i) => i % 10 === 0);
    const points = cells.map((h3) => heldOut(h3, hotspots, predictor, draw));
    const bins = new Map<number, { n: number; heard: number; p: number }>();
    for (let i = 0; i < points.length; i += 1000) {
      const chunk = points.slice(i, i + 1000);
      const { body } = await post('/v1/coverage/points', { points: chunk.map(({ lat, lng }) => ({ lat, lng })) });
      body.results.forEach((r: { source: string; confidence: number }, k: number) => {
        if (r.source !== 'estimated') return;
        const bin = Math.min(9, Math.floor(r.confidence * 10));
        const b = bins.get(bin) ?? { n: 0, heard: 0, p: 0 };
        b.n++;
        b.p += r.confidence;
        if (chunk[k]!.heard) b.heard++;
        bins.set(bin, b);
      });
    }
    if (process.env.CALIBRATION_TABLE) console.log(JSON.stringify([...bins].sort((a, b) => a[0] - b[0]).map(([k, b]) => ({ bin: k / 10, n: b.n, mean_confidence: +(b.p / b.n).toFixed(3), measured_covered: +(b.heard / b.n).toFixed(3) }))));
    const b8 = bins.get(7)!; // confidence in [0.7, 0.8)
    const b9 = bins.get(8)!; // [0.8, 0.9)
    const around = { n: b8.n + b9.n, heard: b8.heard + b9.heard, p: b8.p + b9.p };
    expect(around.n).toBeGreaterThan(300);
    expect(Math.abs(around.heard / around.n - around.p / around.n)).toBeLessThan(0.06);
    // Every well-filled bin is calibrated too.
    for (const b of bins.values()) if (b.n >= 300) expect(Math.abs(b.heard / b.n - b.p / b.n)).toBeLessThan(0.07);
  });

  it('stays calibrated in the dense city, where hotspots treated as independent would promise near-certainty', async () => {
    // The 40-hotspot city out to ~25 km, held-out draws as above (one device-end draw per cell).
    const predictor = radioPredictor();
    const draw = normal(seededUniform(11));
    const hotspots: EstimatingHotspot[] = city.map((h) => ({ address: h.address, lat: h.lat, lng: h.lng, gainDdbi: 12, region: 'EU868', paramsKey: '' }));
    const cells = gridDisk(latLngToCell(CENTRE.lat, CENTRE.lng, 9), 150).filter((_, i) => i % 5 === 0);
    const points = cells.map((h3) => heldOut(h3, hotspots, predictor, draw));
    const high = { n: 0, heard: 0, p: 0, independent: 0 };
    const bins = new Map<number, { n: number; heard: number; p: number }>();
    for (let i = 0; i < points.length; i += 1000) {
      const chunk = points.slice(i, i + 1000);
      const { body } = await post('/v1/coverage/points', { points: chunk.map(({ lat, lng }) => ({ lat, lng })) });
      body.results.forEach((r: { source: string; confidence: number }, k: number) => {
        if (r.source !== 'estimated') return;
        const { lat, lng, heard } = chunk[k]!;
        const independent = estimatePoint(lat, lng, hotspots, predictor, REFERENCE_DEVICE, 0).probability;
        if (independent >= 0.995) {
          high.n++;
          high.p += r.confidence;
          high.independent += independent;
          if (heard) high.heard++;
        }
        const bin = Math.min(9, Math.floor(r.confidence * 10));
        const b = bins.get(bin) ?? { n: 0, heard: 0, p: 0 };
        b.n++;
        b.p += r.confidence;
        if (heard) b.heard++;
        bins.set(bin, b);
      });
    }
    if (process.env.CALIBRATION_TABLE) console.log(JSON.stringify({ high, bins: [...bins].sort((a, b) => a[0] - b[0]).map(([k, b]) => ({ bin: k / 10, n: b.n, mean_confidence: +(b.p / b.n).toFixed(3), measured_covered: +(b.heard / b.n).toFixed(3) })) }));
    // Where independence says ≥ 99.5 %, fewer are heard, and the answered confidence says how many.
    expect(high.n).toBeGreaterThan(300);
    expect(high.heard / high.n).toBeLessThan(high.independent / high.n - 0.01);
    expect(Math.abs(high.heard / high.n - high.p / high.n)).toBeLessThan(0.02);
    for (const b of bins.values()) if (b.n >= 300) expect(Math.abs(b.heard / b.n - b.p / b.n)).toBeLessThan(0.06);
  });
});
