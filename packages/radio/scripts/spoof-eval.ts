/**
 * Spoof-detection figures on real receptions (README.md §Radio model and spoof detection):
 *
 *   npm run spoof-eval            # the committed fixture
 *   npm run spoof-eval -- <csv>   # any file in the fixture's format
 *
 * Prints a Markdown table: share of hotspot-weeks flagged at their true location and with the asserted location moved
 * 5, 10 and 20 km, by reason; then the share flagged `gain_unsupported` with the hotspot's asserted antenna gain
 * inflated by 6, 10 and 20 dB (checkAntennaGain).
 */
import { loadFixture } from '../src/fixture';
import { DEFAULT_GAIN_CHECK } from '../src/gain-check';
import { DEFAULT_LOCATION_CHECK } from '../src/location-check';
import { REGIONAL_PRIOR } from '../src/regional';
import { evaluateGainCheck, evaluateSpoofDetection, type SpoofEvalResult } from '../src/spoof-eval';

const receptions = loadFixture(process.argv[2]);
const started = performance.now();
const table = (title: string, result: SpoofEvalResult) => {
  const pct = (n: number) => `${((100 * n) / result.hotspotWeeks).toFixed(1)} %`;
  console.log(`\n${title}\n`);
  console.log('| asserted location | hotspot-weeks flagged | too_strong | geometry |');
  console.log('|---|---|---|---|');
  console.log(`| true (honest) | ${pct(result.honestFlagged)} | | |`);
  for (const m of result.moved) {
    console.log(`| moved ${m.distanceM / 1000} km | ${pct(m.flagged)} | ${pct(m.byReason.too_strong ?? 0)} | ${pct(m.byReason.geometry ?? 0)} |`);
  }
};
const p = DEFAULT_LOCATION_CHECK;
const plain = evaluateSpoofDetection(REGIONAL_PRIOR, receptions, [5000, 10_000, 20_000]);
console.log(`${receptions.length} receptions, ${plain.hotspotWeeks} hotspot-weeks; regional model n = ${REGIONAL_PRIOR.exponent}, σ = ${REGIONAL_PRIOR.shadowingSdDb} dB`);
table(`No history (a hotspot's first weeks): too_strong z > ${p.tooStrongZ}, geometry χ² > ${p.geometryChi2} with ≥ ${p.minTransmittersForGeometry} transmitter positions`, plain);
const history = evaluateSpoofDetection(REGIONAL_PRIOR, receptions, [5000, 10_000, 20_000], p, { withHistory: true });
table(
  `With the hotspot's own history (its other weeks, leave one out; ${history.withHistory} of ${history.hotspotWeeks} hotspot-weeks have one): too_strong z > ${p.tooStrongZWithHistory} on σ ${p.withinHotspotSdDb} dB`,
  history,
);
const gain = evaluateGainCheck(REGIONAL_PRIOR, receptions, [60, 100, 200]);
const g = DEFAULT_GAIN_CHECK;
const gainPct = (n: number) => `${((100 * n) / gain.checked).toFixed(1)} %`;
console.log(
  `\nAsserted antenna gain (gain_unsupported: mean deficit z > ${g.zThreshold} on site σ ${g.siteSdDb} dB, ≥ ${g.minLinks} links; ${gain.checked} of ${gain.hotspotWeeks} hotspot-weeks have enough)\n`,
);
console.log('| asserted gain | hotspot-weeks flagged |');
console.log('|---|---|');
console.log(`| true (honest) | ${gainPct(gain.honestFlagged)} |`);
for (const i of gain.inflated) console.log(`| +${i.extraGainDdbi / 10} dBi | ${gainPct(i.flagged)} |`);
console.log(`\n(${((performance.now() - started) / 1000).toFixed(1)} s)`);
