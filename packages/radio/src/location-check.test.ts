import { describe, expect, it } from 'vitest';
import { loadFixture } from './fixture';
import { checkLocation, siteAwareModel, type HeardTransmitter } from './location-check';
import { meanSignalDbm } from './model';
import { REGIONAL_PRIOR } from './regional';
import { evaluateSpoofDetection, hotspotWeeks } from './spoof-eval';

const home = { lat: 45.19, lng: 5.72 };
const at = (northM: number, eastM: number) => ({
  lat: home.lat + northM / 111_195,
  lng: home.lng + eastM / (111_195 * Math.cos((home.lat * Math.PI) / 180)),
});
const link = { frequencyHz: 868.1e6, txPowerDdbm: 140, txGainDdbi: 0, rxGainDdbi: 0 };
/** Transmitters heard from home with the model's mean signal plus a fixed per-link deviation (dB). */
const heardFromHome = (positions: [number, number, number][]): HeardTransmitter[] =>
  positions.map(([north, east, deviationDb]) => ({
    ...at(north, east),
    ...link,
    signalDbm: meanSignalDbm(REGIONAL_PRIOR, { ...link, distanceM: Math.hypot(north, east) }) + deviationDb,
  }));

describe('location plausibility on the fitted model', () => {
  const spread = heardFromHome([
    [300, 0, 2],
    [-500, 500, -3],
    [0, -1500, 1],
    [3000, 3000, -2],
    [-6000, -3000, 3],
    [1000, -800, 0],
  ]);

  it('accepts the true location of a hotspot that hears transmitters all around', () => {
    const verdict = checkLocation(REGIONAL_PRIOR, home, spread);
    expect(verdict.flagged).toBe(false);
    expect(verdict.transmitters).toBe(6);
    expect(verdict.geometryChi2).not.toBeNull();
  });

  it('flags the same receptions asserted 10 km away, with machine-readable reasons', () => {
    const verdict = checkLocation(REGIONAL_PRIOR, at(0, 10_000), spread);
    expect(verdict.flagged).toBe(true);
    const kinds = verdict.reasons.map((r) => r.kind);
    expect(kinds).toContain('too_strong');
    expect(kinds).toContain('geometry');
    const geometry = verdict.reasons.find((r) => r.kind === 'geometry');
    // The best position is near the real one, about 10 km from the asserted one.
    expect(geometry && 'bestShiftM' in geometry ? geometry.bestShiftM : 0).toBeGreaterThan(7000);
  });

  it('does not try geometry with fewer than three transmitter positions, and merges packets from one place', () => {
    const two = heardFromHome([
      [2000, 0, 0],
      [2050, 30, 1],
      [0, -3000, 0],
    ]);
    const verdict = checkLocation(REGIONAL_PRIOR, home, two);
    expect(verdict.transmitters).toBe(2);
    expect(verdict.geometryChi2).toBeNull();
    expect(checkLocation(REGIONAL_PRIOR, home, []).flagged).toBe(false);
  });

  it('ignores receptions with missing or absurd numbers instead of returning NaN verdicts', () => {
    const broken = [
      { ...spread[0]!, signalDbm: Number.NaN },
      { ...spread[1]!, lat: 400 },
      { ...spread[2]!, frequencyHz: 0 },
      { ...spread[3]!, txPowerDdbm: Number.POSITIVE_INFINITY },
    ];
    const verdict = checkLocation(REGIONAL_PRIOR, at(0, 10_000), [...broken, ...spread.slice(4)]);
    expect(verdict.transmitters).toBe(2);
    expect(Number.isFinite(verdict.tooStrongZ)).toBe(true);
  });
});

describe('spoof evaluation on real receptions (fixture subset)', () => {
  it('flags few honest hotspot-weeks and more of them the further the location is moved', () => {
    const groups = [...hotspotWeeks(loadFixture())].slice(0, 150).flatMap(([, g]) => g);
    const result = evaluateSpoofDetection(REGIONAL_PRIOR, groups, [5000, 20_000]);
    expect(result.hotspotWeeks).toBe(150);
    expect(result.honestFlagged / result.hotspotWeeks).toBeLessThan(0.03);
    const [at5, at20] = result.moved;
    expect(at20!.flagged).toBeGreaterThan(at5!.flagged);
    expect(at20!.flagged / result.hotspotWeeks).toBeGreaterThan(0.3);
  });

  it('siteAwareModel: one link keeps the prior σ; N links that share a site weigh like their mean, not N independent ones', () => {
    expect(siteAwareModel(REGIONAL_PRIOR, 1, 8).shadowingSdDb).toBeCloseTo(REGIONAL_PRIOR.shadowingSdDb, 9);
    expect(siteAwareModel(REGIONAL_PRIOR, 0, 8).shadowingSdDb).toBeCloseTo(REGIONAL_PRIOR.shadowingSdDb, 9);
    const siteVariance = REGIONAL_PRIOR.shadowingSdDb ** 2 - 64;
    expect(siteAwareModel(REGIONAL_PRIOR, 20, 8).shadowingSdDb).toBeCloseTo(Math.sqrt(20 * siteVariance + 64), 9);
    // Stouffer's z over 20 links of equal excess e is e·√20/σ_eff = e / √(τ² + 8²/20): the z of their mean.
    const excess = 10;
    const z = (excess * Math.sqrt(20)) / siteAwareModel(REGIONAL_PRIOR, 20, 8).shadowingSdDb;
    expect(z).toBeCloseTo(excess / Math.sqrt(siteVariance + 64 / 20), 9);
    // A within-hotspot σ above the prior's leaves no site term (never a negative variance).
    expect(siteAwareModel({ ...REGIONAL_PRIOR, shadowingSdDb: 6 }, 20, 8).shadowingSdDb).toBeCloseTo(8, 9);
  });
});
