import { describe, expect, it } from 'vitest';
import { brierScores, reliabilityTable } from './calibration';
import { loadCountsFixture, loadHotspotHoursFixture } from './fixture';
import { answerGroups, rollingRecalibration, type JudgedGroup } from './recalibration-eval';
import { REGIONAL_PRIOR } from './regional';

/** How far a well-populated bin at p ≥ 0.8 may sit from its measured rate (README.md §Calibration on real data, "Recalibration"). */
const HIGH_BIN_TOLERANCE = 0.05;

describe('recalibration held out by week on the CampusIoT counts (README.md §Calibration on real data)', () => {
  const counts = loadCountsFixture();
  const hours = loadHotspotHoursFixture();

  it('judges each week only with a map fitted on earlier weeks of its environment class', () => {
    const groups: JudgedGroup[] = [
      ...[1, 2, 3].flatMap((week) => Array.from({ length: 10 }, () => ({ endpoint: 'imst' as const, environment: 'indoor' as const, week, predicted: 0.9, trials: 100, successes: 10 }))),
      ...Array.from({ length: 10 }, () => ({ endpoint: 'ems' as const, environment: 'outdoor' as const, week: 2, predicted: 0.9, trials: 100, successes: 100 })),
    ];
    const byWeek = (week: number, environment: string) => rollingRecalibration(groups).filter((g) => g.week === week && g.environment === environment);
    expect(byWeek(1, 'indoor').every((g) => g.predicted === 0.9)).toBe(true); // nothing earlier: raw
    // Week 2 indoor: fitted on week 1's 1,000 frames heard 10 % (prior 200 frames at 0.9), never on the outdoor ones.
    expect(byWeek(2, 'indoor')[0]!.predicted).toBeCloseTo((100 + 200 * 0.9) / 1_200, 9);
    expect(byWeek(2, 'outdoor').every((g) => g.predicted === 0.9)).toBe(true);
    expect(byWeek(3, 'indoor')[0]!.predicted).toBeCloseTo((200 + 200 * 0.9) / 2_200, 9);
  });

  for (const locatedHearersOnly of [false, true]) {
    it(`beats the raw answers' Brier score and keeps the p ≥ 0.8 bins within ${HIGH_BIN_TOLERANCE} of measured (${locatedHearersOnly ? 'located hearers' : 'any purchase'})`, () => {
      const raw = answerGroups(REGIONAL_PRIOR, counts, hours, { locatedHearersOnly });
      const recalibrated = rollingRecalibration(raw);
      expect(brierScores(recalibrated).trials).toBe(brierScores(raw).trials);
      expect(brierScores(recalibrated).model).toBeLessThan(brierScores(raw).model / 2);
      // The raw indoor answers are the overstated ones; held out, their score comes down to near a constant's.
      const indoor = (list: JudgedGroup[]) => brierScores(list.filter((g) => g.environment === 'indoor'));
      expect(indoor(recalibrated).model).toBeLessThan(indoor(raw).model / 2);
      const high = reliabilityTable(recalibrated, [0, 0.8, 0.95, 1]).filter((b) => b.from >= 0.8);
      expect(high.length).toBe(2);
      for (const bin of high) {
        expect(bin.trials).toBeGreaterThan(1_000);
        expect(Math.abs(bin.measuredRate - bin.meanPredicted)).toBeLessThan(HIGH_BIN_TOLERANCE);
      }
      // The raw answers miss the same bins by far more (0.8–0.95: predicted 0.87, heard 0.22).
      const rawHigh = reliabilityTable(raw, [0, 0.8, 0.95, 1]).find((b) => b.from === 0.8)!;
      expect(rawHigh.meanPredicted - rawHigh.measuredRate).toBeGreaterThan(0.5);
    });
  }
});
