import { describe, expect, it } from 'vitest';
import type { CountedTrials } from './calibration';
import { applyCalibration, DEFAULT_CALIBRATION_FIT, fitCalibration, isCalibrationMap } from './recalibration';

/** A deterministic spread of groups: raw p on a grid, `rate(p)` of each group's frames heard. */
function groups(rate: (p: number) => number, framesPerGroup: number, count = 200): CountedTrials[] {
  return Array.from({ length: count }, (_, i) => {
    const predicted = 0.05 + (0.9 * i) / (count - 1);
    return { predicted, trials: framesPerGroup, successes: Math.round(rate(predicted) * framesPerGroup) };
  });
}

function isMonotone(values: readonly number[], strict: boolean): boolean {
  return values.every((v, i) => i === 0 || (strict ? v > values[i - 1]! : v >= values[i - 1]!));
}

describe('fitCalibration (isotonic, prior-pulled) and applyCalibration', () => {
  it('gives monotone knots and a monotone lookup even when the measured rates zigzag', () => {
    const zigzag = groups((p) => Math.min(1, Math.max(0, 0.3 * p + (Math.round(p * 40) % 2 === 0 ? 0.25 : -0.05))), 300);
    const { map } = fitCalibration(zigzag);
    expect(map.raw.length).toBeGreaterThan(1);
    expect(map.raw.length).toBeLessThanOrEqual(DEFAULT_CALIBRATION_FIT.maxKnots);
    expect(isMonotone(map.raw, true)).toBe(true);
    expect(isMonotone(map.calibrated, false)).toBe(true);
    const lookups = Array.from({ length: 1001 }, (_, i) => applyCalibration(map, i / 1000));
    expect(isMonotone(lookups, false)).toBe(true);
    for (const v of lookups) expect(v >= 0 && v <= 1).toBe(true);
  });

  it('is close to the identity where the data agree with the predictions', () => {
    const { map } = fitCalibration(groups((p) => p, 1_000));
    for (const p of [0.1, 0.3, 0.5, 0.7, 0.9]) expect(Math.abs(applyCalibration(map, p) - p)).toBeLessThan(0.01);
  });

  it('learns an overconfident model: predicted 0.9, heard 0.3', () => {
    const { map } = fitCalibration(groups((p) => p / 3, 2_000));
    expect(applyCalibration(map, 0.9)).toBeCloseTo(0.3, 1);
    expect(applyCalibration(map, 0.6)).toBeCloseTo(0.2, 1);
  });

  it('keeps thin data near the raw prediction (the prior weighs priorFrames frames)', () => {
    // 40 frames in all, none heard, predicted 0.9: one block; (0 + 200·0.9) / (40 + 200) = 0.75.
    const { map } = fitCalibration(Array.from({ length: 4 }, () => ({ predicted: 0.9, trials: 10, successes: 0 })));
    expect(map.raw).toEqual([0.9]);
    expect(map.calibrated[0]).toBeCloseTo(0.75, 12);
    // A lot of the same evidence moves it almost all the way.
    const { map: thick } = fitCalibration(Array.from({ length: 40 }, () => ({ predicted: 0.9, trials: 1_000, successes: 0 })));
    expect(thick.calibrated[0]).toBeLessThan(0.005);
  });

  it('below the first knot heads to 0 at raw 0, above the last knot stays at its value, no map is the identity', () => {
    const map = { raw: [0.2, 0.8], calibrated: [0.1, 0.4] };
    expect(applyCalibration(map, 0)).toBe(0);
    expect(applyCalibration(map, 0.1)).toBeCloseTo(0.05, 12);
    expect(applyCalibration(map, 0.5)).toBeCloseTo(0.25, 12);
    expect(applyCalibration(map, 0.95)).toBe(0.4);
    expect(applyCalibration(map, 1)).toBe(0.4);
    expect(applyCalibration(null, 0.37)).toBe(0.37);
    expect(applyCalibration({ raw: [], calibrated: [] }, 0.37)).toBe(0.37);
  });

  it('reads hostile probabilities safely: NaN → 0, out of range clamped', () => {
    const map = { raw: [0.2, 0.8], calibrated: [0.1, 0.4] };
    expect(applyCalibration(map, Number.NaN)).toBe(0);
    expect(applyCalibration(map, -1)).toBe(0);
    expect(applyCalibration(map, 7)).toBe(0.4);
    expect(applyCalibration(null, 7)).toBe(1);
    expect(applyCalibration(map, Number.POSITIVE_INFINITY)).toBe(0.4);
  });

  it('skips hostile groups with a reason and stays finite on huge counts', () => {
    const { map, skipped } = fitCalibration([
      { predicted: Number.NaN, trials: 10, successes: 1 },
      { predicted: 1.5, trials: 10, successes: 1 },
      { predicted: 0.5, trials: 0, successes: 0 },
      { predicted: 0.5, trials: Number.POSITIVE_INFINITY, successes: 1 },
      { predicted: 0.5, trials: 10, successes: 11 },
      { predicted: 0.5, trials: 10, successes: -1 },
      { predicted: 0.5, trials: 10, successes: Number.NaN },
      { predicted: 0.3, trials: 1e300, successes: 1e299 },
      { predicted: 0.6, trials: 1e300, successes: 5e299 },
      { predicted: 0.9, trials: 1e300, successes: 9e299 },
    ], { minBlockGroups: 1 });
    expect(skipped).toEqual({ not_a_probability: 2, no_trials: 2, bad_successes: 3 });
    expect(map.groups).toBe(3);
    expect(Number.isFinite(map.frames)).toBe(true);
    // Each huge group counts as 1e12 frames at its own rate: the three rates come back.
    expect(map.calibrated.map((v) => Number(v.toFixed(6)))).toEqual([0.1, 0.5, 0.9]);
  });

  it('fits nothing from nothing: no knots, the raw p answers', () => {
    const { map } = fitCalibration([]);
    expect(map).toEqual({ raw: [], calibrated: [], frames: 0, heard: 0, groups: 0 });
    expect(applyCalibration(map, 0.42)).toBe(0.42);
  });

  it('never splits groups that share a raw p across knots', () => {
    const { map } = fitCalibration(Array.from({ length: 50 }, (_, i) => ({ predicted: i < 40 ? 0.5 : 0.7, trials: 100, successes: i < 40 ? 20 : 60 })), { minBlockFrames: 100, minBlockGroups: 1 });
    expect(map.raw).toEqual([0.5, 0.7]);
  });

  it('trusts stored knots only when they are a valid map', () => {
    const { map } = fitCalibration(groups((p) => p / 2, 500));
    expect(isCalibrationMap(map.raw, map.calibrated)).toBe(true);
    expect(isCalibrationMap([], [])).toBe(true);
    expect(isCalibrationMap([0.2, 0.8], [0.1])).toBe(false);
    expect(isCalibrationMap([0.8, 0.2], [0.1, 0.4])).toBe(false);
    expect(isCalibrationMap([0.2, 0.2], [0.1, 0.4])).toBe(false);
    expect(isCalibrationMap([0.2, 0.8], [0.4, 0.1])).toBe(false);
    expect(isCalibrationMap([0.2, 0.8], [0.1, 1.4])).toBe(false);
    expect(isCalibrationMap([Number.NaN, 0.8], [0.1, 0.4])).toBe(false);
    expect(isCalibrationMap(['0.2', 0.8], [0.1, 0.4])).toBe(false);
  });
});
