/**
 * Spoof-detection figures on real receptions (README.md §Radio model and spoof detection):
 *
 *   npm run spoof-eval                              # the committed CampusIoT fixture
 *   npm run spoof-eval -- <csv>                     # any file in that fixture's format
 *   npm run spoof-eval -- --format antwerp [<csv>]  # the Antwerp extract (fixtures/README.md §Antwerp)
 *
 * Prints a Markdown table: share of hotspot-weeks flagged at their true location and with the asserted location moved
 * 5, 10 and 20 km, by reason; then, for CampusIoT, the share flagged `gain_unsupported` with the hotspot's asserted
 * antenna gain inflated by 6, 10 and 20 dB (checkAntennaGain). For Antwerp (batches of receptions instead of weeks),
 * the same thresholds with the CampusIoT prior on every batch, then with a prior refitted on the validation split and
 * judged on the test split only.
 */
import { loadAntwerpFixture } from '../src/antwerp-fixture';
import { FIXTURE_TX_POWER_DDBM, loadFixture } from '../src/fixture';
import { fitCloseIn } from '../src/fit';
import { DEFAULT_GAIN_CHECK } from '../src/gain-check';
import { DEFAULT_LOCATION_CHECK } from '../src/location-check';
import { meanSignalDbm } from '../src/model';
import { REGIONAL_PRIOR } from '../src/regional';
import type { SiteSplit } from '../src/site-split';
import { evaluateGainCheck, evaluateSpoofDetection, siteSplitOf, withSiteSplit, type ObservedReception, type SpoofEvalResult } from '../src/spoof-eval';

const args = process.argv.slice(2);
const formatAt = args.indexOf('--format');
const format = formatAt === -1 ? 'campusiot' : args.splice(formatAt, 2)[1];
if (format !== 'campusiot' && format !== 'antwerp') {
  console.error('usage: spoof-eval.ts [--format campusiot|antwerp] [<csv>]');
  process.exit(2);
}
const started = performance.now();
const table = (title: string, result: SpoofEvalResult, units: string) => {
  const pct = (n: number) => `${((100 * n) / result.hotspotWeeks).toFixed(1)} %`;
  console.log(`\n${title}\n`);
  console.log(`| asserted location | hotspot-${units} flagged | too_strong | geometry |`);
  console.log('|---|---|---|---|');
  console.log(`| true (honest) | ${pct(result.honestFlagged)} | | |`);
  for (const m of result.moved) {
    console.log(`| moved ${m.distanceM / 1000} km | ${pct(m.flagged)} | ${pct(m.byReason.too_strong ?? 0)} | ${pct(m.byReason.geometry ?? 0)} |`);
  }
};
const p = DEFAULT_LOCATION_CHECK;
/** `split`: the site split estimated on the training receptions (site-split.ts), for the last table. */
const bothTables = (model: typeof REGIONAL_PRIOR, receptions: readonly ObservedReception[], units: string, split: SiteSplit | null, splitFrom: string) => {
  const plain = evaluateSpoofDetection(model, receptions, [5000, 10_000, 20_000]);
  console.log(`${receptions.length} receptions, ${plain.hotspotWeeks} hotspot-${units}; model n = ${model.exponent.toFixed(2)}, σ = ${model.shadowingSdDb.toFixed(1)} dB`);
  table(`No history (a hotspot's first ${units}): too_strong z > ${p.tooStrongZ}, geometry χ² > ${p.geometryChi2} with ≥ ${p.minTransmittersForGeometry} transmitter positions`, plain, units);
  const siteAware = evaluateSpoofDetection(model, receptions, [5000, 10_000, 20_000], p, { siteAware: true });
  table(`No history, site-aware σ (siteAwareModel: the N links share the site, τ² = σ² − ${p.withinHotspotSdDb}²; as the oracle judges)`, siteAware, units);
  const history = evaluateSpoofDetection(model, receptions, [5000, 10_000, 20_000], p, { withHistory: true });
  table(
    `With the hotspot's own history (its other ${units}, leave one out; ${history.withHistory} of ${history.hotspotWeeks} hotspot-${units} have one): too_strong z > ${p.tooStrongZWithHistory} on σ ${p.withinHotspotSdDb} dB`,
    history,
    units,
  );
  if (!split) {
    console.log(`\nNo site split estimated from ${splitFrom}: too few receivers.`);
    return;
  }
  const estimated = evaluateSpoofDetection(model, receptions, [5000, 10_000, 20_000], withSiteSplit(p, split), { siteAware: true });
  table(
    `No history, site-aware σ with the split estimated on ${splitFrom} (site-split.ts; ${split.groups} receivers, ${split.links} links): ` +
      `σ_within ${split.withinSdDb.toFixed(1)} dB, τ ${split.siteSdDb.toFixed(1)} dB around the model (mean offset ${split.meanOffsetDb.toFixed(1)} dB)`,
    estimated,
    units,
  );
};

if (format === 'antwerp') {
  const receptions = loadAntwerpFixture(args[0]);
  console.log('## CampusIoT prior and thresholds, every batch\n');
  const val = receptions.filter((r) => r.split === 'val');
  bothTables(REGIONAL_PRIOR, receptions, 'batches', siteSplitOf(REGIONAL_PRIOR, val), 'the val split (half of the batches judged: in-sample there)');
  // RSSI is all the source gives per gateway, so it stands for the signal (spoof-eval.ts signalOf).
  const fitted = fitCloseIn(
    REGIONAL_PRIOR,
    receptions
      .filter((r) => r.split === 'val')
      .map((r) => ({ distanceM: r.distanceM, frequencyHz: r.frequencyHz, linkBudgetDbm: FIXTURE_TX_POWER_DDBM / 10, signalDbm: r.rssiDbm })),
  );
  // How the val split's excess over a model divides into gateway sites and links within one (siteAwareModel's τ and σ_within).
  const spread = (model: typeof REGIONAL_PRIOR) => {
    const byGateway = new Map<string, number[]>();
    for (const r of receptions) {
      if (r.split !== 'val' || r.distanceM < model.minDistanceM) continue;
      const link = { distanceM: r.distanceM, frequencyHz: r.frequencyHz, txPowerDdbm: FIXTURE_TX_POWER_DDBM, txGainDdbi: 0, rxGainDdbi: 0 };
      byGateway.set(r.hotspot, [...(byGateway.get(r.hotspot) ?? []), r.rssiDbm - meanSignalDbm(model, link)]);
    }
    const means = [...byGateway.values()].map((e) => e.reduce((a, b) => a + b, 0) / e.length);
    const grand = means.reduce((a, b) => a + b, 0) / means.length;
    let within = 0;
    let n = 0;
    [...byGateway.values()].forEach((e, i) => e.forEach((v) => ((within += (v - means[i]!) ** 2), n++)));
    const between = Math.sqrt(means.reduce((a, m) => a + (m - grand) ** 2, 0) / (means.length - 1));
    return `mean excess ${grand.toFixed(1)} dB over ${means.length} gateways, ${between.toFixed(1)} dB between their means, ${Math.sqrt(within / (n - means.length)).toFixed(1)} dB within one`;
  };
  console.log(`\nval split vs the CampusIoT prior: ${spread(REGIONAL_PRIOR)}`);
  console.log(`val split vs its own fit: ${spread(fitted.model)}`);
  console.log(`\n## Prior refitted on the val split (${fitted.n} receptions), same thresholds, test split only\n`);
  bothTables(
    fitted.model,
    receptions.filter((r) => r.split === 'test'),
    'batches',
    siteSplitOf(fitted.model, val),
    'the val split against its own fit (held out from the test split judged)',
  );
  console.log(`\n(${((performance.now() - started) / 1000).toFixed(1)} s)`);
  process.exit(0);
}

const receptions = loadFixture(args[0]);
bothTables(REGIONAL_PRIOR, receptions, 'weeks', siteSplitOf(REGIONAL_PRIOR, receptions), 'the same receptions, by hotspot (in-sample, as the prior and thresholds are)');
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
