import { fitCalibration, type CalibrationFit, type CalibrationMap, type DeviceEnvironment } from '@poc/radio';
import type { Sql } from 'postgres';

/**
 * The reliability map behind the carriers' `confidence` (oracle/README.md §Estimated coverage, "Confidence
 * calibration"; packages/radio/README.md §Calibration on real data, "Recalibration"): mapper devices log the frames
 * they sent, the oracle judges each heard or no_signal (mappers/logs.ts), so per res-9 cell the frames sent and heard
 * are known; the estimate stored for the cell (estimated_coverage_hexes, the reference device) is the raw
 * prediction. @poc/radio fitCalibration turns (raw p, frames, heard) per cell into knots, stored per environment.
 *
 * Mapper devices carry GPS fixes and declare no environment, so their frames are taken as `outdoor`; no indoor map is
 * fitted (indoor answers stay the model's until indoor outcomes are counted).
 */

/** Trailing window of judged frames. */
export const CALIBRATION_WINDOW_DAYS = 28;
/** The newest judged frames read per run at most: bounds the work whatever the network's size. */
export const CALIBRATION_MAX_FRAMES = 200_000;
/**
 * A hostile device owner can log MIC-valid frames the device never sent, which are judged no_signal: each device's
 * newest frames count up to this share of the read, and a map is fitted only from this many devices (else the stored
 * map is empty and answers stay the model's).
 */
export const CALIBRATION_MAX_FRAMES_PER_DEVICE = CALIBRATION_MAX_FRAMES / 10;
export const CALIBRATION_MIN_DEVICES = 3;
/** Refit period: a map moves with weeks of frames, not minutes. */
export const CALIBRATION_REFRESH_MS = 3_600_000;
/** Any constant works; the same for every oracle process (availability.ts and estimated.ts use others). */
const CALIBRATION_LOCK_ID = 7_150_225;

export interface CalibrationRefreshResult {
  environment: DeviceEnvironment;
  map: CalibrationMap;
  unestimatedFrames: number;
  /** Devices whose frames entered the fit (none when fewer than the minimum contributed). */
  devices: number;
  /** Cells fitCalibration left out, by reason (a stored estimate that is not a probability). */
  skipped: CalibrationFit['skipped'];
}

/**
 * Refits the outdoor map from the newest ≤ maxFrames judged mapper frames sent in the trailing window and stores it
 * (the previous one replaced). One oracle fits at a time (advisory lock): the others return null.
 */
export async function refreshConfidenceCalibration(
  sql: Sql,
  o: { now?: Date; windowDays?: number; maxFrames?: number; maxFramesPerDevice?: number; minDevices?: number } = {},
): Promise<CalibrationRefreshResult | null> {
  const now = o.now ?? new Date();
  const windowStart = new Date(now.getTime() - (o.windowDays ?? CALIBRATION_WINDOW_DAYS) * 86_400_000);
  const maxFrames = o.maxFrames ?? CALIBRATION_MAX_FRAMES;
  const maxFramesPerDevice = o.maxFramesPerDevice ?? CALIBRATION_MAX_FRAMES_PER_DEVICE;
  const minDevices = o.minDevices ?? CALIBRATION_MIN_DEVICES;
  return sql.begin(async (tx) => {
    const [lock] = await tx<{ ok: boolean }[]>`SELECT pg_try_advisory_xact_lock(${CALIBRATION_LOCK_ID}) AS ok`;
    if (!lock?.ok) return null;
    const rows = await tx<{ h3: string; device: string; predicted: number | null; frames: number; heard: number }[]>`
      WITH recent AS (
        SELECT device_id, h3, status, sent_at FROM mapper_log_entries
        WHERE status IN ('heard', 'no_signal') AND sent_at > ${windowStart} AND sent_at <= ${now}
        ORDER BY sent_at DESC LIMIT ${maxFrames}
      ), judged AS (
        SELECT device_id, h3, status FROM (
          SELECT device_id, h3, status, row_number() OVER (PARTITION BY device_id ORDER BY sent_at DESC) AS newest
          FROM recent
        ) ranked WHERE newest <= ${maxFramesPerDevice}
      )
      SELECT j.h3, j.device_id::text AS device, e.probability::float8 AS predicted, count(*)::int AS frames,
        (count(*) FILTER (WHERE j.status = 'heard'))::int AS heard
      FROM judged j LEFT JOIN estimated_coverage_hexes e ON e.resolution = 9 AND e.h3 = j.h3
      GROUP BY j.h3, j.device_id, e.probability`;
    const devices = new Set(rows.filter((r) => r.predicted !== null).map((r) => r.device)).size;
    const cells = new Map<string, { predicted: number | null; frames: number; heard: number }>();
    for (const r of rows) {
      const c = cells.get(r.h3) ?? cells.set(r.h3, { predicted: r.predicted, frames: 0, heard: 0 }).get(r.h3)!;
      c.frames += r.frames;
      c.heard += r.heard;
    }
    const enough = devices >= minDevices;
    const estimated = enough ? [...cells.values()].filter((c) => c.predicted !== null) : [];
    const unestimatedFrames = [...cells.values()].reduce((sum, c) => sum + (c.predicted === null ? c.frames : 0), 0);
    const { map, skipped } = fitCalibration(estimated.map((c) => ({ predicted: c.predicted!, trials: c.frames, successes: c.heard })));
    const environment: DeviceEnvironment = 'outdoor';
    await tx`
      INSERT INTO confidence_calibrations (environment, knots_raw, knots_calibrated, frames, heard, cells, unestimated_frames, window_start, window_end, fitted_at)
      VALUES (${environment}, ${map.raw as number[]}::float8[], ${map.calibrated as number[]}::float8[], ${map.frames}, ${map.heard}, ${map.groups}, ${unestimatedFrames}, ${windowStart}, ${now}, now())
      ON CONFLICT (environment) DO UPDATE SET knots_raw = EXCLUDED.knots_raw, knots_calibrated = EXCLUDED.knots_calibrated, frames = EXCLUDED.frames,
        heard = EXCLUDED.heard, cells = EXCLUDED.cells, unestimated_frames = EXCLUDED.unestimated_frames, window_start = EXCLUDED.window_start,
        window_end = EXCLUDED.window_end, fitted_at = EXCLUDED.fitted_at`;
    return { environment, map, unestimatedFrames, devices: enough ? devices : 0, skipped };
  });
}
