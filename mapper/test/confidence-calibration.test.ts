import type { FastifyInstance } from 'fastify';
import { cellToLatLng } from 'h3-js';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { estimatePoint, radioPredictor, refreshConfidenceCalibration, refreshEstimatedCoverage, REFERENCE_DEVICE, type EstimatingHotspot } from '@poc/oracle';
import { applyCalibration, CALIBRATION_MIN_FRAMES } from '@poc/radio';
import { createTestDatabase, type TestDatabase } from '@poc/devnet/test-database';
import { createApiKey } from '../src/api-keys';
import { cellAnswer } from '../src/cell-answer';
import type { ConfidenceCalibration, Estimate } from '../src/estimates';
import { buildMapperServer } from '../src/server';
import { insertHotspot } from './fixtures';

const estimate = (probability: number, calibration?: ConfidenceCalibration): Estimate => ({ probability, expectedHotspots: 1, bestRssiDbm: -110, bestSnrDb: -5, hotspotCount: 2, calibration });
const OVERCONFIDENT: ConfidenceCalibration = { map: { raw: [0.2, 0.9], calibrated: [0.1, 0.3] }, basis: 'calibrated on 5000 mapper frames' };

describe('confidence through the reliability map (cellAnswer)', () => {
  it('maps an estimated cell’s probability and says so; without a map the model answers', () => {
    expect(cellAnswer(null, estimate(0.9, OVERCONFIDENT))).toMatchObject({ source: 'estimated', confidence: 0.3, confidence_basis: 'calibrated on 5000 mapper frames' });
    expect(cellAnswer(null, estimate(0.55, OVERCONFIDENT))).toMatchObject({ confidence: 0.2, confidence_basis: 'calibrated on 5000 mapper frames' });
    expect(cellAnswer(null, estimate(0.9, { map: null, basis: 'model' }))).toMatchObject({ confidence: 0.9, confidence_basis: 'model' });
    expect(cellAnswer(null, estimate(0.9))).toMatchObject({ confidence: 0.9, confidence_basis: 'model' });
  });

  it('keeps measured answers measured and unmapped ones at 0', () => {
    const hex = { h3: '891fb466257ffff', witness_count: 3, last_seen_at: '2026-11-30T00:00:00.000Z' } as never;
    expect(cellAnswer(hex, estimate(0.9, OVERCONFIDENT))).toMatchObject({ source: 'witness', confidence: 0.95, confidence_basis: 'measured' });
    const noSignal = { mapper: null, noSignal: { count: 4, lastAt: new Date('2026-11-30T00:00:00Z') } };
    expect(cellAnswer(null, estimate(0.9, OVERCONFIDENT), noSignal)).toMatchObject({ source: 'measured_no_signal', confidence: 0.05, confidence_basis: 'measured' });
    expect(cellAnswer(null, null)).toMatchObject({ source: 'unmapped', confidence: 0, confidence_basis: 'model' });
  });
});

describe('point answers with the oracle’s fitted map (PostgreSQL)', () => {
  let db: TestDatabase;
  let key: string;
  let located: EstimatingHotspot[];
  /** Estimated cells, most probable first: the first ones get logged mapper frames, the last one is asked about. */
  let cells: { h3: string; probability: number }[];
  const CENTRE = { lat: 45.19, lng: 5.72 };

  beforeAll(async () => {
    db = await createTestDatabase();
    located = [];
    for (const [i, [dLat, dLng]] of [[0, 0], [0.03, 0.05], [-0.04, 0.02]].entries()) {
      const h = await insertHotspot(db.sql, `Calibration hotspot ${i}`, CENTRE.lat + dLat!, CENTRE.lng + dLng!);
      await db.sql`UPDATE hotspots SET gain_ddbi = 12 WHERE address = ${h.address}`;
      located.push({ address: h.address, lat: h.lat, lng: h.lng, gainDdbi: 12, region: 'EU868', paramsKey: '' });
    }
    await refreshEstimatedCoverage(db.sql, { predictor: radioPredictor() });
    cells = await db.sql<{ h3: string; probability: number }[]>`
      SELECT h3, probability::float8 AS probability FROM estimated_coverage_hexes WHERE resolution = 9 AND probability BETWEEN 0.3 AND 0.99 ORDER BY probability DESC, h3 LIMIT 40`;
    key = (await createApiKey(db.sql, 'Calibration carrier', 100_000)).key;
  });
  afterAll(async () => {
    await db?.drop();
  });

  /** Logs `perCell` frames from each of the first 30 cells, a fifth of them heard, and lets the oracle fit its map. */
  async function logAndFit(perCell: number) {
    await db.sql`DELETE FROM mapper_log_entries`;
    await db.sql`DELETE FROM mapper_log_uploads`;
    const [upload] = await db.sql<{ id: string }[]>`INSERT INTO mapper_log_uploads (device_id, entry_count, status) VALUES (77, 0, 'accepted') RETURNING id::text`;
    const sentAt = new Date(Date.now() - 3_600_000).toISOString();
    let counter = 0;
    const rows = cells.slice(0, 30).flatMap(({ h3 }) => {
      const [lat, lng] = cellToLatLng(h3);
      // Three devices in turn: the oracle fits a map only from CALIBRATION_MIN_DEVICES devices.
      return Array.from({ length: perCell }, (_, i) => ({ device: 77 + (counter % 3), counter: counter++, frame: randomBytes(22).toString('hex'), lat, lng, h3, status: i % 5 === 0 ? 'heard' : 'no_signal' }));
    });
    await db.sql`
      INSERT INTO mapper_log_entries (device_id, counter, upload_id, frame, sent_at, lat, lng, h3, status)
      SELECT device, counter, ${upload!.id}, decode(frame, 'hex'), ${sentAt}, lat, lng, h3, status
      FROM jsonb_to_recordset(${db.sql.json(rows as never)}) AS x(device bigint, counter bigint, frame text, lat float8, lng float8, h3 text, status text)`;
    return refreshConfidenceCalibration(db.sql);
  }

  async function ask(app: FastifyInstance, environment: 'outdoor' | 'indoor') {
    const { h3 } = cells[cells.length - 1]!;
    const [lat, lng] = cellToLatLng(h3);
    const r = await app.inject({ method: 'GET', url: `/v1/coverage/point?lat=${lat}&lng=${lng}&environment=${environment}`, headers: { 'x-api-key': key } });
    expect(r.statusCode).toBe(200);
    const model = estimatePoint(lat, lng, located, radioPredictor(), { ...REFERENCE_DEVICE, indoor: environment === 'indoor' });
    return { body: r.json(), model };
  }

  it('answers the calibrated probability for outdoor devices once the map holds enough frames, the model’s for indoor ones', async () => {
    expect(cells.length).toBe(40);
    const fitted = await logAndFit(50);
    expect(fitted?.map.frames).toBe(1_500);
    expect(fitted!.map.frames).toBeGreaterThanOrEqual(CALIBRATION_MIN_FRAMES);
    const app = await buildMapperServer({ sql: db.sql, coverageIndex: 'await', estimates: 'await' });
    try {
      const outdoor = await ask(app, 'outdoor');
      expect(outdoor.body.source).toBe('estimated');
      expect(outdoor.body.confidence_basis).toBe('calibrated on 1500 mapper frames');
      expect(outdoor.body.confidence).toBe(Number(applyCalibration(fitted!.map, outdoor.model.probability).toFixed(3)));
      // Heard a fifth of the time where the model said ≥ 0.3: the map brings the answer down.
      expect(outdoor.body.confidence).toBeLessThan(outdoor.model.probability - 0.05);
      const indoor = await ask(app, 'indoor');
      expect(indoor.body.confidence_basis).toBe('model');
      expect(indoor.body.confidence).toBe(Number(indoor.model.probability.toFixed(3)));
    } finally {
      await app.close();
    }
  });

  it('keeps the model’s probability while the map holds fewer than CALIBRATION_MIN_FRAMES frames', async () => {
    const fitted = await logAndFit(10);
    expect(fitted?.map.frames).toBe(300);
    const app = await buildMapperServer({ sql: db.sql, coverageIndex: 'await', estimates: 'await' });
    try {
      const outdoor = await ask(app, 'outdoor');
      expect(outdoor.body).toMatchObject({ source: 'estimated', confidence_basis: 'model', confidence: Number(outdoor.model.probability.toFixed(3)) });
    } finally {
      await app.close();
    }
  });

  it('ignores stored knots that are not a valid map (decreasing, out of 0..1)', async () => {
    await logAndFit(50);
    await db.sql`UPDATE confidence_calibrations SET knots_raw = '{0.3,0.9}', knots_calibrated = '{0.9,0.1}', frames = 5000`;
    const app = await buildMapperServer({ sql: db.sql, coverageIndex: 'await', estimates: 'await' });
    try {
      const outdoor = await ask(app, 'outdoor');
      expect(outdoor.body).toMatchObject({ confidence_basis: 'model', confidence: Number(outdoor.model.probability.toFixed(3)) });
    } finally {
      await app.close();
    }
  });
});
