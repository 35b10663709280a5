import { describe, expect, it } from 'vitest';
import { availabilityOf, combineWithCommonShadowing, DEVICE_SITE_SD_DB, normalQuadrature, type HotspotMargin } from './common-shadowing';
import { normalCdf } from './link-budget';
import { seededNormals } from './seeded-normals';

const SD = 15.8;
const links = (margins: number[]): HotspotMargin[] => margins.map((marginDb) => ({ marginDb, shadowingSdDb: SD }));
const independent = (margins: number[]) => 1 - margins.reduce((none, m) => none * (1 - normalCdf(m / SD)), 1);

describe('hotspots sharing the device-end shadowing', () => {
  it('integrates a standard normal exactly up to high moments', () => {
    const { nodes, weights } = normalQuadrature(10);
    const moment = (p: number) => nodes.reduce((s, x, k) => s + weights[k]! * x ** p, 0);
    expect(moment(0)).toBeCloseTo(1, 12);
    expect(moment(1)).toBeCloseTo(0, 12);
    expect(moment(2)).toBeCloseTo(1, 10);
    expect(moment(4)).toBeCloseTo(3, 9);
    expect(moment(8)).toBeCloseTo(105, 6);
    expect(() => normalQuadrature(0)).toThrow(RangeError);
  });

  it('equals the independent 1 − Π(1 − p_i) with no common term, and keeps Σ p_i as the expected hearers', () => {
    for (const margins of [[], [3], [-10, 0, 5], [-20, -15, -12, -8, -5, 0, 4, 9, 15, 30]]) {
      const combined = combineWithCommonShadowing(links(margins), 0);
      expect(combined.anyProbability).toBeCloseTo(independent(margins), 10);
      const expected = margins.reduce((s, m) => s + normalCdf(m / SD), 0);
      expect(combined.expectedHearers).toBeCloseTo(expected, 12);
      expect(combineWithCommonShadowing(links(margins), DEVICE_SITE_SD_DB).expectedHearers).toBeCloseTo(expected, 12);
    }
  });

  it('keeps one hotspot’s probability whatever the split', () => {
    for (const m of [-20, -5, 0, 7, 25]) expect(combineWithCommonShadowing(links([m]), 10).anyProbability).toBeCloseTo(normalCdf(m / SD), 4);
  });

  it('caps many equal hotspots below 1 where independence says certain, as a simulation of the split does', () => {
    const margins = Array<number>(40).fill(-15); // p_i = Φ(−15/15.8) ≈ 0.17 each
    expect(independent(margins)).toBeGreaterThan(0.999);
    const common = 10;
    const combined = combineWithCommonShadowing(links(margins), common).anyProbability;
    expect(combined).toBeLessThan(0.97);
    // Monte Carlo: one common draw per position, one own draw per link.
    const draw = seededNormals(5);
    const own = Math.sqrt(SD * SD - common * common);
    let heard = 0;
    const positions = 20_000;
    for (let i = 0; i < positions; i++) {
      const s = common * draw();
      if (margins.some((m) => m + s + own * draw() >= 0)) heard++;
    }
    expect(Math.abs(heard / positions - combined)).toBeLessThan(0.01);
    // The 10-node rule agrees with a 64-node one (closely at the device-end term, within 0.005 at 10 dB).
    expect(combineWithCommonShadowing(links(margins), common, normalQuadrature(64)).anyProbability).toBeCloseTo(combined, 2);
    const atDeviceTerm = combineWithCommonShadowing(links(margins)).anyProbability;
    expect(combineWithCommonShadowing(links(margins), DEVICE_SITE_SD_DB, normalQuadrature(64)).anyProbability).toBeCloseTo(atDeviceTerm, 4);
    expect(atDeviceTerm).toBeLessThan(independent(margins));
  });

  it('falls as the common term grows and rises with more hotspots or larger margins', () => {
    const margins = [-12, -8, -4, 0, 2, 6];
    let previous = 1;
    for (const common of [0, 3, 6, 9, 12, 15]) {
      const p = combineWithCommonShadowing(links(margins), common).anyProbability;
      expect(p).toBeLessThanOrEqual(previous + 1e-12);
      previous = p;
    }
    const base = combineWithCommonShadowing(links(margins)).anyProbability;
    expect(combineWithCommonShadowing(links([...margins, -10])).anyProbability).toBeGreaterThan(base);
    expect(combineWithCommonShadowing(links(margins.map((m) => m + 3))).anyProbability).toBeGreaterThan(base);
  });

  it('weights each hotspot by its availability: a_i·p_i in the product and the expected count, 1 when absent', () => {
    const margins = [-6, 0, 9];
    const availability = [0.2, 0.5, 0.9];
    const withAvailability = margins.map((marginDb, i) => ({ marginDb, shadowingSdDb: SD, availability: availability[i] }));
    const independentUp = 1 - margins.reduce((none, m, i) => none * (1 - availability[i]! * normalCdf(m / SD)), 1);
    const combined = combineWithCommonShadowing(withAvailability, 0);
    expect(combined.anyProbability).toBeCloseTo(independentUp, 12);
    expect(combined.expectedHearers).toBeCloseTo(margins.reduce((sum, m, i) => sum + availability[i]! * normalCdf(m / SD), 0), 12);
    // Always up is the radio-only answer; with the device-end term too.
    const up = margins.map((marginDb) => ({ marginDb, shadowingSdDb: SD, availability: 1 }));
    expect(combineWithCommonShadowing(up).anyProbability).toBe(combineWithCommonShadowing(links(margins)).anyProbability);
    expect(combineWithCommonShadowing(withAvailability).anyProbability).toBeLessThan(combineWithCommonShadowing(links(margins)).anyProbability);
  });

  it('caps a device heard only by down hotspots at 0 and one hotspot at its availability, however strong the link', () => {
    expect(combineWithCommonShadowing([{ marginDb: 60, shadowingSdDb: SD, availability: 0 }]).anyProbability).toBe(0);
    expect(combineWithCommonShadowing([{ marginDb: 60, shadowingSdDb: SD, availability: 0.3 }]).anyProbability).toBeCloseTo(0.3, 4);
    // Out-of-range or missing values: clamped to 0..1, NaN counts as always up (never a NaN probability).
    expect(availabilityOf(1.7)).toBe(1);
    expect(availabilityOf(-0.2)).toBe(0);
    expect(availabilityOf(Number.NaN)).toBe(1);
    expect(availabilityOf(undefined)).toBe(1);
  });

  it('matches a simulation of hotspots that are up or down independently of the shadowing', () => {
    const margins = [-10, -3, 4, 12];
    const availability = [0.9, 0.4, 0.6, 0.25];
    const common = DEVICE_SITE_SD_DB;
    const own = Math.sqrt(SD * SD - common * common);
    const draw = seededNormals(7);
    let up = 0xc0ffee;
    const uniform = () => {
      up = (Math.imul(up, 1664525) + 1013904223) >>> 0;
      return up / 4294967296;
    };
    let heard = 0;
    const trials = 40_000;
    for (let t = 0; t < trials; t++) {
      const s = common * draw();
      if (margins.some((m, i) => uniform() < availability[i]! && m + s + own * draw() >= 0)) heard++;
    }
    const predicted = combineWithCommonShadowing(margins.map((marginDb, i) => ({ marginDb, shadowingSdDb: SD, availability: availability[i] })), common).anyProbability;
    // 40,000 trials: binomial standard error ≤ 0.0025, so 0.01 is four of them.
    expect(Math.abs(heard / trials - predicted)).toBeLessThan(0.01);
  });
});
