import { anyHearerTrials, fixtureAvailability, type CountedTrials, type TrialOptions } from './calibration';
import { DEVICE_SITE_SD_DB } from './common-shadowing';
import { FIXTURE_TX_POWER_DDBM, type FixtureCounts, type FixtureHotspotHours } from './fixture';
import type { PropagationModel } from './model';
import { applyCalibration, fitCalibration, type CalibrationFitOptions, type DeviceEnvironment } from './recalibration';

/**
 * Held-out check of the recalibration on the CampusIoT counts (README.md §Calibration on real data, "Recalibration"):
 * each week is judged with a map fitted only on earlier weeks of devices of the same environment class.
 */

/** The fixture's devices as a carrier would describe them (fixtures/README.md): a rooftop and a mobile one outdoors, the IMST indoors. */
export const FIXTURE_DEVICE_ENVIRONMENT: Readonly<Record<FixtureCounts['endpoint'], DeviceEnvironment>> = { ems: 'outdoor', ftd: 'outdoor', imst: 'indoor' };

/**
 * How the answers compute P(heard by any) (oracle/src/coverage: hotspots with pᵢ ≥ 0.1 within the 25 km range cap,
 * indoor devices −12 dB INDOOR_PENETRATION_LOSS_DB) — restated, @poc/radio cannot import the oracle.
 */
export const ANSWER_PATH: TrialOptions = { minLinkProbability: 0.1, maxDistanceM: 25_000 };
export const ANSWER_INDOOR_LOSS_DB = 12;

export interface JudgedGroup extends CountedTrials {
  endpoint: FixtureCounts['endpoint'];
  environment: DeviceEnvironment;
  week: number;
}

/**
 * P(heard by any active hotspot) per (device, week, position, SF) as the answers compute it, each hotspot weighted by
 * its availability the week before (fixtureAvailability 'previous-week', what the oracle does with its last 7 days).
 */
export function answerGroups(model: PropagationModel, rows: readonly FixtureCounts[], hours: readonly FixtureHotspotHours[], options: { locatedHearersOnly?: boolean } = {}): JudgedGroup[] {
  const availability = fixtureAvailability(hours, 'previous-week');
  const byDeviceWeek = new Map<string, FixtureCounts[]>();
  for (const row of rows) {
    const key = `${row.endpoint}|${row.week}`;
    const list = byDeviceWeek.get(key);
    if (list) list.push(row);
    else byDeviceWeek.set(key, [row]);
  }
  const groups: JudgedGroup[] = [];
  for (const list of byDeviceWeek.values()) {
    const { endpoint, week } = list[0]!;
    const environment = FIXTURE_DEVICE_ENVIRONMENT[endpoint];
    const trialOptions: TrialOptions = { ...ANSWER_PATH, availability, locatedHearersOnly: options.locatedHearersOnly, deviceLossDb: environment === 'indoor' ? ANSWER_INDOOR_LOSS_DB : 0 };
    for (const c of anyHearerTrials(model, list, FIXTURE_TX_POWER_DDBM, DEVICE_SITE_SD_DB, trialOptions)) groups.push({ ...c, endpoint, environment, week });
  }
  return groups;
}

/**
 * The groups with their predictions recalibrated by a map fitted on the groups of earlier weeks of the same
 * environment class (every device of it); a week with no earlier one keeps the raw prediction.
 */
export function rollingRecalibration(groups: readonly JudgedGroup[], fit: CalibrationFitOptions = {}): JudgedGroup[] {
  const out: JudgedGroup[] = [];
  const weeks = [...new Set(groups.map((g) => g.week))].sort((a, b) => a - b);
  for (const environment of new Set(groups.map((g) => g.environment))) {
    const ofClass = groups.filter((g) => g.environment === environment);
    for (const week of weeks) {
      const judged = ofClass.filter((g) => g.week === week);
      if (judged.length === 0) continue;
      const { map } = fitCalibration(ofClass.filter((g) => g.week < week), fit);
      for (const g of judged) out.push({ ...g, predicted: applyCalibration(map, g.predicted) });
    }
  }
  return out;
}
