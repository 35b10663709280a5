import { describe, expect, it } from 'vitest';
import { AVAILABILITY_PRIOR, estimateAvailability } from './availability';
import { anyHearerTrials, brierScores, fitMarginCorrection, fixtureAvailability, linkTrials, reliabilityTable, type CountedTrials } from './calibration';
import { DEVICE_SITE_SD_DB } from './common-shadowing';
import { FIXTURE_TX_POWER_DDBM, loadCountsFixture, loadHotspotHoursFixture, parseCountsFixture, parseHotspotHoursFixture, type FixtureCounts } from './fixture';
import { REGIONAL_PRIOR } from './regional';

describe('reliability table and Brier score', () => {
  it('bins trials by predicted probability, the last bin closed, and weights by trials', () => {
    const bins = reliabilityTable(
      [
        { predicted: 0.1, trials: 10, successes: 1 },
        { predicted: 0.3, trials: 30, successes: 3 },
        { predicted: 1, trials: 5, successes: 5 },
      ],
      [0, 0.5, 1],
    );
    expect(bins).toEqual([
      { from: 0, to: 0.5, groups: 2, trials: 40, successes: 4, meanPredicted: 0.25, measuredRate: 0.1 },
      { from: 0.5, to: 1, groups: 1, trials: 5, successes: 5, meanPredicted: 1, measuredRate: 1 },
    ]);
  });

  it('scores exact predictions 0 and a constant prediction of the overall rate as the baseline', () => {
    expect(brierScores([{ predicted: 1, trials: 4, successes: 4 }, { predicted: 0, trials: 6, successes: 0 }]).model).toBe(0);
    const constant = brierScores([{ predicted: 0.4, trials: 10, successes: 4 }]);
    expect(constant.model).toBeCloseTo(constant.constantBaseline, 12);
    expect(constant.baselineRate).toBeCloseTo(0.4, 12);
  });

  it('rejects a counts row whose heard frames exceed the frames sent', () => {
    const header = 'endpoint,week,tx_lat,tx_lng,sf,frames_sent,frames_sent_live_hours,frames_heard_any,frames_heard_located,hotspot,distance_m,distance_source,frames_heard';
    expect(parseCountsFixture(`${header}\nimst,2730,45.19,5.77,12,10,10,5,4,abc,900,exact,3\n`)[0]!.framesHeardLocated).toBe(4);
    expect(() => parseCountsFixture(`${header}\nimst,2730,45.19,5.77,12,10,10,11,4,abc,900,exact,3\n`)).toThrow(/heard exceeds sent/);
    expect(() => parseCountsFixture(`${header}\nimst,2730,45.19,5.77,12,10,12,5,4,abc,900,exact,3\n`)).toThrow(/heard exceeds sent/);
    expect(() => parseCountsFixture(`${header}\nimst,2730,45.19,5.77,12,10,10,5,6,abc,900,exact,3\n`)).toThrow(/heard exceeds sent/);
    expect(() => parseCountsFixture(`${header}\nimst,2730,45.19,5.77,12,10,10,5,4,abc,900,guess,3\n`)).toThrow(/malformed/);
  });
});

describe('hotspot availability from liveness outside the judged frames', () => {
  const header = 'week,hotspot,hours_observed,hours_heard,hours_heard_without_ems,hours_heard_without_imst,hours_heard_without_ftd';
  const row = (week: number, hotspot: string): FixtureCounts => ({
    endpoint: 'imst', week, txLat: 45.19, txLng: 5.77, spreadingFactor: 12, framesSent: 10, framesSentInLiveHours: 10, framesHeardAny: 5,
    framesHeardLocated: 5, hotspot, distanceM: 900, exactDistance: true, framesHeard: 5,
  });

  it('pulls live over observed hours toward the prior, stays in 0..1 on hostile counts', () => {
    expect(estimateAvailability(0, 0)).toBe(AVAILABILITY_PRIOR);
    expect(estimateAvailability(168, 168)).toBeCloseTo((168 + 3) / 174, 12);
    expect(estimateAvailability(0, 168)).toBeCloseTo(3 / 174, 12);
    for (const [live, observed] of [[500, 10], [-4, 10], [Number.NaN, 10], [5, Number.POSITIVE_INFINITY], [5, -1]] as const) {
      const a = estimateAvailability(live, observed);
      expect(a).toBeGreaterThanOrEqual(0);
      expect(a).toBeLessThanOrEqual(1);
    }
  });

  it('takes the previous week (never the judged one) or the other devices, and the prior for a hotspot first seen in the judged week', () => {
    const hours = parseHotspotHoursFixture(`${header}\n10,aaa,100,80,80,20,80\n11,aaa,120,3,3,0,3\n11,bbb,120,60,60,60,60\n`);
    const previous = fixtureAvailability(hours, 'previous-week');
    expect(previous(row(11, 'aaa'))).toBeCloseTo(estimateAvailability(80, 100), 12);
    expect(previous(row(11, 'bbb'))).toBe(AVAILABILITY_PRIOR);
    // Not circular: changing the judged week's activity leaves the previous-week estimate alone.
    const changed = parseHotspotHoursFixture(`${header}\n10,aaa,100,80,80,20,80\n11,aaa,120,120,120,120,120\n`);
    expect(fixtureAvailability(changed, 'previous-week')(row(11, 'aaa'))).toBe(previous(row(11, 'aaa')));
    // Leave-one-device-out: only the hours it was heard for ems or ftd judge the imst frames.
    expect(fixtureAvailability(hours, 'other-devices')(row(10, 'aaa'))).toBeCloseTo(estimateAvailability(20, 100), 12);
    expect(() => parseHotspotHoursFixture(`${header}\n10,aaa,100,120,80,20,80\n`)).toThrow(/heard exceeds observed/);
    expect(() => parseHotspotHoursFixture(`${header}\n10,aaa,100,-1,0,0,0\n`)).toThrow(/not a count/);
  });
});

/**
 * The committed extract of real frames sent and heard (fixtures/README.md). The figures asserted here are the ones
 * README.md §Estimated coverage ("Calibration on real data") reports; they were never used to fit the model (the
 * fit only saw the signal levels of heard receptions).
 */
describe('calibration on real frames (CampusIoT Helium counts, ODbL-1.0)', () => {
  const rows = loadCountsFixture();
  const of = (endpoint: string) => rows.filter((row) => row.endpoint === endpoint);
  const any = (endpoint: string) => anyHearerTrials(REGIONAL_PRIOR, of(endpoint), FIXTURE_TX_POWER_DDBM, DEVICE_SITE_SD_DB);
  const topBin = (counted: CountedTrials[]) => reliabilityTable(counted).find((bin) => bin.from === 0.95)!;

  it('counts every frame of the fixed indoor device: one per 90 s, ~6,700 in a full week, heard or not', () => {
    const weeks = new Map<number, number>();
    for (const trial of new Map(of('imst').map((r) => [`${r.week}|${r.spreadingFactor}`, r.framesSent])).entries()) {
      const week = Number(trial[0].split('|')[0]);
      weeks.set(week, (weeks.get(week) ?? 0) + trial[1]);
    }
    const full = [...weeks.values()].filter((sent) => sent > 6000);
    expect(full.length).toBeGreaterThanOrEqual(12);
    for (const sent of full) expect(sent).toBeLessThanOrEqual(Math.ceil((7 * 86_400) / 90));
  });

  // Gate: in well-populated bins (≥ 1,000 frames, ≥ 10 groups) the measured rate — frames bought from a located
  // active hotspot, a lower bound on what those hotspots heard — must not exceed the prediction by more than 5 points:
  // the model must not understate coverage. 5 points: the binomial error of such a bin is < 1 point, but frames of one
  // position share its shadowing, so a bin's effective sample is its ≥ 10 groups, not its frames.
  it('never understates P(heard by any) by more than 5 points in a well-populated bin', () => {
    for (const endpoint of ['ems', 'imst', 'ftd']) {
      const located = anyHearerTrials(REGIONAL_PRIOR, of(endpoint), FIXTURE_TX_POWER_DDBM, DEVICE_SITE_SD_DB, { locatedHearersOnly: true });
      for (const bin of reliabilityTable(located)) {
        if (bin.trials < 1000 || bin.groups < 10) continue;
        expect(bin.measuredRate, `${endpoint} ${bin.from}–${bin.to}`).toBeLessThanOrEqual(bin.meanPredicted + 0.05);
      }
    }
  });

  // Known miscalibration (README.md): the answers' P is radio-only; real Helium hotspots are not always online and
  // forwarding, so it overstates. If a model change closes these gaps, redo the README figures with calibration-eval.
  // Upper bounds: any purchase counts, unlocated hotspots included (fixtures/README.md).
  it('overstates P(heard by any) on real data: predicted ≥ 0.95, the mobile device is heard ≤ 90 %, the indoor one ≤ 15 %', () => {
    const mobile = topBin(any('ftd'));
    expect(mobile.meanPredicted).toBeGreaterThan(0.99);
    expect(mobile.measuredRate).toBeGreaterThan(0.88);
    expect(mobile.measuredRate).toBeLessThan(0.92);
    const indoor = topBin(any('imst'));
    expect(indoor.meanPredicted).toBeGreaterThan(0.99);
    expect(indoor.measuredRate).toBeGreaterThan(0.13);
    expect(indoor.measuredRate).toBeLessThan(0.17);
    // As the answers compute it (oracle/src/coverage: pᵢ ≥ 0.1 within 25 km; indoor −12 dB) it stays overstated.
    const answered = anyHearerTrials(REGIONAL_PRIOR, of('imst'), FIXTURE_TX_POWER_DDBM, DEVICE_SITE_SD_DB, { minLinkProbability: 0.1, maxDistanceM: 25_000, deviceLossDb: 12 });
    for (const bin of reliabilityTable(answered).filter((b) => b.from >= 0.8)) {
      expect(bin.meanPredicted).toBeGreaterThan(0.9);
      expect(bin.measuredRate).toBeLessThan(0.25);
    }
    const rooftop = topBin(any('ems'));
    expect(rooftop.measuredRate).toBeGreaterThan(0.99);
    const all = [...any('ems'), ...any('imst'), ...any('ftd')];
    const brier = brierScores(all);
    expect(brier.model).toBeGreaterThan(brier.constantBaseline);
  });

  it('misses the indoor device in hours it is heard at all too (24 %), and no margin offset within ±40 dB explains its counts', () => {
    const live = topBin(anyHearerTrials(REGIONAL_PRIOR, of('imst'), FIXTURE_TX_POWER_DDBM, DEVICE_SITE_SD_DB, { liveHoursOnly: true }));
    expect(live.meanPredicted).toBeGreaterThan(0.99);
    expect(live.measuredRate).toBeGreaterThan(0.22);
    expect(live.measuredRate).toBeLessThan(0.27);
    // Judged on located hearers, the best margin offset is the grid's edge: "never heard", not a radio correction.
    const correction = fitMarginCorrection(REGIONAL_PRIOR, of('imst'), FIXTURE_TX_POWER_DDBM, DEVICE_SITE_SD_DB, { locatedHearersOnly: true });
    expect(correction.marginOffsetDb).toBeLessThanOrEqual(-35);
  });

  // Single links: the router bought one hotspot per frame, so a link's bought rate is a lower bound on its reception
  // rate; it must not exceed the prediction (2 points of slack: such bins hold ≥ 50,000 frames over ≥ 50 links).
  it('does not understate single links: bought rates stay under the prediction in every well-populated bin', () => {
    const links = reliabilityTable(linkTrials(REGIONAL_PRIOR, rows, FIXTURE_TX_POWER_DDBM));
    const populated = links.filter((bin) => bin.trials >= 50_000 && bin.groups >= 50);
    expect(populated.length).toBeGreaterThanOrEqual(5);
    for (const bin of populated) expect(bin.measuredRate, `${bin.from}–${bin.to}`).toBeLessThanOrEqual(bin.meanPredicted + 0.02);
  });

  // Availability (README.md §Estimated coverage, "Availability"): each hotspot weighted by its share of hours heard
  // in the week before the judged one — the oracle's rule on its last 7 days. It closes part of the indoor device's
  // gap, leaves the mobile device where it was and, because a purchase-based liveness is a lower bound on up-time
  // (one purchase per frame), understates the rooftop device. If these move, redo the README figures.
  it('with availability from the previous week: the indoor gap narrows but stays, the mobile device is unchanged, the rooftop one understated', () => {
    const availability = fixtureAvailability(loadHotspotHoursFixture(), 'previous-week');
    const judged = (endpoint: string) => {
      const counted = anyHearerTrials(REGIONAL_PRIOR, of(endpoint), FIXTURE_TX_POWER_DDBM, DEVICE_SITE_SD_DB, { availability });
      const brier = brierScores(counted);
      return { brier: brier.model, without: brierScores(any(endpoint)).model, meanPredicted: counted.reduce((sum, c) => sum + c.predicted * c.trials, 0) / brier.trials, measured: brier.baselineRate };
    };
    const indoor = judged('imst');
    expect(indoor.without).toBeGreaterThan(0.8);
    expect(indoor.brier).toBeLessThan(0.65);
    expect(indoor.meanPredicted).toBeGreaterThan(0.7);
    expect(indoor.measured).toBeLessThan(0.16);
    const mobile = judged('ftd');
    expect(Math.abs(mobile.brier - mobile.without)).toBeLessThan(0.01);
    const rooftop = judged('ems');
    expect(rooftop.meanPredicted).toBeLessThan(0.9);
    expect(rooftop.brier).toBeGreaterThan(rooftop.without);
    const all = (withTerm: boolean) => brierScores(['ems', 'imst', 'ftd'].flatMap((e) => anyHearerTrials(REGIONAL_PRIOR, of(e), FIXTURE_TX_POWER_DDBM, DEVICE_SITE_SD_DB, withTerm ? { availability } : {})));
    expect(all(true).model).toBeLessThan(all(false).model - 0.2);
    // Still worse than a constant at the overall rate: the term helps only partly.
    expect(all(true).model).toBeGreaterThan(all(true).constantBaseline);
  });
});
