import type { CountedTrials } from './calibration';

/**
 * A reliability map learned from counted outcomes (README.md §Calibration on real data, "Recalibration"): the model's
 * ranking of places is kept, its probabilities are replaced by what frames predicted alike measured. Monotone
 * (isotonic regression by pool-adjacent-violators), a small table of knots, looked up piecewise-linearly.
 */

/** The device classes answers are computed for (mapper `environment`): a map is fitted per class. */
export const DEVICE_ENVIRONMENTS = ['outdoor', 'indoor'] as const;
export type DeviceEnvironment = (typeof DEVICE_ENVIRONMENTS)[number];

export interface CalibrationMap {
  /** Knots: raw predictions strictly increasing, their calibrated values non-decreasing, both in 0..1. */
  raw: readonly number[];
  calibrated: readonly number[];
  /** Frames (trials) and heard frames (successes) the map was fitted on; groups: the units they came in. */
  frames: number;
  heard: number;
  groups: number;
}

export interface CalibrationFitOptions {
  /** A block is closed only once it holds this many frames... */
  minBlockFrames?: number;
  /** ...and this many groups (frames of one group share a place and time: they are not independent). */
  minBlockGroups?: number;
  /**
   * Weight of the raw prediction, in frames: a block's value is (heard + k·mean raw p) / (frames + k), so a block of
   * k frames is judged half by its count, half by the model, and a thin one stays near the raw prediction.
   */
  priorFrames?: number;
  /** At most this many knots (blocks are at least total/maxKnots frames), so a lookup is a few comparisons. */
  maxKnots?: number;
}

export const DEFAULT_CALIBRATION_FIT: Required<CalibrationFitOptions> = { minBlockFrames: 100, minBlockGroups: 3, priorFrames: 200, maxKnots: 24 };

/** Frames a map must be fitted on before answers use it (fewer: the raw model answers). */
export const CALIBRATION_MIN_FRAMES = 1_000;

/** One group counts at most this many frames (scaled down, its rate kept): a hostile count cannot push the sums to Infinity. */
const MAX_GROUP_FRAMES = 1e12;

export interface CalibrationFit {
  map: CalibrationMap;
  /** Groups left out, by reason (never a crash on hostile input). */
  skipped: { not_a_probability: number; no_trials: number; bad_successes: number };
}

interface Block {
  frames: number;
  heard: number;
  /** Σ frames·raw p */
  rawSum: number;
  groups: number;
}

const blockValue = (b: Block, priorFrames: number) => (b.heard + priorFrames * (b.rawSum / b.frames)) / (b.frames + priorFrames);

/**
 * Fits the map: groups sorted by raw p are swept into blocks of at least minBlockFrames frames and minBlockGroups
 * groups (groups with the same raw p never split), then adjacent blocks whose prior-pulled rates decrease are pooled
 * until they increase; each block becomes a knot (its frames-weighted mean raw p, its value). No usable groups: no
 * knots (applyCalibration then returns the raw p).
 */
export function fitCalibration(counted: Iterable<CountedTrials>, options: CalibrationFitOptions = {}): CalibrationFit {
  const o = { ...DEFAULT_CALIBRATION_FIT, ...options };
  const skipped = { not_a_probability: 0, no_trials: 0, bad_successes: 0 };
  const usable: CountedTrials[] = [];
  for (const c of counted) {
    if (!Number.isFinite(c.predicted) || c.predicted < 0 || c.predicted > 1) skipped.not_a_probability++;
    else if (!Number.isFinite(c.trials) || c.trials <= 0) skipped.no_trials++;
    else if (!Number.isFinite(c.successes) || c.successes < 0 || c.successes > c.trials) skipped.bad_successes++;
    else {
      const scale = c.trials > MAX_GROUP_FRAMES ? MAX_GROUP_FRAMES / c.trials : 1;
      usable.push({ predicted: c.predicted, trials: c.trials * scale, successes: c.successes * scale });
    }
  }
  usable.sort((a, b) => a.predicted - b.predicted);
  const totalFrames = usable.reduce((sum, c) => sum + c.trials, 0);
  const minFrames = Math.max(o.minBlockFrames, totalFrames / Math.max(1, o.maxKnots));

  const blocks: Block[] = [];
  let open: Block = { frames: 0, heard: 0, rawSum: 0, groups: 0 };
  for (let i = 0; i < usable.length; i++) {
    const c = usable[i]!;
    open.frames += c.trials;
    open.heard += c.successes;
    open.rawSum += c.trials * c.predicted;
    open.groups++;
    const tieFollows = i + 1 < usable.length && usable[i + 1]!.predicted === c.predicted;
    if (!tieFollows && open.frames >= minFrames && open.groups >= o.minBlockGroups) {
      blocks.push(open);
      open = { frames: 0, heard: 0, rawSum: 0, groups: 0 };
    }
  }
  // A short tail joins the last block (or stands alone when it is all there is).
  if (open.groups > 0) {
    const last = blocks.pop();
    blocks.push(last ? merge(last, open) : open);
  }

  // Pool adjacent violators: a stack of blocks whose values increase.
  const pooled: Block[] = [];
  for (const block of blocks) {
    let b = block;
    while (pooled.length > 0 && blockValue(pooled[pooled.length - 1]!, o.priorFrames) >= blockValue(b, o.priorFrames)) b = merge(pooled.pop()!, b);
    pooled.push(b);
  }
  const heard = usable.reduce((sum, c) => sum + c.successes, 0);
  return {
    map: {
      raw: pooled.map((b) => b.rawSum / b.frames),
      calibrated: pooled.map((b) => blockValue(b, o.priorFrames)),
      frames: totalFrames,
      heard,
      groups: usable.length,
    },
    skipped,
  };
}

function merge(a: Block, b: Block): Block {
  return { frames: a.frames + b.frames, heard: a.heard + b.heard, rawSum: a.rawSum + b.rawSum, groups: a.groups + b.groups };
}

/** Knots a lookup can trust (read back from storage): same length, finite, in 0..1, raw strictly increasing, calibrated non-decreasing. */
export function isCalibrationMap(raw: readonly unknown[], calibrated: readonly unknown[]): boolean {
  if (raw.length !== calibrated.length) return false;
  for (let i = 0; i < raw.length; i++) {
    const x = raw[i];
    const y = calibrated[i];
    if (typeof x !== 'number' || typeof y !== 'number' || !(x >= 0 && x <= 1 && y >= 0 && y <= 1)) return false;
    if (i > 0 && !(x > (raw[i - 1] as number) && y >= (calibrated[i - 1] as number))) return false;
  }
  return true;
}

/**
 * The calibrated probability for a raw one: linear between knots; below the first knot, on the line from (0, 0) to
 * it (a raw 0 — nothing in reach — stays 0); above the last knot, the last knot's value (no data say the highest
 * raw predictions do better than those measured). No knots: the raw p. A non-number reads 0; p is clamped to 0..1.
 */
export function applyCalibration(map: Pick<CalibrationMap, 'raw' | 'calibrated'> | null, p: number): number {
  if (!(p >= 0)) return 0;
  const x = p > 1 ? 1 : p;
  if (!map || map.raw.length === 0) return x;
  const raw = map.raw;
  const calibrated = map.calibrated;
  const n = raw.length;
  if (x >= raw[n - 1]!) return calibrated[n - 1]!;
  if (x <= raw[0]!) return raw[0]! > 0 ? (calibrated[0]! * x) / raw[0]! : calibrated[0]!;
  let lo = 0;
  let hi = n - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (raw[mid]! <= x) lo = mid;
    else hi = mid;
  }
  const t = (x - raw[lo]!) / (raw[hi]! - raw[lo]!);
  return calibrated[lo]! + t * (calibrated[hi]! - calibrated[lo]!);
}
