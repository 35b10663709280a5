import { AVAILABILITY_PRIOR, estimateAvailability } from './availability';
import { combineWithCommonShadowing } from './common-shadowing';
import type { FixtureCounts, FixtureHotspotHours } from './fixture';
import { uplinkMarginDb, type PropagationModel, type RadioLink } from './model';
import { normalCdf } from './link-budget';

/**
 * Calibration of predicted probabilities against counted outcomes (README.md §Estimated coverage, "Calibration on
 * real data"): of the trials predicted at p, about p must succeed.
 */

/** Trials sharing one predicted probability (a link over a week's frames, or a week's frames heard by anyone). */
export interface CountedTrials {
  predicted: number;
  trials: number;
  successes: number;
}

export interface ReliabilityBin {
  from: number;
  to: number;
  /** Groups of trials (links or device-week-position-SF groups) in the bin: the independent-ish units. */
  groups: number;
  trials: number;
  successes: number;
  meanPredicted: number;
  measuredRate: number;
}

export const DEFAULT_BIN_EDGES: readonly number[] = [0, 0.05, 0.2, 0.4, 0.6, 0.8, 0.95, 1];

/** Trials binned by predicted probability (the last bin includes 1); empty bins are left out. */
export function reliabilityTable(counted: readonly CountedTrials[], edges: readonly number[] = DEFAULT_BIN_EDGES): ReliabilityBin[] {
  const bins: ReliabilityBin[] = [];
  for (let i = 0; i + 1 < edges.length; i++) {
    const from = edges[i]!;
    const to = edges[i + 1]!;
    const last = i + 2 === edges.length;
    const inBin = counted.filter((c) => c.trials > 0 && c.predicted >= from && (c.predicted < to || (last && c.predicted <= to)));
    const trials = inBin.reduce((sum, c) => sum + c.trials, 0);
    if (trials === 0) continue;
    const successes = inBin.reduce((sum, c) => sum + c.successes, 0);
    const meanPredicted = inBin.reduce((sum, c) => sum + c.predicted * c.trials, 0) / trials;
    bins.push({ from, to, groups: inBin.length, trials, successes, meanPredicted, measuredRate: successes / trials });
  }
  return bins;
}

/** Mean squared error of the predictions over all trials, and of the best constant (the measured overall rate). */
export function brierScores(counted: readonly CountedTrials[]): { model: number; constantBaseline: number; baselineRate: number; trials: number } {
  let trials = 0;
  let successes = 0;
  let squared = 0;
  for (const c of counted) {
    trials += c.trials;
    successes += c.successes;
    squared += c.successes * (1 - c.predicted) ** 2 + (c.trials - c.successes) * c.predicted ** 2;
  }
  const rate = trials === 0 ? 0 : successes / trials;
  return { model: trials === 0 ? 0 : squared / trials, constantBaseline: rate * (1 - rate), baselineRate: rate, trials };
}

/** EU868's three default channels are 868.1/868.3/868.5 MHz; the extract does not keep each frame's channel. */
const CALIBRATION_FREQUENCY_HZ = 868_300_000;

function linkOf(row: FixtureCounts, txPowerDdbm: number): RadioLink {
  return { distanceM: row.distanceM, frequencyHz: CALIBRATION_FREQUENCY_HZ, txPowerDdbm, txGainDdbi: 0, rxGainDdbi: 0 };
}

export interface TrialOptions {
  /** Added to every link's mean margin, dB (a candidate correction; 0 = the model as is). */
  marginOffsetDb?: number;
  /** Count only frames sent in hours in which the device was heard at all (fixtures/README.md, frames_sent_live_hours). */
  liveHoursOnly?: boolean;
  /**
   * Count a frame heard only when a located active hotspot's reception was bought (a lower bound on what the located
   * hotspots heard); by default any purchase counts, unlocated hotspots included (an upper bound).
   */
  locatedHearersOnly?: boolean;
  /** Leave out links predicted below this (the answers skip such hotspots: oracle MIN_LINK_PROBABILITY). */
  minLinkProbability?: number;
  /** Leave out hotspots further than this, m (the answers' range cap: oracle radio-predictor). */
  maxDistanceM?: number;
  /** Loss at the device end, dB (an indoor device: the answers' INDOOR_PENETRATION_LOSS_DB). */
  deviceLossDb?: number;
  /** Each active hotspot's availability for a row's frames (absent: always up, the radio-only answer). */
  availability?: (row: FixtureCounts) => number;
}

/**
 * Where an evaluation takes a hotspot's availability from, never from the frames being judged:
 * - `previous-week`: its hours heard (for any device) in the week before the judged one, over the hours observed then
 *   — what the oracle does with the last 7 days; a hotspot first seen in the judged week gets the prior.
 * - `other-devices`: its hours heard in the judged week for the two other devices only (leave-one-device-out).
 */
export type AvailabilitySource = 'previous-week' | 'other-devices';

/** A row's hotspot availability per the source, from the hotspot-activity extract (estimateAvailability's rule). */
export function fixtureAvailability(hours: readonly FixtureHotspotHours[], source: AvailabilitySource): (row: FixtureCounts) => number {
  const byWeekHotspot = new Map(hours.map((h) => [`${h.week}|${h.hotspot}`, h]));
  const observedByWeek = new Map(hours.map((h) => [h.week, h.hoursObserved]));
  const firstWeek = new Map<string, number>();
  for (const h of hours) firstWeek.set(h.hotspot, Math.min(firstWeek.get(h.hotspot) ?? Infinity, h.week));
  return (row) => {
    if (source === 'other-devices') {
      const h = byWeekHotspot.get(`${row.week}|${row.hotspot}`);
      return estimateAvailability(h?.hoursHeardWithout[row.endpoint] ?? 0, observedByWeek.get(row.week) ?? 0);
    }
    const week = row.week - 1;
    if ((firstWeek.get(row.hotspot) ?? Infinity) > week) return AVAILABILITY_PRIOR;
    return estimateAvailability(byWeekHotspot.get(`${week}|${row.hotspot}`)?.hoursHeard ?? 0, observedByWeek.get(week) ?? 0);
  };
}

/** Per (group, active hotspot): P(this hotspot hears a frame) against the frames it was bought for. */
export function linkTrials(model: PropagationModel, rows: readonly FixtureCounts[], txPowerDdbm: number, options: TrialOptions = {}): CountedTrials[] {
  const offset = options.marginOffsetDb ?? 0;
  return rows.map((row) => ({
    predicted: normalCdf((uplinkMarginDb(model, linkOf(row, txPowerDdbm), row.spreadingFactor) + offset) / model.shadowingSdDb),
    trials: options.liveHoursOnly ? row.framesSentInLiveHours : row.framesSent,
    successes: row.framesHeard,
  }));
}

/** Per (device, week, position, SF) group: P(some active hotspot hears a frame), device-end term common, against frames heard. */
export function anyHearerTrials(
  model: PropagationModel,
  rows: readonly FixtureCounts[],
  txPowerDdbm: number,
  commonSdDb: number,
  options: TrialOptions = {},
): CountedTrials[] {
  const offset = (options.marginOffsetDb ?? 0) - (options.deviceLossDb ?? 0);
  const minProbability = options.minLinkProbability ?? 0;
  const maxDistanceM = options.maxDistanceM ?? Infinity;
  const groups = new Map<string, FixtureCounts[]>();
  for (const row of rows) {
    const key = `${row.endpoint}|${row.week}|${row.txLat}|${row.txLng}|${row.spreadingFactor}`;
    groups.set(key, [...(groups.get(key) ?? []), row]);
  }
  return [...groups.values()].map((group) => ({
    predicted: combineWithCommonShadowing(
      group
        .filter((row) => row.distanceM <= maxDistanceM)
        .map((row) => ({
          marginDb: uplinkMarginDb(model, linkOf(row, txPowerDdbm), row.spreadingFactor) + offset,
          shadowingSdDb: model.shadowingSdDb,
          availability: options.availability?.(row),
        }))
        .filter((link) => normalCdf(link.marginDb / link.shadowingSdDb) >= minProbability),
      commonSdDb,
    ).anyProbability,
    trials: options.liveHoursOnly ? group[0]!.framesSentInLiveHours : group[0]!.framesSent,
    successes: options.locatedHearersOnly ? group[0]!.framesHeardLocated : group[0]!.framesHeardAny,
  }));
}

/** Binomial log-likelihood of counted outcomes under their predictions (probabilities clamped off 0 and 1). */
export function logLikelihood(counted: readonly CountedTrials[]): number {
  let sum = 0;
  for (const c of counted) {
    const p = Math.min(Math.max(c.predicted, 1e-9), 1 - 1e-9);
    sum += c.successes * Math.log(p) + (c.trials - c.successes) * Math.log1p(-p);
  }
  return sum;
}

/** A candidate correction of the model's uplink probabilities: a mean-margin offset and a link spread. */
export interface MarginCorrection {
  marginOffsetDb: number;
  shadowingSdDb: number;
}

/**
 * The correction (offset on a 1 dB grid within ±40 dB, spread among `spreadsDb`) under which P(heard by any) best
 * explains the counts: how far the model's margins and spread sit from what frames sent vs heard say. An offset at
 * the grid's edge means no margin change explains them (the misses are not a radio-margin effect).
 */
export function fitMarginCorrection(
  model: PropagationModel,
  rows: readonly FixtureCounts[],
  txPowerDdbm: number,
  commonSdDb: number,
  options: Omit<TrialOptions, 'marginOffsetDb'> = {},
  spreadsDb: readonly number[] = [model.shadowingSdDb],
): MarginCorrection {
  let best: MarginCorrection = { marginOffsetDb: 0, shadowingSdDb: model.shadowingSdDb };
  let bestLikelihood = -Infinity;
  for (const shadowingSdDb of spreadsDb) {
    const candidate = { ...model, shadowingSdDb };
    for (let offset = -40; offset <= 40; offset += 1) {
      const likelihood = logLikelihood(anyHearerTrials(candidate, rows, txPowerDdbm, Math.min(commonSdDb, shadowingSdDb), { ...options, marginOffsetDb: offset }));
      if (likelihood > bestLikelihood) {
        bestLikelihood = likelihood;
        best = { marginOffsetDb: offset, shadowingSdDb };
      }
    }
  }
  return best;
}
