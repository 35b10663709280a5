/**
 * `npm run calibration-eval`: the fitted model's probabilities against real frames sent and heard
 * (fixtures/campusiot-helium-counts.csv; README.md §Estimated coverage, "Calibration on real data").
 * Prints reliability tables (predicted-p bins → measured rate) for single links and for "heard by any active
 * hotspot", with Brier scores against a constant, for the regional prior and for leave-one-device-out refits, and
 * with each hotspot weighted by an availability estimated from the hotspot-activity extract (never the judged frames).
 */
import { anyHearerTrials, brierScores, fitMarginCorrection, fixtureAvailability, linkTrials, reliabilityTable, type AvailabilitySource, type CountedTrials, type TrialOptions } from '../src/calibration';
import { DEVICE_SITE_SD_DB } from '../src/common-shadowing';
import { fitCloseIn } from '../src/fit';
import { FIXTURE_TX_POWER_DDBM, loadCountsFixture, loadFixture, loadHotspotHoursFixture, type FixtureCounts } from '../src/fixture';
import { measuredSignalDbm } from '../src/link-budget';
import type { PropagationModel } from '../src/model';
import { ANSWER_INDOOR_LOSS_DB, ANSWER_PATH, answerGroups, rollingRecalibration, type JudgedGroup } from '../src/recalibration-eval';
import { REGIONAL_PRIOR } from '../src/regional';

const counts = loadCountsFixture();
const receptions = loadFixture();
const ENDPOINTS = ['ems', 'imst', 'ftd'] as const;

/** The regional close-in fit on the reception fixture without one device (that device's signals never enter it). */
function modelWithout(endpoint: string): PropagationModel {
  const samples = receptions
    .filter((r) => r.endpoint !== endpoint)
    .map((r) => ({
      distanceM: r.distanceM,
      frequencyHz: r.frequencyHz,
      linkBudgetDbm: FIXTURE_TX_POWER_DDBM / 10,
      signalDbm: measuredSignalDbm(r.rssiDbm, r.snrDb, REGIONAL_PRIOR.noiseFloorDbm),
    }));
  return fitCloseIn(REGIONAL_PRIOR, samples).model;
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`.padStart(7);
function print(title: string, counted: CountedTrials[]) {
  console.log(`\n${title}`);
  console.log('  predicted bin   mean p  measured   frames  groups');
  for (const bin of reliabilityTable(counted)) {
    console.log(`  ${bin.from.toFixed(2)}–${bin.to.toFixed(2)}     ${pct(bin.meanPredicted)}  ${pct(bin.measuredRate)}  ${String(bin.trials).padStart(7)}  ${String(bin.groups).padStart(6)}`);
  }
  const brier = brierScores(counted);
  console.log(`  Brier ${brier.model.toFixed(4)} vs constant ${brier.baselineRate.toFixed(3)}: ${brier.constantBaseline.toFixed(4)} (${brier.trials} frames)`);
}

function evaluate(label: string, model: (endpoint: string) => PropagationModel, rowsOf: (endpoint: string) => FixtureCounts[]) {
  console.log(`\n=== ${label} ===`);
  for (const commonSdDb of [0, DEVICE_SITE_SD_DB, 11.7]) {
    print(
      `heard by any active hotspot, σ_common ${commonSdDb} dB (any purchase, unlocated hotspots included: upper bound)`,
      ENDPOINTS.flatMap((e) => anyHearerTrials(model(e), rowsOf(e), FIXTURE_TX_POWER_DDBM, commonSdDb)),
    );
  }
  print(
    `heard by any active hotspot, σ_common ${DEVICE_SITE_SD_DB} dB (bought from a located hotspot: lower bound)`,
    ENDPOINTS.flatMap((e) => anyHearerTrials(model(e), rowsOf(e), FIXTURE_TX_POWER_DDBM, DEVICE_SITE_SD_DB, { locatedHearersOnly: true })),
  );
  print('single links (measured = bought: a lower bound, the router buys from one hotspot per frame)', ENDPOINTS.flatMap((e) => linkTrials(model(e), rowsOf(e), FIXTURE_TX_POWER_DDBM)));
}

const rowsByEndpoint = (endpoint: string) => counts.filter((row) => row.endpoint === endpoint);
for (const endpoint of ENDPOINTS) {
  const rows = rowsByEndpoint(endpoint);
  console.log(`${endpoint}: ${new Set(rows.map((r) => `${r.week}|${r.txLat}|${r.txLng}|${r.spreadingFactor}`)).size} groups, ${rows.length} link rows`);
}
console.log('\nper device-week, regional prior, σ_common 6 dB: frames-weighted mean P(any) → measured');
for (const endpoint of ENDPOINTS) {
  const weeks = [...new Set(rowsByEndpoint(endpoint).map((r) => r.week))].sort((a, b) => a - b);
  const line = weeks.map((week) => {
    const b = brierScores(anyHearerTrials(REGIONAL_PRIOR, rowsByEndpoint(endpoint).filter((r) => r.week === week), FIXTURE_TX_POWER_DDBM, DEVICE_SITE_SD_DB));
    const predicted = anyHearerTrials(REGIONAL_PRIOR, rowsByEndpoint(endpoint).filter((r) => r.week === week), FIXTURE_TX_POWER_DDBM, DEVICE_SITE_SD_DB);
    const mean = predicted.reduce((sum, c) => sum + c.predicted * c.trials, 0) / b.trials;
    return `${new Date(week * 7 * 86_400_000).toISOString().slice(0, 10)} ${pct(mean).trim()}→${pct(b.baselineRate).trim()} (${b.trials})`;
  });
  console.log(`  ${endpoint}: ${line.join(', ')}`);
}
console.log('\nmeasured rate per spreading factor (ADR: a device goes to SF12 while unheard)');
for (const endpoint of ENDPOINTS) {
  const bySf = new Map<number, { sent: number; heard: number }>();
  for (const row of new Map(rowsByEndpoint(endpoint).map((r) => [`${r.week}|${r.txLat}|${r.txLng}|${r.spreadingFactor}`, r])).values()) {
    const sf = bySf.get(row.spreadingFactor) ?? { sent: 0, heard: 0 };
    sf.sent += row.framesSent;
    sf.heard += row.framesHeardAny;
    bySf.set(row.spreadingFactor, sf);
  }
  console.log(`  ${endpoint}: ${[...bySf].sort(([a], [b]) => a - b).map(([sf, c]) => `SF${sf} ${pct(c.heard / c.sent).trim()} of ${c.sent}`).join(', ')}`);
}
evaluate('regional prior (REGIONAL_PRIOR), all devices', () => REGIONAL_PRIOR, rowsByEndpoint);
for (const endpoint of ENDPOINTS) evaluate(`regional prior, ${endpoint} only`, () => REGIONAL_PRIOR, (e) => (e === endpoint ? rowsByEndpoint(e) : []));
const heldOut = new Map(ENDPOINTS.map((e) => [e, modelWithout(e)]));
for (const [endpoint, model] of heldOut) {
  console.log(`fit without ${endpoint}: n = ${model.exponent.toFixed(2)}, PL1km = ${model.pathLossAt1kmDb.toFixed(1)} dB, σ = ${model.shadowingSdDb.toFixed(1)} dB`);
}
evaluate('leave-one-device-out refit (each device judged by a fit on the other two)', (e) => heldOut.get(e as (typeof ENDPOINTS)[number])!, rowsByEndpoint);

// As the answers compute it (src/recalibration-eval.ts ANSWER_PATH: hotspots with pᵢ ≥ 0.1 within the 25 km range cap;
// the indoor device with the 12 dB indoor loss).
const INDOOR_LOSS_DB = ANSWER_INDOOR_LOSS_DB;
for (const locatedHearersOnly of [false, true]) {
  const label = locatedHearersOnly ? 'bought from a located hotspot: lower bound' : 'any purchase: upper bound';
  print(
    `heard by any, as the answers compute it (pᵢ ≥ 0.1, ≤ 25 km, IMST indoor −12 dB), σ_common 6 dB (${label})`,
    ENDPOINTS.flatMap((e) =>
      anyHearerTrials(REGIONAL_PRIOR, rowsByEndpoint(e), FIXTURE_TX_POWER_DDBM, DEVICE_SITE_SD_DB, {
        ...ANSWER_PATH,
        locatedHearersOnly,
        deviceLossDb: e === 'imst' ? INDOOR_LOSS_DB : 0,
      }),
    ),
  );
}
for (const endpoint of ENDPOINTS) {
  print(
    `  ${endpoint}, as the answers compute it (any purchase)`,
    anyHearerTrials(REGIONAL_PRIOR, rowsByEndpoint(endpoint), FIXTURE_TX_POWER_DDBM, DEVICE_SITE_SD_DB, { ...ANSWER_PATH, deviceLossDb: endpoint === 'imst' ? INDOOR_LOSS_DB : 0 }),
  );
}

// Availability vs radio: frames sent in hours in which the device was heard at all.
print(
  'heard by any, only hours in which the device was heard at all (an upper bound on P(heard | network up)), σ_common 6 dB',
  ENDPOINTS.flatMap((e) => anyHearerTrials(REGIONAL_PRIOR, rowsByEndpoint(e), FIXTURE_TX_POWER_DDBM, DEVICE_SITE_SD_DB, { liveHoursOnly: true })),
);
for (const endpoint of ENDPOINTS) {
  print(`  ${endpoint}, live hours`, anyHearerTrials(REGIONAL_PRIOR, rowsByEndpoint(endpoint), FIXTURE_TX_POWER_DDBM, DEVICE_SITE_SD_DB, { liveHoursOnly: true }));
}

// Held out by week: a per-device correction (margin offset, link spread) fitted on even weeks judged on odd weeks,
// and the other way round; judged on frames bought from located hotspots (the only ones a model can place).
const LOCATED: TrialOptions = { locatedHearersOnly: true };
const SPREADS_DB = [6, 8, 10, 12, REGIONAL_PRIOR.shadowingSdDb, 20];
for (const endpoint of ENDPOINTS) {
  const heldOut: CountedTrials[] = [];
  const asIs: CountedTrials[] = [];
  const fitted: string[] = [];
  for (const parity of [0, 1]) {
    const fitRows = rowsByEndpoint(endpoint).filter((r) => r.week % 2 === parity);
    const testRows = rowsByEndpoint(endpoint).filter((r) => r.week % 2 !== parity);
    const correction = fitMarginCorrection(REGIONAL_PRIOR, fitRows, FIXTURE_TX_POWER_DDBM, DEVICE_SITE_SD_DB, LOCATED, SPREADS_DB);
    fitted.push(`${parity === 0 ? 'even' : 'odd'} weeks: offset ${correction.marginOffsetDb} dB, σ ${correction.shadowingSdDb} dB`);
    const corrected = { ...REGIONAL_PRIOR, shadowingSdDb: correction.shadowingSdDb };
    const commonSdDb = Math.min(DEVICE_SITE_SD_DB, correction.shadowingSdDb);
    heldOut.push(...anyHearerTrials(corrected, testRows, FIXTURE_TX_POWER_DDBM, commonSdDb, { ...LOCATED, marginOffsetDb: correction.marginOffsetDb }));
    asIs.push(...anyHearerTrials(REGIONAL_PRIOR, testRows, FIXTURE_TX_POWER_DDBM, DEVICE_SITE_SD_DB, LOCATED));
  }
  console.log(`\n${endpoint}: correction fitted on ${fitted.join('; ')}`);
  print(`  ${endpoint}, heard by any, correction fitted on the other weeks' parity (held out), located hearers, σ_common ≤ 6 dB`, heldOut);
  console.log(`  (as is on the same frames: Brier ${brierScores(asIs).model.toFixed(4)})`);
}

// Availability: each hotspot's contribution a_i·p_i, a_i from its liveness outside the judged frames (calibration.ts
// AvailabilitySource). Same frames and options with and without the term.
const hotspotHours = loadHotspotHoursFixture();
const AVAILABILITY_SOURCES: readonly AvailabilitySource[] = ['previous-week', 'other-devices'];
for (const [label, base] of [
  ['radio model', {}],
  ['as the answers compute it (pᵢ ≥ 0.1, ≤ 25 km, IMST indoor −12 dB)', ANSWER_PATH],
] as const) {
  for (const locatedHearersOnly of [false, true]) {
    const bound = locatedHearersOnly ? 'located hearers: lower bound' : 'any purchase: upper bound';
    const options = (e: string): TrialOptions => ({ ...base, locatedHearersOnly, deviceLossDb: base === ANSWER_PATH && e === 'imst' ? INDOOR_LOSS_DB : 0 });
    print(`\nWITHOUT availability, ${label} (${bound})`, ENDPOINTS.flatMap((e) => anyHearerTrials(REGIONAL_PRIOR, rowsByEndpoint(e), FIXTURE_TX_POWER_DDBM, DEVICE_SITE_SD_DB, options(e))));
    for (const source of AVAILABILITY_SOURCES) {
      const availability = fixtureAvailability(hotspotHours, source);
      print(
        `WITH availability (${source}), ${label} (${bound})`,
        ENDPOINTS.flatMap((e) => anyHearerTrials(REGIONAL_PRIOR, rowsByEndpoint(e), FIXTURE_TX_POWER_DDBM, DEVICE_SITE_SD_DB, { ...options(e), availability })),
      );
      for (const endpoint of ENDPOINTS) {
        const without = brierScores(anyHearerTrials(REGIONAL_PRIOR, rowsByEndpoint(endpoint), FIXTURE_TX_POWER_DDBM, DEVICE_SITE_SD_DB, options(endpoint)));
        const counted = anyHearerTrials(REGIONAL_PRIOR, rowsByEndpoint(endpoint), FIXTURE_TX_POWER_DDBM, DEVICE_SITE_SD_DB, { ...options(endpoint), availability });
        const withTerm = brierScores(counted);
        const meanPredicted = counted.reduce((sum, c) => sum + c.predicted * c.trials, 0) / withTerm.trials;
        console.log(
          `    ${endpoint}: mean P ${pct(meanPredicted).trim()} vs measured ${pct(withTerm.baselineRate).trim()}; Brier ${without.model.toFixed(4)} → ${withTerm.model.toFixed(4)} (constant ${withTerm.constantBaseline.toFixed(4)})`,
        );
      }
    }
  }
}

// Recalibration (src/recalibration.ts): each week judged with a reliability map fitted only on earlier weeks of the
// devices of its environment class (outdoor: EMS, FTD; indoor: IMST), applied to the answers' P(heard by any) with
// the previous-week availability term. "earlier weeks' rate": the constant a forecaster could have used (held out);
// "constant": the judged frames' own rate (hindsight, as above).
for (const locatedHearersOnly of [false, true]) {
  const bound = locatedHearersOnly ? 'bought from a located hotspot: lower bound' : 'any purchase: upper bound';
  const raw = answerGroups(REGIONAL_PRIOR, counts, hotspotHours, { locatedHearersOnly });
  const recalibrated = rollingRecalibration(raw);
  const earlierRate = raw.map((g) => {
    const earlier = raw.filter((e) => e.environment === g.environment && e.week < g.week);
    const frames = earlier.reduce((sum, e) => sum + e.trials, 0);
    return { ...g, predicted: frames === 0 ? g.predicted : earlier.reduce((sum, e) => sum + e.successes, 0) / frames };
  });
  print(`\nRECALIBRATED, held out by week (map fitted on earlier weeks of the same environment class), as the answers compute it with availability (${bound})`, recalibrated);
  print(`  raw, the same groups (${bound})`, raw);
  console.log('  Brier raw → recalibrated (earlier weeks\' rate; constant in hindsight), frames');
  for (const endpoint of [...ENDPOINTS, null]) {
    const of = (list: readonly JudgedGroup[]) => list.filter((g) => endpoint === null || g.endpoint === endpoint);
    const before = brierScores(of(raw));
    console.log(
      `    ${(endpoint ?? 'all').padEnd(4)} ${before.model.toFixed(4)} → ${brierScores(of(recalibrated)).model.toFixed(4)} (${brierScores(of(earlierRate)).model.toFixed(4)}; ${before.constantBaseline.toFixed(4)}), ${before.trials}`,
    );
  }
}
