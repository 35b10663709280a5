import { describe, expect, it } from 'vitest';
import { HotspotFit } from './fit';
import { freeSpacePathLossDb, normalCdf, normalQuantile } from './link-budget';
import { meanSignalDbm, predictLink, uplinkMarginDb, uplinkSuccessProbability, type RadioLink } from './model';
import { REGIONAL_PRIOR } from './regional';

const link = (distanceM: number, frequencyHz = 868.1e6): RadioLink => ({ distanceM, frequencyHz, txPowerDdbm: 140, txGainDdbi: 0, rxGainDdbi: 30 });

describe('propagation model', () => {
  it('loses 10·n dB per decade of distance and never beats free space', () => {
    const drop = meanSignalDbm(REGIONAL_PRIOR, link(1000)) - meanSignalDbm(REGIONAL_PRIOR, link(10_000));
    expect(drop).toBeCloseTo(10 * REGIONAL_PRIOR.exponent, 6);
    for (const d of [1, 10, 100, 1000, 50_000]) {
      expect(meanSignalDbm(REGIONAL_PRIOR, link(d))).toBeLessThanOrEqual(14 + 3 - freeSpacePathLossDb(d, 868.1e6) + 1e-9);
    }
  });

  it('loses more at higher frequency', () => {
    expect(meanSignalDbm(REGIONAL_PRIOR, link(3000, 915e6))).toBeLessThan(meanSignalDbm(REGIONAL_PRIOR, link(3000, 868e6)));
  });

  it('reports channel RSSI that floors at the noise and SNR below 0 far away, saturating SNR close in', () => {
    const far = predictLink(REGIONAL_PRIOR, link(20_000));
    expect(far.rssiDbm.median).toBeGreaterThanOrEqual(REGIONAL_PRIOR.noiseFloorDbm);
    expect(far.rssiDbm.median).toBeLessThan(REGIONAL_PRIOR.noiseFloorDbm + 1);
    expect(far.snrDb.median).toBeLessThan(0);
    const near = predictLink(REGIONAL_PRIOR, link(150));
    expect(near.snrDb.p90).toBe(REGIONAL_PRIOR.snrCeilingDb);
    expect(near.rssiDbm.p10).toBeLessThan(near.rssiDbm.median);
    expect(near.rssiDbm.median).toBeLessThan(near.rssiDbm.p90);
  });

  it('succeeds more often at higher spreading factors and nearer', () => {
    const p7 = uplinkSuccessProbability(REGIONAL_PRIOR, link(3000), 7);
    const p12 = uplinkSuccessProbability(REGIONAL_PRIOR, link(3000), 12);
    expect(p12).toBeGreaterThan(p7);
    expect(uplinkSuccessProbability(REGIONAL_PRIOR, link(500), 12)).toBeGreaterThan(p12);
    expect(() => uplinkSuccessProbability(REGIONAL_PRIOR, link(500), 6)).toThrow(RangeError);
    expect(normalCdf(uplinkMarginDb(REGIONAL_PRIOR, link(3000), 12) / REGIONAL_PRIOR.shadowingSdDb)).toBeCloseTo(p12, 12);
  });

  it('has a consistent normal CDF and quantile', () => {
    for (const p of [0.001, 0.1, 0.5, 0.8, 0.999]) expect(normalCdf(normalQuantile(p))).toBeCloseTo(p, 6);
  });
});

describe('per-hotspot incremental fit', () => {
  const truth = { pathLossAt1kmDb: 120, exponent: 2.6 };
  // Deterministic scatter (a fixed pseudo-random sequence), sd ≈ 6 dB.
  let state = 7;
  const noise = () => {
    let sum = 0;
    for (let i = 0; i < 12; i++) {
      state = (state * 1103515245 + 12345) % 2 ** 31;
      sum += state / 2 ** 31;
    }
    return (sum - 6) * 6;
  };
  const sample = (distanceM: number) => ({
    distanceM,
    frequencyHz: REGIONAL_PRIOR.referenceFrequencyHz,
    linkBudgetDbm: 17,
    signalDbm: 17 - (truth.pathLossAt1kmDb + 10 * truth.exponent * Math.log10(distanceM / 1000)) + noise(),
  });

  it('starts at the regional prior and moves to the links of the hotspot as they arrive', () => {
    let fit = new HotspotFit(REGIONAL_PRIOR);
    const empty = fit.result();
    expect(empty.n).toBe(0);
    expect(empty.exponent).toBeCloseTo(REGIONAL_PRIOR.exponent, 9);
    expect(empty.pathLossAt1kmDb).toBeCloseTo(REGIONAL_PRIOR.pathLossAt1kmDb, 9);
    for (let i = 0; i < 400; i++) fit = fit.add(sample(300 * 1.01 ** i));
    const learned = fit.result();
    expect(learned.n).toBe(400);
    expect(learned.exponent).toBeCloseTo(truth.exponent, 0);
    expect(Math.abs(learned.pathLossAt1kmDb - truth.pathLossAt1kmDb)).toBeLessThan(2);
    expect(learned.residualSdDb).toBeGreaterThan(4);
    expect(learned.residualSdDb).toBeLessThan(8);
    expect(learned.exponentSd).toBeLessThan(empty.exponentSd);
    expect(learned.model.shadowingSdDb).toBeLessThan(REGIONAL_PRIOR.shadowingSdDb);
  });

  it('ignores samples it cannot use (too close, not finite)', () => {
    const fit = new HotspotFit(REGIONAL_PRIOR).add({ ...sample(1000), distanceM: 10 }).add({ ...sample(1000), signalDbm: Number.NaN });
    expect(fit.sums.n).toBe(0);
  });

  it('with a few links stays near the prior', () => {
    let fit = new HotspotFit(REGIONAL_PRIOR);
    for (const d of [900, 1000, 1100]) fit = fit.add(sample(d));
    expect(Math.abs(fit.result().exponent - REGIONAL_PRIOR.exponent)).toBeLessThan(Math.abs(truth.exponent - REGIONAL_PRIOR.exponent));
  });
});
