import { describe, expect, it } from 'vitest';
import { HotspotFit } from './fit';
import { FIXTURE_TX_POWER_DDBM, loadFixture } from './fixture';
import { checkAntennaGain, DEFAULT_GAIN_CHECK } from './gain-check';
import { measuredSignalDbm } from './link-budget';
import { REGIONAL_PRIOR } from './regional';
import { evaluateGainCheck, hotspotWeeks } from './spoof-eval';

const receptions = loadFixture();

/** One fixture hotspot's links as a fit, with the receiver's asserted gain in the link budget. */
function fitOf(hotspot: string, assertedGainDdbi: number): HotspotFit {
  return receptions
    .filter((r) => r.hotspot === hotspot)
    .reduce(
      (fit, r) =>
        fit.add({
          distanceM: r.distanceM,
          frequencyHz: r.frequencyHz,
          linkBudgetDbm: (FIXTURE_TX_POWER_DDBM + assertedGainDdbi) / 10,
          signalDbm: measuredSignalDbm(r.rssiDbm, r.snrDb, REGIONAL_PRIOR.noiseFloorDbm),
        }),
      new HotspotFit(REGIONAL_PRIOR),
    );
}

describe('asserted antenna gain against the links (real fixture)', () => {
  // The fixture hotspot with the most receptions: its real links, honest at the 0 dBi the data assumes.
  const counts = new Map<string, number>();
  for (const r of receptions) counts.set(r.hotspot, (counts.get(r.hotspot) ?? 0) + 1);
  const busiest = [...counts].sort((a, b) => b[1] - a[1])[0]![0];

  it('moves the deficit by exactly the inflation, flags it past the threshold, and reports the gain the links imply', () => {
    const honest = checkAntennaGain(REGIONAL_PRIOR, fitOf(busiest, 0).sums, 0);
    expect(honest.links).toBeGreaterThanOrEqual(100);
    expect(honest.flagged).toBe(false);
    const shifted = checkAntennaGain(REGIONAL_PRIOR, fitOf(busiest, 100).sums, 100);
    expect(shifted.deficitDb! - honest.deficitDb!).toBeCloseTo(10, 6);
    expect(shifted.impliedGainDdbi).toBe(honest.impliedGainDdbi);
    // The smallest whole-dB claim whose deficit crosses the threshold is flagged; 2 dB less is not.
    const thresholdDb = DEFAULT_GAIN_CHECK.zThreshold * Math.sqrt(DEFAULT_GAIN_CHECK.siteSdDb ** 2 + DEFAULT_GAIN_CHECK.withinSdDb ** 2 / honest.links);
    const claimDdbi = 10 * Math.ceil(thresholdDb - honest.deficitDb! + 0.5);
    expect(checkAntennaGain(REGIONAL_PRIOR, fitOf(busiest, claimDdbi - 20).sums, claimDdbi - 20).flagged).toBe(false);
    const inflated = checkAntennaGain(REGIONAL_PRIOR, fitOf(busiest, claimDdbi).sums, claimDdbi);
    expect(inflated.reasons).toEqual([
      expect.objectContaining({ kind: 'gain_unsupported', links: honest.links, assertedGainDdbi: claimDdbi, impliedGainDdbi: honest.impliedGainDdbi }),
    ]);
  });

  it('gives no verdict on too few links, and ignores non-finite sums', () => {
    const two = receptions.filter((r) => r.hotspot === busiest).slice(0, 2);
    const fit = two.reduce(
      (f, r) => f.add({ distanceM: r.distanceM, frequencyHz: r.frequencyHz, linkBudgetDbm: 40, signalDbm: measuredSignalDbm(r.rssiDbm, r.snrDb, -115) }),
      new HotspotFit(REGIONAL_PRIOR),
    );
    expect(checkAntennaGain(REGIONAL_PRIOR, fit.sums, 260)).toMatchObject({ flagged: false, zScore: null });
    expect(checkAntennaGain(REGIONAL_PRIOR, { n: 5, sx: Number.NaN, sxx: 0, sy: 1, sxy: 0, syy: 0 }, 0)).toMatchObject({ flagged: false, zScore: null });
  });

  it('flags ≤ 1 % of honest hotspot-weeks, and more the more gain is claimed', () => {
    const result = evaluateGainCheck(REGIONAL_PRIOR, receptions, [60, 100, 200]);
    expect(result.hotspotWeeks).toBe(hotspotWeeks(receptions).size);
    expect(result.checked).toBeGreaterThan(400);
    expect(result.honestFlagged / result.checked).toBeLessThanOrEqual(0.01);
    const shares = result.inflated.map((i) => i.flagged / result.checked);
    expect(shares[0]!).toBeGreaterThan(result.honestFlagged / result.checked);
    expect(shares[1]!).toBeGreaterThan(shares[0]!);
    expect(shares[2]!).toBeGreaterThan(shares[1]!);
  });
});
