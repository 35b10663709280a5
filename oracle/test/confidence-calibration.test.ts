import { cellToLatLng, latLngToCell } from 'h3-js';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyCalibration, DEFAULT_CALIBRATION_FIT } from '@poc/radio';
import { createTestDatabase, type TestDatabase } from '@poc/devnet/test-database';
import { refreshConfidenceCalibration } from '../src/coverage/confidence-calibration';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
});

const NOW = new Date('2026-11-30T12:00:00Z');
const DEVICE = 4242;
const hoursAgo = (h: number) => new Date(NOW.getTime() - h * 3_600_000);
let counter = 0;
let uploadId = '';

/** Distinct res-9 cells near Grenoble. */
const cell = (i: number) => latLngToCell(45.19 + 0.01 * i, 5.72, 9);

async function estimated(h3: string, probability: number) {
  await db.sql`
    INSERT INTO estimated_coverage_hexes (h3, resolution, probability, covered_cells, expected_hotspots, best_rssi, best_snr, hotspot_count)
    VALUES (${h3}, 9, ${probability}, ${probability}, 1, -1100, -50, 1)`;
}

/**
 * `frames` logged frames from `h3` sent at `sentAt`, the first `heard` of them judged heard, the rest no_signal (or all
 * `status`), from four honest devices in turn — or all from `device`.
 */
async function logged(h3: string, frames: number, heard: number, sentAt: Date, status?: 'pending' | 'invalid', device?: number) {
  const [lat, lng] = cellToLatLng(h3);
  const rows = Array.from({ length: frames }, (_, i) => ({
    device_id: device ?? DEVICE + (counter % 4),
    counter: counter++,
    upload_id: uploadId,
    frame: randomBytes(22).toString('hex'),
    sent_at: sentAt.toISOString(),
    lat,
    lng,
    h3,
    status: status ?? (i < heard ? 'heard' : 'no_signal'),
  }));
  await db.sql`
    INSERT INTO mapper_log_entries (device_id, counter, upload_id, frame, sent_at, lat, lng, h3, status)
    SELECT device_id, counter, upload_id, decode(frame, 'hex'), sent_at, lat, lng, h3, status
    FROM jsonb_to_recordset(${db.sql.json(rows as never)}) AS x(device_id bigint, counter bigint, upload_id bigint, frame text, sent_at timestamptz, lat float8, lng float8, h3 text, status text)`;
}

const storedMap = async () => {
  const rows = await db.sql<{ environment: string; knots_raw: number[]; knots_calibrated: number[]; frames: string; heard: string; cells: number; unestimated_frames: string; window_start: Date }[]>`
    SELECT environment, knots_raw, knots_calibrated, frames::text, heard::text, cells, unestimated_frames::text, window_start FROM confidence_calibrations`;
  expect(rows.length).toBe(1);
  const r = rows[0]!;
  return { ...r, raw: r.knots_raw, calibrated: r.knots_calibrated };
};

describe('confidence calibration from judged mapper frames (PostgreSQL)', () => {
  it('fits the outdoor map from heard / no_signal frames per estimated cell in the window, and leaves out the rest', async () => {
    const [upload] = await db.sql<{ id: string }[]>`INSERT INTO mapper_log_uploads (device_id, entry_count, status) VALUES (${DEVICE}, 0, 'accepted') RETURNING id::text`;
    uploadId = upload!.id;
    // Estimated 0.9, heard 30 %; estimated 0.5, heard 10 %: an overconfident model, 10 cells of 100 frames each.
    for (let i = 0; i < 10; i++) {
      await estimated(cell(i), 0.9);
      await logged(cell(i), 100, 30, hoursAgo(48));
      await estimated(cell(20 + i), 0.5);
      await logged(cell(20 + i), 100, 10, hoursAgo(24));
    }
    // Left out: a cell without an estimate (counted), frames not judged yet or invalid, frames before the window.
    await logged(cell(40), 50, 50, hoursAgo(36));
    // A stored estimate that is not a probability (NaN in a real column): its cell is skipped with the reason.
    await db.sql`INSERT INTO estimated_coverage_hexes (h3, resolution, probability, covered_cells, expected_hotspots, best_rssi, best_snr, hotspot_count) VALUES (${cell(50)}, 9, 'NaN', 0, 0, -1100, -50, 1)`;
    await logged(cell(50), 20, 20, hoursAgo(36));
    await logged(cell(0), 40, 0, hoursAgo(1), 'pending');
    await logged(cell(0), 40, 0, hoursAgo(1), 'invalid');
    await logged(cell(0), 300, 300, hoursAgo(29 * 24));

    const result = await refreshConfidenceCalibration(db.sql, { now: NOW });
    expect(result?.environment).toBe('outdoor');
    expect(result?.skipped).toEqual({ not_a_probability: 1, no_trials: 0, bad_successes: 0 });
    const stored = await storedMap();
    expect(stored.environment).toBe('outdoor');
    expect([stored.frames, stored.heard, stored.cells, stored.unestimated_frames]).toEqual(['2000', '400', 20, '50']);
    expect(stored.window_start.toISOString()).toBe(hoursAgo(28 * 24).toISOString());
    // Two blocks (each cell's estimate as stored, a real): (heard + k·p) / (frames + k), k = the prior's frames.
    const k = DEFAULT_CALIBRATION_FIT.priorFrames;
    const [low, high] = [Math.fround(0.5), Math.fround(0.9)];
    expect(stored.raw).toEqual([low, high]);
    expect(stored.calibrated[0]).toBeCloseTo((100 + k * low) / (1000 + k), 9);
    expect(stored.calibrated[1]).toBeCloseTo((300 + k * high) / (1000 + k), 9);
    // What the mapper answers with it: raw 0.9 reads 0.4, raw 0.7 between the knots.
    expect(applyCalibration(stored, high)).toBeCloseTo(0.4, 6);
    expect(applyCalibration(stored, 0.7)).toBeGreaterThan(stored.calibrated[0]!);
    expect(applyCalibration(stored, 0.7)).toBeLessThan(stored.calibrated[1]!);
  });

  it('reads only the newest maxFrames judged frames and replaces the stored map', async () => {
    // The 0.5 cells' frames are the newer ones: with room for 1,000 frames only they are read.
    await refreshConfidenceCalibration(db.sql, { now: NOW, maxFrames: 1_000 });
    const stored = await storedMap();
    expect([stored.frames, stored.heard]).toEqual(['1000', '100']);
    expect(stored.raw).toEqual([Math.fround(0.5)]);
  });

  it('lets one oracle fit at a time: a second one returns at once while the first holds the lock', async () => {
    const reserved = await db.sql.reserve();
    try {
      await reserved`BEGIN`;
      await reserved`SELECT pg_advisory_xact_lock(7150225)`;
      expect(await refreshConfidenceCalibration(db.sql, { now: NOW })).toBeNull();
      await reserved`COMMIT`;
    } finally {
      reserved.release();
    }
    expect(await refreshConfidenceCalibration(db.sql, { now: NOW })).not.toBeNull();
  });

  it('counts each device up to its cap, so one owner logging frames that were never sent moves the map only so far', async () => {
    // A hostile owner logs 3,000 MIC-valid frames that no hotspot heard in the 0.9 cells (judged no_signal).
    for (let i = 0; i < 10; i++) await logged(cell(i), 300, 0, hoursAgo(40), undefined, 9999);
    const uncapped = await refreshConfidenceCalibration(db.sql, { now: NOW });
    expect(uncapped?.devices).toBe(5);
    expect((await storedMap()).frames).toBe('5000');

    // Each honest device has 517–518 judged frames in the window: a cap of 600 binds only the hostile one.
    const capped = await refreshConfidenceCalibration(db.sql, { now: NOW, maxFramesPerDevice: 600 });
    expect(capped?.devices).toBe(5);
    const stored = await storedMap();
    expect([stored.frames, stored.heard]).toEqual(['2600', '400']);
    const k = DEFAULT_CALIBRATION_FIT.priorFrames;
    const high = Math.fround(0.9);
    expect(applyCalibration(stored, high)).toBeGreaterThanOrEqual((300 + k * high) / (1000 + 600 + k) - 1e-9);
    expect(applyCalibration(stored, high)).toBeLessThan((300 + k * high) / (1000 + k));
  });

  it('fits no map from fewer devices than the minimum: the stored map is empty and answers stay the model’s', async () => {
    const result = await refreshConfidenceCalibration(db.sql, { now: NOW, minDevices: 6 });
    expect(result?.devices).toBe(0);
    const stored = await storedMap();
    expect([stored.frames, stored.cells, stored.raw, stored.calibrated]).toEqual(['0', 0, [], []]);
  });

  it('stores an empty map (answers stay the model’s) when no judged frame is in the window', async () => {
    await refreshConfidenceCalibration(db.sql, { now: new Date(NOW.getTime() + 60 * 86_400_000) });
    const stored = await storedMap();
    expect([stored.frames, stored.cells, stored.raw, stored.calibrated]).toEqual(['0', 0, [], []]);
  });
});
